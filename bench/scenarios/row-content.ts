/**
 * Row context: `/visen generate <database> --into Summary {{Name}}: {{@content}}` over 300 rows (60 with --quick),
 * each row's page read as Markdown (GET /v1/pages/{id}/markdown) before its answer is written into a text property.
 * Issue 12's target: at most 2.05 Notion requests per row besides the query (one Markdown read and one update per
 * row, plus the run's few schema and settings reads). The stand-in paces at Notion's 3 requests per second without
 * faults, so the figure is the app's own request count, not its retries.
 */
import { performance } from 'node:perf_hooks';
import { connectionRows, propertyText } from '../../tests/e2e/support/observe.js';
import type { AppRuntime } from '../support/app-process.js';
import { startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { setUpUser } from '../support/users.js';

export interface RowContentOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'row context';
const text = (content: string) => [{ text: { content } }];

export async function runRowContent(o: RowContentOptions): Promise<Figure[]> {
  const rowCount = o.quick ? 60 : 300;
  const env = await startEnvironment({ runtime: o.runtime, log: o.log, notion: { requestsPerSecond: 3 } });
  try {
    const user = await setUpUser(env, 'U0ROWCONTENT');
    const database = env.notion.addDatabase({
      title: 'Meeting notes',
      parentPageId: user.parentPageId,
      properties: { Name: { title: {} }, Summary: { rich_text: {} } },
    });
    const rows = Array.from({ length: rowCount }, (_, i) =>
      env.notion.addRow(
        database.dataSourceId,
        { Name: { title: text(`Meeting ${i + 1}`) } },
        { children: [{ paragraph: { rich_text: text(`Minutes ${i + 1}.`) } }] },
      ),
    );
    env.openai.setResponder(() => 'Short summary.');
    // A Retry-After or a burst still running from the set-up must not count against the run.
    await sleep(4_000);
    const startedAt = Date.now();
    const started = performance.now();
    o.log(`row context: ${rowCount} rows, each reading its page`);
    const delivery = await env.slack.slashCommand({
      userId: user.userId,
      teamId: user.teamId,
      text: `generate ${database.url} --into Summary {{Name}}: {{@content}}`,
    });
    if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);
    const timeoutMs = rowCount * 3_000;
    for (;;) {
      const row = connectionRows(env, user.connectionsDataSourceId).find(
        (r) => r.target.includes(database.id.replace(/-/g, '')) || r.target.includes(database.id),
      );
      if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) break;
      if (performance.now() - started > timeoutMs) throw new Error(`the run did not finish within ${timeoutMs / 1000} s`);
      await sleep(200);
    }
    const mine = env.notion.requests.filter((r) => r.secret === user.notionSecret && r.at >= startedAt && r.status === 200);
    const queries = mine.filter((r) => r.path === `/v1/data_sources/${database.dataSourceId}/query`).length;
    const markdownReads = mine.filter((r) => r.path.endsWith('/markdown')).length;
    const written = rows.filter((r) => propertyText(env, r.id, 'Summary') === 'Short summary.').length;
    return [
      figure(SCENARIO, `rows (run took ${Math.round((Date.now() - startedAt) / 1000)} s)`, rowCount, ''),
      figure(
        SCENARIO,
        `${rowCount}-row run with {{@content}}: Notion requests per row besides the query`,
        (mine.length - queries) / rowCount,
        '',
        atMost(2.05),
      ),
      figure(SCENARIO, 'page Markdown reads per row', markdownReads / rowCount, '', exactly(1)),
      figure(SCENARIO, 'rows written', written, '', exactly(rowCount)),
    ];
  } finally {
    await env.close();
  }
}
