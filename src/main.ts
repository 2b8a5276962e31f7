import { existsSync } from 'node:fs';
import { describeForLog, VisenError } from './errors.js';
import { ConfigurationError, startVisen, type VisenHandle } from './visen.js';

/** A stop after a fatal error gets this long (the runs' own shutdown grace is 10 s) before the process exits anyway. */
const FATAL_STOP_DEADLINE_MS = 15_000;

let visen: VisenHandle | undefined;
let stopping = false;
let fatal = false;
/** Aborted by a signal that arrives while the start still waits for Slack. */
const startAbort = new AbortController();

/**
 * The entry point: the only place that reads process.env and installs process-wide handlers. The handlers
 * come first, before anything that can throw or reject.
 */
async function main(): Promise<void> {
  process.on('uncaughtException', (err) => stopOnFatalError('uncaught exception', err));
  process.on('unhandledRejection', (reason) => stopOnFatalError('unhandled rejection', reason));
  process.on('SIGINT', () => stopOnSignal('SIGINT'));
  process.on('SIGTERM', () => stopOnSignal('SIGTERM'));

  try {
    // Values already in the environment win over the .env file.
    if (existsSync('.env')) process.loadEnvFile('.env');
    visen = await startVisen(process.env, { signal: startAbort.signal });
  } catch (err) {
    if (err instanceof VisenError && err.code === 'start_cancelled') {
      console.error('Visen stopped before it connected to Slack.');
      process.exit(0);
    }
    if (err instanceof ConfigurationError) console.error(err.message);
    else if (err instanceof VisenError) console.error(`Visen cannot start: ${err.userMessage}`);
    else console.error(`Visen cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // A signal that came while the store was opening, after the wait for Slack.
  if (stopping) stopVisen(visen, 'signal during start', 0);
}

function stopOnSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    console.error(`${signal} again: exiting without waiting for work in flight (it resumes after the next start).`);
    process.exit(1);
  }
  stopping = true;
  if (!visen) {
    startAbort.abort();
    return;
  }
  visen.logger.info({ signal }, 'shutting down');
  stopVisen(visen, signal, 0);
}

/**
 * A programming error somewhere (a listener's own errors are caught by Bolt and answered by the app's
 * error handler, so what arrives here escaped every handler). The process is in a state nobody reasoned
 * about, so it does not go on serving, as Node's documentation asks: it logs, closes the socket so no new
 * work arrives, lets runs in flight record where they are (they resume after the restart, as after any
 * stop), and exits non-zero for the supervisor to restart it. An unhandled rejection is treated the same,
 * which has been Node's own default since v15: it is a promise nobody awaited, so nothing handled its
 * failure either.
 */
function stopOnFatalError(what: string, err: unknown): void {
  const description = describeForLog(err);
  if (fatal || !visen) {
    // Before the app exists (or while it is already stopping for one): nothing to stop gracefully.
    console.error(`Visen stopped on an unexpected error (${what}):`, description);
    process.exit(1);
  }
  fatal = true;
  stopping = true;
  visen.logger.fatal({ err: description }, `${what}: stopping; runs in flight resume after the restart`);
  setTimeout(() => process.exit(1), FATAL_STOP_DEADLINE_MS).unref();
  stopVisen(visen, what, 1);
}

function stopVisen(handle: VisenHandle, reason: string, exitCode: number): void {
  handle.stop().then(
    () => process.exit(exitCode),
    (err: unknown) => {
      handle.logger.error({ err: describeForLog(err), reason }, 'shutdown failed');
      process.exit(1);
    },
  );
}

void main();
