// What asking only for the properties a run reads costs in Notion requests (issue 12's bench target: at most 1.05
// Notion requests per row plus the query for a 300-row run). `filter_properties` names property ids, so the adapter
// needs the data source's schema; the run reads it once when it starts, and the adapter keeps it for the query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { runToEnd, startWorld, text, titleRow, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ requestsPerSecond: 400 });
});
afterAll(async () => {
  await world.close();
});

const ROWS = 300;

describe('Notion requests of a database run on API 2026-12-01', () => {
  it('300 rows into a property, reading a select, a text and a relation: at most 1.05 requests a row plus the query', async () => {
    const u = world.addUser('U0REQCOUNT');
    const clients = world.notion.addDatabase({ title: 'Clients', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    const clientIds = ['Acme', 'Globex', 'Initech'].map((name) => world.notion.addRow(clients.dataSourceId, titleRow(name)).id);
    const db = world.notion.addDatabase({
      title: 'Deals',
      parentPageId: u.rootId,
      properties: {
        Name: { title: {} },
        Stage: { select: { options: [{ name: 'Lead' }, { name: 'Won' }] } },
        Notes: { rich_text: {} },
        Client: { relation: { data_source_id: clients.dataSourceId, single_property: {} } },
        Unread: { rich_text: {} },
        Summary: { rich_text: {} },
      },
    });
    for (let i = 0; i < ROWS; i++) {
      world.notion.addRow(
        db.dataSourceId,
        titleRow(`Deal ${i + 1}`, {
          Stage: { select: { name: i % 2 === 0 ? 'Lead' : 'Won' } },
          Notes: text(`note ${i + 1}`),
          Client: { relation: [{ id: clientIds[i % 3]! }] },
          Unread: text('never read'),
        }),
      );
    }
    world.openai.setResponder((req: ChatRequest) => `Summary of ${req.messages.at(-1)?.content ?? ''}`);
    const startedAt = Date.now();
    const { end } = await runToEnd(world.service(), u.user, {
      targetUrl: db.url,
      prompt: '{{Name}} ({{Stage}}, {{Client}}): {{Notes}}',
      output: { kind: 'property', property: 'Summary' },
    });
    expect(end).toMatchObject({ state: 'succeeded', total: ROWS, done: ROWS, failed: 0 });
    const summaries = world.notion.rows(db.dataSourceId).map((row) => (row.properties.Summary.rich_text as Array<{ plain_text: string }>)[0]?.plain_text);
    expect(summaries[0]).toBe('Summary of Deal 1 (Lead, Acme): note 1');
    expect(summaries.filter((s) => s?.startsWith('Summary of Deal '))).toHaveLength(ROWS);

    const mine = world.notion.requests.filter((r) => r.secret === u.secret && r.at >= startedAt);
    const kinds = new Map<string, number>();
    for (const r of mine) {
      const kind = `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const queries = mine.filter((r) => r.path === `/v1/data_sources/${db.dataSourceId}/query`).length;
    const perRow = (mine.length - queries) / ROWS;
    console.log(
      `Notion requests of a ${ROWS}-row run: ${mine.length} (${queries} query pages), ${perRow.toFixed(3)} a row besides the query; by kind: ${[...kinds]
        .map(([kind, n]) => `${kind} x${n}`)
        .join(', ')}`,
    );
    expect(perRow).toBeLessThanOrEqual(1.05);
    // The run's schema read serves the query's property ids: one read of the deals' schema in all.
    expect(mine.filter((r) => r.method === 'GET' && r.path === `/v1/data_sources/${db.dataSourceId}`)).toHaveLength(1);
    // Related pages are read for their title only (two rows reaching the same page at once may both read it).
    const related = mine.filter((r) => r.method === 'GET' && clientIds.some((id) => r.path === `/v1/pages/${id}`));
    expect(related.length).toBeGreaterThanOrEqual(3);
    for (const r of related) expect(new URLSearchParams(r.query ?? '').getAll('filter_properties')).toEqual(['title']);
    expect(world.notion.failures).toEqual([]);
  }, 120_000);
  it('300 rows with {{@content}} and a relation reading: at most 2.05 requests a row plus the query', async () => {
    const u = world.addUser('U0REQCONTENT');
    const clients = world.notion.addDatabase({ title: 'Accounts', parentPageId: u.rootId, properties: { Name: { title: {} }, Industry: { rich_text: {} } } });
    const clientIds = ['Retail', 'Energy', 'Health'].map(
      (industry, i) => world.notion.addRow(clients.dataSourceId, titleRow(`Client ${i}`, { Industry: text(industry) })).id,
    );
    const db = world.notion.addDatabase({
      title: 'Meetings',
      parentPageId: u.rootId,
      properties: { Name: { title: {} }, Client: { relation: { data_source_id: clients.dataSourceId, single_property: {} } }, Summary: { rich_text: {} } },
    });
    for (let i = 0; i < ROWS; i++) {
      world.notion.addRow(db.dataSourceId, titleRow(`Meeting ${i + 1}`, { Client: { relation: [{ id: clientIds[i % 3]! }] } }), {
        children: [{ paragraph: { rich_text: text(`Minutes of meeting ${i + 1}.`).rich_text } }],
      });
    }
    world.openai.setResponder((req: ChatRequest) => `Summary of ${req.messages.at(-1)?.content ?? ''}`);
    const startedAt = Date.now();
    const { end } = await runToEnd(world.service(), u.user, {
      targetUrl: db.url,
      prompt: '{{Name}} ({{Client.Industry}}): {{@content}}',
      output: { kind: 'property', property: 'Summary' },
    });
    expect(end).toMatchObject({ state: 'succeeded', total: ROWS, done: ROWS, failed: 0 });
    const first = world.notion.rows(db.dataSourceId)[0]!.properties.Summary.rich_text as Array<{ plain_text: string }>;
    expect(first.map((t) => t.plain_text).join('')).toContain('Meeting 1 (Retail): <row_page>\nMinutes of meeting 1.\n</row_page>');
    const mine = world.notion.requests.filter((r) => r.secret === u.secret && r.at >= startedAt);
    const queries = mine.filter((r) => r.path === `/v1/data_sources/${db.dataSourceId}/query`).length;
    const perRow = (mine.length - queries) / ROWS;
    console.log(
      `Notion requests of a ${ROWS}-row run with {{@content}}: ${mine.length} (${queries} query pages), ${perRow.toFixed(3)} a row besides the query`,
    );
    expect(perRow).toBeLessThanOrEqual(2.05);
    expect(mine.filter((r) => r.path.endsWith('/markdown'))).toHaveLength(ROWS);
    expect(world.notion.failures).toEqual([]);
  }, 120_000);
});
