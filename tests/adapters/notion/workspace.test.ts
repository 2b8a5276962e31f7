// The Notion adapter against the Notion stand-in (a real HTTP server that behaves like api.notion.com, 2026-12-01).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockSignature, childrenOf, type NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { DEFAULT_BURST } from '../../../src/adapters/notion/limits.js';
import { markdownToBlocks } from '../../../src/adapters/notion/markdown.js';
import { numberValue, richTextValue, selectValue, titleValue } from '../../../src/adapters/notion/property-values.js';
import type { NotionWorkspace, PageInfo } from '../../../src/adapters/notion/types.js';
import { createNotionGateway, secretKey } from '../../../src/adapters/notion/workspace.js';
import { NotionError } from '../../../src/errors.js';
import { type NotionStandIn, startNotionStandIn } from '../../stand-ins/notion/index.js';
import { buildLongDocument } from './documents.js';
import { memoryLogger } from './support.js';

type Tree = { sig: string; children: Tree[] };
const requestTree = (blocks: readonly NotionBlock[]): Tree[] => blocks.map((b) => ({ sig: blockSignature(b as never), children: requestTree(childrenOf(b)) }));
const standInTree = (blocks: readonly Record<string, any>[]): Tree[] =>
  blocks.map((b) => ({ sig: blockSignature(b as never), children: standInTree(b.children ?? []) }));

// Our limiter stays under the stand-in's (40/s, burst 10): pacing at exactly a server's rate loses to network jitter.
const FAST = { rateLimit: { ratePerSecond: 30, capacity: 5 }, http: { baseDelayMs: 5, maxDelayMs: 20 } };

let notion: NotionStandIn;
let secret: string;
let notion_: NotionWorkspace;
let logLines: string[];
let rootPageId: string;

beforeAll(async () => {
  notion = await startNotionStandIn({ requestsPerSecond: 40, burst: 10 });
  ({ secret } = notion.createIntegration({ name: 'Visen Test' }));
  rootPageId = notion.addPage({ title: 'Visen root', sharedWith: [secret] }).id;
  const { logger, lines } = memoryLogger('debug');
  logLines = lines;
  notion_ = createNotionGateway({ baseUrl: notion.baseUrl, logger, ...FAST }).forSecret(secret);
});

afterAll(async () => {
  await notion.close();
});

afterEach(() => {
  notion.clearFaults();
  expect(notion.failures).toEqual([]);
});

const PROPERTIES = {
  Name: { title: {} },
  Status: { select: { options: [{ name: 'Open' }, { name: 'Done' }] } },
  Notes: { rich_text: {} },
  Count: { number: {} },
};

async function collect(rows: AsyncIterable<PageInfo>): Promise<PageInfo[]> {
  const out: PageInfo[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('reading and creating structure', () => {
  it('whoAmI names the integration and its workspace', async () => {
    const me = await notion_.whoAmI();
    expect(me).toEqual({ botId: expect.any(String), name: 'Visen Test', workspaceName: 'Visen Test Workspace' });
  });

  it('creates a database under a page, then reads and extends its data source', async () => {
    const created = await notion_.createDatabase({ parentPageId: rootPageId, title: 'Connections', properties: PROPERTIES });
    expect(created.title).toBe('Connections');
    expect(created.dataSources).toHaveLength(1);
    expect(created.dataSourceId).toBe(created.dataSources[0]!.id);

    const database = await notion_.retrieveDatabase(created.id);
    expect(database.dataSources[0]!.id).toBe(created.dataSourceId);

    const schema = await notion_.retrieveDataSource(created.dataSourceId);
    expect(schema.databaseId).toBe(created.id);
    expect(schema.propertyTypes).toEqual({ Name: 'title', Status: 'select', Notes: 'rich_text', Count: 'number' });
    expect(schema.properties.Status!.options).toEqual(['Open', 'Done']);

    const updated = await notion_.updateDataSourceProperties(created.dataSourceId, { 'Last run': { date: {} } });
    expect(updated.propertyTypes['Last run']).toBe('date');
  });

  it('resolves a page id, a database id and a data source id; an unshared id is object_not_found', async () => {
    const db = notion.addDatabase({ title: 'Targets', sharedWith: [secret], properties: { Name: { title: {} } } });
    const page = notion.addPage({ title: 'A page', sharedWith: [secret] });
    const hidden = notion.addPage({ title: 'Private' });

    const asDatabase = await notion_.resolveObject(db.id);
    expect(asDatabase.kind).toBe('database');
    const asPage = await notion_.resolveObject(page.id.replace(/-/g, ''));
    expect(asPage).toMatchObject({ kind: 'page', page: { id: page.id, title: 'A page' } });
    const viaDataSource = await notion_.resolveObject(db.dataSourceId);
    expect(viaDataSource).toMatchObject({ kind: 'database', database: { id: db.id } });

    const err = await notion_.resolveObject(hidden.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotionError);
    expect((err as NotionError).code).toBe('object_not_found');
    expect((err as NotionError).userMessage).toContain('choose Connections');
  });

  it('asks the page endpoint first when a page is likely, and resolves every kind the same either way', async () => {
    const db = notion.addDatabase({ title: 'Hinted', sharedWith: [secret], properties: { Name: { title: {} } } });
    const page = notion.addPage({ title: 'Hinted page', sharedWith: [secret] });
    const from = notion.requests.length;

    expect(await notion_.resolveObject(page.id, { likely: 'page' })).toMatchObject({ kind: 'page', page: { id: page.id } });
    expect(notion.requests.slice(from).map((r) => r.path)).toEqual([`/v1/pages/${page.id}`]);
    expect(await notion_.resolveObject(db.id, { likely: 'page' })).toMatchObject({ kind: 'database', database: { id: db.id } });
    expect(await notion_.resolveObject(db.dataSourceId, { likely: 'page' })).toMatchObject({ kind: 'database', database: { id: db.id } });
  });

  it('a revoked secret is unauthorized, with the fix in the message', async () => {
    const other = notion.createIntegration({ name: 'Gone' });
    notion.revoke(other.secret);
    const { logger } = memoryLogger('warn');
    const err = await createNotionGateway({ baseUrl: notion.baseUrl, logger, ...FAST })
      .forSecret(other.secret)
      .whoAmI()
      .catch((e: unknown) => e);
    expect((err as NotionError).code).toBe('unauthorized');
    expect((err as NotionError).userMessage).toContain('notion.so/profile/integrations');
  });
});

describe('rows', () => {
  it('creates rows under the data source, queries them with a filter, updates and trashes them', async () => {
    const db = notion.addDatabase({ title: 'Rows', sharedWith: [secret], properties: PROPERTIES });
    const created = await notion_.createPage({
      parent: { type: 'data_source', id: db.dataSourceId },
      properties: { Name: titleValue('First'), Status: selectValue('Open'), Notes: richTextValue('n'.repeat(4100)), Count: numberValue(1) },
    });
    expect(created.parent).toEqual({ type: 'data_source', id: db.dataSourceId });
    expect(created.properties.Notes!.plainText).toHaveLength(4100);
    const rowCreate = notion.requests.find((r) => r.method === 'POST' && r.path === '/v1/pages' && r.body?.parent?.data_source_id);
    expect(rowCreate?.body.parent).toEqual({ type: 'data_source_id', data_source_id: db.dataSourceId });

    for (const name of ['Second', 'Third'])
      notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: name } }] }, Status: { select: { name: 'Done' } } });
    const open = await collect(notion_.queryDataSource(db.dataSourceId, { filter: { property: 'Status', select: { equals: 'Open' } }, properties: [] }));
    expect(open.map((r) => r.title)).toEqual(['First']);

    const updated = await notion_.updatePageProperties(created.id, { Status: selectValue('Done') });
    expect(updated.properties.Status).toMatchObject({ name: 'Done' });

    const trashed = await notion_.trashPage(created.id);
    expect(trashed.inTrash).toBe(true);
    const trashRequest = notion.requests.filter((r) => r.method === 'PATCH' && r.path === `/v1/pages/${created.id}`).at(-1);
    expect(trashRequest?.body).toEqual({ in_trash: true });
    const all = await collect(notion_.queryDataSource(db.dataSourceId, { properties: [] }));
    expect(all.map((r) => r.title).sort()).toEqual(['Second', 'Third']);
  });

  it('follows every page of results', async () => {
    const db = notion.addDatabase({ title: 'Many', sharedWith: [secret], properties: { Name: { title: {} } } });
    for (let i = 0; i < 7; i++) notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `r${i}` } }] } });
    const rows = await collect(notion_.queryDataSource(db.dataSourceId, { pageSize: 2, properties: [] }));
    expect(rows).toHaveLength(7);
    const sorted = await collect(
      notion_.queryDataSource(db.dataSourceId, { pageSize: 3, sorts: [{ property: 'Name', direction: 'descending' }], properties: [] }),
    );
    expect(sorted.map((r) => r.title)).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
  });

  it('never silently stops at the per-query cap', async () => {
    const capped = await startNotionStandIn({ queryResultLimit: 5, requestsPerSecond: 100, burst: 50 });
    try {
      const integration = capped.createIntegration();
      const db = capped.addDatabase({ title: 'Big', sharedWith: [integration.secret], properties: { Name: { title: {} } } });
      for (let i = 0; i < 8; i++) capped.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `r${i}` } }] } });
      const { logger } = memoryLogger('warn');
      const workspace = createNotionGateway({ baseUrl: capped.baseUrl, logger, ...FAST }).forSecret(integration.secret);
      // Rows created in the same minute share one created_time, so the created_time windows cannot split them:
      // the adapter says so instead of returning 5 of 8 rows.
      const seen: string[] = [];
      const err = await (async () => {
        for await (const row of workspace.queryDataSource(db.dataSourceId, { properties: [] })) seen.push(row.title);
      })().catch((e: unknown) => e);
      expect((err as NotionError).code).toBe('validation_error');
      expect((err as NotionError).userMessage).toMatch(/Narrow the rows with a filter/);
      const sortedErr = await collect(
        workspace.queryDataSource(db.dataSourceId, { sorts: [{ property: 'Name', direction: 'ascending' }], properties: [] }),
      ).catch((e: unknown) => e);
      expect((sortedErr as NotionError).code).toBe('validation_error');
      expect(capped.failures).toEqual([]);
    } finally {
      await capped.close();
    }
  });
});

describe('writing content', () => {
  it('appends a 30,000-character document in requests within every limit, deep lists included', async () => {
    const page = notion.addPage({ title: 'Long', sharedWith: [secret], parentPageId: rootPageId });
    const markdown = buildLongDocument(30_000);
    const result = await notion_.appendMarkdown(page.id, markdown);
    const expected = markdownToBlocks(markdown);
    expect(result.blockIds).toHaveLength(expected.length);
    expect(standInTree(notion.childrenOf(page.id))).toEqual(requestTree(expected));
    const appends = notion.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/children'));
    expect(appends.length).toBeGreaterThan(1);
    expect(appends.every((r) => r.status === 200)).toBe(true);
  });

  it('inserts after a block, keeping the order across several requests', async () => {
    const page = notion.addPage({
      title: 'Ordered',
      sharedWith: [secret],
      children: [{ paragraph: { rich_text: [{ text: { content: 'first' } }] } }, { paragraph: { rich_text: [{ text: { content: 'last' } }] } }],
    });
    const [first] = await notion_.listChildren(page.id);
    const middle = Array.from(
      { length: 230 },
      (_, i) => ({ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: `m${i}` } }] } }) as NotionBlock,
    );
    await notion_.appendBlocks(page.id, middle, { position: { type: 'after_block', after_block: { id: first!.id } } });
    const texts = (await notion_.listChildren(page.id)).map((b) => b.text);
    expect(texts).toEqual(['first', ...middle.map((_, i) => `m${i}`), 'last']);
    const positions = notion.requests.filter((r) => r.method === 'PATCH' && r.path === `/v1/blocks/${page.id}/children`).map((r) => r.body.position.type);
    expect(positions).toEqual(['after_block', 'after_block', 'after_block']);
  });

  it('creates a page with children, appending what one request cannot hold', async () => {
    const children = markdownToBlocks(Array.from({ length: 150 }, (_, i) => `Paragraph ${i}`).join('\n\n'));
    const page = await notion_.createPage({ parent: { type: 'page', id: rootPageId }, properties: { title: titleValue('Report') }, children });
    expect(page.title).toBe('Report');
    expect(standInTree(notion.childrenOf(page.id))).toEqual(requestTree(children));
  });

  it('does not write twice when the connection drops after Notion applied the append', async () => {
    const page = notion.addPage({ title: 'Drop after', sharedWith: [secret] });
    notion.injectFault({ status: 'drop', afterApplying: true, match: { method: 'PATCH', pathIncludes: `/blocks/${page.id}/children` } });
    const blocks = markdownToBlocks('# Title\n\nBody text.\n\n- item');
    const result = await notion_.appendBlocks(page.id, blocks);
    expect(standInTree(notion.childrenOf(page.id))).toEqual(requestTree(blocks));
    expect(result.blockIds).toEqual(notion.childrenOf(page.id).map((b) => b.id));
    const forPage = notion.requests.filter((r) => r.path === `/v1/blocks/${page.id}/children`).map((r) => r.method);
    expect(forPage).toEqual(['PATCH', 'GET']);
    expect(logLines.some((line) => line.includes('the blocks are on the page, not sending again'))).toBe(true);
  });

  it('sends again when the connection dropped before Notion applied the append', async () => {
    const page = notion.addPage({ title: 'Drop before', sharedWith: [secret] });
    notion.injectFault({ status: 'drop', match: { method: 'PATCH', pathIncludes: `/blocks/${page.id}/children` } });
    const blocks = markdownToBlocks('One.\n\nTwo.');
    await notion_.appendBlocks(page.id, blocks);
    expect(standInTree(notion.childrenOf(page.id))).toEqual(requestTree(blocks));
    expect(notion.requests.filter((r) => r.path === `/v1/blocks/${page.id}/children`).map((r) => r.method)).toEqual(['PATCH', 'GET', 'PATCH']);
  });

  it('checks before repeating after a 504 on a write, and after a timeout', async () => {
    const page = notion.addPage({ title: 'Server error', sharedWith: [secret] });
    notion.injectFault({ status: 504, match: { method: 'PATCH', pathIncludes: `/blocks/${page.id}/children` } });
    await notion_.appendMarkdown(page.id, 'Only once.');
    expect(notion.childrenOf(page.id)).toHaveLength(1);

    const slow = notion.addPage({ title: 'Slow', sharedWith: [secret] });
    const { logger } = memoryLogger('warn');
    const impatient = createNotionGateway({ baseUrl: notion.baseUrl, logger, timeoutMs: 300, ...FAST }).forSecret(secret);
    notion.injectFault({ status: 'slow', delayMs: 800, match: { method: 'PATCH', pathIncludes: `/blocks/${slow.id}/children` } });
    await impatient.appendMarkdown(slow.id, 'Also once.');
    expect(notion.childrenOf(slow.id)).toHaveLength(1);
  });

  it('waits for Retry-After on 429 and 529, never retrying early', async () => {
    const page = notion.addPage({ title: 'Limited', sharedWith: [secret] });
    notion.injectFault({ status: 429, retryAfterSeconds: 1, match: { method: 'PATCH', pathIncludes: `/blocks/${page.id}/children` } });
    notion.injectFault({ status: 529, retryAfterSeconds: 1, match: { method: 'GET', pathIncludes: `/blocks/${page.id}/children` } });
    await notion_.appendMarkdown(page.id, 'Limited text.');
    const children = await notion_.listChildren(page.id);
    expect(children.map((c) => c.text)).toEqual(['Limited text.']);
    expect(notion.requests.filter((r) => r.path === `/v1/blocks/${page.id}/children`).map((r) => r.status)).toEqual([429, 200, 529, 200]);
  });
});

describe('rate limit', () => {
  it('paces requests to 3 a second per secret (the documented average) so Notion never answers 429', async () => {
    // The stand-in's defaults: 3 requests a second, a burst of 10.
    const paced = await startNotionStandIn();
    try {
      const integration = paced.createIntegration();
      const { logger } = memoryLogger('warn');
      const gateway = createNotionGateway({ baseUrl: paced.baseUrl, logger });
      // Two workspace objects of one secret share its limiter.
      const workspaces = [gateway.forSecret(integration.secret), gateway.forSecret(integration.secret)];
      const started = Date.now();
      await Promise.all(Array.from({ length: 15 }, (_, i) => workspaces[i % 2]!.whoAmI()));
      expect(paced.requests.map((r) => r.status)).toEqual(Array(15).fill(200));
      // A burst of DEFAULT_BURST, then the rest at 3 a second.
      expect(Date.now() - started).toBeGreaterThanOrEqual(((15 - DEFAULT_BURST) / 3) * 1000 - 100);
      expect(paced.failures).toEqual([]);
    } finally {
      await paced.close();
    }
  });

  it('keeps one workspace per secret, not a new SDK client per call', () => {
    const gateway = createNotionGateway({ baseUrl: notion.baseUrl, logger: memoryLogger('warn').logger });
    expect(gateway.forSecret(secret)).toBe(gateway.forSecret(secret));
    expect(gateway.forSecret(secret)).not.toBe(gateway.forSecret(`${secret}-other`));
  });

  it('keys limiters by a hash of the secret, and the secret never reaches the log', () => {
    expect(secretKey(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(secret);
  });
});
