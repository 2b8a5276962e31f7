/** Reading results back out of the Notion stand-in: row contents, row titles, connection rows. */
import type { Harness } from '../../e2e/harness.js';

type Obj = Record<string, any>;

function plain(richText: unknown): string {
  return Array.isArray(richText) ? richText.map((t: Obj) => t.plain_text ?? t.text?.content ?? '').join('') : '';
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
