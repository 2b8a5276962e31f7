/**
 * Team mode (`npm run bench -- --team`): three app processes share one Redis and one Slack app.
 * 1. Redis operations per row: a database run of 100 rows (30 with --quick) on the team; INFO commandstats before
 *    and after, divided by the rows. Idle traffic (three connected workers, nothing to do) is measured first.
 * 2. Ack bursts: 200 slash commands (half `help`, half `generate`) within 100 ms, as in the one-process burst, then
 *    600 within 300 ms, spread by the Slack stand-in over the three workers' sockets in turn, while Notion and
 *    OpenAI answer after 5 s.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { connectionRows, rowContents } from '../../tests/e2e/support/observe.js';
import type { Delivery } from '../../tests/stand-ins/slack/index.js';
import type { AppRuntime } from '../support/app-process.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { max, percentile, sleep } from '../support/stats.js';
import { startTeamEnvironment, type TeamEnvironment } from '../support/team-environment.js';
import { type BenchUser, setUpUser, setUpUsers } from '../support/users.js';

export interface TeamBenchOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const WORKERS = 3;
const BURST = 600;
const BURST_WINDOW_MS = 300;
const BURST_USERS = 10;
const VENDOR_DELAY_MS = 5_000;
const SLACK_ACK_DEADLINE_MS = 3_000;
/** Long enough for the runs a burst started (vendors answering after 5 s, twice) to finish. */
const SETTLE_MS = 20_000;
const IDLE_MS = 5_000;
/** Notion fast enough that the run is short: operations per row do not depend on its pace. */
const NOTION_REQUESTS_PER_SECOND = 50;

export async function runTeamBench(o: TeamBenchOptions): Promise<Figure[]> {
  const team = await startTeamEnvironment({ workers: WORKERS, runtime: o.runtime, log: o.log, notion: { requestsPerSecond: NOTION_REQUESTS_PER_SECOND } });
  try {
    const figures = await redisOperationsPerRow(team, o);
    figures.push(...(await ackBursts(team, o)));
    return figures;
  } finally {
    await team.close();
  }
}

function totalCommands(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

/** Commands run between two readings, by command, largest first. */
function difference(before: Map<string, number>, after: Map<string, number>): Array<[string, number]> {
  return [...after]
    .map(([name, calls]): [string, number] => [name, calls - (before.get(name) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}

async function redisOperationsPerRow(team: TeamEnvironment, o: TeamBenchOptions): Promise<Figure[]> {
  const scenario = 'team: Redis';
  const rowCount = o.quick ? 30 : 100;
  const user = await setUpUser(team, 'U0TEAMROWS');
  const database = team.notion.addDatabase({ title: 'Team reading list', parentPageId: user.parentPageId, properties: { Name: { title: {} } } });
  const rows = Array.from({ length: rowCount }, (_, i) =>
    team.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Book ${i + 1}` } }] } }),
  );
  await sleep(1_000);

  const idleBefore = team.redisCommands();
  await sleep(IDLE_MS);
  const idle = totalCommands(team.redisCommands()) - totalCommands(idleBefore);

  o.log(`team: a ${rowCount}-row database run on ${WORKERS} workers, counting Redis commands`);
  const before = team.redisCommands();
  const started = performance.now();
  const delivery = await team.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: `generate ${database.url} Summarise {{Name}}.` });
  if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);
  const timeoutMs = rowCount * 3_000;
  for (;;) {
    const row = connectionRows(team, user.connectionsDataSourceId).find(
      (r) => r.target.includes(database.id.replace(/-/g, '')) || r.target.includes(database.id),
    );
    if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) break;
    if (performance.now() - started > timeoutMs) throw new Error(`the team run did not finish within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  const seconds = (performance.now() - started) / 1000;
  await sleep(1_000); // the final progress message and record writes after the connection row
  const spent = difference(before, team.redisCommands());
  const commands = spent.reduce((a, [, n]) => a + n, 0);
  const idleShare = (idle / (IDLE_MS / 1000)) * (seconds + 1);
  o.log(`team: Redis commands during the run: ${spent.map(([name, n]) => `${name} x${n}`).join(', ')}`);
  const written = rows.filter((r) => rowContents(team, r.id).length > 0).length;
  return [
    figure(scenario, `Redis commands per second, ${WORKERS} workers idle`, idle / (IDLE_MS / 1000), '/s'),
    figure(scenario, `rows written (run took ${Math.round(seconds)} s)`, written, '', exactly(rowCount)),
    figure(scenario, 'Redis commands per row (all commands in the run)', commands / rowCount, ''),
    figure(scenario, 'Redis commands per row (idle traffic taken out)', (commands - idleShare) / rowCount, ''),
  ];
}

/**
 * The one-process burst's size first (200 within 100 ms), so the cost of sharing Redis and the stand-in's sockets
 * shows apart from the machine's cores; then the issue's 600 within 300 ms.
 */
async function ackBursts(team: TeamEnvironment, o: TeamBenchOptions): Promise<Figure[]> {
  o.log(`team: setting up ${BURST_USERS} users through the settings modal (spread over the workers)`);
  const users = await setUpUsers(team, BURST_USERS, 'TEAMBURST');
  team.notion.setLatency(VENDOR_DELAY_MS);
  team.openai.setLatency(VENDOR_DELAY_MS);
  await sleep(200);
  const small = await ackBurst(team, o, users, { count: 200, windowMs: 100, batches: 10 }, []);
  // The generate runs the first burst started answer after 5 and 10 s: let them finish before the second.
  await sleep(SETTLE_MS);
  return ackBurst(team, o, users, { count: BURST, windowMs: BURST_WINDOW_MS, batches: 30 }, small);
}

async function ackBurst(
  team: TeamEnvironment,
  o: TeamBenchOptions,
  users: readonly BenchUser[],
  burst: { count: number; windowMs: number; batches: number },
  figures: Figure[],
): Promise<Figure[]> {
  const scenario = `team: ack burst of ${burst.count}`;
  const failuresBefore = team.slack.failures.length;
  o.log(`team: ${burst.count} commands within ${burst.windowMs} ms over ${WORKERS} workers`);
  const deliveries: Array<Promise<Delivery>> = [];
  // Where the time goes: each worker's event loop (probe) and the driver's own, whose lateness (it runs the Slack
  // stand-in that timestamps every ack) is counted in every ack it measures.
  for (const worker of team.workers) worker.resetProbe();
  // BENCH_CPU_PROF=<dir>: each worker's CPU profile of the burst, for finding what delays its acks.
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) for (const worker of team.workers) worker.startProfile();
  const driverLoop = monitorEventLoopDelay({ resolution: 10 });
  driverLoop.enable();
  const started = performance.now();
  for (let b = 0; b < burst.batches; b++) {
    for (let i = 0; i < burst.count / burst.batches; i++) {
      const n = b * (burst.count / burst.batches) + i;
      const user = users[n % users.length]!;
      const text = n % 2 === 0 ? 'help' : `generate ${user.pageUrl} Team burst note ${n}`;
      deliveries.push(team.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text }));
    }
    if (b < burst.batches - 1) await sleep(burst.windowMs / burst.batches - 1);
  }
  const sentWithinMs = performance.now() - started;
  const results = await Promise.all(deliveries);
  driverLoop.disable();
  if (profileDir) team.workers.forEach((w, i) => w.stopProfile(join(profileDir, `worker-${i}-burst-${burst.count}.cpuprofile`)));
  const workerLoops = await Promise.all(team.workers.map((w) => w.sample()));
  const ackMs = results.filter((d) => d.acked).map((d) => d.ackMs);
  const late = results.filter((d) => !d.acked || d.ackMs > SLACK_ACK_DEADLINE_MS).length;
  const perWorker = new Map<number, number>();
  for (const d of results) if (d.connectionId !== undefined) perWorker.set(d.connectionId, (perWorker.get(d.connectionId) ?? 0) + 1);
  return [
    ...figures,
    figure(scenario, `commands sent, within ${Math.round(sentWithinMs)} ms`, results.length, ''),
    figure(scenario, `commands per worker (fewest of ${WORKERS})`, Math.min(...perWorker.values()), ''),
    figure(scenario, 'ack latency p50', percentile(ackMs, 50), 'ms'),
    figure(scenario, 'ack latency p99', percentile(ackMs, 99), 'ms', atMost(100)),
    figure(scenario, 'ack latency max', max(ackMs), 'ms', atMost(300)),
    figure(scenario, 'acks later than 3 s (or missing)', late, '', exactly(0)),
    figure(scenario, 'event-loop delay p99, ack window, busiest worker', Math.max(...workerLoops.map((s) => s.loopDelay.p99)), 'ms'),
    figure(scenario, 'event-loop delay p99, ack window, driver (Slack stand-in)', driverLoop.percentile(99) / 1e6, 'ms'),
    figure(scenario, 'Slack stand-in protocol failures', team.slack.failures.length - failuresBefore, '', exactly(0)),
  ];
}
