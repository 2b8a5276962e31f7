// A database run writing into a text property, on a model server that streams forever: each row's answer is
// read only up to the answer cap (ANSWER_LIMITS.maxChars, below the 200,000 characters a Notion text property
// holds), then its stream is closed and the row keeps the text so far with a notice saying where and why it was
// cut. Before any cap, the answer grew in memory without end and the run never finished.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANSWER_LIMITS, answerCutNotices } from '../../../src/adapters/openai/answer-limits.js';
import { type EndlessStreamServer, startEndlessStreamServer } from '../../stand-ins/openai/endless-stream.js';
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

function propertyText(page: { properties?: Record<string, { rich_text?: { plain_text?: string; text?: { content?: string } }[] }> } | undefined): string {
  return (page?.properties?.Summary?.rich_text ?? []).map((item) => item.plain_text ?? item.text?.content ?? '').join('');
}

describe('an endless answer for a text property', () => {
  it('is cut at the answer cap while it streams: the stream is closed, the row keeps the text so far and says so', async () => {
    const u = world.addUser('U0ENDLESSPROP');
    (u.settings as { openaiBaseUrl?: string }).openaiBaseUrl = endless.baseUrl;
    const db = world.notion.addDatabase({ title: 'Endless', parentPageId: u.rootId, properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
    const rows = ['One', 'Two'].map((name) => world.notion.addRow(db.dataSourceId, titleRow(name)).id);

    const { end } = await runToEnd(world.service(), u.user, {
      targetUrl: db.url,
      prompt: 'Describe {{Name}}',
      output: { kind: 'property', property: 'Summary' },
    });

    expect(end.state).toBe('succeeded');
    expect(end.done).toBe(2);
    expect(endless.streams).toHaveLength(2);
    await vi.waitFor(() => expect(endless.openStreams).toBe(0), { timeout: 15_000 });
    for (const id of rows) {
      const text = propertyText(world.notion.getPage(id) as Parameters<typeof propertyText>[0]);
      expect(text.endsWith(answerCutNotices.charCap)).toBe(true);
      expect(text.length).toBe(ANSWER_LIMITS.maxChars + 2 + answerCutNotices.charCap.length);
    }
  }, 60_000);
});
