/**
 * Preview before bulk runs (issue 12, item 7), clicked through the Slack stand-in as a person would: `--preview [N]`
 * generates the first rows without writing anything and shows them with **Write these and run the rest** and
 * **Cancel**; confirming writes the previewed values as they were (no second model call), cancelling writes
 * nothing; a run of more than 500 rows asks the same even without `--preview`; only the owner may answer, once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import type { ChatRequest } from '../stand-ins/openai/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { connectionRow, dms, eventually, messagesFor, textOf } from './support/observe.js';
import { cellOf, chatBodies, command, dealIn, finalText, openFormOnDatabase, pageUpdatesPerRow, typedDatabase } from './support/typed.js';

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
  expect(h.slack.failures).toEqual([]);
});

/** Every update of every message the user saw, as text, in order. */
const shown = (userId: string) => messagesFor(h, userId).map((m) => textOf(m.blocks));
const hasButton = (userId: string, actionId: string) => messagesFor(h, userId).some((m) => JSON.stringify(m.blocks ?? null).includes(actionId));

/** The preview as the owner sees it, once its buttons are there. */
function previewShown(userId: string): Promise<string> {
  return eventually(
    () => (hasButton(userId, GenerateIds.previewConfirmAction) ? shown(userId).findLast((t) => t.includes(':mag: Preview of')) : undefined),
    'the preview with its buttons',
    60_000,
  );
}

async function click(userId: string, actionId: string, value?: string) {
  const d = await h.slack.blockAction({ userId, actionId, container: 'message', ...(value ? { value } : {}) });
  expect(d.acked).toBe(true);
  return d;
}

/** The ephemeral answer to a click, posted to that click's response_url. */
function answerTo(d: { responseUrl?: string }): Promise<string> {
  return eventually(
    () => h.slack.responseUrlPosts.find((p) => p.url === d.responseUrl && p.body?.text)?.body.text as string | undefined,
    'the answer to the click',
  );
}

/** Chat calls whose prompt named each deal. */
function callsPerDeal(key: string, from: number, deals: number): number[] {
  const asked = chatBodies(h, key, from).map((body) => dealIn({ messages: body.messages } as ChatRequest));
  return Array.from({ length: deals }, (_, i) => asked.filter((d) => d === `Deal ${i + 1}`).length);
}

describe('--preview then Write these and run the rest', () => {
  it('shows the first rows without writing, then writes them as previewed (no second model call) and runs the rest', async () => {
    const c = await configureUser(h, 'U0PREVIEWOK');
    const db = typedDatabase(h, c.notionSecret, { rows: 5, title: 'Preview ok' });
    let calls = 0;
    // Each answer differs from any later one, so a second call for a previewed row would show in Notion.
    h.openai.setResponder((req) => `Summary of ${dealIn(req)}, take ${++calls}`);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --into Summary --preview 2 Summarise {{Name}}`);

    const preview = await previewShown(c.userId);
    expect(preview).toContain('the first 2 rows, nothing written yet');
    expect(preview).toContain('Deal 1');
    expect(preview).toMatch(/Summary\*: Summary of Deal [12], take [12]/);
    expect(preview).toMatch(/Tokens used by this preview: [\d,]+\. The whole run: 5 rows × about [\d,]+ a row ≈ \*[\d,]+\* tokens/);
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([0, 0, 0, 0, 0]);
    expect(chatBodies(h, c.openaiKey, chatsFrom)).toHaveLength(2);

    await click(c.userId, GenerateIds.previewConfirmAction);
    const final = await finalText(h, d, c.userId);
    expect(final).toContain('5 rows written');
    // The previewed rows hold exactly the previewed text; every row was asked for once.
    expect(cellOf(h, db.rowIds[0]!, 'Summary')).toBe(/Summary of Deal 1, take \d/.exec(preview)![0]);
    expect(cellOf(h, db.rowIds[1]!, 'Summary')).toBe(/Summary of Deal 2, take \d/.exec(preview)![0]);
    expect(callsPerDeal(c.openaiKey, chatsFrom, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([1, 1, 1, 1, 1]);
    expect(connectionRow(h, c, db.url)?.status).toBe('Succeeded');
  }, 90_000);
});

describe('--preview then Cancel', () => {
  it('writes nothing and ends the run with a clear message', async () => {
    const c = await configureUser(h, 'U0PREVIEWNO');
    const db = typedDatabase(h, c.notionSecret, { rows: 4, title: 'Preview cancel' });
    h.openai.setResponder((req) => `Body for ${dealIn(req)}`);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --preview Write about {{Name}}`);

    const preview = await previewShown(c.userId);
    expect(preview).toContain('the first 3 rows');
    expect(preview).toContain('@body*: Body for Deal');
    await click(c.userId, GenerateIds.previewCancelAction);
    const final = await finalText(h, d, c.userId);

    expect(final).toContain('Cancelled after the preview: nothing was written into');
    expect(final).toContain('0 rows written');
    for (const rowId of db.rowIds) expect(h.notion.childrenOf(rowId)).toEqual([]);
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([0, 0, 0, 0]);
    expect(h.notion.requests.slice(notionFrom).filter((r) => r.method === 'PATCH' && r.path.includes('/blocks/'))).toEqual([]);
    expect(chatBodies(h, c.openaiKey, chatsFrom)).toHaveLength(3);
    await eventually(() => connectionRow(h, c, db.url)?.status === 'Cancelled', 'the connection marked Cancelled');
  }, 90_000);
});

describe('who may answer a preview, and how often', () => {
  it('refuses another user with an ephemeral naming the owner; a double click writes once', async () => {
    const c = await configureUser(h, 'U0PREVIEWOWNER');
    const db = typedDatabase(h, c.notionSecret, { rows: 3, title: 'Preview owner' });
    h.openai.setResponder((req) => `Summary of ${dealIn(req)}`);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --into Summary --preview 2 Summarise {{Name}}`);
    await previewShown(c.userId);
    const value = /"r":"[^"]+","t":"[^"]+","u":"[^"]+"/.exec(JSON.stringify(messagesFor(h, c.userId).map((m) => m.blocks)).replace(/\\"/g, '"'))?.[0];
    expect(value).toBeDefined();

    const other = await click('U0PREVIEWOTHER', GenerateIds.previewConfirmAction, `{${value}}`);
    expect(await answerTo(other)).toBe(`Only <@${c.userId}>, who started this run, can write or cancel this preview.`);
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([0, 0, 0]);

    const [first, second] = await Promise.all([click(c.userId, GenerateIds.previewConfirmAction), click(c.userId, GenerateIds.previewConfirmAction)]);
    const final = await finalText(h, d, c.userId);
    expect(final).toContain('3 rows written');
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([1, 1, 1]);
    expect(callsPerDeal(c.openaiKey, chatsFrom, 3)).toEqual([1, 1, 1]);
    // One of the two clicks did it; the other is told the preview was already answered.
    const answers = h.slack.responseUrlPosts.filter((p) => p.url === first.responseUrl || p.url === second.responseUrl).map((p) => p.body?.text);
    expect(answers).toEqual(['This preview was already answered; the run’s message shows what happens next.']);
  }, 90_000);
});

describe('typed outputs previewed', () => {
  it('shows each output’s proposed value, then writes them all with one update per row', async () => {
    const c = await configureUser(h, 'U0PREVIEWTYPED');
    const db = typedDatabase(h, c.notionSecret, { rows: 3, title: 'Preview typed' });
    h.openai.setResponder((req) => {
      const n = Number(dealIn(req).replace(/\D/g, ''));
      return JSON.stringify({ Summary: `About deal ${n}`, Priority: n === 1 ? 'High' : 'Low', Tags: ['alpha', 'beta'], Client: [`Client ${n}`] });
    });
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --into Summary --into Priority --into Tags --into Client --preview 1 Fill in {{Name}}`);
    const preview = await previewShown(c.userId);
    expect(preview).toContain('*Summary*: About deal 1');
    expect(preview).toContain('*Priority*: High');
    expect(preview).toContain('*Tags*: alpha, beta');
    expect(preview).toContain('*Client*: Client 1');
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([0, 0, 0]);

    await click(c.userId, GenerateIds.previewConfirmAction);
    expect(await finalText(h, d, c.userId)).toContain('3 rows written');
    expect(cellOf(h, db.rowIds[0]!, 'Priority')).toBe('High');
    expect(cellOf(h, db.rowIds[0]!, 'Tags')).toEqual(['alpha', 'beta']);
    expect(cellOf(h, db.rowIds[2]!, 'Summary')).toBe('About deal 3');
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([1, 1, 1]);
    expect(callsPerDeal(c.openaiKey, chatsFrom, 3)).toEqual([1, 1, 1]);
  }, 90_000);
});

describe('a run of more than 500 rows', () => {
  it('asks for the same confirmation without --preview, showing 3 rows and the estimate for all of them', async () => {
    const c = await configureUser(h, 'U0PREVIEWLARGE');
    const db = h.notion.addDatabase({ title: 'Large', sharedWith: [c.notionSecret], properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
    const rowIds = Array.from({ length: 501 }, (_, i) => h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Deal ${i + 1}` } }] } }).id);
    h.openai.setResponder((req) => `Summary of ${dealIn(req)}`);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --into Summary Summarise {{Name}}`);

    const preview = await previewShown(c.userId);
    expect(preview).toContain('the first 3 rows, nothing written yet');
    expect(preview).toContain('This run would write 501 rows (more than 500)');
    expect(preview).toMatch(/The whole run: 501 rows × about [\d,]+ a row/);
    expect(chatBodies(h, c.openaiKey, chatsFrom)).toHaveLength(3);
    expect(pageUpdatesPerRow(h, rowIds, notionFrom).every((n) => n === 0)).toBe(true);

    await click(c.userId, GenerateIds.previewCancelAction);
    expect(await finalText(h, d, c.userId)).toContain('Cancelled after the preview');
    expect(pageUpdatesPerRow(h, rowIds, notionFrom).every((n) => n === 0)).toBe(true);
  }, 120_000);
});

describe('Preview first, from the generate form', () => {
  it('ticked with 2 rows: the preview comes as a direct message with the buttons, and Write these finishes the run', async () => {
    const c = await configureUser(h, 'U0PREVIEWFORM');
    const db = typedDatabase(h, c.notionSecret, { rows: 3, title: 'Preview form' });
    h.openai.setResponder((req) => `Summary of ${dealIn(req)}`);
    const chatsFrom = h.openai.requests.length;
    const { updated, typed } = await openFormOnDatabase(h, c.userId, db.url, 'Summarise {{Name}}');
    expect(updated.blocks.map((b) => b.block_id)).toEqual(expect.arrayContaining([GenerateIds.previewBlock, GenerateIds.previewRowsBlock]));
    const submitted = await h.slack.viewSubmission({
      userId: c.userId,
      view: updated,
      values: {
        ...typed,
        [GenerateIds.outputBlock]: { [GenerateIds.outputAction]: 'property' },
        [GenerateIds.intoSelectBlock]: { [GenerateIds.intoAction]: ['Summary'] },
        [GenerateIds.previewBlock]: { [GenerateIds.previewAction]: ['preview_first'] },
        [GenerateIds.previewRowsBlock]: { [GenerateIds.previewRowsAction]: '2' },
      },
    });
    expect(submitted.ackPayload).toEqual({ response_action: 'clear' });

    const preview = await previewShown(c.userId);
    expect(preview).toContain('the first 2 rows, nothing written yet');
    expect(chatBodies(h, c.openaiKey, chatsFrom)).toHaveLength(2);
    await click(c.userId, GenerateIds.previewConfirmAction);
    await eventually(() => connectionRow(h, c, db.url)?.status === 'Succeeded', 'the run to succeed', 60_000);
    expect(db.rowIds.map((id) => cellOf(h, id, 'Summary'))).toEqual(['Summary of Deal 1', 'Summary of Deal 2', 'Summary of Deal 3']);
    expect(callsPerDeal(c.openaiKey, chatsFrom, 3)).toEqual([1, 1, 1]);
  }, 90_000);
});

describe('a preview waiting when Visen restarts', () => {
  it('is shown again as a direct message with the same buttons; Write these then writes the held values, asking the model nothing again', async () => {
    const c = await configureUser(h, 'U0PREVIEWRESTART');
    const db = typedDatabase(h, c.notionSecret, { rows: 3, title: 'Preview restart' });
    let n = 0;
    h.openai.setResponder((req) => `Summary of ${dealIn(req)}, take ${++n}`);
    const chatsFrom = h.openai.requests.length;
    const notionFrom = h.notion.requests.length;
    const d = await command(h, c.userId, `${db.url} --into Summary --preview 2 Summarise {{Name}}`);
    const before = await previewShown(c.userId);
    const dmsBefore = dms(h, c.userId).length;

    await h.restart();
    const again = await eventually(
      () =>
        dms(h, c.userId)
          .slice(dmsBefore)
          .map((m) => textOf(m.blocks))
          .find((t) => t.includes(':mag: Preview of') && t.includes('Visen restarted')),
      'the preview shown again after the restart',
      60_000,
    );
    for (const value of before.match(/Summary of Deal \d, take \d/g) ?? []) expect(again).toContain(value);
    expect(pageUpdatesPerRow(h, db.rowIds, notionFrom)).toEqual([0, 0, 0]);

    await click(c.userId, GenerateIds.previewConfirmAction);
    await eventually(() => connectionRow(h, c, db.url)?.status === 'Succeeded', 'the run to succeed', 60_000);
    expect(cellOf(h, db.rowIds[0]!, 'Summary')).toBe(/Summary of Deal 1, take \d/.exec(before)![0]);
    expect(cellOf(h, db.rowIds[1]!, 'Summary')).toBe(/Summary of Deal 2, take \d/.exec(before)![0]);
    expect(cellOf(h, db.rowIds[2]!, 'Summary')).toMatch(/^Summary of Deal 3, take \d$/);
    expect(callsPerDeal(c.openaiKey, chatsFrom, 3)).toEqual([1, 1, 1]);
    expect(d.acked).toBe(true);
  }, 120_000);
});
