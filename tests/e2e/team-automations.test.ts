/**
 * Automations in team mode, end to end: three workers share one Redis; each automation's trigger is a BullMQ job
 * scheduler, so a schedule fires on one worker per slot and a watch polls on one worker per interval. Real time:
 * a schedule every minute (the shortest cron period) and watches polled every 15 seconds (VISEN_POLL_SECONDS'
 * lowest), so this file takes a few minutes.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATIONS_QUEUE_NAME, BULLMQ_PREFIX } from '../../src/adapters/team/bullmq-keys.js';
import { AutomationAction } from '../../src/slack/listeners/automations/ids.js';
import { SettingsAction } from '../../src/slack/listeners/settings/ids.js';
import type { Delivery } from '../stand-ins/slack/index.js';
import { redisAvailable } from '../support/redis.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { connectionRow, eventually, propertyText, textOf } from './support/observe.js';
import { startTeam, type Team, type TeamWorker } from './support/team.js';

const MINUTE = 60_000;
let team: Team;
let bob: ConfiguredUser;
let schedulers: Queue;

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ workers: 3, harness: { env: { VISEN_POLL_SECONDS: '15' } } });
  team.h.slack.seedUser({ id: 'U0TEAMBOB', name: 'bob', tz: 'Europe/Paris' });
  team.via(team.a);
  bob = await configureUser(team.h, 'U0TEAMBOB');
  schedulers = new Queue(AUTOMATIONS_QUEUE_NAME, { connection: { url: team.redis.url }, prefix: BULLMQ_PREFIX });
}, 60_000);

afterAll(async () => {
  await schedulers?.close();
  await team?.stop();
});

const chatCallsWith = (text: string) =>
  team.h.openai.requests.filter((r) => r.path.endsWith('/chat/completions') && JSON.stringify(r.body ?? '').includes(text)).length;
const runsOf = (targetUrl: string) => connectionRow(team.h, bob, targetUrl)?.runs ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until this many ms past the next minute, so a slot has passed and its run has had time to end. */
const pastNextMinute = (ms: number) => sleep(MINUTE - (Date.now() % MINUTE) + ms);

async function generateVia(worker: TeamWorker, text: string): Promise<Delivery> {
  team.via(worker);
  const d = await team.h.slack.slashCommand({ userId: bob.userId, teamId: bob.teamId, text: `generate ${text}` });
  expect(d.acked).toBe(true);
  return d;
}

const postedTo = (d: Delivery, pattern: RegExp) => team.h.slack.responseUrlPosts.find((p) => p.url === d.responseUrl && pattern.test(textOf(p.body)));

async function schedulerOf(connectionId: string) {
  return (await schedulers.getJobSchedulers()).find((s) => s.key === connectionId);
}

describe.skipIf(!redisAvailable)('automations on three workers sharing one Redis', () => {
  it(
    'a schedule every minute runs once a minute, also when a worker stops, and a pause through another worker stops it',
    async () => {
      const page = team.h.notion.addPage({ title: 'Minutes', parentPageId: bob.parentPageId });
      const d = await generateVia(team.b, `${page.url} --every "* * * * *" Write the minute note`);
      await eventually(() => postedTo(d, /is now automatic/), 'the schedule confirmation');
      const id = connectionRow(team.h, bob, page.url)!.id;
      expect(await schedulerOf(id)).toMatchObject({ pattern: '* * * * *', tz: 'Europe/Paris' });

      await eventually(() => runsOf(page.url) >= 1, 'the first scheduled run', 2 * MINUTE);
      await sleep(10_000);
      // The first slot, with three workers up: one run.
      expect(runsOf(page.url)).toBe(1);
      await team.c!.visen.stop();
      const runsBefore = runsOf(page.url);
      await pastNextMinute(15_000);
      // One more slot passed with two workers left: one more run, not two.
      expect(runsOf(page.url)).toBe(runsBefore + 1);
      expect(chatCallsWith('Write the minute note')).toBe(runsOf(page.url));

      team.via(team.a);
      const list = await team.h.slack.slashCommand({ userId: bob.userId, teamId: bob.teamId, text: 'automations' });
      expect(list.acked).toBe(true);
      const message = await eventually(
        () => team.h.slack.messages.filter((m) => m.user === bob.userId && JSON.stringify(m.blocks ?? []).includes(AutomationAction.pause)).at(-1),
        'the list message',
      );
      await team.h.slack.blockAction({ userId: bob.userId, actionId: AutomationAction.pause, message });
      await eventually(async () => (await schedulerOf(id))?.every !== undefined, 'the paused trigger (it only re-reads the row)');
      const runsAtPause = runsOf(page.url);
      await pastNextMinute(10_000);
      expect(runsOf(page.url)).toBe(runsAtPause);
      expect((await team.b.visen.services.automations.list({ teamId: bob.teamId, userId: bob.userId }))[0]?.paused).toBe(true);
    },
    5 * MINUTE,
  );

  it(
    'a watch writes a new row once, whichever worker polls',
    async () => {
      const db = team.h.notion.addDatabase({
        title: 'Team ideas',
        parentPageId: bob.parentPageId,
        properties: { Name: { title: {} }, Topic: { rich_text: {} }, Summary: { rich_text: {} } },
      });
      const idea = (topic: string) =>
        team.h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: topic } }] }, Topic: { rich_text: [{ text: { content: topic } }] } });
      const first = idea('asteroids');
      await generateVia(team.a, `${db.url} --watch --into Summary Summarise the team topic {{Topic}}`);
      await eventually(() => propertyText(team.h, first.id, 'Summary').includes('asteroids'), 'the first fill', 30_000);
      // The watch is scheduled once its first fill ended, so no worker polls rows that fill is still writing.
      await eventually(async () => schedulerOf(connectionRow(team.h, bob, db.url)!.id), 'the watch’s scheduler');
      const row = idea('comets');
      await eventually(() => propertyText(team.h, row.id, 'Summary').includes('comets'), 'the new row filled', 45_000);
      // Two more poll intervals: nothing new, nothing written again.
      await sleep(35_000);
      expect(chatCallsWith('Summarise the team topic comets')).toBe(1);
      expect(chatCallsWith('Summarise the team topic asteroids')).toBe(1);
    },
    2 * MINUTE,
  );

  it(
    '/visen clear through one worker removes the user’s schedulers',
    async () => {
      expect((await schedulers.getJobSchedulers()).length).toBe(2);
      team.via(team.b);
      await team.h.slack.slashCommand({ userId: bob.userId, teamId: bob.teamId, text: 'clear' });
      const question = team.h.slack.messages.filter((m) => m.user === bob.userId && m.via === 'ack').at(-1)!;
      await team.h.slack.blockAction({ userId: bob.userId, actionId: SettingsAction.clearConfirm, message: question });
      await eventually(async () => (await schedulers.getJobSchedulers()).length === 0, 'no scheduler left');
      expect(await team.a.visen.services.automations.list({ teamId: bob.teamId, userId: bob.userId })).toEqual([]);
    },
    MINUTE,
  );
});
