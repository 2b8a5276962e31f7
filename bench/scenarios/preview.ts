/**
 * Preview before bulk runs: `/visen generate <database> --into Summary --preview Summarise {{Name}}` on 10-row
 * databases, 10 times (3 with --quick), the Notion stand-in at Notion's 3 requests per second. Measured: from the
 * third row's model answer (the stand-in's answers are short and stream at once, so the time it was asked for the
 * third is when that answer came) to the preview being shown in Slack (the first post or message carrying the
 * **Write these** button). Issue 12's target: at most 2 s. Each preview is then cancelled, and nothing may be written.
 */
import { performance } from 'node:perf_hooks';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { connectionRows, propertyText } from '../../tests/e2e/support/observe.js';
import type { AppRuntime } from '../support/app-process.js';
import { type BenchEnvironment, startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { max, percentile, sleep } from '../support/stats.js';
import { type BenchUser, setUpUser } from '../support/users.js';

export interface PreviewOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'preview';
const ROWS = 10;

export async function runPreview(o: PreviewOptions): Promise<Figure[]> {
  const env = await startEnvironment({ runtime: o.runtime, log: o.log, notion: { requestsPerSecond: 3 } });
  try {
    const samples: number[] = [];
    let written = 0;
    for (let i = 0; i < (o.quick ? 3 : 10); i++) {
      const user = await setUpUser(env, `U0PREVIEWBENCH${i}`);
      const sample = await onePreview(env, user, o);
      samples.push(sample.ms);
      written += sample.written;
    }
    return [
      figure(SCENARIO, `previews (${samples.length}, of 3 rows of ${ROWS})`, samples.length, ''),
      figure(SCENARIO, 'third row’s answer → preview shown, median', percentile(samples, 50), 'ms', atMost(2_000)),
      figure(SCENARIO, 'third row’s answer → preview shown, max', max(samples), 'ms', atMost(2_000)),
      figure(SCENARIO, 'rows written by cancelled previews', written, '', exactly(0)),
    ];
  } finally {
    await env.close();
  }
}

async function onePreview(env: BenchEnvironment, user: BenchUser, o: PreviewOptions): Promise<{ ms: number; written: number }> {
  const db = env.notion.addDatabase({ title: 'Deals', parentPageId: user.parentPageId, properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
  const rows = Array.from({ length: ROWS }, (_, i) => env.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Deal ${i + 1}` } }] } }).id);
  const answeredAt: number[] = [];
  env.openai.setResponder(() => {
    answeredAt.push(Date.now());
    return 'A short summary.';
  });
  // A burst still running from the set-up must not count against the run.
  await sleep(1_500);
  const from = { posts: env.slack.responseUrlPosts.length, calls: env.slack.apiCalls.length };
  const delivery = await env.slack.slashCommand({
    userId: user.userId,
    teamId: user.teamId,
    text: `generate ${db.url} --into Summary --preview Summarise {{Name}}`,
  });
  if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);
  const shownAt = await waitFor(() => previewShownAt(env, from), 30_000, 'the preview');
  const third = answeredAt[2];
  if (third === undefined) throw new Error(`the preview was shown after ${answeredAt.length} answers, not 3`);
  o.log(`preview: shown ${shownAt - third} ms after the third answer`);

  const click = await env.slack.blockAction({ userId: user.userId, actionId: GenerateIds.previewCancelAction, container: 'message' });
  if (!click.acked) throw new Error('the Cancel click was not acked');
  await waitFor(
    () => (connectionRows(env, user.connectionsDataSourceId).some((r) => r.status === 'Cancelled') ? true : undefined),
    30_000,
    'the cancelled run',
  );
  return { ms: shownAt - third, written: rows.filter((id) => propertyText(env, id, 'Summary') !== '').length };
}

/** When the first post or message carrying the preview's buttons reached Slack. */
function previewShownAt(env: BenchEnvironment, from: { posts: number; calls: number }): number | undefined {
  const hasButton = (blocks: unknown) => JSON.stringify(blocks ?? null).includes(GenerateIds.previewConfirmAction);
  const post = env.slack.responseUrlPosts.slice(from.posts).find((p) => p.ok && hasButton(p.body?.blocks));
  const message = env.slack.apiCalls.slice(from.calls).find((c) => c.ok && c.method.startsWith('chat.') && hasButton(c.body.blocks));
  const times = [post?.at, message?.at].filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const started = performance.now();
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (performance.now() - started > timeoutMs) throw new Error(`${what} did not come within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}
