import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor, VisenError } from '../../../errors.js';
import type { ProgressListener, StartedRun } from '../../../services/generation/types.js';
import type { UserRef } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { buildWorkingMessage } from '../../views/progress-message.js';
import type { ProgressReporter } from './progress-reporter.js';
import { type GenerateRuntime, runtimeFor } from './runtime.js';

/** Starts a run given where its progress goes: `generation.start(...)` or `generation.rerun(...)`. */
export type RunStarter = (listener: ProgressListener, notifyState: unknown) => Promise<StartedRun>;

/**
 * Starts a run whose progress is a direct message from the app (the modal, and the Home tab's "Run again").
 * The "Working on it…" message is posted first, so the run's notifyState names the message to keep
 * updating after a restart. Problems found before generating replace it with what to do. Never throws;
 * resolves with the started run, or undefined when it did not start.
 */
export async function startRunWithDmProgress(client: WebClient, user: UserRef, start: RunStarter, deps: SlackDeps): Promise<StartedRun | undefined> {
  const rt = runtimeFor(deps);
  let dm: { channel: string; ts: string } | undefined;
  try {
    const res = await client.chat.postMessage({ channel: user.userId, ...buildWorkingMessage() });
    if (typeof res.channel === 'string' && typeof res.ts === 'string') dm = { channel: res.channel, ts: res.ts };
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err), user: user.userId }, 'could not post the working message as a direct message');
  }
  return startWithReporter(rt, rt.newReporter(client, { user, dm }), user, start);
}

/** Slash command runs: progress through the command's response_url, then a direct message if it runs long. */
export async function startRunWithResponseUrl(
  rt: GenerateRuntime,
  client: WebClient,
  user: UserRef,
  responseUrl: string,
  issuedAt: number,
  start: RunStarter,
): Promise<StartedRun | undefined> {
  return startWithReporter(rt, rt.newReporter(client, { user, responseUrl: { url: responseUrl, issuedAt } }), user, start);
}

async function startWithReporter(rt: GenerateRuntime, reporter: ProgressReporter, user: UserRef, start: RunStarter): Promise<StartedRun | undefined> {
  const logger = rt.deps.logger;
  try {
    const started = await start(reporter.listener, reporter.notifyState);
    // Team mode: the worker that takes the run shows its progress in the same place (its notifyState).
    if (!started.queued) reporter.attach(started);
    logger.info({ user: user.userId, runId: started.runId, kind: started.progress.targetKind }, 'generation started');
    return started;
  } catch (err) {
    if (err instanceof VisenError) logger.info({ err: describeForLog(err), user: user.userId }, 'generation not started');
    else logger.error({ err: describeForLog(err), user: user.userId }, 'generation failed to start');
    reporter.showError(userMessageFor(err));
    return undefined;
  }
}
