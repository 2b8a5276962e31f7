/**
 * Typed outputs end to end (`--into` of every writable type, several at once, `--new-options`): the Slack command,
 * one structured-output call per row to the OpenAI stand-in (which checks `response_format` against OpenAI's
 * OpenAPI document and strict-mode rules), and one page update per row at the Notion stand-in (which checks each
 * property value as Notion does).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../stand-ins/openai/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { connectionRow } from './support/observe.js';
import { cellOf, chatBodies, command, dealIn, finalText, pageUpdatesPerRow, typedDatabase } from './support/typed.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.openai.setResponder(undefined);
});
afterAll(async () => {
  await h?.stop();
  expect(h.openai.failures).toEqual([]);
  expect(h.notion.failures).toEqual([]);
});

const EVERY_OUTPUT = ['Summary', 'Score', 'Priority', 'Tags', 'Stage', 'Due', 'Done', 'Link', 'Contact', 'Phone', 'Client', '@body'];

/** A model that fills every output with a valid value for the row it is asked about. */
function validAnswer(req: ChatRequest): string {
  const deal = dealIn(req);
  const n = Number(deal.replace(/\D/g, ''));
  return JSON.stringify({
    Summary: `Summary of ${deal}`,
    Score: n * 10,
    Priority: n % 2 === 0 ? 'High' : 'Low',
    Tags: ['alpha', 'gamma'],
    Stage: 'In progress',
    Due: `2027-01-0${n}`,
    Done: n % 2 === 0,
    Link: `https://example.com/deals/${n}`,
    Contact: `deal${n}@example.com`,
    Phone: `+1 555 010${n}`,
    Client: [`Client ${n}`],
    '@body': `## Notes on ${deal}\n\n- first point\n- second point`,
  });
}

describe('--into every writable type', () => {
  it('writes each row’s values with one page update (plus the body) from one structured-output call per row', async () => {
    const c = await configureUser(h, 'U0TYPEDALL');
    const db = typedDatabase(h, c.notionSecret, { rows: 3 });
    h.openai.setResponder(validAnswer);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const into = EVERY_OUTPUT.map((name) => `--into "${name}"`).join(' ');
    const d = await command(h, c.userId, `${db.url} ${into} Fill in {{Name}}`);
    const final = await finalText(h, d, c.userId);
    expect(final).toContain('Done');

    for (const [i, rowId] of db.rowIds.entries()) {
      const n = i + 1;
      expect(cellOf(h, rowId, 'Summary')).toBe(`Summary of Deal ${n}`);
      expect(cellOf(h, rowId, 'Score')).toBe(n * 10);
      expect(cellOf(h, rowId, 'Priority')).toBe(n % 2 === 0 ? 'High' : 'Low');
      expect(cellOf(h, rowId, 'Tags')).toEqual(['alpha', 'gamma']);
      expect(cellOf(h, rowId, 'Stage')).toBe('In progress');
      expect(cellOf(h, rowId, 'Due')).toBe(`2027-01-0${n}`);
      expect(cellOf(h, rowId, 'Done')).toBe(n % 2 === 0);
      expect(cellOf(h, rowId, 'Link')).toBe(`https://example.com/deals/${n}`);
      expect(cellOf(h, rowId, 'Contact')).toBe(`deal${n}@example.com`);
      expect(cellOf(h, rowId, 'Phone')).toBe(`+1 555 010${n}`);
      expect((cellOf(h, rowId, 'Client') as string[]).map((id) => id.replace(/-/g, ''))).toEqual([db.clientIds[i]!.replace(/-/g, '')]);
      expect(h.notion.pageMarkdown(rowId)).toContain(`Notes on Deal ${n}`);
    }
    // One page update per row, whatever the number of outputs.
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([1, 1, 1]);

    // One call per row, each asking for one strict JSON object with the options as enums.
    const bodies = chatBodies(h, c.openaiKey, chatsFrom);
    expect(bodies).toHaveLength(3);
    const format = bodies[0]!.response_format;
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    const schema = format.json_schema.schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(EVERY_OUTPUT);
    expect(JSON.stringify(schema.properties.Priority)).toContain('"enum":["High","Low"]');
    expect(JSON.stringify(schema.properties.Client)).toContain('"enum":["Client 1","Client 2","Client 3"]');
    expect(JSON.stringify(schema.properties.Stage)).toContain('"Not started"');
    expect(schema.properties.Done).toMatchObject({ type: 'boolean' });

    const row = connectionRow(h, c, db.url)!;
    expect(row.status).toBe('Succeeded');
    expect(row.output).toBe(`Properties: ${JSON.stringify(EVERY_OUTPUT)}`);
    expect(final).toMatch(/Tokens: [\d,]+/);
  }, 90_000);
});
