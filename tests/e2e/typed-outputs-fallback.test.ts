/**
 * Typed outputs against an OpenAI-compatible server without structured outputs: it refuses `response_format` with
 * a 400 naming the parameter (the OpenAI stand-in's `reject` mode). Visen asks once more with the schema in the
 * instructions, remembers the server (later rows and runs go without `response_format`), and checks the answers
 * itself. A harness of its own: the server is remembered for the whole process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { cellOf, chatBodies, command, dealIn, finalText, pageUpdatesPerRow, typedDatabase } from './support/typed.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.openai.setStructuredOutputs('reject');
});
afterAll(async () => {
  await h?.stop();
  expect(h.openai.failures).toEqual([]);
  expect(h.notion.failures).toEqual([]);
});

const systemText = (body: Record<string, any>) =>
  (body.messages as Array<{ role: string; content: string }>)
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');

describe('a server without structured outputs', () => {
  it('gets the schema in the instructions; fenced answers are read, checked, a wrong one repaired once, and written', async () => {
    const u = await configureUser(h, 'U0FALLBACK');
    const db = typedDatabase(h, u.notionSecret, { rows: 3, title: 'Fallback' });
    const asked = new Map<string, number>();
    h.openai.setResponder((req) => {
      const deal = dealIn(req);
      const n = (asked.get(deal) ?? 0) + 1;
      asked.set(deal, n);
      const priority = deal === 'Deal 2' && n === 1 ? 'Medium' : 'High'; // not an option the first time
      return `\`\`\`json\n${JSON.stringify({ Priority: priority, Score: 3, '@body': `Body of ${deal}` })}\n\`\`\``;
    });
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, u.userId, `${db.url} --into Priority --into Score --into @body Fill in {{Name}}`);
    const final = await finalText(h, d, u.userId);
    expect(final).toContain('Done');

    const requests = h.openai.requests.slice(chatsFrom).filter((r) => r.key === u.openaiKey && r.path === '/v1/chat/completions');
    // The requests that asked for structured output (the rows started before the first refusal came back) were
    // refused; every answered one went without it.
    const refused = requests.filter((r) => r.status === 400);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((r) => r.body.response_format?.type === 'json_schema')).toBe(true);
    const answered = requests.filter((r) => r.status !== 400);
    expect(answered.every((r) => r.status === 200 && r.body.response_format === undefined)).toBe(true);
    expect(answered).toHaveLength(4); // three rows, and Deal 2 once more
    for (const r of answered) {
      expect(systemText(r.body)).toContain('must match this JSON Schema');
      expect(systemText(r.body)).toContain('"enum":["High","Low"]');
    }
    expect(JSON.stringify(answered.map((r) => r.body.messages))).toContain('could not be used: the value for “Priority” does not fit: \\"Medium\\"');

    for (const [i, rowId] of db.rowIds.entries()) {
      expect(cellOf(h, rowId, 'Priority')).toBe('High');
      expect(cellOf(h, rowId, 'Score')).toBe(3);
      expect(h.notion.pageMarkdown(rowId)).toContain(`Body of Deal ${i + 1}`);
    }
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([1, 1, 1]);

    // A second run on the same server does not ask for structured output again.
    const again = chatBodies(h, u.openaiKey).length;
    const d2 = await command(h, u.userId, `${db.url} --into Priority --into Score --into @body --all Fill in {{Name}}`);
    expect(await finalText(h, d2, u.userId)).toContain('Done');
    const second = chatBodies(h, u.openaiKey, 0).slice(again);
    expect(second).toHaveLength(3);
    expect(second.every((b) => b.response_format === undefined)).toBe(true);
  }, 90_000);
});
