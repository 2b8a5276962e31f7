/**
 * Cancel end to end (issue 9, item 3), clicked through the Slack stand-in as a person would:
 * - a database run on a model server that streams forever stops at once: the message reaches Cancelled, the
 *   server sees every stream closed, little arrives after the click, and no row gets part of an answer;
 * - a cancelled page run says Cancelled while it takes out the blocks it wrote, before its final message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { type EndlessStreamServer, startEndlessStreamServer } from '../stand-ins/openai/endless-stream.js';
import type { MessageRecord } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { connectionRow, eventually, messagesFor, textOf } from './support/observe.js';

/** What the user read, message by message, in order (command replies, ephemerals, direct messages and their updates). */
function shown(h: Harness, userId: string): string[] {
  return messagesFor(h, userId).map((m: MessageRecord) => textOf(m.blocks));
}

async function clickCancel(h: Harness, userId: string): Promise<void> {
  const delivery = await h.slack.blockAction({ userId, actionId: GenerateIds.cancelAction, container: 'message' });
  expect(delivery.acked).toBe(true);
}

const hasCancelButton = (h: Harness, userId: string) => messagesFor(h, userId).some((m) => JSON.stringify(m.blocks ?? null).includes(GenerateIds.cancelAction));

describe('Cancel a database run whose model server streams forever', () => {
  /** The bug let ~20 MiB more arrive in 10 s, without end; this is about one second of the four streams. */
  const MAX_BYTES_AFTER_CANCEL = 8 * 1024 * 1024;
  let endless: EndlessStreamServer;
  let h: Harness;
  beforeAll(async () => {
    // ~34 KB every 20 ms per stream, nearly all of it SSE comment padding, so no answer-length cap ends a row first.
    endless = await startEndlessStreamServer({ contentCharsPerEvent: 200, paddingBytesPerEvent: 34_000, intervalMs: 20 });
    h = await startHarness({ env: { OPENAI_BASE_URL: endless.baseUrl } });
  });
  afterAll(async () => {
    await h?.stop();
    await endless?.close();
  });

  it('stops the rows in flight at once: Cancelled, every stream closed, bounded bytes after the click, no row written', async () => {
    const user = 'U0ENDLESS';
    const c = await configureUser(h, user);
    const db = h.notion.addDatabase({ title: 'Endless', sharedWith: [c.notionSecret], properties: { Name: { title: {} } } });
    const rowIds = Array.from({ length: 8 }, (_, i) => h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Row ${i + 1}` } }] } }).id);

    const d = await h.slack.slashCommand({ userId: user, teamId: c.teamId, text: `generate ${db.url} Write about {{Name}}` });
    expect(d.acked).toBe(true);
    // Four rows at once (the default concurrency), each on a stream that never ends.
    await eventually(() => endless.openStreams >= 4 && hasCancelButton(h, user), 'four endless streams and a Cancel button');

    const bytesAtCancel = endless.bytesSent;
    await clickCancel(h, user);
    const final = await eventually(() => shown(h, user).find((t) => t.includes(':octagonal_sign: Cancelled')), 'the Cancelled message', 30_000);
    await eventually(() => endless.openStreams === 0, 'every stream closed by Visen', 10_000);

    expect(endless.streams.length).toBeGreaterThanOrEqual(4);
    expect(endless.streams.every((s) => !s.open)).toBe(true);
    expect(endless.bytesSent - bytesAtCancel).toBeLessThan(MAX_BYTES_AFTER_CANCEL);
    expect(final).toContain('0 rows written');
    for (const rowId of rowIds) expect(h.notion.childrenOf(rowId)).toEqual([]);
    await eventually(() => connectionRow(h, c, db.url)?.status === 'Cancelled', 'the connection marked Cancelled');
    expect(h.slack.failures).toEqual([]);
  }, 90_000);
});

describe('Cancel a page run that has written many blocks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('says Cancelled while it takes the written blocks out, then gives the final message; the page is as before', async () => {
    const user = 'U0PAGECANCEL';
    const c = await configureUser(h, user);
    const page = h.notion.addPage({
      title: 'Plan',
      sharedWith: [c.notionSecret],
      children: [{ paragraph: { rich_text: [{ text: { content: 'Kept intro.' } }] } }],
    });
    // A long answer, slowly: blocks land in batches while it streams, and it is far from done when Cancel comes.
    h.openai.setResponder(() => Array.from({ length: 2_000 }, (_, i) => `Paragraph ${i + 1} of the plan.`).join('\n\n'));
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 20 });

    const d = await h.slack.slashCommand({ userId: user, teamId: c.teamId, text: `generate ${page.url} Write a long plan` });
    expect(d.acked).toBe(true);
    await eventually(() => h.notion.childrenOf(page.id).length > 40 && hasCancelButton(h, user), 'more than 40 blocks written', 60_000);
    const written = h.notion.childrenOf(page.id).length;

    await clickCancel(h, user);
    const isFinalCancelled = (t: string) => t.includes(':octagonal_sign: Cancelled:') && !t.includes('removing');
    const final = await eventually(() => shown(h, user).find(isFinalCancelled), 'the final Cancelled message', 90_000);
    const sequence = shown(h, user);
    const removing = sequence.findIndex((t) => t.includes('Cancelled: removing what Visen wrote into'));
    expect(removing).toBeGreaterThanOrEqual(0);
    expect(removing).toBeLessThan(sequence.indexOf(final));
    expect(final).toContain('What Visen had written was taken out again');
    expect(written).toBeGreaterThan(40);
    expect(h.notion.childrenOf(page.id).map((b) => b.paragraph?.rich_text?.[0]?.plain_text)).toEqual(['Kept intro.']);
    expect(h.slack.failures).toEqual([]);
  }, 150_000);
});
