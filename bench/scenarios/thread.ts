/**
 * "Send to Notion" on a 500-message thread (issue 14). One user sends the thread to a page: measured from the
 * modal's submission, when the first block is in the Notion page and when the run is over, and the Slack Web API
 * calls the run used (conversations.replies pages, users.info for the authors, the permalink, progress messages).
 * Then the shortcut's ack while other users run commands: shortcuts and slash commands (half `/visen help`, half
 * `/visen generate`) go out together through the Socket Mode socket, with Notion and OpenAI answering after 2 s.
 */
import { performance } from 'node:perf_hooks';
import { ThreadIds } from '../../src/slack/listeners/threads/ids.js';
import { connectionRows } from '../../tests/e2e/support/observe.js';
import type { Delivery } from '../../tests/stand-ins/slack/index.js';
import type { AppRuntime } from '../support/app-process.js';
import { type BenchEnvironment, startEnvironment } from '../support/environment.js';
import { atMost, exactly, type Figure, figure } from '../support/figures.js';
import { max, percentile, sleep } from '../support/stats.js';
import { type BenchUser, setUpUser, setUpUsers } from '../support/users.js';

export interface ThreadOptions {
  readonly quick: boolean;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
}

const SCENARIO = 'thread';
const MESSAGES = 500;
const AUTHORS = 12;

export async function runThread(o: ThreadOptions): Promise<Figure[]> {
  const env = await startEnvironment({ runtime: o.runtime, log: o.log });
  try {
    const sender = await setUpUser(env, 'U0THREADSENDER');
    const others = await setUpUsers(env, o.quick ? 3 : 6, 'THREADBUSY');
    const authors = Array.from({ length: AUTHORS }, (_, i) => `U0AUTHOR${String(i).padStart(2, '0')}`);
    for (const [i, id] of authors.entries()) env.slack.seedUser({ id, displayName: `Author ${i}`, tz: 'Europe/Berlin' });
    const channel = env.slack.seedConversation({ type: 'public_channel', members: [sender.userId, ...authors, ...others.map((u) => u.userId)] });
    const replies = Array.from({ length: MESSAGES - 1 }, (_, i) => ({
      user: authors[i % AUTHORS] as string,
      text: `Reply ${i + 1}: a decision, an owner and a date for item ${i % 40}, with <@${authors[(i + 1) % AUTHORS]}> asked to follow up.`,
      ...(i % 50 === 0 ? { files: [`notes-${i}.pdf`] } : {}),
    }));
    const thread = env.slack.seedThread({ channelId: channel.id, parent: { user: authors[0] as string, text: 'Launch review thread' }, replies });
    env.openai.setResponder(() => '## Decisions\n\n- Ship on Friday\n\n## Open questions\n\n- Who tells support?');
    await sleep(300);
    const figures = await sendThread(env, sender, channel.id, thread.ts, o);
    figures.push(...(await shortcutAcksUnderLoad(env, [sender, ...others], channel.id, thread.ts, o)));
    return figures;
  } finally {
    await env.close();
  }
}

async function sendThread(env: BenchEnvironment, sender: BenchUser, channelId: string, ts: string, o: ThreadOptions): Promise<Figure[]> {
  const updatesBefore = env.slack.views.updated.length;
  const shortcut = await env.slack.triggerMessageShortcut({ userId: sender.userId, callbackId: ThreadIds.shortcutCallback, channelId, messageTs: ts });
  if (!shortcut.acked) throw new Error(`the shortcut was not acked: ${shortcut.reason}`);
  const modal = await env.slack.waitFor(() => env.slack.views.updated.slice(updatesBefore).find((v) => v.callback_id === ThreadIds.modalCallback), 15_000);
  const callsBefore = env.slack.apiCalls.length;
  o.log(`thread: sending ${MESSAGES} messages to Notion`);
  const started = performance.now();
  const submitted = await env.slack.viewSubmission({
    userId: sender.userId,
    view: modal,
    values: { [ThreadIds.targetBlock]: { [ThreadIds.targetAction]: sender.pageUrl }, [ThreadIds.includeBlock]: { [ThreadIds.includeAction]: 'thread' } },
  });
  if (!submitted.acked) throw new Error(`the submission was not acked: ${submitted.reason}`);
  let firstContentMs = Number.NaN;
  for (;;) {
    if (Number.isNaN(firstContentMs) && env.notion.childrenOf(sender.pageId).length > 0) firstContentMs = performance.now() - started;
    const row = connectionRows(env, sender.connectionsDataSourceId).find((r) => r.target.includes(sender.pageId.replace(/-/g, '')));
    if (row && (row.runs ?? 0) > 0 && ['Succeeded', 'Failed', 'Cancelled'].includes(row.status ?? '')) {
      if (row.status !== 'Succeeded') throw new Error(`the run ended ${row.status}: ${row.lastError}`);
      break;
    }
    if (performance.now() - started > 120_000) throw new Error('the thread run did not finish within 120 s');
    await sleep(5);
  }
  const totalMs = performance.now() - started;
  const calls = env.slack.apiCalls.slice(callsBefore);
  const count = (method: string) => calls.filter((c) => c.method === method).length;
  return [
    figure(SCENARIO, `thread length (messages, ${AUTHORS} authors)`, MESSAGES, ''),
    figure(SCENARIO, 'submission to first content in Notion', firstContentMs / 1000, 's'),
    figure(SCENARIO, 'submission to run recorded (connection row final)', totalMs / 1000, 's'),
    figure(SCENARIO, 'Slack API calls of the run', calls.length, ''),
    figure(SCENARIO, 'of them conversations.replies (200 a page)', count('conversations.replies'), '', exactly(Math.ceil(MESSAGES / 200))),
    figure(SCENARIO, 'of them users.info (authors and the sender, cached)', count('users.info'), '', atMost(AUTHORS + 1)),
  ];
}

/** Shortcuts and commands from several users at once; the shortcut's ack latency as the Slack stand-in measures it. */
async function shortcutAcksUnderLoad(env: BenchEnvironment, users: BenchUser[], channelId: string, ts: string, o: ThreadOptions): Promise<Figure[]> {
  const rounds = o.quick ? 10 : 40;
  env.notion.setLatency(2_000);
  env.openai.setLatency(2_000);
  const failuresBefore = env.slack.failures.length;
  o.log(`thread: ${rounds} shortcuts among ${rounds * 2} commands`);
  const shortcuts: Array<Promise<Delivery>> = [];
  const commands: Array<Promise<Delivery>> = [];
  for (let n = 0; n < rounds; n++) {
    // Each shortcut from its own person: one person's second shortcut would replace their open modal.
    const userId = `U0SHORTCUT${String(n).padStart(3, '0')}`;
    env.slack.seedUser({ id: userId, displayName: `Person ${n}`, tz: 'Europe/Berlin' });
    const busy = users[(n + 1) % users.length] as BenchUser;
    commands.push(env.slack.slashCommand({ userId: busy.userId, teamId: busy.teamId, text: 'help' }));
    commands.push(env.slack.slashCommand({ userId: busy.userId, teamId: busy.teamId, text: `generate ${busy.pageUrl} Load note ${n}` }));
    shortcuts.push(env.slack.triggerMessageShortcut({ userId, callbackId: ThreadIds.shortcutCallback, channelId, messageTs: ts }));
    await sleep(10);
  }
  const acks = (await Promise.all(shortcuts)).map((d) => (d.acked ? d.ackMs : Number.POSITIVE_INFINITY));
  await Promise.all(commands);
  await sleep(3_000);
  env.notion.setLatency(0);
  env.openai.setLatency(0);
  return [
    figure(SCENARIO, `shortcut ack p50 (${rounds} shortcuts, ${rounds * 2} commands)`, percentile(acks, 50), 'ms'),
    figure(SCENARIO, 'shortcut ack p99 while others run commands', percentile(acks, 99), 'ms', atMost(100)),
    figure(SCENARIO, 'shortcut ack max', max(acks), 'ms'),
    figure(
      SCENARIO,
      'Slack stand-in protocol failures',
      env.slack.failures.length - failuresBefore,
      '',
      exactly(0),
      env.slack.failures
        .slice(failuresBefore, failuresBefore + 3)
        .join(' / ')
        .slice(0, 300) || undefined,
    ),
  ];
}
