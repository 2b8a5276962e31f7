// The adapter's side of Notion API 2026-12-01 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01):
// every query names the properties it reads (`filter_properties`, by id: https://developers.notion.com/reference/query-a-data-source),
// turned from names into ids with a briefly kept schema; a person's `name` may be absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PropertyIdCache } from '../../../src/adapters/notion/property-ids.js';
import { pagePlainText } from '../../../src/adapters/notion/property-values.js';
import type { DataSourceSchema, NotionWorkspace, PageInfo } from '../../../src/adapters/notion/types.js';
import { createNotionGateway } from '../../../src/adapters/notion/workspace.js';
import { type NotionStandIn, startNotionStandIn } from '../../stand-ins/notion/index.js';
import { memoryLogger, startScriptedServer } from './support.js';

const FAST = { rateLimit: { ratePerSecond: 200, capacity: 50 }, http: { baseDelayMs: 5, maxDelayMs: 20 } };
const text = (content: string) => [{ text: { content } }];

let notion: NotionStandIn;
let secret: string;
let workspace: NotionWorkspace;
let rootPageId: string;

beforeAll(async () => {
  notion = await startNotionStandIn({ requestsPerSecond: 1000, burst: 1000 });
  ({ secret } = notion.createIntegration({ name: 'Visen' }));
  rootPageId = notion.addPage({ title: 'Root', sharedWith: [secret] }).id;
  workspace = createNotionGateway({ baseUrl: notion.baseUrl, logger: memoryLogger('silent').logger, ...FAST }).forSecret(secret);
});

afterAll(async () => {
  await notion.close();
});

async function collect(rows: AsyncIterable<PageInfo>): Promise<PageInfo[]> {
  const out: PageInfo[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

function tasksDatabase() {
  const db = notion.addDatabase({
    title: 'Tasks',
    parentPageId: rootPageId,
    properties: { Task: { title: {} }, Status: { select: { options: [{ name: 'Open' }] } }, Notes: { rich_text: {} }, Cost: { number: {} } },
  });
  notion.addRow(db.dataSourceId, { Task: { title: text('One') }, Status: { select: { name: 'Open' } }, Notes: { rich_text: text('n') }, Cost: { number: 3 } });
  const ids = Object.fromEntries(
    Object.entries(notion.getDataSource(db.dataSourceId)!.properties as Record<string, { id: string }>).map(([name, p]) => [name, p.id]),
  );
  return { ...db, ids };
}

const requestsTo = (path: string, method: string) => notion.requests.filter((r) => r.path === path && r.method === method);
const filterPropertiesOf = (query: string | undefined) => new URLSearchParams(query ?? '').getAll('filter_properties');

describe('filter_properties on queries', () => {
  it('asks for the title and the named properties by id, and rows carry exactly those (API 2026-12-01)', async () => {
    const db = tasksDatabase();
    const [row] = await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Status', 'Notes'] }));
    expect(Object.keys(row!.properties).sort()).toEqual(['Notes', 'Status', 'Task']);
    expect(row!.title).toBe('One');
    expect(row!.properties.Status).toMatchObject({ name: 'Open' });
    const query = requestsTo(`/v1/data_sources/${db.dataSourceId}/query`, 'POST').at(-1)!;
    expect(filterPropertiesOf(query.query)).toEqual([db.ids.Task, db.ids.Status, db.ids.Notes]);
    expect(query.notionVersion).toBe('2026-12-01');
  });

  it('reads the schema once for the names, and not at all after the caller read it', async () => {
    const db = tasksDatabase();
    const schemaPath = `/v1/data_sources/${db.dataSourceId}`;
    await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Cost'] }));
    await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Status'] }));
    expect(requestsTo(schemaPath, 'GET')).toHaveLength(1);

    const other = tasksDatabase();
    await workspace.retrieveDataSource(other.dataSourceId);
    await collect(workspace.queryDataSource(other.dataSourceId, { properties: ['Cost', 'Notes'] }));
    expect(requestsTo(`/v1/data_sources/${other.dataSourceId}`, 'GET')).toHaveLength(1);
  });

  it('a name the kept schema lacks reads the schema again; a name the data source lacks is not requested', async () => {
    const db = tasksDatabase();
    const schemaPath = `/v1/data_sources/${db.dataSourceId}`;
    await workspace.retrieveDataSource(db.dataSourceId);
    // A property added in Notion after the schema was kept.
    await workspace.updateDataSourceProperties(db.dataSourceId, { Due: { date: {} } });
    const dueId = (notion.getDataSource(db.dataSourceId)!.properties as Record<string, { id: string }>).Due!.id;
    notion.requests.length = 0;
    const [row] = await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Due', 'No such property'] }));
    // The update's answer refreshed the kept schema, so no read was needed for Due.
    expect(requestsTo(schemaPath, 'GET')).toHaveLength(1); // only for the unknown name
    expect(Object.keys(row!.properties).sort()).toEqual(['Due', 'Task']);
    expect(filterPropertiesOf(requestsTo(`${schemaPath}/query`, 'POST').at(-1)!.query)).toEqual([db.ids.Task, dueId]);
    // Looked for once: the next queries do not read the schema again for it while it is kept.
    await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Due', 'No such property'] }));
    await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['No such property'] }));
    expect(requestsTo(schemaPath, 'GET')).toHaveLength(1);
  });

  it('retrievePage asks only for the title, or for the named properties of a row of a data source', async () => {
    const db = tasksDatabase();
    const [listed] = await collect(workspace.queryDataSource(db.dataSourceId, { properties: [] }));
    const titleOnly = await workspace.retrievePage(listed!.id, { select: { titleOnly: true } });
    expect(titleOnly.title).toBe('One');
    expect(Object.keys(titleOnly.properties)).toEqual(['Task']);
    expect(filterPropertiesOf(requestsTo(`/v1/pages/${listed!.id}`, 'GET').at(-1)!.query)).toEqual(['title']);
    const some = await workspace.retrievePage(listed!.id, { select: { dataSourceId: db.dataSourceId, properties: ['Cost'] } });
    expect(Object.keys(some.properties).sort()).toEqual(['Cost', 'Task']);
    const all = await workspace.retrievePage(listed!.id);
    expect(Object.keys(all.properties).sort()).toEqual(['Cost', 'Notes', 'Status', 'Task']);
  });
});

describe('PropertyIdCache', () => {
  const schema = (properties: Record<string, string>): DataSourceSchema => ({
    id: 'ds',
    databaseId: 'db',
    title: 'T',
    name: 'T',
    properties: Object.fromEntries(Object.entries(properties).map(([name, id]) => [name, { id, type: id === 'title' ? 'title' : 'rich_text' }])),
    propertyTypes: {},
  });

  it('keeps a schema for its time, shares one read among waiting lookups, and reads again once it is old', async () => {
    let now = 0;
    let reads = 0;
    const cache = new PropertyIdCache(1_000, () => now);
    const read = async () => {
      reads += 1;
      return schema({ Name: 'title', Notes: 'a%3Bb' });
    };
    expect(await Promise.all([cache.idsFor('ds', ['Notes'], read), cache.idsFor('ds', ['Notes', 'Name'], read)])).toEqual([
      ['title', 'a%3Bb'],
      ['title', 'a%3Bb'],
    ]);
    expect(reads).toBe(1);
    now = 999;
    await cache.idsFor('ds', ['Notes'], read);
    expect(reads).toBe(1);
    now = 1_000;
    await cache.idsFor('ds', ['Notes'], read);
    expect(reads).toBe(2);
  });
});

describe('person names are optional (API 2026-12-01)', () => {
  it('a person without a name is shown by email, else as unnamed; an integration likewise', () => {
    const people = {
      type: 'people',
      people: [
        { object: 'user', id: 'a', type: 'person', name: 'Ada', person: { email: 'ada@example.com' } },
        { object: 'user', id: 'b', type: 'person', name: null, person: { email: 'grace@example.com' } },
        { object: 'user', id: 'c', type: 'person', name: null },
        { object: 'user', id: 'd', type: 'bot', bot: {} },
      ],
    };
    expect(pagePlainText(people)).toBe('Ada, grace@example.com, Unnamed person, Unnamed integration');
    expect(pagePlainText({ type: 'created_by', created_by: { object: 'user', id: 'b', type: 'person', name: null } })).toBe('Unnamed person');
  });

  it('a template reading a people property gets every person, named or not, through the stand-in', async () => {
    const ada = notion.addPerson({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const grace = notion.addPerson({ name: 'Grace Hopper', email: 'grace@example.com', nameless: true });
    const db = notion.addDatabase({ title: 'Owners', parentPageId: rootPageId, properties: { Name: { title: {} }, Owners: { people: {} } } });
    notion.addRow(db.dataSourceId, { Name: { title: text('Row') }, Owners: { people: [{ id: ada.userId }, { id: grace.userId }] } });
    const [row] = await collect(workspace.queryDataSource(db.dataSourceId, { properties: ['Owners'] }));
    expect(row!.properties.Owners).toEqual({ type: 'people', names: ['Ada Lovelace', 'grace@example.com'], plainText: 'Ada Lovelace, grace@example.com' });
  });

  it('whoAmI leaves out a name Notion does not give', async () => {
    const server = await startScriptedServer();
    try {
      server.fallback = { status: 200, json: { object: 'user', id: 'bot-1', type: 'bot', name: null, bot: { workspace_name: 'Acme' } } };
      const scripted = createNotionGateway({ baseUrl: server.baseUrl, logger: memoryLogger('silent').logger, ...FAST }).forSecret('secret_scripted');
      expect(await scripted.whoAmI()).toEqual({ botId: 'bot-1', workspaceName: 'Acme' });
    } finally {
      await server.close();
    }
  });
});
