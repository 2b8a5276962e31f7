/**
 * Automations (issue 13), in this process: the automations service over the real generation and connections
 * services, the Notion stand-in at Notion's 3 requests per second and the OpenAI stand-in, driven by a simulated
 * clock (polls every 60 simulated seconds). Generation and Notion requests take real time; waiting for the next poll
 * does not. Three measurements:
 * - idle: 20 watched databases of 5 users, nothing changing: Notion requests per integration per interval, queries
 *   per watched database per interval (target ≤ 1), and this process's CPU and heap while idle (stand-ins included);
 * - latency: 50 rows added at random simulated times (one in each fiftieth of 10 minutes) to a watched database: creation → output written, p50 and max
 *   (targets p50 ≤ interval/2 + generation time, max ≤ interval + 60 s + generation time), none missed or done twice;
 * - burst: 1,000 rows (100 with --quick) added at once: Notion requests per second during the fill against the
 *   limiter's ceiling (≥ 90% of 3/s), none done twice.
 */
import { performance } from 'node:perf_hooks';
import { richTextValue } from '../../src/adapters/notion/index.js';
import { automationsFor, cell, FakeClock, ideasDatabase, POLL_MS, watchIdeas } from '../../tests/services/automations/support.js';
import { startWorld, type UserFixture, type World } from '../../tests/services/generation/support.js';
import { atLeast, atMost, exactly, type Figure, figure } from '../support/figures.js';
import { MIB, max, percentile, sleep } from '../support/stats.js';

export interface AutomationsBenchOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

const SCENARIO = 'automations';
const NOTION_RATE = 3;
/** The simulated clock's step in the latency run: small against the interval, so the step itself adds little wait. */
const TICK_MS = 250;

export async function runAutomationsBench(o: AutomationsBenchOptions): Promise<Figure[]> {
  const world = await startWorld({ requestsPerSecond: NOTION_RATE });
  try {
    return [...(await idle(world, o)), ...(await latency(world, o)), ...(await burst(world, o))];
  } finally {
    await world.close();
  }
}

function requestsOf(world: World, fixture: UserFixture, since: number) {
  return world.notion.requests.filter((r) => r.secret === fixture.secret && r.at >= since && r.status === 200);
}

async function idle(world: World, o: AutomationsBenchOptions): Promise<Figure[]> {
  const clock = new FakeClock();
  const automations = automationsFor(world, clock);
  const users = Array.from({ length: 5 }, (_, i) => world.addUser(`U0IDLE${i}`));
  const databases = new Map<UserFixture, string[]>();
  for (const user of users) {
    for (let n = 0; n < 4; n++) {
      const db = ideasDatabase(world, user);
      await watchIdeas(automations, user, db.url);
      databases.set(user, [...(databases.get(user) ?? []), db.dataSourceId]);
    }
  }
  o.log('automations: 20 watches made; settling two polls');
  for (let i = 0; i < 2; i++) await tick(automations, clock, POLL_MS);
  const intervals = o.quick ? 3 : 10;
  const since = Date.now();
  for (let i = 0; i < intervals; i++) await tick(automations, clock, POLL_MS);
  const perUser = users.map((user) => requestsOf(world, user, since));
  const perIntegration = perUser.map((requests) => requests.length / intervals);
  const queriesPerDb = users.flatMap((user, i) =>
    databases.get(user)!.map((ds) => perUser[i]!.filter((r) => r.path === `/v1/data_sources/${ds}/query`).length / intervals),
  );
  // Real idle: the engine's tick runs every second, the simulated clock stands still, so no poll is due.
  const seconds = o.quick ? 5 : 30;
  automations.service.start();
  const cpuBefore = process.cpuUsage();
  const heapBefore = process.memoryUsage().heapUsed;
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = process.memoryUsage().heapUsed;
  await automations.service.shutdown();
  return [
    figure(SCENARIO, 'idle, 20 watches of 5 users: queries per watched database per interval', max(queriesPerDb), '', atMost(1)),
    figure(SCENARIO, 'idle: Notion requests per integration per interval (4 watches each)', max(perIntegration), ''),
    figure(SCENARIO, `idle: CPU of this process over ${seconds} s (stand-ins included)`, ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100, '%'),
    figure(SCENARIO, 'idle: heap growth while idle', (heapAfter - heapBefore) / MIB, 'MiB', undefined, 'RSS is not isolated: the stand-ins share the process'),
  ];
}

/** Moves the simulated clock on and waits for what became due. */
async function tick(automations: ReturnType<typeof automationsFor>, clock: FakeClock, ms: number): Promise<number> {
  clock.advance(ms);
  const started = performance.now();
  await automations.service.runDue();
  await automations.service.idle();
  return performance.now() - started;
}

async function latency(world: World, o: AutomationsBenchOptions): Promise<Figure[]> {
  const fixture = world.addUser('U0LATENCY');
  const db = ideasDatabase(world, fixture);
  const clock = new FakeClock();
  const automations = automationsFor(world, clock);
  await watchIdeas(automations, fixture, db.url);
  const spanMs = 10 * POLL_MS;
  const start = clock.now();
  // Random times, one in each fiftieth of the span, so a run's median is not at the mercy of 50 clustered draws.
  const slotMs = spanMs / 50;
  const plan = Array.from({ length: 50 }, (_, i) => ({ topic: `latency-${i}`, at: start + Math.floor((i + Math.random()) * slotMs) }));
  const pending = new Map<string, { at: number; topic: string }>();
  const latencies: number[] = [];
  const generationMs: number[] = [];
  o.log('automations: 50 rows at random simulated times over 10 minutes');
  while (clock.now() < start + spanMs + 3 * POLL_MS) {
    while (plan.length > 0 && plan[0]!.at <= clock.now()) {
      const next = plan.shift()!;
      const row = world.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: next.topic } }] }, Topic: richTextValue(next.topic) });
      pending.set(row.id, { at: clock.now(), topic: next.topic });
    }
    const tookMs = await tick(automations, clock, TICK_MS);
    for (const [rowId, row] of pending) {
      if (cell(world, rowId, 'Summary') === '') continue;
      latencies.push(clock.now() - row.at + tookMs);
      generationMs.push(tookMs);
      pending.delete(rowId);
    }
  }
  const prompts = world.openai.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => JSON.stringify(r.body));
  const calledFor = (i: number) => prompts.filter((p) => new RegExp(`latency-${i}(?![0-9])`).test(p)).length;
  const twice = Array.from({ length: 50 }, (_, i) => calledFor(i)).filter((n) => n > 1).length;
  const generation = max(generationMs);
  return [
    figure(
      SCENARIO,
      'new row → output written, p50 (simulated wait + real generation)',
      percentile(latencies, 50) / 1000,
      's',
      atMost(POLL_MS / 2000 + generation / 1000),
    ),
    figure(SCENARIO, 'new row → output written, max', max(latencies) / 1000, 's', atMost(POLL_MS / 1000 + 60 + generation / 1000)),
    figure(SCENARIO, 'generation time of a poll that filled rows, max (real)', generation / 1000, 's'),
    figure(SCENARIO, 'rows missed', pending.size, '', exactly(0)),
    figure(SCENARIO, 'rows done twice', twice, '', exactly(0)),
  ];
}

async function burst(world: World, o: AutomationsBenchOptions): Promise<Figure[]> {
  const count = o.quick ? 100 : 1_000;
  const fixture = world.addUser('U0BURST');
  const db = ideasDatabase(world, fixture);
  const clock = new FakeClock();
  const automations = automationsFor(world, clock);
  await watchIdeas(automations, fixture, db.url);
  world.openai.setResponder(() => 'Short summary.');
  const rows = Array.from({ length: count }, (_, i) =>
    world.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Row ${i}` } }] }, Topic: richTextValue(`burst-${i}`) }),
  );
  await sleep(4_000); // the stand-in's bucket refills after the set-up
  o.log(`automations: ${count} rows added at once`);
  const since = Date.now();
  const tookMs = await tick(automations, clock, POLL_MS);
  const requests = requestsOf(world, fixture, since).length;
  const filled = rows.filter((row) => cell(world, row.id, 'Summary') === 'Short summary.').length;
  const calls = world.openai.requests.filter((r) => r.path.endsWith('/chat/completions') && r.at >= since).length;
  world.openai.setResponder(undefined);
  return [
    figure(SCENARIO, `${count} rows added at once: rows filled by the next poll`, filled, '', exactly(count)),
    figure(SCENARIO, `${count} rows at once: fill time (real)`, tookMs / 1000, 's'),
    figure(
      SCENARIO,
      `${count} rows at once: Notion requests per second, share of the limiter's 3/s`,
      (requests / (tookMs / 1000) / NOTION_RATE) * 100,
      '%',
      atLeast(90),
    ),
    figure(SCENARIO, `${count} rows at once: model calls beyond one per row`, calls - count, '', exactly(0)),
  ];
}
