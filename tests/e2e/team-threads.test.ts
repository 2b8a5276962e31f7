/**
 * Team mode, "Keep it current": Slack hands each reply in a watched thread to one worker, any of them. A watch saved
 * through one worker is seen by the others (each reads it from the store at each reply), and replies that land on
 * different workers within one interval bring one refresh, not one per worker (the watch's shared claim), which
 * includes every one of them. VISEN_THREAD_REFRESH_MINUTES is 0.1 (6 s) here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable } from '../support/redis.js';
import { configureUser } from './support/configure-user.js';
import { dms, eventually, textOf } from './support/observe.js';
import { sendThreadToNotion } from './support/send-to-notion.js';
import { logEntries, startTeam, type Team, type TeamWorker } from './support/team.js';

let team: Team;
beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ workers: 3, harness: { env: { VISEN_THREAD_REFRESH_MINUTES: '0.1' } } });
  team.h.slack.seedUser({ id: 'U0ANA', displayName: 'Ana', tz: 'Europe/Paris' });
}, 60_000);
afterAll(async () => {
  await team?.stop();
});

const workers = (): TeamWorker[] => [team.a, team.b, team.c].filter((w): w is TeamWorker => w !== undefined);
const texts = (pageId: string) =>
  (team.h.notion.childrenOf(pageId) as Array<{ type: string; [k: string]: any }>).map((b) =>
    (b[b.type]?.rich_text ?? []).map((t: any) => t.plain_text).join(''),
  );
const modelCalls = () => team.h.openai.requests.filter((r) => r.path === '/v1/chat/completions').length;
/** Refreshes started, on every worker (each logs the one it starts). */
const refreshesStarted = () =>
  workers()
    .flatMap((w) => logEntries(w))
    .filter((e) => e.msg === 'refreshing a thread kept current').length;
/** The model's answer says how many replies it saw. */
const answerWithReplies = (req: { messages: Array<{ content: unknown }> }) =>
  `Summary of ${(JSON.stringify(req.messages).match(/Reply \d+/g) ?? []).length} replies.`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisAvailable)('Keep it current across workers', () => {
  it('replies landing on different workers bring one refresh per interval, with all of them', async () => {
    const { h } = team;
    const user = 'U0TEAMKEEPER';
    h.slack.seedUser({ id: user, displayName: 'Keeper', tz: 'Europe/Paris' });
    team.via(team.a);
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: 'Team launch', sharedWith: [c.notionSecret] });
    const channel = h.slack.seedConversation({ type: 'public_channel', members: [user, 'U0ANA'] });
    const other = h.slack.seedThread({ channelId: channel.id, parent: { user: 'U0ANA', text: 'Other topic' } });
    const thread = h.slack.seedThread({ channelId: channel.id, parent: { user: 'U0ANA', text: 'Launch day?' }, replies: [{ user: 'U0ANA', text: 'Reply 1' }] });
    // Every worker looks at a thread reply before the watch exists (a worker that kept what it read would miss it).
    for (const worker of workers()) {
      team.via(worker);
      await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: 'Not watched', threadTs: other.ts });
    }
    h.openai.setResponder(answerWithReplies);
    try {
      team.via(team.a);
      await sendThreadToNotion(h, { userId: user, channelId: channel.id, threadTs: thread.ts, pageUrl: page.url, keepCurrent: true });
      await eventually(() => texts(page.id).includes('Summary of 1 replies.'), 'the first summary');
      const watches = () => h.visen.services.threadWatches.watchersOf(h.slack.teamId, channel.id, thread.ts);
      await eventually(async () => (await watches()).length === 1, 'the thread watched');
      const callsBefore = modelCalls();
      const failureDms = () => dms(h, user).filter((m) => `${m.text ?? ''} ${textOf(m.blocks)}`.includes('could not bring'));

      // Within the interval: one reply through each worker.
      for (const [i, worker] of [team.b, team.c, team.a].entries()) {
        team.via(worker!);
        const sent = await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: `Reply ${i + 2}`, threadTs: thread.ts });
        expect(sent.delivery?.acked).toBe(true);
      }
      await eventually(() => texts(page.id).includes('Summary of 4 replies.') && !texts(page.id).includes('Summary of 1 replies.'), 'the refresh', 30_000);
      // Refreshes of other workers would have started with this one (the same due time): give them a moment to show.
      await pause(1_500);
      expect(modelCalls() - callsBefore).toBe(1);
      expect(refreshesStarted()).toBe(1);
      // A second refresh of the same connection would have been refused as "already running", ending the watching.
      expect(failureDms()).toEqual([]);
      expect((await watches()).length).toBe(1);

      // The next interval: replies on two more workers, again one refresh that includes them.
      for (const [i, worker] of [team.c, team.b].entries()) {
        team.via(worker!);
        await h.slack.deliverMessageEvent({ channelId: channel.id, user: 'U0ANA', text: `Reply ${i + 5}`, threadTs: thread.ts });
      }
      await eventually(
        () => texts(page.id).includes('Summary of 6 replies.') && !texts(page.id).includes('Summary of 4 replies.'),
        'the second refresh',
        30_000,
      );
      await pause(1_500);
      expect(modelCalls() - callsBefore).toBe(2);
      expect(refreshesStarted()).toBe(2);
      expect(texts(page.id).filter((t) => t.startsWith('Summary of'))).toEqual(['Summary of 6 replies.']);
      expect(failureDms()).toEqual([]);
      expect((await watches()).length).toBe(1);
      expect(h.slack.failures).toEqual([]);
    } finally {
      h.openai.setResponder(undefined);
    }
  }, 90_000);

  it('Send to Notion without Keep it current, submitted through any worker, leaves its note in the thread', async () => {
    const { h } = team;
    const user = 'U0TEAMSENDER';
    h.slack.seedUser({ id: user, displayName: 'Sender', tz: 'Europe/Paris' });
    team.via(team.b);
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: 'Team notes', sharedWith: [c.notionSecret] });
    const channel = h.slack.seedConversation({ type: 'public_channel', members: [user, 'U0ANA'] });
    const thread = h.slack.seedThread({ channelId: channel.id, parent: { user: 'U0ANA', text: 'Notes?' }, replies: [{ user: 'U0ANA', text: 'Reply 1' }] });
    // Each worker in turn: the run is followed where it was submitted (its listener posts the note), whichever it is.
    for (const worker of workers()) {
      team.via(worker);
      const notesBefore = h.slack.messages.filter((m) => m.kind === 'ephemeral' && m.user === user).length;
      await sendThreadToNotion(h, { userId: user, channelId: channel.id, threadTs: thread.ts, pageUrl: page.url, keepCurrent: false });
      const note = await eventually(
        () => h.slack.messages.filter((m) => m.kind === 'ephemeral' && m.user === user && m.channel === channel.id)[notesBefore],
        'the note in the thread',
      );
      expect(note.thread_ts).toBe(thread.ts);
      expect(textOf(note.blocks)).toContain('Sent to Notion');
    }
  }, 90_000);
});
