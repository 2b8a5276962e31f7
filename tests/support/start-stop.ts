/**
 * Starts a command that runs the built app (`node dist/main.js`, as a service manager would) against the Slack
 * stand-in, checks that it connects over Socket Mode and answers `/visen help`, then sends SIGTERM and waits for
 * it to exit. Used by the service-file tests (tests/deploy) and by `npm run test:node-matrix`
 * (scripts/start-stop-check.ts), so both check the same thing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackStandIn } from '../stand-ins/slack/index.js';

export interface StartStopRun {
  command: string;
  args: string[];
  cwd: string;
  /** How long the process may take to stop after SIGTERM before it is killed (systemd's TimeoutStopSec). */
  stopTimeoutMs: number;
  /** Extra environment (Slack's tokens and URL and a fresh data dir are provided). */
  env?: Record<string, string>;
  /** Runs once the process answered, before it is stopped (to probe it from outside, say). */
  whileConnected?: () => Promise<void>;
}

export interface StartStopResult {
  connected: boolean;
  answeredHelp: boolean;
  /** Exit code after SIGTERM; null when it had to be killed or died of a signal. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stoppedInTime: boolean;
  output: string;
}

const READY_LINE = 'Visen is connected to Slack';

async function waitForText(text: () => string, wanted: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!text().includes(wanted) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export async function startAndStopAgainstSlack(run: StartStopRun): Promise<StartStopResult> {
  const slack = await startSlackStandIn();
  const env = {
    PATH: process.env.PATH ?? '',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    VISEN_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'visen-start-stop-')), 'data'),
    ...run.env,
  };
  const child = spawn(run.command, run.args, { cwd: run.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const connected = await Promise.race([
      slack.waitForConnection(20_000).then(
        () => true,
        () => false,
      ),
      exited.then(() => false),
    ]);
    const answeredHelp = connected && (await slack.slashCommand({ userId: 'UOPERATOR1', text: 'help' })).acked;
    // main.ts installs its signal handlers before anything else, so SIGTERM right after the ready line (even while
    // interrupted runs are still resuming) must stop the bot gracefully.
    if (answeredHelp) await waitForText(() => output, READY_LINE, 10_000);
    if (answeredHelp) await run.whileConnected?.();
    child.kill('SIGTERM');
    const stoppedInTime = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), run.stopTimeoutMs).unref()),
    ]);
    if (!stoppedInTime) child.kill('SIGKILL');
    const { code, signal } = await exited;
    return { connected, answeredHelp, exitCode: stoppedInTime ? code : null, exitSignal: signal, stoppedInTime, output };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await slack.close();
  }
}
