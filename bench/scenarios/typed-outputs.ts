/**
 * Typed outputs: `/visen generate <database> --into Summary --into Priority --into Score Rate {{Name}}.`
 *
 * 1. Requests per row: 300 rows (60 with --quick), three typed outputs, no faults. Each row's values are written
 *    with one page update, so the Notion requests besides the rows' query (its pages of 100) should be about one
 *    a row: issue target at most 1.05 (the run's own reads and the connection row's updates are the rest).
 * 2. Repairs: 100 rows (40 with --quick) against a model that answers with invalid JSON for 10% of the rows (every
 *    tenth); for half of those (every twentieth) the repair is invalid too. Every row must end written or failed
 *    with a reason, none left hanging; the shares valid first time and after the repair are reported.
 */
import { performance } from 'node:perf_hooks';
import { connectionRows } from '../../tests/e2e/support/observe.js';
import type { ChatRequest } from '../../tests/stand-ins/openai/index.js';
import type { AppRuntime } from '../support/app-process.js';
import { type BenchEnvironment, startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { type BenchUser, setUpUser } from '../support/users.js';

export interface TypedOutputsOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'typed outputs';
const COMMAND = '--into Summary --into Priority --into Score Rate {{Name}}.';

const rowOf = (req: ChatRequest) => Number(/Deal (\d+)/.exec(req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '')?.[1] ?? Number.NaN);
const valid = (n: number) => JSON.stringify({ Summary: `Deal ${n} in one line.`, Priority: n % 2 ? 'High' : 'Low', Score: n });

export async function runTypedOutputs(o: TypedOutputsOptions): Promise<Figure[]> {
  const env = await startEnvironment({ runtime: o.runtime, log: o.log, notion: { requestsPerSecond: 3 } });
  try {
    return [...(await requestsPerRow(env, o)), ...(await repairs(env, o))];
  } finally {
    await env.close();
  }
}

function addDeals(env: BenchEnvironment, user: BenchUser, title: string, rows: number) {
  const db = env.notion.addDatabase({
    title,
    parentPageId: user.parentPageId,
    properties: {
      Name: { title: {} },
      Summary: { rich_text: {} },
      Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } },
      Score: { number: {} },
    },
  });
  const rowIds = Array.from({ length: rows }, (_, i) => env.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Deal ${i + 1}` } }] } }).id);
  return { ...db, rowIds };
}

/** Runs the command and waits for the connection row to say the run ended; returns when the run started. */
async function runToEnd(env: BenchEnvironment, user: BenchUser, db: { id: string; url: string }, rows: number): Promise<{ startedAt: number; status: string }> {
  const startedAt = Date.now();
  const started = performance.now();
  const delivery = await env.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: `generate ${db.url} ${COMMAND}` });
  if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);
  const timeoutMs = rows * 3_000;
  for (;;) {
    const row = connectionRows(env, user.connectionsDataSourceId).find((r) => r.target.includes(db.id.replace(/-/g, '')) || r.target.includes(db.id));
    if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) return { startedAt, status: row.status! };
    if (performance.now() - started > timeoutMs) throw new Error(`the run did not finish within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function requestsPerRow(env: BenchEnvironment, o: TypedOutputsOptions): Promise<Figure[]> {
  const rows = o.quick ? 60 : 300;
  const user = await setUpUser(env, 'U0TYPEDBENCH');
  const db = addDeals(env, user, 'Deals', rows);
  env.openai.setResponder((req) => valid(rowOf(req)));
  await sleep(1_500);
  const from = env.notion.requests.length;
  o.log(`typed outputs: ${rows} rows, three typed outputs, at 3 requests/s`);
  const { startedAt } = await runToEnd(env, user, db, rows);
  const mine = env.notion.requests.slice(from).filter((r) => r.secret === user.notionSecret && r.at >= startedAt && r.status !== 0);
  const compact = db.dataSourceId.replace(/-/g, '');
  const isQuery = (r: { method: string; path: string }) => r.method === 'POST' && r.path.replace(/-/g, '').includes(`/data_sources/${compact}/query`);
  const besidesQuery = mine.filter((r) => !isQuery(r));
  const rowIds = new Set(db.rowIds.map((id) => id.replace(/-/g, '')));
  const updates = mine.filter((r) => r.method === 'PATCH' && rowIds.has(/\/v1\/pages\/([^/]+)$/.exec(r.path)?.[1]?.replace(/-/g, '') ?? ''));
  const written = db.rowIds.filter((id) => env.notion.getPage(id)?.properties?.Score?.number !== null).length;
  return [
    figure(SCENARIO, `rows (${rows}, three typed outputs)`, rows, ''),
    figure(SCENARIO, 'Notion requests per row besides the query', besidesQuery.length / rows, '', atMost(1.05)),
    figure(SCENARIO, 'page updates per row', updates.length / rows, '', exactly(1)),
    figure(SCENARIO, 'rows written', written, '', exactly(rows)),
  ];
}

async function repairs(env: BenchEnvironment, o: TypedOutputsOptions): Promise<Figure[]> {
  const rows = o.quick ? 40 : 100;
  const user = await setUpUser(env, 'U0TYPEDREPAIR');
  const db = addDeals(env, user, 'Deals to repair', rows);
  const asked = new Map<number, number>();
  env.openai.setResponder((req) => {
    const n = rowOf(req);
    const times = (asked.get(n) ?? 0) + 1;
    asked.set(n, times);
    const invalid = n % 10 === 0 && (times === 1 || n % 20 === 0);
    return invalid ? `{"Summary": "Deal ${n}", "Priority": "High", "Score": ` : valid(n);
  });
  await sleep(1_500);
  o.log(`typed outputs: ${rows} rows, 10% invalid JSON (half of them invalid after the repair too)`);
  const { status } = await runToEnd(env, user, db, rows);
  const writtenRows = db.rowIds.map((id, i) => ({ n: i + 1, written: env.notion.getPage(id)?.properties?.Score?.number === i + 1 }));
  const written = writtenRows.filter((r) => r.written).length;
  const firstTime = writtenRows.filter((r) => r.written && asked.get(r.n) === 1).length;
  const afterRepair = writtenRows.filter((r) => r.written && asked.get(r.n) === 2).length;
  const failed = rows - written;
  const failedAsExpected = writtenRows.filter((r) => !r.written && r.n % 20 === 0).length;
  return [
    figure(SCENARIO, `repairs: rows (${rows}, 10% invalid JSON first)`, rows, ''),
    figure(SCENARIO, 'repairs: valid first time', (firstTime / rows) * 100, '%'),
    figure(SCENARIO, 'repairs: valid after the repair (of those repaired)', (afterRepair / Math.max(1, rows - firstTime)) * 100, '%'),
    figure(SCENARIO, 'repairs: written in the end', (written / rows) * 100, '%'),
    figure(SCENARIO, 'repairs: rows failed with a reason (the still-invalid ones)', failedAsExpected, '', exactly(failed)),
    figure(SCENARIO, 'repairs: rows neither written nor failed', rows - written - failed, '', exactly(0)),
    figure(SCENARIO, 'repairs: model calls per row', [...asked.values()].reduce((a, b) => a + b, 0) / rows, ''),
    figure(SCENARIO, `repairs: run ended (${status})`, status === 'Failed' || status === 'Succeeded' ? 1 : 0, '', exactly(1)),
  ];
}
