/**
 * Reading what the app did, out of the stand-ins: waiting for a condition, the words of a Block Kit structure,
 * a user's messages and direct messages, page bodies, and the rows of a connections database. Shared by the
 * end-to-end tests (tests/e2e) and the fault tests (tests/faults), so each reads results the same way.
 */

import { directChannelFor } from '../../stand-ins/slack/ids.js';
import type { MessageRecord } from '../../stand-ins/slack/index.js';
import type { Harness } from '../harness.js';

type Obj = Record<string, any>;

// ---- waiting ------------------------------------------------------------------------------------------------

/**
 * Resolves with the probe's first truthy value; polls (no fixed sleep stands for "long enough") and fails with
 * `what` after `timeoutMs`. The timeout is a ceiling for a stuck run, not a performance claim.
 */
type Probed<T> = T | undefined | null | false;

export async function eventually<T>(probe: () => Probed<T> | Promise<Probed<T>>, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---- what the user read -------------------------------------------------------------------------------------

/** The words a person reads in a Block Kit structure: every `text` string in it, joined by new lines. */
export function textOf(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(value);
  return out.join('\n');
}

/**
 * Every string in a JSON value (ids and field errors too: `response_action: errors` maps block ids to plain
 * strings that are not under a `text` key), joined by new lines.
 */
export function stringsOf(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

/** Messages a user saw from index `from` on: ephemerals to them, and their direct messages with the app. */
export function messagesFor(h: Pick<Harness, 'slack'>, userId: string, from = 0): MessageRecord[] {
  return h.slack.messages.slice(from).filter((m) => m.user === userId || m.channel === directChannelFor(userId));
}

/** The app's direct messages to this user (posted through the Web API), each as it looks now (latest update). */
export function dms(h: Pick<Harness, 'slack'>, userId: string): MessageRecord[] {
  const channel = directChannelFor(userId);
  const latest = new Map<string, MessageRecord>();
  for (const m of h.slack.messages) if (m.channel === channel && m.via === 'api') latest.set(m.ts, m);
  return [...latest.values()];
}

// ---- what Notion holds --------------------------------------------------------------------------------------

function plain(richText: unknown): string {
  return Array.isArray(richText) ? richText.map((t: Obj) => t.plain_text ?? t.text?.content ?? '').join('') : '';
}

/** A page's body as Markdown. */
export function bodyOf(h: Pick<Harness, 'notion'>, pageId: string): string {
  return h.notion.pageMarkdown(pageId);
}

/** The plain text of each top-level block of a page (nested blocks follow their parent's text). */
export function rowContents(h: Pick<Harness, 'notion'>, pageId: string): string[] {
  return h.notion.childrenOf(pageId).map((block: Obj) => {
    const body = block[block.type] as Obj | undefined;
    return plain(body?.rich_text);
  });
}

export function rowName(h: Pick<Harness, 'notion'>, pageId: string): string {
  const page = h.notion.getPage(pageId);
  const title = Object.values((page?.properties ?? {}) as Record<string, Obj>).find((p) => p.type === 'title');
  return plain(title?.title);
}

/** The plain text of a page's rich-text property. */
export function propertyText(h: Pick<Harness, 'notion'>, pageId: string, property: string): string {
  return plain(h.notion.getPage(pageId)?.properties?.[property]?.rich_text);
}

export interface ConnectionRowValues {
  readonly id: string;
  readonly name: string;
  readonly status: string | undefined;
  readonly items: number | null;
  readonly runs: number | null;
  readonly lastError: string;
  readonly target: string;
  readonly output: string;
  readonly inTrash: boolean;
}

/** Every row of a connections database (trashed ones too, marked `inTrash`), as plain values. */
export function connectionRows(h: Pick<Harness, 'notion'>, connectionsDataSourceId: string): ConnectionRowValues[] {
  return h.notion.rows(connectionsDataSourceId).map((row: Obj) => {
    const p = row.properties as Record<string, Obj>;
    return {
      id: row.id,
      name: plain(p.Name?.title),
      status: p.Status?.select?.name ?? undefined,
      items: p.Items?.number ?? null,
      runs: p.Runs?.number ?? null,
      lastError: plain(p['Last error']?.rich_text),
      target: p.Target?.url ?? '',
      output: plain(p.Output?.rich_text),
      inTrash: Boolean(row.in_trash),
    };
  });
}

const compact = (urlOrId: string) => (/[0-9a-f]{32}/i.exec(urlOrId.replace(/-/g, ''))?.[0] ?? urlOrId).toLowerCase();

/** The connection row whose Target is this page or database (by id, whatever the URL's form). */
export function connectionRow(h: Pick<Harness, 'notion'>, c: { connections: { dataSourceId: string } }, targetUrl: string): ConnectionRowValues | undefined {
  const id = compact(targetUrl);
  return connectionRows(h, c.connections.dataSourceId).find((r) => !r.inTrash && compact(r.target) === id);
}
