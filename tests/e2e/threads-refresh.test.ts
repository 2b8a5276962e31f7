/**
 * "Send to Notion" with "Keep it current" (issue 14, item 4), end to end: a reply in the thread arrives as a Slack
 * `message` event (manifest `message.channels`), and Visen runs the connection again, replacing what it wrote last
 * time, without progress messages. VISEN_THREAD_REFRESH_MINUTES is 0 here, so each reply refreshes (one run at a
 * time per watch); the interval's arithmetic and the watches are tested in tests/services/threads/watches.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadIds } from '../../src/slack/listeners/threads/ids.js';
import { KEEP_CURRENT_VALUE } from '../../src/slack/views/thread-modal.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { dms, eventually, textOf } from './support/observe.js';
import { sendThreadToNotion } from './support/send-to-notion.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { VISEN_THREAD_REFRESH_MINUTES: '0' } });
  h.slack.seedUser({ id: 'U0ANA', displayName: 'Ana', tz: 'Europe/Paris' });
});
afterAll(async () => {
  await h?.stop();
});

/** `eventually` for a probe that reads the store (asynchronous); the timeout is a ceiling, not a claim. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const texts = (pageId: string) =>
  (h.notion.childrenOf(pageId) as Array<{ type: string; [k: string]: any }>).map((b) => (b[b.type]?.rich_text ?? []).map((t: any) => t.plain_text).join(''));

/** The model's answer says how many replies it saw, so each refresh's content differs. */
const answerWithReplies = (req: { messages: Array<{ content: unknown }> }) => {
  const thread = JSON.stringify(req.messages);
  const replies = (thread.match(/Reply \d+/g) ?? []).length;
  return `Summary of ${replies} replies.\n\nLatest: ${thread.includes('Ship on Monday') ? 'Monday' : 'Friday'}.`;
};

/** A configured user, a page shared with their integration, and a thread Ana started in a channel they share, one reply long. */
async function keeperWithThread(user: string, displayName: string, pageTitle: string) {
  h.slack.seedUser({ id: user, displayName, tz: 'Europe/Paris' });
  const c = await configureUser(h, user);
  const page = h.notion.addPage({ title: pageTitle, sharedWith: [c.notionSecret] });
  const channel = h.slack.seedConversation({ type: 'public_channel', members: [user, 'U0ANA'] });
  const thread = h.slack.seedThread({
    channelId: channel.id,
    parent: { user: 'U0ANA', text: 'Launch day?' },
    replies: [{ user: 'U0ANA', text: 'Reply 1: Friday' }],
  });
  return { c, page, channel, thread };
}

describe('Send to Notion: Keep it current', () => {
  it('a reply in the thread refreshes the page quietly; a message outside the thread does not', async () => {
    const user = 'U0KEEPER';
    const { c, page, channel, thread } = await keeperWithThread(user, 'Keeper', 'Launch');
    h.openai.setResponder(answerWithReplies);
    try {
      const updatesBefore = h.slack.views.updated.length;
      await h.slack.triggerMessageShortcut({ userId: user, callbackId: ThreadIds.shortcutCallback, channelId: channel.id, messageTs: thread.ts });
      const modal = await eventually(() => h.slack.views.updated.slice(updatesBefore).find((v) => v.callback_id === ThreadIds.modalCallback), 'the modal');
      expect(textOf(modal.blocks)).toContain('Keep it current');
      await h.slack.viewSubmission({
        userId: user,
        view: modal,
        values: {
          [ThreadIds.targetBlock]: { [ThreadIds.targetAction]: page.url },
          [ThreadIds.keepBlock]: { [ThreadIds.keepAction]: [KEEP_CURRENT_VALUE] },
        },
      });
      await eventually(() => texts(page.id).includes('Summary of 1 replies.'), 'the first summary');
      const note = await eventually(() => h.slack.messages.find((m) => m.kind === 'ephemeral' && m.user === user), 'the note');
      expect(textOf(note.blocks)).toContain('Kept current: Visen updates it at each new reply');
      const dmsAfterFirst = await eventually(() => {
        const all = dms(h, user);
        return all.some((m) => /Done/.test(textOf(m.blocks))) ? all.length : undefined;
      }, 'the first run done');

      const chatsBefore = h.openai.requests.filter((r) => r.path === '/v1/chat/completions').length;
      const outside = await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: 'Unrelated, not in the thread' });
      expect(outside.delivery?.acked).toBe(true);
      const reply = await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: 'Reply 2: Ship on Monday instead', threadTs: thread.ts });
      expect(reply.delivery?.acked).toBe(true);

      // The new summary lands first, then last time's blocks go.
      await eventually(() => texts(page.id).includes('Summary of 2 replies.') && !texts(page.id).includes('Summary of 1 replies.'), 'the refreshed summary');
      const body = texts(page.id);
      expect(body).toContain('Latest: Monday.');
      expect(body.filter((t) => t.startsWith('Summary of'))).toEqual(['Summary of 2 replies.']);
      expect(body.filter((t) => t.startsWith('Made by Visen'))).toHaveLength(1);
      // One model call for the reply, none for the message outside the thread.
      expect(h.openai.requests.filter((r) => r.path === '/v1/chat/completions').length - chatsBefore).toBe(1);
      // Quiet: no new direct messages for a refresh that went well.
      expect(dms(h, user)).toHaveLength(dmsAfterFirst);
      const rows = h.notion.rows(c.connections.dataSourceId) as Array<{ properties: { Runs: { number: number } } }>;
      await eventually(() => rows.length === 1 && (h.notion.rows(c.connections.dataSourceId) as typeof rows)[0]!.properties.Runs.number === 2, 'Runs 2');
      expect(h.slack.failures).toEqual([]);
    } finally {
      h.openai.setResponder(undefined);
    }
  }, 60_000);

  it('a refresh that fails is told as a direct message, once: the watching stops', async () => {
    const user = 'U0KEEPFAIL';
    const { c, page, channel, thread } = await keeperWithThread(user, 'Keeper two', 'Fragile');
    await sendThreadToNotion(h, { userId: user, channelId: channel.id, threadTs: thread.ts, pageUrl: page.url, keepCurrent: true });
    await eventually(() => dms(h, user).some((m) => /Done/.test(textOf(m.blocks))), 'the first run done');

    h.notion.unshare(page.id, c.notionSecret);
    await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: 'Reply 2', threadTs: thread.ts });
    const told = await eventually(() => dms(h, user).find((m) => (m.text ?? '').includes('could not bring')), 'the failure DM');
    expect(told.text).toContain('It stopped keeping it current');
    // Stopped: nobody watches the thread any more, so later replies bring no run and no message.
    await until(async () => (await h.visen.services.threadWatches.watchersOf(h.slack.teamId, channel.id, thread.ts)).length === 0, 'the watch gone');
  }, 60_000);

  it('a reply while the connection is running already (sent again by hand) is refreshed once that run ends: no failure, still watched', async () => {
    const user = 'U0KEEPBUSY';
    const { page, channel, thread } = await keeperWithThread(user, 'Keeper three', 'Busy');
    h.openai.setResponder(answerWithReplies);
    const sendToNotion = (keepCurrent: boolean) =>
      sendThreadToNotion(h, { userId: user, channelId: channel.id, threadTs: thread.ts, pageUrl: page.url, keepCurrent });
    try {
      await sendToNotion(true);
      await eventually(() => dms(h, user).some((m) => /Done/.test(textOf(m.blocks))), 'the first run done');
      // The same connection sent again by hand, its model slow: a reply meanwhile finds the connection running.
      h.openai.setLatency(2_000);
      const chatsBefore = h.openai.requests.filter((r) => r.path === '/v1/chat/completions').length;
      await sendToNotion(false);
      await eventually(() => h.openai.requests.filter((r) => r.path === '/v1/chat/completions').length > chatsBefore, 'the run by hand asking the model');
      await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: 'Reply 2: Ship on Monday instead', threadTs: thread.ts });
      h.openai.setLatency(0);
      // Asked again BUSY_RETRY_MS (15 s) later, once the run by hand has ended.
      await eventually(() => texts(page.id).includes('Summary of 2 replies.'), 'the refresh with the reply', 40_000);
      expect(dms(h, user).some((m) => (m.text ?? '').includes('could not bring'))).toBe(false);
      expect(await h.visen.services.threadWatches.watchersOf(h.slack.teamId, channel.id, thread.ts)).toHaveLength(1);
    } finally {
      h.openai.setLatency(0);
      h.openai.setResponder(undefined);
    }
  }, 90_000);

  it('/visen clear forgets the threads a user kept current', async () => {
    const user = 'U0KEEPCLEAR';
    h.slack.seedUser({ id: user, displayName: 'Keeper three', tz: 'Europe/Paris' });
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: 'Cleared', sharedWith: [c.notionSecret] });
    const channel = h.slack.seedConversation({ type: 'public_channel', members: [user] });
    const thread = h.slack.seedThread({ channelId: channel.id, parent: { user, text: 'Keep me' } });
    const updatesBefore = h.slack.views.updated.length;
    await h.slack.triggerMessageShortcut({ userId: user, callbackId: ThreadIds.shortcutCallback, channelId: channel.id, messageTs: thread.ts });
    const modal = await eventually(() => h.slack.views.updated.slice(updatesBefore).find((v) => v.callback_id === ThreadIds.modalCallback), 'the modal');
    await h.slack.viewSubmission({
      userId: user,
      view: modal,
      values: { [ThreadIds.targetBlock]: { [ThreadIds.targetAction]: page.url }, [ThreadIds.keepBlock]: { [ThreadIds.keepAction]: [KEEP_CURRENT_VALUE] } },
    });
    const watchers = () => h.visen.services.threadWatches.watchersOf(h.slack.teamId, channel.id, thread.ts);
    await until(async () => (await watchers()).length === 1, 'the thread watched');
    await h.visen.services.settings.clear({ teamId: h.slack.teamId, userId: user });
    expect(await watchers()).toEqual([]);
  }, 60_000);
});

describe('Keep it current with VISEN_ALLOWED_USERS', () => {
  it('a reply by someone not on the list still refreshes the page of a user who is', async () => {
    const restricted = await startHarness({ env: { VISEN_THREAD_REFRESH_MINUTES: '0', VISEN_ALLOWED_USERS: 'U0LISTED' } });
    try {
      restricted.slack.seedUser({ id: 'U0LISTED', displayName: 'Listed' });
      restricted.slack.seedUser({ id: 'U0GUEST', displayName: 'Guest' });
      const c = await configureUser(restricted, 'U0LISTED');
      const page = restricted.notion.addPage({ title: 'Shared work', sharedWith: [c.notionSecret] });
      const channel = restricted.slack.seedConversation({ type: 'public_channel', members: ['U0LISTED', 'U0GUEST'] });
      const thread = restricted.slack.seedThread({ channelId: channel.id, parent: { user: 'U0GUEST', text: 'Plan' } });
      restricted.openai.setResponder((req) => (JSON.stringify(req.messages).includes('Guest reply') ? 'Second summary.' : 'First summary.'));
      const updatesBefore = restricted.slack.views.updated.length;
      await restricted.slack.triggerMessageShortcut({
        userId: 'U0LISTED',
        callbackId: ThreadIds.shortcutCallback,
        channelId: channel.id,
        messageTs: thread.ts,
      });
      const modal = await eventually(
        () => restricted.slack.views.updated.slice(updatesBefore).find((v) => v.callback_id === ThreadIds.modalCallback),
        'the modal',
      );
      await restricted.slack.viewSubmission({
        userId: 'U0LISTED',
        view: modal,
        values: { [ThreadIds.targetBlock]: { [ThreadIds.targetAction]: page.url }, [ThreadIds.keepBlock]: { [ThreadIds.keepAction]: [KEEP_CURRENT_VALUE] } },
      });
      const pageTexts = () =>
        (restricted.notion.childrenOf(page.id) as Array<{ type: string; [k: string]: any }>).map((b) =>
          (b[b.type]?.rich_text ?? []).map((t: any) => t.plain_text).join(''),
        );
      await eventually(() => pageTexts().includes('First summary.') && dms(restricted, 'U0LISTED').some((m) => /Done/.test(textOf(m.blocks))), 'the first run');
      await restricted.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0GUEST', text: 'Guest reply', threadTs: thread.ts });
      await eventually(() => pageTexts().includes('Second summary.') && !pageTexts().includes('First summary.'), 'the refresh');
      expect(dms(restricted, 'U0GUEST')).toEqual([]);
    } finally {
      await restricted.stop();
    }
  }, 60_000);
});
