// Self-test of the Notion stand-in's version behaviour: it speaks 2026-03-11 and 2026-12-01, each as a request's
// Notion-Version asks, and 2026-12-01 differs as Notion's upgrade guide says
// (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01): lists carry only the title unless
// `filter_properties` names other properties by id, and a person's `name` may be null.
import { Client, type PageObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type NotionStandIn, startNotionStandIn } from './notion/index.js';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

describe('Notion stand-in: API versions 2026-03-11 and 2026-12-01', () => {
  let notion: NotionStandIn;
  let secret: string;
  let dataSourceId: string;
  let rowId: string;
  let ids: Record<string, string>;
  const client = (notionVersion: string) => new Client({ auth: secret, baseUrl: notion.baseUrl, notionVersion, retry: false, logger: () => {} });
  const names = (page: unknown) => Object.keys((page as PageObjectResponse).properties).sort();

  beforeAll(async () => {
    notion = await startNotionStandIn({ requestsPerSecond: 1000, burst: 1000 });
    ({ secret } = notion.createIntegration({ name: 'Visen' }));
    const root = notion.addPage({ title: 'Home', sharedWith: [secret] });
    const named = notion.addPerson({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const nameless = notion.addPerson({ name: 'Grace Hopper', email: 'grace@example.com', nameless: true });
    const database = notion.addDatabase({
      title: 'Tasks',
      parentPageId: root.id,
      properties: { Task: { title: {} }, Status: { select: { options: [{ name: 'Open' }] } }, Notes: { rich_text: {} }, Owners: { people: {} } },
    });
    dataSourceId = database.dataSourceId;
    rowId = notion.addRow(dataSourceId, {
      Task: { title: text('Write the report') },
      Status: { select: { name: 'Open' } },
      Notes: { rich_text: text('by Friday') },
      Owners: { people: [{ id: named.userId }, { id: nameless.userId }] },
    }).id;
    const schema = notion.getDataSource(dataSourceId)!.properties as Record<string, { id: string }>;
    ids = Object.fromEntries(Object.entries(schema).map(([name, property]) => [name, property.id]));
  });

  afterAll(async () => {
    await notion.close();
  });

  beforeEach(() => {
    notion.failures.length = 0;
  });

  it('accepts both versions and refuses any other, naming the ones it speaks', async () => {
    await client('2026-03-11').users.me({});
    await client('2026-12-01').users.me({});
    const refused = await client('2025-09-03')
      .users.me({})
      .catch((err: unknown) => err as { code: string; message: string });
    expect(refused).toMatchObject({ code: 'validation_error' });
    expect((refused as { message: string }).message).toContain('`2026-03-11` or `2026-12-01`');
    expect(notion.failures).toEqual(['Notion-Version 2025-09-03 is not 2026-03-11 or 2026-12-01 [GET /v1/users/me]']);
    notion.failures.length = 0;
  });

  it('2026-03-11 lists every property of a queried page; 2026-12-01 only the title', async () => {
    const old = await client('2026-03-11').dataSources.query({ data_source_id: dataSourceId });
    expect(names(old.results[0])).toEqual(['Notes', 'Owners', 'Status', 'Task']);
    const now = await client('2026-12-01').dataSources.query({ data_source_id: dataSourceId });
    expect(names(now.results[0])).toEqual(['Task']);
    // Everything else of the page is there either way.
    expect(now.results[0]).toMatchObject({ object: 'page', id: rowId, in_trash: false });
  });

  it('with filter_properties, a query returns the properties named by id, on either version', async () => {
    for (const version of ['2026-03-11', '2026-12-01']) {
      const result = await client(version).dataSources.query({ data_source_id: dataSourceId, filter_properties: [ids.Task!, ids.Status!] });
      expect(names(result.results[0])).toEqual(['Status', 'Task']);
      const statusOnly = await client(version).dataSources.query({ data_source_id: dataSourceId, filter_properties: [ids.Status!] });
      expect(names(statusOnly.results[0])).toEqual(['Status']);
    }
    const request = notion.requests.filter((r) => r.path === `/v1/data_sources/${dataSourceId}/query`).at(-1)!;
    expect(request.query).toBe(`?filter_properties=${encodeURIComponent(ids.Status!)}`);
  });

  it('search follows the same rule for the pages it lists', async () => {
    const search = (version: string) => client(version).search({ query: 'Write the report', filter: { property: 'object', value: 'page' } });
    expect(names((await search('2026-03-11')).results[0])).toEqual(['Notes', 'Owners', 'Status', 'Task']);
    expect(names((await search('2026-12-01')).results[0])).toEqual(['Task']);
  });

  it('retrieve a page still returns every property on 2026-12-01, or those filter_properties names', async () => {
    const api = client('2026-12-01');
    expect(names(await api.pages.retrieve({ page_id: rowId }))).toEqual(['Notes', 'Owners', 'Status', 'Task']);
    expect(names(await api.pages.retrieve({ page_id: rowId, filter_properties: [ids.Notes!] }))).toEqual(['Notes']);
  });

  it('people carry their names on 2026-03-11; on 2026-12-01 a nameless person has name null, email still there', async () => {
    const owners = async (version: string) => {
      const page = (await client(version).pages.retrieve({ page_id: rowId })) as PageObjectResponse;
      const value = page.properties.Owners as { people: Array<{ name?: string | null; person?: { email?: string } }> };
      return value.people.map((person) => [person.name, person.person?.email]);
    };
    expect(await owners('2026-03-11')).toEqual([
      ['Ada Lovelace', 'ada@example.com'],
      ['Grace Hopper', 'grace@example.com'],
    ]);
    expect(await owners('2026-12-01')).toEqual([
      ['Ada Lovelace', 'ada@example.com'],
      [null, 'grace@example.com'],
    ]);
  });

  it('refuses markdown_version "v1" on 2026-12-01 only', async () => {
    const patch = (version: string, markdownVersion: string) =>
      fetch(`${notion.baseUrl}/v1/pages/${rowId}/markdown`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${secret}`, 'notion-version': version, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'insert_content', insert_content: { content: 'x' }, markdown_version: markdownVersion }),
      });
    const refused = await patch('2026-12-01', 'v1');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain('body.markdown_version should be `"v2"`');
    expect(notion.failures).toHaveLength(1);
    notion.failures.length = 0;
    expect((await patch('2026-03-11', 'v1')).status).not.toBe(400);
  });
});
