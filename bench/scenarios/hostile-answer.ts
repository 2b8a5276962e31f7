/**
 * Hostile answers (issue 9, item 1): while some users' model servers ignore the token limit and stream 1 MB
 * answers built to make marked slow (a list item followed by thousands of unindented lines, lists and quotes
 * nested hundreds deep, bracket and emphasis runs), another user sends `/visen help` every 50 ms. Acks must not
 * notice: p99 <= 100 ms and none later than Slack's 3 s. Visen reads each answer up to its character cap
 * (ANSWER_LIMITS.maxChars) and converts it in bounded steps; the figures also say how long the runs took.
 */
import { performance } from 'node:perf_hooks';
import { ANSWER_LIMITS, answerCutNotices } from '../../src/adapters/openai/answer-limits.js';
import { HOSTILE_KINDS, hostileMarkdown } from '../../tests/stand-ins/openai/hostile-answers.js';
import type { Delivery } from '../../tests/stand-ins/slack/index.js';
import type { AppRuntime } from '../support/app-process.js';
import { startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { max, percentile, sleep } from '../support/stats.js';
import { setUpUser, setUpUsers } from '../support/users.js';

const ANSWER_CHARS = 1_000_000;
const HELP_EVERY_MS = 50;
const SLACK_ACK_DEADLINE_MS = 3_000;
const RUNS_DEADLINE_MS = 120_000;

export async function runHostileAnswer(o: { quick: boolean; runtime: AppRuntime; log: (line: string) => void }): Promise<Figure[]> {
  const env = await startEnvironment({ runtime: o.runtime, log: o.log });
  try {
    const kinds = o.quick ? HOSTILE_KINDS.slice(0, 2) : HOSTILE_KINDS;
    o.log(`hostile answer: setting up ${kinds.length} users with hostile model servers and one sending /visen help`);
    const hostile = await setUpUsers(env, kinds.length, 'HOSTILE');
    const bystander = await setUpUser(env, 'U0BYSTANDER');
    const answers = new Map(kinds.map((kind, i) => [`hostile answer ${i}`, hostileMarkdown(kind, ANSWER_CHARS)]));
    env.openai.setResponder((req) => [...answers].find(([marker]) => JSON.stringify(req.messages).includes(marker))?.[1] ?? 'Fine.');
    env.openai.setStreamRate({ charsPerChunk: 4_000, chunkIntervalMs: 0 });
    await sleep(200);
    env.app.resetProbe();

    const started = performance.now();
    const runs = await Promise.all(
      hostile.map((u, i) => env.slack.slashCommand({ userId: u.userId, teamId: u.teamId, text: `generate ${u.pageUrl} Write the hostile answer ${i}` })),
    );
    const finished = () => hostile.filter((u) => env.notion.pageMarkdown(u.pageId).includes(answerCutNotices.charCap)).length;
    const helps: Array<Promise<Delivery>> = [];
    let allDoneMs: number | undefined;
    while (performance.now() - started < RUNS_DEADLINE_MS) {
      helps.push(env.slack.slashCommand({ userId: bystander.userId, teamId: bystander.teamId, text: 'help' }));
      await sleep(HELP_EVERY_MS);
      if (finished() === hostile.length) {
        allDoneMs = performance.now() - started;
        break;
      }
    }
    const results = await Promise.all(helps);
    const loop = await env.app.sample();
    const ackMs = results.filter((d) => d.acked).map((d) => d.ackMs);
    const late = results.filter((d) => !d.acked || d.ackMs > SLACK_ACK_DEADLINE_MS).length;
    const title = `hostile answers (${kinds.length} × 1 MB)`;
    return [
      figure(title, 'hostile generate commands acked', runs.filter((d) => d.acked).length, '', exactly(kinds.length)),
      figure(title, '/visen help commands sent meanwhile', results.length, ''),
      figure(title, 'ack latency p50', percentile(ackMs, 50), 'ms'),
      figure(title, 'ack latency p99', percentile(ackMs, 99), 'ms', atMost(100)),
      figure(title, 'ack latency max', max(ackMs), 'ms'),
      figure(title, 'acks later than 3 s (or missing)', late, '', exactly(0)),
      figure(title, 'event-loop delay p99 while the answers converted', loop.loopDelay.p99, 'ms'),
      figure(title, 'event-loop delay max while the answers converted', loop.loopDelay.max, 'ms'),
      figure(
        title,
        `runs ended with the text up to ${ANSWER_LIMITS.maxChars.toLocaleString('en-US')} characters and the note`,
        finished(),
        '',
        exactly(kinds.length),
      ),
      figure(title, 'time until every run had written its answer', allDoneMs ?? Number.POSITIVE_INFINITY, 'ms'),
    ];
  } finally {
    await env.close();
  }
}
