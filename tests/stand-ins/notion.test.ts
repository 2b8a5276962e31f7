// Self-test of the Notion stand-in, driven through the real @notionhq/client as the app drives it.
import {
  APIResponseError,
  type BlockObjectRequest,
  Client,
  collectPaginatedAPI,
  type PageObjectResponse,
  RequestTimeoutError,
  UnknownHTTPResponseError,
} from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type NotionStandIn, startNotionStandIn } from './notion/index.js';
import { specsDir } from './specs.js';

const VERSION = '2026-03-11';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clientFor(standIn: NotionStandIn, secret: string, extra: { timeoutMs?: number } = {}): Client {
  return new Client({ auth: secret, baseUrl: standIn.baseUrl, notionVersion: VERSION, retry: false, logger: () => {}, ...extra });
}

async function apiError(promise: Promise<unknown>): Promise<APIResponseError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!APIResponseError.isAPIResponseError(error)) throw new Error(`expected an APIResponseError, got ${String(error)}`);
  return error;
}

const text = (content: string) => [{ type: 'text' as const, text: { content } }];
/** Cast: the SDK's types stop at one level of children, the API (and these tests) go further. */
const paragraph = (content: string, children?: unknown[]) =>
  ({ type: 'paragraph', paragraph: { rich_text: text(content), ...(children ? { children } : {}) } }) as BlockObjectRequest;

/** Raw fetch, for what the SDK never sends (missing version, unknown paths). */
async function rawRequest(standIn: NotionStandIn, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${standIn.baseUrl}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Notion stand-in', () => {
  let notion: NotionStandIn;
  let secret: string;
  let client: Client;
  let rootPageId: string;
  let dataSourceId: string;
  let databaseId: string;

  beforeAll(async () => {
    notion = await startNotionStandIn({ requestsPerSecond: 1000, burst: 1000 });
    ({ secret } = notion.createIntegration({ name: 'Visen' }));
    client = clientFor(notion, secret);
    rootPageId = notion.addPage({ title: 'Visen home', sharedWith: [secret] }).id;
    const database = notion.addDatabase({
      title: 'Notes',
      parentPageId: rootPageId,
      properties: {
        Name: { title: {} },
        Topic: { rich_text: {} },
        Status: { select: { options: [{ name: 'Open', color: 'green' }, { name: 'Done' }] } },
        Link: { url: {} },
        Rank: { number: {} },
      },
    });
    databaseId = database.id;
    dataSourceId = database.dataSourceId;
    for (let i = 0; i < 250; i++) {
      notion.addRow(dataSourceId, {
        Name: { title: text(`Row ${String(i).padStart(3, '0')}`) },
        Topic: { rich_text: text(i % 2 === 0 ? 'even' : 'odd') },
        Status: { select: { name: i < 10 ? 'Done' : 'Open' } },
        Rank: { number: i },
      });
    }
  });
  afterAll(() => notion.close());
  beforeEach(() => {
    notion.failures.length = 0;
    notion.clearFaults();
  });

  it('answers users.me with the bot user, its name and workspace name', async () => {
    const me = await client.users.me({});
    expect(me).toMatchObject({ object: 'user', type: 'bot', name: 'Visen', bot: { workspace_name: 'Visen Test Workspace' } });
    expect(notion.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/users/me', status: 200, notionVersion: VERSION, secret });
  });

  it('retrieves a database with its data sources, and the data source with its schema', async () => {
    const database = await client.databases.retrieve({ database_id: databaseId });
    expect(database).toMatchObject({ object: 'database', in_trash: false, data_sources: [{ id: dataSourceId, name: 'Notes' }] });
    expect(database).not.toHaveProperty('archived');
    const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
    expect(dataSource).toMatchObject({
      object: 'data_source',
      parent: { type: 'database_id', database_id: databaseId },
      properties: {
        Name: { id: 'title', type: 'title' },
        Status: {
          type: 'select',
          select: {
            options: [
              { name: 'Open', color: 'green' },
              { name: 'Done', color: 'default' },
            ],
          },
        },
      },
    });
  });

  it('paginates a query over 250 rows, 100 at a time', async () => {
    const first = await client.dataSources.query({ data_source_id: dataSourceId });
    expect(first.results).toHaveLength(100);
    expect(first.has_more).toBe(true);
    expect(first.request_status).toBeUndefined();
    const all = await collectPaginatedAPI(client.dataSources.query, { data_source_id: dataSourceId, page_size: 100 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((row) => row.id)).size).toBe(250);
    expect(
      notion.requests
        .filter((r) => r.path.endsWith('/query'))
        .slice(-3)
        .map((r) => r.body?.start_cursor !== undefined),
    ).toEqual([false, true, true]);
    const tooBig = await apiError(client.dataSources.query({ data_source_id: dataSourceId, page_size: 101 }));
    expect(tooBig.code).toBe('validation_error');
  });

  it('filters with compound conditions and sorts by property', async () => {
    const response = await client.dataSources.query({
      data_source_id: dataSourceId,
      filter: {
        and: [
          { property: 'Status', select: { equals: 'Done' } },
          { property: 'Topic', rich_text: { equals: 'even' } },
        ],
      },
      sorts: [{ property: 'Rank', direction: 'descending' }],
    });
    const names = response.results.map((row) => {
      const title = (row as PageObjectResponse).properties.Name;
      return title?.type === 'title' ? title.title.map((t) => t.plain_text).join('') : '';
    });
    expect(names).toEqual(['Row 008', 'Row 006', 'Row 004', 'Row 002', 'Row 000']);
    const byTitle = await client.dataSources.query({ data_source_id: dataSourceId, filter: { property: 'Name', title: { contains: 'row 24' } } });
    expect(byTitle.results).toHaveLength(10);
    const unknown = await apiError(client.dataSources.query({ data_source_id: dataSourceId, filter: { property: 'Nope', rich_text: { equals: 'x' } } }));
    expect(unknown.code).toBe('validation_error');
  });

  it('caps one query at queryResultLimit results and marks it incomplete, as Notion does at 10,000', async () => {
    const capped = await startNotionStandIn({ queryResultLimit: 150, requestsPerSecond: 1000, burst: 1000 });
    try {
      const { secret: s } = capped.createIntegration();
      const source = capped.addDatabase({ title: 'Big', sharedWith: [s], properties: { Name: { title: {} } } }).dataSourceId;
      for (let i = 0; i < 200; i++) capped.addRow(source, { Name: { title: text(`r${i}`) } });
      const c = clientFor(capped, s);
      const first = await c.dataSources.query({ data_source_id: source });
      const second = await c.dataSources.query({ data_source_id: source, start_cursor: first.next_cursor! });
      expect([first.results.length, second.results.length, second.has_more, second.next_cursor]).toEqual([100, 50, false, null]);
      expect(second.request_status).toEqual({ type: 'incomplete', incomplete_reason: 'query_result_limit_reached' });
    } finally {
      await capped.close();
    }
  });

  it('creates a row in a data source with typed property values and content', async () => {
    const page = (await client.pages.create({
      parent: { type: 'data_source_id', data_source_id: dataSourceId },
      properties: {
        Name: { title: text('Created by the app') },
        Status: { select: { name: 'Brand new' } },
        Link: { url: 'https://example.com' },
      },
      children: [paragraph('Hello')],
    })) as PageObjectResponse;
    expect(page).toMatchObject({
      object: 'page',
      in_trash: false,
      parent: { type: 'data_source_id', data_source_id: dataSourceId, database_id: databaseId },
      properties: {
        Name: { id: 'title', type: 'title', title: [{ plain_text: 'Created by the app', href: null, annotations: { bold: false, color: 'default' } }] },
        Status: { type: 'select', select: { name: 'Brand new', color: 'default' } },
        Link: { type: 'url', url: 'https://example.com' },
        Rank: { type: 'number', number: null },
      },
    });
    expect(page.url).toMatch(/^https:\/\/www\.notion\.so\/Created-by-the-app-[0-9a-f]{32}$/);
    expect(notion.childrenOf(page.id)).toMatchObject([{ type: 'paragraph', paragraph: { rich_text: [{ plain_text: 'Hello' }] } }]);
    const schema = await client.dataSources.retrieve({ data_source_id: dataSourceId });
    expect(JSON.stringify(schema.properties)).toContain('Brand new');
    const wrongName = await apiError(client.pages.create({ parent: { data_source_id: dataSourceId }, properties: { Nmae: { title: text('x') } } }));
    expect([wrongName.code, wrongName.message]).toEqual(['validation_error', 'Nmae is not a property that exists.']);
    const wrongType = await apiError(
      client.pages.create({ parent: { data_source_id: dataSourceId }, properties: { Status: { rich_text: text('x') } } as never }),
    );
    expect([wrongType.code, wrongType.message]).toEqual(['validation_error', 'Status is expected to be select.']);
  });

  it('checks typed property values as Notion does (https://developers.notion.com/reference/page-property-values)', async () => {
    const db = notion.addDatabase({
      title: 'Typed',
      parentPageId: rootPageId,
      properties: {
        Name: { title: {} },
        Stage: { status: {} },
        Kind: { select: { options: [{ name: 'Bug' }] } },
        Tags: { multi_select: { options: [{ name: 'x' }] } },
        Mail: { email: {} },
        Total: { formula: { expression: '1' } },
      },
    });
    const row = notion.addRow(db.dataSourceId, { Name: { title: text('Row') } });
    const update = (properties: Record<string, unknown>) => client.pages.update({ page_id: row.id, properties: properties as never });
    // Status options cannot be created through the API; select and multi-select options are created on update.
    const status = await apiError(update({ Stage: { status: { name: 'Blocked' } } }));
    expect([status.status, status.code]).toEqual([400, 'validation_error']);
    await update({ Stage: { status: { name: 'Done' } }, Kind: { select: { name: 'Feature' } }, Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] } });
    const page = notion.getPage(row.id)!;
    expect(page.properties.Stage.status.name).toBe('Done');
    expect(page.properties.Kind.select.name).toBe('Feature');
    const kinds = (notion.getDataSource(db.dataSourceId)!.properties.Kind.select.options as Array<{ name: string }>).map((o) => o.name);
    expect(kinds).toEqual(['Bug', 'Feature']);
    // Commas are not valid in option names; computed properties cannot be set; limits for property values.
    expect((await apiError(update({ Kind: { select: { name: 'a, b' } } }))).code).toBe('validation_error');
    expect((await apiError(update({ Total: { formula: { string: 'x' } } }))).message).toContain('cannot be set');
    expect((await apiError(update({ Mail: { email: `${'m'.repeat(200)}@x.org` } }))).code).toBe('validation_error');
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `t${i}` }));
    expect((await apiError(update({ Tags: { multi_select: many } }))).code).toBe('validation_error');
  });

  it('appends blocks at the end, at the start and after a block, with two levels of nesting', async () => {
    const pageId = notion.addPage({ title: 'Doc', parentPageId: rootPageId, children: [paragraph('middle')] }).id;
    const end = await client.blocks.children.append({ block_id: pageId, children: [paragraph('last', [paragraph('nested', [paragraph('deepest')])])] });
    expect(end).toMatchObject({ object: 'list', type: 'block', results: [{ type: 'paragraph', has_children: true }] });
    await client.blocks.children.append({ block_id: pageId, children: [paragraph('first')], position: { type: 'start' } });
    const middleId = notion.childrenOf(pageId)[1]!.id as string;
    await client.blocks.children.append({
      block_id: pageId,
      children: [paragraph('after middle')],
      position: { type: 'after_block', after_block: { id: middleId } },
    });
    const listed = await client.blocks.children.list({ block_id: pageId });
    const plain = (block: any) => block.paragraph.rich_text[0].plain_text;
    expect(listed.results.map(plain)).toEqual(['first', 'middle', 'after middle', 'last']);
    expect(notion.childrenOf(pageId)[3]).toMatchObject({ children: [{ children: [{ paragraph: { rich_text: [{ plain_text: 'deepest' }] } }] }] });
    expect(notion.pageMarkdown(pageId)).toBe('first\nmiddle\nafter middle\nlast\n\tnested\n\t\tdeepest');
  });

  it("answers 401 for unknown and revoked secrets, in Notion's error body", async () => {
    const unknown = await apiError(clientFor(notion, 'ntn_unknown').users.me({}));
    expect([unknown.status, unknown.code, unknown.message]).toEqual([401, 'unauthorized', 'API token is invalid.']);
    expect(JSON.parse(unknown.body)).toMatchObject({ object: 'error', status: 401, code: 'unauthorized', request_id: expect.any(String) });
    const revoked = notion.createIntegration();
    notion.revoke(revoked.secret);
    expect((await apiError(clientFor(notion, revoked.secret).users.me({}))).code).toBe('unauthorized');
  });

  it('answers 404 object_not_found for objects not shared with the integration', async () => {
    const other = notion.createIntegration({ name: 'Other' });
    const error = await apiError(clientFor(notion, other.secret).databases.retrieve({ database_id: databaseId }));
    expect(error.status).toBe(404);
    expect(error.code).toBe('object_not_found');
    expect(error.message).toBe(`Could not find database with ID: ${databaseId}. Make sure the relevant pages and databases are shared with your integration.`);
    notion.share(databaseId, other.secret);
    await expect(clientFor(notion, other.secret).dataSources.retrieve({ data_source_id: dataSourceId })).resolves.toMatchObject({ id: dataSourceId });
  });

  it('answers 400 for a missing Notion-Version, invalid JSON and malformed ids', async () => {
    const missing = await rawRequest(notion, '/v1/users/me', { headers: { authorization: `Bearer ${secret}` } });
    expect(missing).toMatchObject({ status: 400, body: { object: 'error', code: 'missing_version' } });
    expect(notion.failures.join('\n')).toContain('missing Notion-Version');
    const badJson = await rawRequest(notion, '/v1/pages', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'notion-version': VERSION, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(badJson).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect((await apiError(client.pages.retrieve({ page_id: 'not-an-id' }))).code).toBe('validation_error');
  });

  describe('request limits (https://developers.notion.com/reference/request-limits)', () => {
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      [
        '2001 characters of text',
        () => client.blocks.children.append({ block_id: rootPageId, children: [paragraph('x'.repeat(2001))] }),
        'text.content.length should be ≤ `2000`',
      ],
      [
        '101 rich text items',
        () =>
          client.blocks.children.append({ block_id: rootPageId, children: [{ paragraph: { rich_text: Array.from({ length: 101 }, () => text('a')[0]!) } }] }),
        'rich_text.length should be ≤ `100`',
      ],
      [
        '101 blocks',
        () => client.blocks.children.append({ block_id: rootPageId, children: Array.from({ length: 101 }, () => paragraph('a')) }),
        'body.children.length should be ≤ `100`',
      ],
      [
        'three levels of nesting',
        () => client.blocks.children.append({ block_id: rootPageId, children: [paragraph('1', [paragraph('2', [paragraph('3', [paragraph('4')])])])] }),
        'levels of nesting',
      ],
      [
        'a 2001-character URL property',
        () => client.pages.create({ parent: { data_source_id: dataSourceId }, properties: { Link: { url: `https://e.com/${'x'.repeat(1988)}` } } }),
        'url.length should be ≤ `2000`',
      ],
    ];
    it.each(cases)('rejects %s with validation_error and records a failure', async (_name, send, expected) => {
      const before = notion.childrenOf(rootPageId).length;
      const error = await apiError(send());
      expect([error.status, error.code]).toEqual([400, 'validation_error']);
      expect(error.message).toContain(expected);
      expect(notion.failures).toHaveLength(1);
      expect(notion.failures[0]).toContain('limit:');
      expect(notion.childrenOf(rootPageId)).toHaveLength(before);
    });
  });

  it('rejects `archived` and the flat `after` parameter, removed in 2026-03-11', async () => {
    const archived = await apiError(client.pages.update({ page_id: rootPageId, archived: true }));
    expect(archived.message).toContain('body.archived should be not present');
    const after = await apiError(client.blocks.children.append({ block_id: rootPageId, children: [paragraph('x')], after: rootPageId }));
    expect(after.message).toContain('body.after should be not present');
    expect(notion.failures).toHaveLength(2);
  });

  it('hides trashed rows from queries and refuses edits until restored', async () => {
    const row = notion.addRow(dataSourceId, { Name: { title: text('Trash me') } });
    const query = () => client.dataSources.query({ data_source_id: dataSourceId, filter: { property: 'Name', title: { equals: 'Trash me' } } });
    expect((await query()).results).toHaveLength(1);
    const trashed = await client.pages.update({ page_id: row.id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true });
    expect((await query()).results).toHaveLength(0);
    expect(notion.rows(dataSourceId).find((r) => r.id === row.id)).toMatchObject({ in_trash: true });
    expect(await client.pages.retrieve({ page_id: row.id })).toMatchObject({ in_trash: true });
    const edit = await apiError(client.pages.update({ page_id: row.id, properties: { Name: { title: text('nope') } } }));
    expect(edit.message).toContain("Can't edit block that is archived");
    await client.pages.update({ page_id: row.id, in_trash: false });
    expect((await query()).results).toHaveLength(1);
  });

  it('creates a database under a page (allow-listed beyond the trimmed spec) and changes its schema', async () => {
    const database = await client.databases.create({
      parent: { type: 'page_id', page_id: rootPageId },
      title: text('Connections'),
      initial_data_source: { properties: { Title: { title: {} }, Channel: { rich_text: {} } } },
    });
    expect(database).toMatchObject({ object: 'database', parent: { type: 'page_id', page_id: rootPageId } });
    const sourceId = (database as { data_sources: Array<{ id: string }> }).data_sources[0]!.id;
    const updated = await client.dataSources.update({ data_source_id: sourceId, properties: { Channel: { name: 'Slack channel' }, Model: { select: {} } } });
    expect(Object.keys(updated.properties)).toEqual(['Title', 'Slack channel', 'Model']);
    expect(notion.childrenOf(rootPageId).some((block) => block.type === 'child_database' && block.id === database.id)).toBe(true);
    expect(notion.failures).toEqual([]);
  });

  it('creates a page from Markdown and reads it back as Markdown', async () => {
    const page = await client.pages.create({
      parent: { page_id: rootPageId },
      properties: { title: { title: text('From Markdown') } },
      markdown: '# Title\n\nSome **bold** text\n- item',
    });
    expect(notion.childrenOf(page.id).map((block) => block.type)).toEqual(['heading_1', 'paragraph', 'bulleted_list_item']);
    const read = await client.pages.retrieveMarkdown({ page_id: page.id });
    expect(read).toMatchObject({ object: 'page_markdown', markdown: '# Title\nSome **bold** text\n- item' });
  });

  it('searches shared pages and data sources; the object filter takes "data_source", not "database"', async () => {
    const found = await client.search({ query: 'notes', filter: { property: 'object', value: 'data_source' } });
    expect(found.results.map((result) => result.id)).toEqual([dataSourceId]);
    const old = await apiError(client.search({ filter: { property: 'object', value: 'database' as never } }));
    expect(old.code).toBe('validation_error');
  });

  describe('injected faults', () => {
    it("answers 500, 503 and 529 with Notion's codes; 529 carries Retry-After, and an early retry is recorded", async () => {
      // Its own integration: the 529's Retry-After must not make other tests' requests early.
      const overloaded = clientFor(notion, notion.createIntegration().secret);
      notion.injectFault({ status: 500, match: { pathIncludes: '/users/me' } });
      notion.injectFault({ status: 503, match: { pathIncludes: '/users/me' } });
      notion.injectFault({ status: 529, match: { pathIncludes: '/users/me' }, retryAfterSeconds: 2 });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await apiError(overloaded.users.me({}))).code);
      expect(codes).toEqual(['internal_server_error', 'service_unavailable', 'service_overload']);
      expect(notion.requests.at(-1)).toMatchObject({ status: 529, injected: '529', retryAfterSeconds: 2 });
      expect(notion.failures).toEqual([]);
      await sleep(20);
      await overloaded.users.me({}); // answered, but too early: the 529's Retry-After has not passed
      expect(notion.failures).toEqual([expect.stringContaining('early retry')]);
    });

    it('answers 502 with an HTML page, drops connections, and delays answers', async () => {
      notion.injectFault({ status: 502 });
      expect(await client.users.me({}).catch((err: unknown) => err)).toBeInstanceOf(UnknownHTTPResponseError);
      notion.injectFault({ status: 'drop' });
      await expect(client.users.me({})).rejects.toThrow();
      notion.injectFault({ status: 'slow', delayMs: 400 });
      const impatient = clientFor(notion, secret, { timeoutMs: 100 });
      expect(await impatient.users.me({}).catch((err: unknown) => err)).toBeInstanceOf(RequestTimeoutError);
    });

    it('can apply a write and then drop the connection (unknown outcome)', async () => {
      notion.injectFault({ status: 'drop', afterApplying: true, match: { method: 'POST', pathIncludes: '/v1/pages' } });
      await expect(client.pages.create({ parent: { data_source_id: dataSourceId }, properties: { Name: { title: text('Maybe saved') } } })).rejects.toThrow();
      const saved = notion.rows(dataSourceId).filter((row) => JSON.stringify(row.properties.Name).includes('Maybe saved'));
      expect(saved).toHaveLength(1);
      expect(notion.requests.at(-1)).toMatchObject({ status: 0, injected: 'drop-after-applying' });
    });
  });

  describe.skipIf(!specsDir)('spec check', () => {
    it("flags a path that is not in Notion's OpenAPI spec", async () => {
      const response = await rawRequest(notion, '/v1/databases/abc/query', {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'notion-version': VERSION },
      });
      expect(response).toMatchObject({ status: 400, body: { code: 'invalid_request_url' } });
      expect(notion.failures).toEqual([expect.stringContaining('unknown endpoint')]);
    });
  });
});

describe('Notion stand-in rate limiting', () => {
  let notion: NotionStandIn;
  beforeAll(async () => {
    notion = await startNotionStandIn({ requestsPerSecond: 3, burst: 2 });
  });
  afterAll(() => notion.close());

  it('tells an early retry (the same request again) from another request that was already on the wire', async () => {
    const { secret } = notion.createIntegration();
    const page = notion.addPage({ title: 'Wire', sharedWith: [secret] });
    const client = clientFor(notion, secret);
    notion.injectFault({ status: 429, times: 1, match: { pathIncludes: '/users/me' }, retryAfterSeconds: 2 });
    await apiError(client.users.me({}));
    await client.pages.retrieve({ page_id: page.id }); // another request, sent as the 429 arrived: tolerated
    expect(notion.failures).toEqual([]);
    await sleep(300);
    await client.pages.retrieve({ page_id: page.id }); // well after the integration was told to wait
    expect(notion.failures).toEqual([expect.stringContaining('early retry')]);
    notion.failures.length = 0;
  });

  it('answers 429 rate_limited with Retry-After, records early retries, and lets a patient client through', async () => {
    const { secret } = notion.createIntegration();
    const client = clientFor(notion, secret);
    notion.injectFault({ status: 503, times: 3 });
    for (let i = 0; i < 3; i++) await apiError(client.users.me({})); // faults take no tokens
    await client.users.me({});
    await client.users.me({});
    const limited = await apiError(client.users.me({}));
    expect([limited.status, limited.code]).toEqual([429, 'rate_limited']);
    const retryAfter = Number((limited.headers as Headers).get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(notion.failures).toEqual([]);

    await sleep(20);
    await apiError(client.users.me({})); // retried long before Retry-After
    expect(notion.failures).toEqual([expect.stringContaining('early retry')]);
    expect(notion.requests.at(-1)?.retryAfterSentAt).toBeTypeOf('number');

    await sleep(retryAfter * 1000);
    await expect(client.users.me({})).resolves.toMatchObject({ type: 'bot' });
    expect(notion.failures).toHaveLength(1);
  });
});
