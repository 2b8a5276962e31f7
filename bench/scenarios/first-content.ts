/**
 * Time to first content: `/visen generate <page> ...` whose answer is about 30,000 characters of Markdown
 * (headings, paragraphs, lists), streamed by the OpenAI stand-in at a steady 2,000 characters a second
 * (about 500 tokens a second; 10,000 with --quick). Measured from sending the command: when the first block
 * is in the Notion page, when the run is over (its connection row final), and the Notion requests it used.
 */
import { performance } from 'node:perf_hooks';
import { markdownToBlocks } from '../../src/adapters/notion/markdown.js';
import { connectionRows, rowContents } from '../../tests/e2e/support/observe.js';
import type { AppRuntime } from '../support/app-process.js';
import { startEnvironment } from '../support/environment.js';
import { exactly, type Figure, figure } from '../support/figures.js';
import { sleep } from '../support/stats.js';
import { setUpUser } from '../support/users.js';

export interface FirstContentOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'time to first content';
const TARGET_CHARS = 30_000;

export async function runFirstContent(o: FirstContentOptions): Promise<Figure[]> {
  const charsPerSecond = o.quick ? 10_000 : 2_000;
  const chunkIntervalMs = 25;
  const env = await startEnvironment({ runtime: o.runtime, log: o.log });
  try {
    const user = await setUpUser(env, 'U0FIRSTCONTENT');
    const answer = longAnswer(TARGET_CHARS);
    env.openai.setResponder(() => answer);
    env.openai.setStreamRate({ charsPerChunk: (charsPerSecond * chunkIntervalMs) / 1000, chunkIntervalMs });
    await sleep(500);
    const firstRequest = env.notion.requests.length;
    const streamSeconds = answer.length / charsPerSecond;

    o.log(`time to first content: ${answer.length} characters at ${charsPerSecond} characters/s (${streamSeconds.toFixed(1)} s of streaming)`);
    const started = performance.now();
    const startedAt = Date.now();
    const delivery = await env.slack.slashCommand({
      userId: user.userId,
      teamId: user.teamId,
      text: `generate ${user.pageUrl} Write the long project handbook`,
    });
    if (!delivery.acked) throw new Error(`the command was not acked: ${delivery.reason}`);

    let firstContentMs = Number.NaN;
    let modelStartedAt = Number.NaN;
    for (;;) {
      if (Number.isNaN(modelStartedAt))
        modelStartedAt = env.openai.requests.find((r) => r.at >= startedAt && r.path.endsWith('/chat/completions'))?.at ?? Number.NaN;
      if (Number.isNaN(firstContentMs) && env.notion.childrenOf(user.pageId).length > 0) firstContentMs = performance.now() - started;
      const row = connectionRows(env, user.connectionsDataSourceId).find((r) => r.target.includes(user.pageId.replace(/-/g, '')));
      if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) {
        if (row.status !== 'Succeeded') throw new Error(`the run ended ${row.status}: ${row.lastError}`);
        break;
      }
      if (performance.now() - started > 180_000) throw new Error('the run did not finish within 180 s');
      await sleep(5);
    }
    const mine = env.notion.requests.slice(firstRequest).filter((r) => r.secret === user.notionSecret && r.at >= startedAt);
    const totalMs = Math.max(...mine.map((r) => r.at)) - startedAt;
    const streamEndMs = modelStartedAt - startedAt + streamSeconds * 1000;
    const expectedBlocks = markdownToBlocks(answer).length;
    const written = rowContents(env, user.pageId).length;

    return [
      figure(SCENARIO, `answer length (characters; streamed in ${streamSeconds.toFixed(1)} s)`, answer.length, ''),
      figure(SCENARIO, 'time to the first content in Notion', firstContentMs / 1000, 's'),
      figure(SCENARIO, 'first content, as a share of the streaming time', (firstContentMs / (streamSeconds * 1000)) * 100, '%'),
      figure(SCENARIO, 'total time (to the connection row updated)', totalMs / 1000, 's'),
      figure(SCENARIO, 'after the model finished (to the connection row updated)', (totalMs - streamEndMs) / 1000, 's'),
      figure(SCENARIO, 'Notion requests used', mine.filter((r) => r.status !== 0).length, ''),
      figure(SCENARIO, `top-level blocks written (of ${expectedBlocks} in the answer)`, written, '', exactly(expectedBlocks)),
      figure(SCENARIO, 'Notion stand-in protocol failures', env.notion.failures.length, '', exactly(0)),
    ];
  } finally {
    await env.close();
  }
}

/** A Markdown handbook of about `chars` characters: sections with headings, paragraphs and lists. */
function longAnswer(chars: number): string {
  const parts: string[] = ['# Project handbook', ''];
  for (let section = 1; parts.join('\n').length < chars; section++) {
    parts.push(`## Section ${section}: how we work`, '');
    parts.push(
      `Section ${section} explains one part of the way the team works, with the reasons behind it. ${'Each practice is written down so that a new member can follow it on the first day. '.repeat(4).trim()}`,
      '',
    );
    parts.push(
      `- The first rule of section ${section}, stated plainly`,
      `- The second rule, with **bold** and *italic* words`,
      `  - A nested detail with \`inline code\``,
      `- The third rule and a [link](https://example.com/${section})`,
      '',
    );
    parts.push(`1. Step one of section ${section}`, '2. Step two', '3. Step three', '');
  }
  return parts
    .join('\n')
    .slice(0, chars)
    .replace(/\s+\S*$/, '');
}
