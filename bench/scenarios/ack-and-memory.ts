/**
 * Ack burst and memory, in one app process (the burst is what makes the peak):
 * 1. memory right after the app connected; then idle and connected for 60 s (5 s with --quick): memory again;
 * 2. users are set up through the real settings modal; Notion and OpenAI stand-ins then answer after 5 s;
 * 3. 200 slash commands, half `/visen help` and half `/visen generate <page> <prompt>` from those users, go
 *    out through the Socket Mode socket within 100 ms. Ack latency is what the Slack stand-in measures from
 *    sending an envelope to receiving its ack (both ends on loopback). Event-loop delay is read inside the app
 *    (bench/support/app-probe.ts): for the ack window, and for 15 s more while the work it started runs.
 */
import { performance } from 'node:perf_hooks';
import type { Delivery } from '../../tests/stand-ins/slack/index.js';
import type { AppRuntime } from '../support/app-process.js';
import { type BenchEnvironment, startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { MIB, max, percentile, sleep } from '../support/stats.js';
import { setUpUsers } from '../support/users.js';

export interface SlackScenarioOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
  readonly ack: boolean;
  readonly memory: boolean;
}

const BURST = 200;
const BURST_WINDOW_MS = 100;
const VENDOR_DELAY_MS = 5_000;
const USERS = 10;
const SLACK_ACK_DEADLINE_MS = 3_000;
/** How long the work started by the burst is watched after the last ack. */
const AFTER_ACKS_MS = 15_000;

export async function runSlackScenarios(o: SlackScenarioOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const env = await startEnvironment({ runtime: o.runtime, log: o.log });
  const memoryNote = o.runtime === 'tsx' ? 'app under tsx: includes its loader thread, so not comparable with the target' : undefined;
  try {
    await sleep(500); // let start-up work (resuming runs, first GC) finish
    const afterStart = await env.app.memory();
    if (o.memory) {
      figures.push(figure('memory', 'RSS after start', afterStart.rss / MIB, 'MiB', undefined, memoryNote));
      const idleMs = o.quick ? 5_000 : 60_000;
      o.log(`memory: idle and connected for ${idleMs / 1000} s`);
      await sleep(idleMs);
      const idle = await env.app.memory();
      figures.push(
        figure('memory', `RSS after ${idleMs / 1000} s connected and idle`, idle.rss / MIB, 'MiB', o.runtime === 'dist' ? atMost(120) : undefined, memoryNote),
      );
    }

    o.log(`ack burst: setting up ${USERS} users through the settings modal`);
    const users = await setUpUsers(env, USERS, 'BURST');
    env.notion.setLatency(VENDOR_DELAY_MS);
    env.openai.setLatency(VENDOR_DELAY_MS);
    await sleep(200);
    env.app.resetProbe();
    const failuresBefore = env.slack.failures.length;

    o.log(`ack burst: ${BURST} commands within ${BURST_WINDOW_MS} ms`);
    const deliveries: Array<Promise<Delivery>> = [];
    const started = performance.now();
    const batches = 10;
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < BURST / batches; i++) {
        const n = b * (BURST / batches) + i;
        const user = users[n % users.length]!;
        const text = n % 2 === 0 ? 'help' : `generate ${user.pageUrl} Burst note ${n}: three lines about latency`;
        deliveries.push(env.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text }));
      }
      if (b < batches - 1) await sleep(BURST_WINDOW_MS / batches - 1);
    }
    const sentWithinMs = performance.now() - started;
    const results = await Promise.all(deliveries);
    const ackWindow = await env.app.sample();
    o.log(
      `ack burst: all ${BURST} envelopes answered after ${Math.round(performance.now() - started)} ms; watching the work they started for ${AFTER_ACKS_MS / 1000} s`,
    );
    // The vendors' first answers arrive 5 and 10 s after the burst: the heaviest part of the work it started.
    await sleep(AFTER_ACKS_MS);
    const settled = await env.app.sample();
    const peak = await env.app.memory();
    const windowS = Math.round((performance.now() - started) / 1000);

    const ackMs = results.filter((d) => d.acked).map((d) => d.ackMs);
    const late = results.filter((d) => !d.acked || d.ackMs > SLACK_ACK_DEADLINE_MS).length;
    if (o.ack) {
      figures.push(
        figure('ack burst', `commands sent, within ${Math.round(sentWithinMs)} ms`, results.length, ''),
        figure('ack burst', 'ack latency p50', percentile(ackMs, 50), 'ms'),
        figure('ack burst', 'ack latency p99', percentile(ackMs, 99), 'ms', atMost(100)),
        figure('ack burst', 'ack latency max', max(ackMs), 'ms', atMost(300)),
        figure('ack burst', 'acks later than 3 s (or missing)', late, '', exactly(0)),
        figure('ack burst', 'event-loop delay p99, ack window', ackWindow.loopDelay.p99, 'ms'),
        figure('ack burst', `event-loop delay p99, first ${windowS} s from the burst`, settled.loopDelay.p99, 'ms'),
        figure('ack burst', `event-loop delay max, first ${windowS} s from the burst`, settled.loopDelay.max, 'ms'),
        figure(
          'ack burst',
          'Slack stand-in protocol failures',
          env.slack.failures.length - failuresBefore,
          '',
          exactly(0),
          slackFailureNote(env, failuresBefore),
        ),
      );
    }
    if (o.memory) {
      figures.push(
        figure(
          'memory',
          'RSS peak (high-water mark, burst included)',
          peak.peakRss / MIB,
          'MiB',
          o.runtime === 'dist' ? atMost(200) : undefined,
          memoryNote ?? (peak.source === 'probe' ? 'sampled every 20 ms by the probe' : undefined),
        ),
      );
    }
    return figures;
  } finally {
    await env.close();
  }
}

function slackFailureNote(env: BenchEnvironment, from: number): string | undefined {
  const failures = env.slack.failures.slice(from);
  return failures.length ? failures.slice(0, 3).join(' / ').slice(0, 300) : undefined;
}
