// A database run writing into a text property, on a model server that streams forever: each row's answer is
// read only until it is longer than the property can hold, then its stream is closed and the row fails with a
// clear message. Before, the answer grew in memory without end and the run never finished.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEndlessStreamServer, type EndlessStreamServer } from '../../stand-ins/openai/endless-stream.js';
import { runToEnd, startWorld, titleRow, type World } from './support.js';

let world: World;
let endless: EndlessStreamServer;
beforeAll(async () => {
  world = await startWorld();
  endless = await startEndlessStreamServer({ contentCharsPerEvent: 34_000, intervalMs: 20 });
});
afterAll(async () => {
  await world.close();
  await endless.close();
});

describe('an endless answer for a text property', () => {
  it('is cut off while it streams: the stream is closed, the row fails, nothing is written', async () => {
    const u = world.addUser('U0ENDLESSPROP');
    (u.settings as { openaiBaseUrl?: string }).openaiBaseUrl = endless.baseUrl;
    const db = world.notion.addDatabase({ title: 'Endless', parentPageId: u.rootId, properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
    const rows = ['One', 'Two'].map((name) => world.notion.addRow(db.dataSourceId, titleRow(name)).id);

    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'Describe {{Name}}', output: { kind: 'property', property: 'Summary' } });

    expect(end.failed).toBe(2);
    expect(end.error).toContain('longer than a Notion text property holds');
    expect(endless.streams).toHaveLength(2);
    await vi.waitFor(() => expect(endless.openStreams).toBe(0));
    for (const id of rows) expect(world.notion.getPage(id)?.properties?.Summary?.rich_text ?? []).toEqual([]);
  }, 60_000);
});
