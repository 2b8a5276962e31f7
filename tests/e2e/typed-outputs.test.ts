/**
 * Typed outputs end to end (`--into` of every writable type, several at once, `--new-options`): the Slack command,
 * one structured-output call per row to the OpenAI stand-in (which checks `response_format` against OpenAI's
 * OpenAPI document and strict-mode rules), and one page update per row at the Notion stand-in (which checks each
 * property value as Notion does).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import type { ChatRequest } from '../stand-ins/openai/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { connectionRow, eventually, textOf } from './support/observe.js';
import { cellOf, chatBodies, command, dealIn, finalText, openFormOnDatabase, pageUpdatesPerRow, TYPED_PROPERTIES, typedDatabase } from './support/typed.js';

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
    // Token usage counts every typed call, as the stand-in reported it in each answer's usage chunk.
    const usage = h.openai.requests.slice(chatsFrom).filter((r) => r.key === c.openaiKey && r.usage);
    expect(usage).toHaveLength(3);
    const total = usage.reduce((sum, r) => sum + r.usage!.prompt_tokens + r.usage!.completion_tokens, 0);
    expect(final).toContain(`Tokens: ${total.toLocaleString('en-US')}`);
  }, 90_000);
});

/** A model that answers `bad` for row `badDeal` (every time, the repair too) and `good` for the others. */
function answerFor(badDeal: string, good: Record<string, unknown>, bad: Record<string, unknown>) {
  return (req: ChatRequest) => JSON.stringify(dealIn(req) === badDeal ? bad : good);
}

describe('values that do not fit', () => {
  const cases = [
    { property: 'Priority', good: 'High', bad: 'Urgent', shown: '"Urgent"', reason: 'not one of its options' },
    { property: 'Tags', good: ['beta'], bad: ['beta', 'omega'], shown: '"omega"', reason: 'not one of its options' },
    { property: 'Stage', good: 'Done', bad: 'Blocked', shown: '"Blocked"', reason: 'not one of its options' },
    { property: 'Client', good: ['Client 2'], bad: ['Nobody Inc'], shown: '"Nobody Inc"', reason: 'not the title of a page it can relate to' },
    { property: 'Due', good: '2027-03-01', bad: 'next Tuesday', shown: '"next Tuesday"', reason: 'not an ISO 8601 date (YYYY-MM-DD) or date-time' },
    { property: 'Score', good: 7, bad: 'seven', shown: '"seven"', reason: 'expected a number' },
    { property: 'Done', good: true, bad: 'yes', shown: '"yes"', reason: 'expected a boolean' },
    { property: 'Link', good: 'https://example.com/a', bad: 'see the website', shown: '"see the website"', reason: 'not an absolute URL' },
    { property: 'Contact', good: 'a@example.com', bad: 'nobody', shown: '"nobody"', reason: 'not an email address' },
    {
      property: 'Phone',
      good: '+1 555 0100',
      bad: '1'.repeat(201),
      shown: `"${'1'.repeat(78)}…`,
      reason: 'longer than the 200 characters Notion allows',
    },
  ] as const;

  for (const c of cases) {
    it(`${c.property}: an answer outside what it takes fails that row, naming the property and the value; the other row is written`, async () => {
      const u = await configureUser(h, `U0TYPEDBAD${c.property.toUpperCase()}`);
      const db = typedDatabase(h, u.notionSecret, { rows: 2, title: `Bad ${c.property}` });
      h.openai.setResponder(answerFor('Deal 2', { [c.property]: c.good }, { [c.property]: c.bad }));
      const chatsFrom = h.openai.requests.length;
      const d = await command(h, u.userId, `${db.url} --into ${c.property} Fill in {{Name}}`);
      const final = await finalText(h, d, u.userId);

      expect(final).toContain('1 of 2 rows failed');
      expect(final).toContain(`the value for “${c.property}” does not fit: ${c.shown} (${c.reason})`);
      const written = cellOf(h, db.rowIds[0]!, c.property);
      if (c.property === 'Client') expect((written as string[]).map((id) => id.replace(/-/g, ''))).toEqual([db.clientIds[1]!.replace(/-/g, '')]);
      else expect(written).toEqual(c.good);
      const empty = c.property === 'Tags' || c.property === 'Client' ? [] : c.property === 'Done' ? false : null;
      expect(cellOf(h, db.rowIds[1]!, c.property)).toEqual(empty);
      // Row 1 once; row 2 once and once more with what was wrong (the repair).
      const bodies = chatBodies(h, u.openaiKey, chatsFrom);
      expect(bodies).toHaveLength(3);
      expect(JSON.stringify(bodies.at(-1)!.messages)).toContain('could not be used');
    }, 60_000);
  }

  it('--new-options: select and multi-select values may be new options (Notion creates them); status values still may not', async () => {
    const u = await configureUser(h, 'U0TYPEDNEWOPT');
    const db = typedDatabase(h, u.notionSecret, { rows: 3, title: 'New options' });
    h.openai.setResponder((req) => {
      const deal = dealIn(req);
      if (deal === 'Deal 2') return JSON.stringify({ Priority: 'High', Tags: [], Stage: 'Blocked' });
      if (deal === 'Deal 3') return JSON.stringify({ Priority: 'Low', Tags: ['one, two'], Stage: 'Done' });
      return JSON.stringify({ Priority: 'Urgent', Tags: ['alpha', 'delta'], Stage: 'In progress' });
    });
    const chatsFrom = h.openai.requests.length;
    const d = await command(h, u.userId, `${db.url} --into Priority --into Tags --into Stage --new-options Fill in {{Name}}`);
    const final = await finalText(h, d, u.userId);

    expect(cellOf(h, db.rowIds[0]!, 'Priority')).toBe('Urgent');
    expect(cellOf(h, db.rowIds[0]!, 'Tags')).toEqual(['alpha', 'delta']);
    const options = (name: string) =>
      (h.notion.getDataSource(db.dataSourceId)!.properties[name][name === 'Tags' ? 'multi_select' : 'select'].options as Array<{ name: string }>).map(
        (o) => o.name,
      );
    expect(options('Priority')).toEqual(['High', 'Low', 'Urgent']);
    expect(options('Tags')).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    // Status options cannot be created through the API, and Notion refuses commas in option names.
    expect(final).toContain('2 of 3 rows failed');
    expect(cellOf(h, db.rowIds[1]!, 'Stage')).toBe(null);
    expect(cellOf(h, db.rowIds[2]!, 'Tags')).toEqual([]);
    const schema = chatBodies(h, u.openaiKey, chatsFrom)[0]!.response_format.json_schema.schema;
    expect(JSON.stringify(schema.properties.Priority)).not.toContain('enum');
    expect(JSON.stringify(schema.properties.Stage)).toContain('enum');
    expect(connectionRow(h, u, db.url)!.output).toBe('Properties: ["Priority","Tags","Stage"] (new options allowed)');
  }, 60_000);
});

describe('answers that are not JSON', () => {
  it('an answer that is no JSON is repaired once; one still wrong fails its row and the others go on', async () => {
    const u = await configureUser(h, 'U0TYPEDJSON');
    const db = typedDatabase(h, u.notionSecret, { rows: 3, title: 'Repairs' });
    const asked = new Map<string, number>();
    h.openai.setResponder((req) => {
      const deal = dealIn(req);
      const n = (asked.get(deal) ?? 0) + 1;
      asked.set(deal, n);
      if (deal === 'Deal 1' && n === 1) return 'Sure! Here are the values: Score 5, Priority High';
      if (deal === 'Deal 2') return '{"Score": 5, "Priority": "High"'; // cut short, every time
      return JSON.stringify({ Score: 5, Priority: 'High' });
    });
    const d = await command(h, u.userId, `${db.url} --into Score --into Priority Fill in {{Name}}`);
    const final = await finalText(h, d, u.userId);

    expect(asked.get('Deal 1')).toBe(2);
    expect(asked.get('Deal 2')).toBe(2);
    expect(asked.get('Deal 3')).toBe(1);
    expect(cellOf(h, db.rowIds[0]!, 'Score')).toBe(5);
    expect(cellOf(h, db.rowIds[1]!, 'Score')).toBe(null);
    expect(cellOf(h, db.rowIds[2]!, 'Priority')).toBe('High');
    expect(final).toContain('1 of 3 rows failed');
    expect(final).toContain('not a JSON object');
  }, 60_000);
});

describe('refused before anything runs', () => {
  it('a read-only property is refused at the start, naming it and its type; nothing is generated', async () => {
    const u = await configureUser(h, 'U0TYPEDRO');
    const db = typedDatabase(h, u.notionSecret, { rows: 1, title: 'Read-only' });
    const chatsFrom = h.openai.requests.length;
    const d = await command(h, u.userId, `${db.url} --into Score --into Total Fill in {{Name}}`);
    const message = await eventually(
      () =>
        h.slack.responseUrlPosts
          .filter((p) => p.url === d.responseUrl && p.ok)
          .map((p) => textOf((p.body as { blocks?: unknown }).blocks))
          .find((t) => t.includes('Total')),
      'the start error',
    );
    expect(message).toContain('Visen cannot write into `Total` (formula)');
    expect(message).toContain('`Score` (number)');
    expect(chatBodies(h, u.openaiKey, chatsFrom)).toEqual([]);
  }, 30_000);

  it('a relation to a database of more than 200 pages fails the run at its start, saying so', async () => {
    const u = await configureUser(h, 'U0TYPEDREL');
    const db = typedDatabase(h, u.notionSecret, { rows: 2, clients: 201, title: 'Big relation' });
    const chatsFrom = h.openai.requests.length;
    const d = await command(h, u.userId, `${db.url} --into Client Fill in {{Name}}`);
    const final = await finalText(h, d, u.userId);
    expect(final).toContain('more than 200 pages');
    expect(chatBodies(h, u.openaiKey, chatsFrom)).toEqual([]);
    expect(connectionRow(h, u, db.url)!.status).toBe('Failed');
  }, 60_000);
});

describe('one typed output', () => {
  it('--into the title property alone: rows whose outputs are filled are skipped; with --all the titles are written from JSON answers', async () => {
    const u = await configureUser(h, 'U0TYPEDTITLE');
    const db = typedDatabase(h, u.notionSecret, { rows: 2, title: 'Titles' });
    h.openai.setResponder((req) => JSON.stringify({ Name: `${dealIn(req)} (renamed)` }));
    const chatsFrom = h.openai.requests.length;
    const skipped = await command(h, u.userId, `${db.url} --into Name Give {{Name}} a better name`);
    expect(await finalText(h, skipped, u.userId)).toContain('2 skipped');
    expect(chatBodies(h, u.openaiKey, chatsFrom)).toEqual([]);
    const d = await command(h, u.userId, `${db.url} --into Name --all Give {{Name}} a better name`);
    expect(await finalText(h, d, u.userId)).toContain('Done');
    expect(cellOf(h, db.rowIds[0]!, 'Name')).toBe('Deal 1 (renamed)');
    expect(cellOf(h, db.rowIds[1]!, 'Name')).toBe('Deal 2 (renamed)');
  }, 60_000);
});

describe('the generate modal', () => {
  it('offers every writable property and the page body; several chosen with new options run as typed outputs', async () => {
    const u = await configureUser(h, 'U0TYPEDMODAL');
    const db = typedDatabase(h, u.notionSecret, { rows: 2, title: 'From the form' });
    h.openai.setResponder((req) => JSON.stringify({ '@body': `Body of ${dealIn(req)}`, Priority: 'Critical', Done: true }));
    const { updated, typed } = await openFormOnDatabase(h, u.userId, db.url, 'Fill in {{Name}}');
    const select = updated.blocks.find((b) => b.block_id === GenerateIds.intoSelectBlock)!.element as { options: Array<{ value: string }> };
    // Every writable property (the formula is not among them) and the page body.
    expect(select.options.map((o) => o.value)).toEqual(['@body', ...Object.keys(TYPED_PROPERTIES).filter((p) => p !== 'Total'), 'Client']);

    const submitted = await h.slack.viewSubmission({
      userId: u.userId,
      view: updated,
      values: {
        ...typed,
        [GenerateIds.outputBlock]: { [GenerateIds.outputAction]: 'property' },
        [GenerateIds.intoSelectBlock]: { [GenerateIds.intoAction]: ['@body', 'Priority', 'Done'] },
        [GenerateIds.newOptionsBlock]: { [GenerateIds.newOptionsAction]: ['new_options'] },
      },
    });
    expect(submitted.ackPayload).toEqual({ response_action: 'clear' });
    await eventually(() => connectionRow(h, u, db.url)?.status === 'Succeeded', 'the run to succeed', 60_000);
    for (const [i, rowId] of db.rowIds.entries()) {
      expect(cellOf(h, rowId, 'Priority')).toBe('Critical');
      expect(cellOf(h, rowId, 'Done')).toBe(true);
      expect(h.notion.pageMarkdown(rowId)).toContain(`Body of Deal ${i + 1}`);
    }
    expect(connectionRow(h, u, db.url)!.output).toBe('Properties: ["@body","Priority","Done"] (new options allowed)');
  }, 60_000);
});
