/**
 * Team mode with real worker processes (the entry point in child processes, sharing one Redis with its append-only
 * file on, as the README recommends): a worker SIGKILLed in the middle of a 200-row database run has the run taken
 * over by another, every row written exactly once; a worker stopped with SIGTERM during a burst of runs hands them
 * back and the others finish every one; Redis stopped for 10 s in the middle of a run, then started again: the run
 * completes with every row once.
 *
 * The user is set up through the in-process harness (started in team mode), which then stops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { connectionRow, eventually, rowContents, rowName } from '../e2e/support/observe.js';
import { exitOf, spawnMain, waitForOutput } from '../e2e/support/run-main.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

type Worker = ReturnType<typeof spawnMain>;

let redis: RedisServer;
let h: Harness;
let c: ConfiguredUser;
/** One person per run of the burst: each run uses its own integration, whose Notion rate one worker at a time keeps. */
const burstUsers: ConfiguredUser[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis({ appendOnly: true });
  h = await startHarness({ env: { VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0TEAMKILL');
  for (let i = 1; i <= 4; i++) burstUsers.push(await configureUser(h, `U0TEAMBURST${i}`));
  // One short paragraph per row that names the row, so a row written twice shows two of them.
  h.openai.setResponder((req) => `Generated for ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
  await h.visen.stop(); // the harness's worker gives way to three worker processes
  for (let i = 0; i < 3; i++) await startWorker();
}, 90_000);

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await Promise.all(workers.map((worker) => exitOf(worker)));
  await h?.stop();
  await redis?.stop();
});

async function startWorker(): Promise<Worker> {
  const connectedBefore = h.slack.activeConnectionIds().length;
  const worker = spawnMain({ ...h.env, LOG_LEVEL: 'info' }, mkdtempSync(join(tmpdir(), 'visen-team-worker-')));
  workers.push(worker);
  await waitForOutput(worker, /Visen is connected to Slack/, 30_000);
  await h.slack.waitFor(() => h.slack.activeConnectionIds().length > connectedBefore, 10_000);
  return worker;
}

const alive = () => workers.filter((w) => w.exitCode === null && w.signalCode === null);
/** Log lines of a worker with this message (JSON lines, as the entry point writes them without a terminal). */
const linesOf = (worker: Worker, msg: string) =>
  worker
    .output()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`));

function addBooks(title: string, count: number, owner: ConfiguredUser = c) {
  const database = h.notion.addDatabase({ title, parentPageId: owner.parentPageId, properties: { Name: { title: {} } } });
  const rows = Array.from({ length: count }, (_, i) =>
    h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `${title} ${i + 1}` } }] } }),
  );
  return { database, rows };
}

async function generate(targetUrl: string, owner: ConfiguredUser = c): Promise<void> {
  const delivery = await h.slack.slashCommand({ userId: owner.userId, teamId: owner.teamId, text: `generate ${targetUrl} Summarise {{Name}}.` });
  expect(delivery.acked).toBe(true);
}

function expectEveryRowOnce(rows: ReadonlyArray<{ id: string }>): void {
  for (const row of rows) {
    const name = rowName(h, row.id);
    expect(rowContents(h, row.id), `row ${name}`).toEqual([`Generated for ${name}.`]);
  }
}

describe.skipIf(!redisAvailable)('team workers dying, stopping, and Redis going away', () => {
  it('SIGKILL of the worker running a 200-row database run at about row 80: another worker takes it over, every row once', async () => {
    const { database, rows } = addBooks('Volume', 200);
    await generate(database.url);
    const runner = await eventually(() => alive().find((w) => linesOf(w, 'working on a run from the team queue').length > 0), 'a worker taking the run');

    const writtenRows = () => rows.filter((r) => rowContents(h, r.id).length > 0).length;
    await eventually(() => writtenRows() >= 80, 'about 80 rows written', 120_000);
    const killedAt = Date.now();
    runner.kill('SIGKILL');
    expect((await exitOf(runner)).signal).toBe('SIGKILL');
    expect(writtenRows()).toBeLessThan(200);

    const taker = await eventually(
      () => alive().find((w) => linesOf(w, 'taking over a run whose worker stopped').length > 0),
      'another worker taking over',
      60_000,
    );
    // The figure the issue sets (within 30 s); measured by the bench, logged here for the reader.
    console.info(`team: run taken over ${Date.now() - killedAt} ms after SIGKILL of its worker`);
    expect(taker).not.toBe(runner);

    await eventually(() => connectionRow(h, c, database.url)?.status === 'Succeeded', 'the run succeeding', 180_000);
    expectEveryRowOnce(rows);
    expect(connectionRow(h, c, database.url)?.items).toBe(200);
    expect(h.notion.failures).toEqual([]);
    expect(h.slack.failures).toEqual([]);
  }, 400_000);

  it('SIGTERM of one worker during a burst of runs: it hands them back and the others finish every run', async () => {
    while (alive().length < 3) await startWorker();
    const burst = burstUsers.map((owner, i) => ({ owner, ...addBooks(`Burst ${i + 1}`, 12, owner) }));
    // Each answer takes about a second, so a run is still going when its worker is stopped (rows in flight may
    // finish during the shutdown; the rest of the run is handed back).
    h.openai.setStreamRate({ charsPerChunk: 2, chunkIntervalMs: 100 });
    try {
      const marks = new Map(alive().map((w) => [w, linesOf(w, 'working on a run from the team queue').length]));
      for (const { owner, database } of burst) await generate(database.url, owner);
      const stopped = await eventually(
        () => alive().find((w) => linesOf(w, 'working on a run from the team queue').length > (marks.get(w) ?? 0)),
        'a worker with runs',
      );
      stopped.kill('SIGTERM');
      expect((await exitOf(stopped)).code).toBe(0);
      expect(stopped.output()).toMatch(/run interrupted by shutdown/);

      await eventually(
        () => burst.every(({ owner, database }) => connectionRow(h, owner, database.url)?.status === 'Succeeded'),
        'every run of the burst done',
        150_000,
      );
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
    for (const { rows } of burst) expectEveryRowOnce(rows);
    expect(alive().length).toBe(2);
    expect(h.slack.failures).toEqual([]);
  }, 200_000);

  it('Redis stopped for 10 s in the middle of a run and started again: the run completes with every row once', async () => {
    const { database, rows } = addBooks('Outage', 40);
    h.openai.setStreamRate({ charsPerChunk: 2, chunkIntervalMs: 40 });
    try {
      await generate(database.url);
      await eventually(() => rows.filter((r) => rowContents(h, r.id).length > 0).length >= 8, 'some rows written', 60_000);
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // the outage itself, not a wait for the app
      await redis.start();
      await eventually(() => connectionRow(h, c, database.url)?.status === 'Succeeded', 'the run succeeding after the outage', 120_000);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
    expectEveryRowOnce(rows);
    expect(connectionRow(h, c, database.url)?.items).toBe(40);
    expect(h.slack.failures).toEqual([]);
  }, 200_000);
});
