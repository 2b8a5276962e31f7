/**
 * Typed outputs end to end: a database with a property of every writable type (and a formula), a related
 * database to choose from, and readers of what Notion holds and what the app asked the model.
 */
import { expect } from 'vitest';
import { GenerateIds } from '../../../src/slack/listeners/generate/ids.js';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import type { Delivery } from '../../stand-ins/slack/index.js';
import type { Harness } from '../harness.js';
import { dms, eventually, textOf } from './observe.js';

type Obj = Record<string, any>;

export const TYPED_PROPERTIES = {
  Name: { title: {} },
  Summary: { rich_text: {} },
  Score: { number: {} },
  Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } },
  Tags: { multi_select: { options: [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }] } },
  Stage: { status: {} },
  Due: { date: {} },
  Done: { checkbox: {} },
  Link: { url: {} },
  Contact: { email: {} },
  Phone: { phone_number: {} },
  Total: { formula: { expression: 'prop("Score") * 2' } },
} as const;

/** A database of every writable type, related to a "Clients" database of `clients` pages, with `rows` rows. */
export function typedDatabase(h: Harness, secret: string, o: { rows: number; clients?: number; title?: string }) {
  const clients = h.notion.addDatabase({ title: `${o.title ?? 'Deals'} clients`, sharedWith: [secret], properties: { Name: { title: {} } } });
  const clientIds = Array.from(
    { length: o.clients ?? 3 },
    (_, i) => h.notion.addRow(clients.dataSourceId, { Name: { title: [{ text: { content: `Client ${i + 1}` } }] } }).id,
  );
  const db = h.notion.addDatabase({
    title: o.title ?? 'Deals',
    sharedWith: [secret],
    properties: { ...TYPED_PROPERTIES, Client: { relation: { data_source_id: clients.dataSourceId, single_property: {} } } },
  });
  const rowIds = Array.from({ length: o.rows }, (_, i) => h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Deal ${i + 1}` } }] } }).id);
  return { ...db, rowIds, clientIds, clientsDataSourceId: clients.dataSourceId };
}

/** The value of a property of a page in the stand-in, as plain values. */
export function cellOf(h: Harness, pageId: string, property: string): unknown {
  const value = h.notion.getPage(pageId)?.properties?.[property] as Obj | undefined;
  if (!value) return undefined;
  const inner = value[value.type];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return (inner as Obj[]).map((t) => t.plain_text).join('');
    case 'select':
    case 'status':
      return inner?.name ?? null;
    case 'multi_select':
      return (inner as Obj[]).map((o) => o.name);
    case 'date':
      return inner?.start ?? null;
    case 'relation':
      return (inner as Obj[]).map((r) => r.id);
    default:
      return inner;
  }
}

/** The row's name as the prompt carried it (`Deal 3`), from the last user message. */
export function dealIn(req: ChatRequest): string {
  const prompt = req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  return /Deal \d+/.exec(prompt)?.[0] ?? 'Deal ?';
}

/** Chat requests the app sent with this key since `from`, with their bodies. */
export function chatBodies(h: Harness, key: string, from = 0): Obj[] {
  return h.openai.requests
    .slice(from)
    .filter((r) => r.key === key && r.path === '/v1/chat/completions' && r.body)
    .map((r) => r.body as Obj);
}

/** PATCH /v1/pages/{id} requests for these rows (property updates), counted per row. */
export function pageUpdatesPerRow(h: Harness, rowIds: readonly string[], from = 0): number[] {
  const patches = h.notion.requests.slice(from).filter((r) => r.method === 'PATCH' && /^\/v1\/pages\/[^/]+$/.test(r.path));
  const compact = (id: string) => id.replace(/-/g, '');
  return rowIds.map((id) => patches.filter((r) => compact(r.path).includes(compact(id))).length);
}

export async function command(h: Harness, userId: string, text: string): Promise<Delivery> {
  const d = await h.slack.slashCommand({ userId, text: `generate ${text}` });
  expect(d.acked).toBe(true);
  return d;
}

const isFinal = (t: string) => !t.includes('Working on it') && /Done|Finished|failed|Cancelled|could not|:warning:/.test(t) && !/Writing|rows? so far/.test(t);

/** The run's last message (response_url post or DM) once it reads as final. */
export function finalText(h: Harness, d: Delivery, userId: string, timeoutMs = 60_000): Promise<string> {
  return eventually(
    () => {
      const posts = h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && p.ok).map((p) => textOf((p.body as { blocks?: unknown }).blocks));
      const last = [...posts, ...dms(h, userId).map((m) => textOf(m.blocks))].reverse().find((t) => t.includes('Tokens:') || /could not|:warning:/.test(t));
      return last && isFinal(last) ? last : undefined;
    },
    'the final message',
    timeoutMs,
  );
}

/**
 * Opens `/visen generate`'s form, types a database link and a prompt, and waits for the form to list the database's
 * properties, as a user does. Returns the updated view and the typed values (to submit with the rest).
 */
export async function openFormOnDatabase(h: Harness, userId: string, databaseUrl: string, prompt: string) {
  const before = h.slack.views.opened.length;
  await command(h, userId, '');
  const opened = await eventually(() => h.slack.views.opened.slice(before).find((v) => v.callback_id === GenerateIds.modalCallback), 'the modal');
  const updatesBefore = h.slack.views.updated.length;
  const typed = {
    [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: databaseUrl },
    [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: prompt },
  };
  await h.slack.blockAction({
    userId,
    container: 'view',
    view: { id: opened.id },
    actionId: GenerateIds.targetAction,
    blockId: GenerateIds.targetBlock,
    value: databaseUrl,
    values: typed,
  });
  const updated = await eventually(
    () => h.slack.views.updated.slice(updatesBefore).find((v) => v.blocks.some((b) => b.block_id === GenerateIds.intoSelectBlock)),
    'the modal with the properties',
  );
  return { updated, typed };
}
