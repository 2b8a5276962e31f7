/**
 * Team mode: a started run is a job on the team's BullMQ queue, and whichever worker takes it shows its progress
 * where the command's worker said (the command's response_url); one run of a connection at a time across workers;
 * each worker works on at most VISEN_WORKER_CONCURRENCY runs at once (1 here, so two workers run two).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTo } from '../faults/support/observe.js';
import { redisAvailable } from '../support/redis.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { bodyOf, connectionRow, eventually, messagesFor, rowContents, stringsOf } from './support/observe.js';
import { startTeam, type Team } from './support/team.js';

let team: Team;
let alice: ConfiguredUser;

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ harness: { env: { VISEN_WORKER_CONCURRENCY: '1' } } });
  team.via(team.a);
  alice = await configureUser(team.h, 'U0RUNSALICE');
}, 60_000);

afterAll(async () => {
  await team?.stop();
});

const user = () => ({ teamId: alice.teamId, userId: alice.userId });
/** The team queue's lists in Redis (BullMQ's keys under Visen's prefix). */
const activeRuns = () => Number(team.redis.cli('LLEN', 'visen:bullmq:runs:active').trim());
const waitingRuns = () => Number(team.redis.cli('LLEN', 'visen:bullmq:runs:wait').trim());
/** How many of the stand-in's answers a page holds (each starts with one `# ` title). */
const answersIn = (markdown: string) => (markdown.match(/^# /gm) ?? []).length;
const asked = (prompt: string) => team.h.openai.requests.some((r) => r.path.endsWith('/chat/completions') && String(JSON.stringify(r.body)).includes(prompt));

describe.skipIf(!redisAvailable)('runs on the team queue', () => {
  it('runs a database run started through worker A, with its progress updating the command’s message', async () => {
    const database = team.h.notion.addDatabase({ title: 'Team books', parentPageId: alice.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: 5 }, (_, i) =>
      team.h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Book ${i + 1}` } }] } }),
    );
    const from = team.h.slack.messages.length;
    team.h.openai.setResponder((req) => `Generated for ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
    let shown: string;
    try {
      shown = await answerTo(team.h, user(), `generate ${database.url} Summarise {{Name}}.`, /Done/, 30_000);
    } finally {
      team.h.openai.setResponder(undefined);
    }

    expect(shown).toMatch(/Done/);
    for (const [i, row] of rows.entries()) expect(rowContents(team.h, row.id)).toEqual([`Generated for Book ${i + 1}.`]);
    expect(connectionRow(team.h, alice, database.url)?.status).toBe('Succeeded');
    // The progress came through the command's response_url, as for one process: updates, then the final message.
    const replies = messagesFor(team.h, alice.userId, from).filter((m) => m.via === 'response_url');
    expect(replies.length).toBeGreaterThanOrEqual(2);
    expect(stringsOf(replies.at(-1)?.blocks)).toMatch(/Done/);
    expect(activeRuns() + waitingRuns()).toBe(0);
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('refuses a second start of a connection through worker B while its run goes on another worker', async () => {
    team.h.openai.setLatency(6_000);
    const page = team.h.notion.addPage({ title: 'Busy page', parentPageId: alice.parentPageId });
    try {
      team.via(team.a);
      const first = answerTo(team.h, user(), `generate ${page.url} Write the busy plan`, /Done/, 30_000);
      await eventually(() => asked('Write the busy plan'), 'the first run asking the model');

      team.via(team.b);
      const second = await answerTo(team.h, user(), `generate ${page.url} Write the busy plan`, /already running/);
      expect(second).toMatch(/This connection is already running\. Wait for it to finish \(or cancel it\) before starting it again\./);

      team.h.openai.setLatency(0);
      expect(await first).toMatch(/Done/);
    } finally {
      team.h.openai.setLatency(0);
    }
    expect(answersIn(bodyOf(team.h, page.id))).toBe(1);
    expect(connectionRow(team.h, alice, page.url)?.status).toBe('Succeeded');
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('works on one run per worker at once with VISEN_WORKER_CONCURRENCY=1; the others wait on the queue', async () => {
    team.h.openai.setLatency(4_000);
    const pages = Array.from({ length: 4 }, (_, i) => team.h.notion.addPage({ title: `Queued ${i + 1}`, parentPageId: alice.parentPageId }));
    let mostActive = 0;
    const sample = setInterval(() => (mostActive = Math.max(mostActive, activeRuns())), 50);
    try {
      for (const [i, page] of pages.entries()) {
        team.via(i % 2 === 0 ? team.a : team.b);
        const delivery = await team.h.slack.slashCommand({
          userId: alice.userId,
          teamId: alice.teamId,
          text: `generate ${page.url} Write queued plan ${i + 1}`,
        });
        expect(delivery.acked).toBe(true);
      }
      await eventually(() => activeRuns() === 2 && waitingRuns() === 2, 'two runs going and two waiting');
      team.h.openai.setLatency(0);
      await eventually(() => pages.every((page) => connectionRow(team.h, alice, page.url)?.status === 'Succeeded'), 'every queued run done', 45_000);
    } finally {
      clearInterval(sample);
      team.h.openai.setLatency(0);
    }
    expect(mostActive).toBe(2);
    for (const [i, page] of pages.entries()) expect(bodyOf(team.h, page.id)).toContain(`Write queued plan ${i + 1}`);
    expect(team.h.slack.failures).toEqual([]);
  }, 90_000);
});
