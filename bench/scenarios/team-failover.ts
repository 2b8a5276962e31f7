/**
 * Team failover (`npm run bench -- --team`): a 200-row database run (60 with --quick) on three workers, Notion at
 * 3 requests/s; at row 80 (20) the worker running it is killed with SIGKILL. Measured: the time from the kill to
 * the next row written by another worker (target ≤ 30 s), and at the end rows written twice or not at all.
 * A request the killed worker had already sent may still land just after the kill, so rows written in the first
 * second after it count as the dead worker's.
 */
import { performance } from 'node:perf_hooks';
import { connectionRows, rowContents, rowName } from '../../tests/e2e/support/observe.js';
import type { AppProcess, AppRuntime } from '../support/app-process.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { startTeamEnvironment, type TeamEnvironment } from '../support/team-environment.js';
import { setUpUser } from '../support/users.js';

export interface FailoverOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'team: SIGKILL';
const WORKERS = 3;
/** Rows written by the dead worker's last requests (sent before the kill, answered after) land within this. */
const IN_FLIGHT_GRACE_MS = 1_000;
const RESUME_TIMEOUT_MS = 90_000;

export async function runTeamFailover(o: FailoverOptions): Promise<Figure[]> {
  const rowCount = o.quick ? 60 : 200;
  const killAt = o.quick ? 20 : 80;
  const team = await startTeamEnvironment({ workers: WORKERS, runtime: o.runtime, log: o.log });
  try {
    const user = await setUpUser(team, 'U0FAILOVER');
    const database = team.notion.addDatabase({ title: 'Failover list', parentPageId: user.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: rowCount }, (_, i) =>
      team.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Item ${i + 1}` } }] } }),
    );
    team.openai.setResponder((req) => `Note on ${/Note on (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
    const written = () => rows.filter((r) => rowContents(team, r.id).length > 0).length;
    const outputsBefore = team.workers.map((w) => w.output().length);

    const delivery = await team.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: `generate ${database.url} Note on {{Name}}.` });
    if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);
    await waitFor(() => written() >= killAt, rowCount * 2_000, `row ${killAt} written`);
    const victim = runningWorker(team, outputsBefore);
    if (!victim) throw new Error('could not tell which worker runs the run (no "working on a run from the team queue" line)');

    o.log(`team: SIGKILL of the worker running the run (pid ${victim.pid}) at row ${written()}`);
    const killedAt = performance.now();
    await victim.kill();
    await sleep(IN_FLIGHT_GRACE_MS);
    const atKill = written();
    const resumed = await waitFor(() => written() > atKill, RESUME_TIMEOUT_MS, 'a row written after the kill').then(
      () => performance.now() - killedAt,
      () => Number.NaN,
    );
    if (Number.isFinite(resumed)) {
      await waitFor(() => runFinished(team, user.connectionsDataSourceId, database.id), rowCount * 2_000, 'the run finished');
    }
    const counts = rows.map((r) => rowContents(team, r.id).filter((text) => text === `Note on ${rowName(team, r.id)}.`).length);
    const note = Number.isFinite(resumed) ? undefined : `no row written within ${RESUME_TIMEOUT_MS / 1000} s of the kill`;
    return [
      figure(SCENARIO, `rows (killed at row ${atKill} of ${rowCount})`, rowCount, ''),
      figure(SCENARIO, 'SIGKILL → next row written by another worker', resumed / 1000, 's', atMost(30), note),
      figure(SCENARIO, 'rows written twice', counts.filter((n) => n > 1).length, '', exactly(0)),
      figure(SCENARIO, 'rows not written', Number.isFinite(resumed) ? counts.filter((n) => n === 0).length : Number.NaN, '', exactly(0)),
    ];
  } finally {
    await team.close();
  }
}

/** The worker whose log (since the command) says it took the run from the team queue. */
function runningWorker(team: TeamEnvironment, outputsBefore: readonly number[]): AppProcess | undefined {
  return team.workers.find((w, i) => w.output().slice(outputsBefore[i]).includes('working on a run from the team queue'));
}

function runFinished(team: TeamEnvironment, connectionsDataSourceId: string, databaseId: string): boolean {
  const row = connectionRows(team, connectionsDataSourceId).find((r) => r.target.includes(databaseId.replace(/-/g, '')) || r.target.includes(databaseId));
  return Boolean(row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? ''));
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
