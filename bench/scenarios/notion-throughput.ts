/**
 * Notion throughput: `/visen generate <database> Summarise {{Name}}.` over 300 rows (60 with --quick), each
 * row's answer going into its page body. The Notion stand-in limits each integration to an average of
 * 3 requests per second (a token bucket with a burst of 10) and answers 20% of this user's requests with
 * 429 (Retry-After 1 s) and 5% with 529 (Retry-After 1 s); OpenAI answers at once, so Notion is the bottleneck.
 *
 * The ceiling: 3 requests per second divided by the fewest requests a row needs. A row needs one write (its
 * answer appended to its page body) plus its share of reading the rows (one query per 100 rows), so
 * 1.01 requests, and the ceiling is 3 x 60 / 1.01 = 178 rows per minute.
 */
import { performance } from 'node:perf_hooks';
import { connectionRows, rowContents, rowName, stringsOf } from '../../tests/e2e/support/observe.js';
import { directChannelFor } from '../../tests/stand-ins/slack/ids.js';
import type { AppRuntime } from '../support/app-process.js';
import { startEnvironment } from '../support/environment.js';
import { atLeast, exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { setUpUser } from '../support/users.js';

export interface ThroughputOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'notion throughput';
const RATE_PER_SECOND = 3;
const RATE_LIMITED = 0.2;
const OVERLOADED = 0.05;
/** The fewest requests a row needs: one append, plus a hundredth of a query page. */
const LEAST_REQUESTS_PER_ROW = 1 + 1 / 100;

export async function runNotionThroughput(o: ThroughputOptions): Promise<Figure[]> {
  const rowCount = o.quick ? 60 : 300;
  const env = await startEnvironment({ runtime: o.runtime, log: o.log, notion: { requestsPerSecond: RATE_PER_SECOND } });
  try {
    const user = await setUpUser(env, 'U0THROUGHPUT');
    const database = env.notion.addDatabase({ title: 'Reading list', parentPageId: user.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: rowCount }, (_, i) =>
      env.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Book ${i + 1}` } }] } }),
    );
    env.openai.setResponder((req) => `Summary of ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
    // A Retry-After still running from the set-up must not count against the run.
    await sleep(1_500);

    // 429 on 20% of this user's requests; 529 on 5% (the fault book tries the 429 first, so 0.05 / 0.8).
    env.notion.injectFault({ status: 429, probability: RATE_LIMITED, retryAfterSeconds: 1, match: { secret: user.notionSecret } });
    env.notion.injectFault({ status: 529, probability: OVERLOADED / (1 - RATE_LIMITED), retryAfterSeconds: 1, match: { secret: user.notionSecret } });
    const firstRequest = env.notion.requests.length;
    const messagesFrom = env.slack.messages.length;

    o.log(`notion throughput: ${rowCount} rows at ${RATE_PER_SECOND} requests/s with ${RATE_LIMITED * 100}% 429 and ${OVERLOADED * 100}% 529`);
    const startedAt = Date.now();
    const started = performance.now();
    const delivery = await env.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: `generate ${database.url} Summarise {{Name}}.` });
    if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);

    const timeoutMs = rowCount * 3_000;
    let lastLog = performance.now();
    for (;;) {
      const row = connectionRows(env, user.connectionsDataSourceId).find(
        (r) => r.target.includes(database.id.replace(/-/g, '')) || r.target.includes(database.id),
      );
      if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) break;
      if (performance.now() - started > timeoutMs) throw new Error(`the run did not finish within ${timeoutMs / 1000} s`);
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        o.log(
          `notion throughput: ${rows.filter((r) => rowContents(env, r.id).length > 0).length} of ${rowCount} rows written after ${Math.round((performance.now() - started) / 1000)} s`,
        );
      }
      await sleep(100);
    }
    env.notion.clearFaults();

    const mine = env.notion.requests.slice(firstRequest).filter((r) => r.secret === user.notionSecret && r.at >= startedAt);
    const endedAt = Math.max(...mine.map((r) => r.at));
    const seconds = (endedAt - startedAt) / 1000;
    const answered = mine.filter((r) => r.status !== 0);
    const limited = mine.filter((r) => r.status === 429 || r.status === 529);
    const earlyRecords = mine.filter((r) => r.retryAfterSentAt !== undefined);
    const early = earlyRecords.length;
    for (const r of earlyRecords) {
      const previous = mine.filter((q) => q.retryAfterSeconds !== undefined && q.at <= r.at).at(-1);
      o.log(
        `notion throughput: early request ${r.method} ${r.path} arrived ${r.at - r.retryAfterSentAt!} ms after a Retry-After (${previous?.retryAfterSeconds ?? '?'} s) was sent`,
      );
    }
    const kinds = new Map<string, number>();
    for (const r of answered.filter((q) => q.status === 200)) {
      const kind = `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g, '{id}')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    o.log(`notion throughput: successful requests by kind: ${[...kinds].map(([k, n]) => `${k} x${n}`).join(', ')}`);

    const counts = rows.map((r) => {
      const name = rowName(env, r.id);
      return rowContents(env, r.id).filter((text) => text === `Summary of ${name}.`).length;
    });
    const missing = counts.filter((n) => n === 0).length;
    const duplicated = counts.filter((n) => n > 1).length;
    // The final progress message follows the connection row's update.
    let failed = Number.NaN;
    for (let waited = 0; waited < 10_000 && Number.isNaN(failed); waited += 100) {
      failed = reportedFailures(env, user.userId, messagesFrom);
      if (Number.isNaN(failed)) await sleep(100);
    }
    const rowsPerMinute = (rowCount / seconds) * 60;
    const ceiling = (RATE_PER_SECOND * 60) / LEAST_REQUESTS_PER_ROW;

    return [
      figure(SCENARIO, `rows (run took ${Math.round(seconds)} s)`, rowCount, ''),
      figure(SCENARIO, 'Notion requests per second (all answers)', answered.length / seconds, 'req/s'),
      figure(SCENARIO, 'Notion requests per second (200 only)', answered.filter((r) => r.status === 200).length / seconds, 'req/s'),
      figure(SCENARIO, `429/529 answers (of ${answered.length})`, limited.length, ''),
      figure(SCENARIO, 'requests per row (all answers)', answered.length / rowCount, ''),
      figure(SCENARIO, 'requests per row (200 only)', answered.filter((r) => r.status === 200).length / rowCount, ''),
      figure(SCENARIO, 'rows per minute', rowsPerMinute, 'rows/min'),
      figure(SCENARIO, `fraction of the ceiling (${Math.round(ceiling)} rows/min)`, (rowsPerMinute / ceiling) * 100, '%', atLeast(90)),
      figure(SCENARIO, 'failed rows', failed, '', exactly(0)),
      figure(SCENARIO, 'duplicated rows', duplicated, '', exactly(0)),
      figure(SCENARIO, 'missing rows', missing, '', exactly(0)),
      figure(SCENARIO, 'requests before their Retry-After had passed', early, '', exactly(0)),
      figure(SCENARIO, 'Notion stand-in protocol failures', env.notion.failures.filter((f) => !f.startsWith('early retry')).length, '', exactly(0)),
    ];
  } finally {
    await env.close();
  }
}

/** "N failed" from the run's final progress message (the last one that says how many rows were written). */
function reportedFailures(
  env: { slack: { messages: Array<{ user?: string; channel: string; text?: string; blocks?: unknown }> } },
  userId: string,
  from: number,
): number {
  const mine = env.slack.messages.slice(from).filter((m) => m.user === userId || m.channel === directChannelFor(userId));
  const final = mine
    .map((m) => `${m.text ?? ''}\n${stringsOf(m.blocks)}`)
    .reverse()
    .find((t) => /rows? written/.test(t));
  const match = final ? /([\d,]+) failed/.exec(final) : null;
  return match ? Number(match[1]!.replace(/,/g, '')) : Number.NaN;
}
