/**
 * Team mode: one Notion rate limit per integration across workers (issue 15). Three app processes share a Redis;
 * the Notion stand-in limits each integration to an average of 3 requests a second (its burst 10), as Notion does.
 *
 * - three integrations: three users, each with their own integration and a 100-row database (20 with --quick), each
 *   run started through another worker at once. Each integration has its own budget, so together they should reach
 *   three times one integration's ceiling.
 * - one integration: one user's three 100-row databases (20 with --quick), one run through each worker at once. The
 *   workers share one budget: together they should reach one ceiling, and never pass it (the stand-in answers a
 *   request over the limit with 429; every such answer is counted, and so is every request sent before a
 *   Retry-After had passed).
 *
 * The ceiling, as in notion-throughput.ts: 3 requests a second over the fewest requests a row needs (one write,
 * and a hundredth of a query page), 178 rows a minute per integration. A run's own requests (checks, schema, the
 * connections row) come on top, so a 100-row run sits a little under it.
 */
import { performance } from 'node:perf_hooks';
import { connectionRows, rowContents, rowName } from '../../tests/e2e/support/observe.js';
import type { AppRuntime } from '../support/app-process.js';
import { atLeast, exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { startTeamEnvironment, type TeamEnvironment } from '../support/team-environment.js';
import { type BenchUser, setUpUser } from '../support/users.js';

export interface TeamLimitOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const RATE_PER_SECOND = 3;
const WORKERS = 3;
const LEAST_REQUESTS_PER_ROW = 1 + 1 / 100;
const CEILING_ROWS_PER_MINUTE = (RATE_PER_SECOND * 60) / LEAST_REQUESTS_PER_ROW;

interface Run {
  readonly user: BenchUser;
  readonly database: { id: string; url: string };
  readonly rows: Array<{ id: string }>;
  readonly connectionId: number;
}

/** Each worker's Socket Mode connection, in the order the workers started (the stand-in numbers them so). */
const connectionIds = (env: TeamEnvironment) => env.slack.activeConnectionIds();

export async function runTeamLimit(o: TeamLimitOptions): Promise<Figure[]> {
  const rowsPerRun = o.quick ? 20 : 100;
  const env = await startTeamEnvironment({ runtime: o.runtime, log: o.log, workers: WORKERS, notion: { requestsPerSecond: RATE_PER_SECOND } });
  try {
    env.openai.setResponder((req) => `Summary of ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
    const separate = await Promise.all([0, 1, 2].map((i) => setUpUserVia(env, `U0TEAMINT${i}`, i)));
    const three = await measure(
      env,
      o,
      'team: three integrations',
      separate.map((user, i) => database(env, user, rowsPerRun, i)),
      WORKERS,
    );
    const owner = await setUpUserVia(env, 'U0TEAMONE', 0);
    const one = await measure(
      env,
      o,
      'team: one integration',
      [0, 1, 2].map((i) => database(env, owner, rowsPerRun, i)),
      1,
    );
    return [...three, ...one];
  } finally {
    await env.close();
  }
}

async function setUpUserVia(env: TeamEnvironment, userId: string, worker: number): Promise<BenchUser> {
  env.slack.routeTo(connectionIds(env)[worker]);
  return setUpUser(env, userId);
}

function database(env: TeamEnvironment, user: BenchUser, rowCount: number, worker: number): Run {
  const created = env.notion.addDatabase({ title: `Reading list ${worker + 1}`, parentPageId: user.parentPageId, properties: { Name: { title: {} } } });
  const rows = Array.from({ length: rowCount }, (_, i) =>
    env.notion.addRow(created.dataSourceId, { Name: { title: [{ text: { content: `Book ${worker + 1}.${i + 1}` } }] } }),
  );
  return { user, database: created, rows, connectionId: connectionIds(env)[worker]! };
}

/** Starts every run through its worker at once, waits for them all, and reads the figures off the Notion stand-in. */
async function measure(env: TeamEnvironment, o: TeamLimitOptions, scenario: string, runs: Run[], integrations: number): Promise<Figure[]> {
  await sleep(1_500); // a Retry-After or a spent burst from the set-up must not count against the runs
  const secrets = new Set(runs.map((r) => r.user.notionSecret));
  const firstRequest = env.notion.requests.length;
  const rowCount = runs.reduce((sum, r) => sum + r.rows.length, 0);
  o.log(`${scenario}: ${runs.length} runs of ${runs[0]!.rows.length} rows on ${WORKERS} workers, ${integrations} integration(s)`);
  const scriptCallsBefore = scriptCalls(env);
  const startedAt = Date.now();
  for (const run of runs) {
    env.slack.routeTo(run.connectionId);
    const delivery = await env.slack.slashCommand({
      userId: run.user.userId,
      teamId: run.user.teamId,
      text: `generate ${run.database.url} Summarise {{Name}}.`,
    });
    if (!delivery.acked) throw new Error(`${scenario}: the command was not acked: ${delivery.reason}`);
  }
  await waitForRuns(env, o, scenario, runs, rowCount);

  const mine = env.notion.requests.slice(firstRequest).filter((r) => r.secret !== undefined && secrets.has(r.secret));
  const limiterCalls = scriptCalls(env) - scriptCallsBefore;
  const seconds = (Math.max(...mine.map((r) => r.at)) - startedAt) / 1000;
  const rowsPerMinute = (rowCount / seconds) * 60;
  const ceiling = CEILING_ROWS_PER_MINUTE * integrations;
  const counts = runs.flatMap((run) => run.rows.map((r) => rowContents(env, r.id).filter((text) => text === `Summary of ${rowName(env, r.id)}.`).length));
  return [
    figure(scenario, `rows (runs took ${Math.round(seconds)} s)`, rowCount, ''),
    figure(scenario, 'Notion requests per second, all workers', mine.filter((r) => r.status !== 0).length / seconds, 'req/s'),
    figure(scenario, 'rows per minute, all workers', rowsPerMinute, 'rows/min'),
    figure(
      scenario,
      `fraction of ${integrations === 1 ? 'one' : 'three times one'} integration's ceiling (${Math.round(ceiling)} rows/min)`,
      (rowsPerMinute / ceiling) * 100,
      '%',
      atLeast(90),
    ),
    figure(scenario, 'requests over the limit (429 from the stand-in)', mine.filter((r) => r.overLimit).length, '', exactly(0)),
    figure(scenario, 'requests before their Retry-After had passed', mine.filter((r) => r.retryAfterSentAt !== undefined).length, '', exactly(0)),
    figure(scenario, 'Redis script calls per Notion request (the shared limiter)', limiterCalls / mine.length, ''),
    figure(scenario, 'missing rows', counts.filter((n) => n === 0).length, '', exactly(0)),
    figure(scenario, 'duplicated rows', counts.filter((n) => n > 1).length, '', exactly(0)),
  ];
}

/** Lua script calls Redis has run (EVALSHA and EVAL): the shared Notion limiter's, the only scripts Visen runs here. */
function scriptCalls(env: TeamEnvironment): number {
  const commands = env.redisCommands();
  return (commands.get('evalsha') ?? 0) + (commands.get('eval') ?? 0);
}

async function waitForRuns(env: TeamEnvironment, o: TeamLimitOptions, scenario: string, runs: Run[], rowCount: number): Promise<void> {
  const timeoutMs = rowCount * 3_000;
  const started = performance.now();
  let lastLog = started;
  const compact = (id: string) => id.replace(/-/g, '');
  const ended = (run: Run) => {
    const row = connectionRows(env, run.user.connectionsDataSourceId).find(
      (r) => r.target.includes(compact(run.database.id)) || r.target.includes(run.database.id),
    );
    return row !== undefined && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '');
  };
  while (!runs.every(ended)) {
    if (performance.now() - started > timeoutMs) throw new Error(`${scenario}: the runs did not finish within ${timeoutMs / 1000} s`);
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      const written = runs.reduce((sum, run) => sum + run.rows.filter((r) => rowContents(env, r.id).length > 0).length, 0);
      o.log(`${scenario}: ${written} of ${rowCount} rows written after ${Math.round((performance.now() - started) / 1000)} s`);
    }
    await sleep(100);
  }
}
