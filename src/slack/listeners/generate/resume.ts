import type { WebClient } from '@slack/web-api';
import { describeForLog } from '../../../errors.js';
import type { RunProgress } from '../../../services/generation/types.js';
import { parseNotifyState } from './notify-state.js';
import type { ProgressReporter } from './progress-reporter.js';
import type { GenerateRuntime } from './runtime.js';

/**
 * After a restart: the service resumes interrupted database runs and marks interrupted page runs Failed.
 * Each run's progress continues in a direct message (the same message when the run had one from the start,
 * else a new one that says Visen restarted); a command's response_url that is still valid gets one post
 * (#5, kept back for this) saying where the progress went. Runs the service reports only in its return
 * value (e.g. page runs marked Failed without a listener call) are shown from that value.
 */
export async function resumeInterruptedRuns(rt: GenerateRuntime, client: WebClient): Promise<RunProgress[]> {
  const reporters = new Map<string, ProgressReporter>();
  const reporterFor = (state: unknown, progress: RunProgress): ProgressReporter => {
    const existing = reporters.get(progress.runId);
    if (existing) return existing;
    const reporter = reporterFromNotifyState(rt, client, state, progress, true);
    reporters.set(progress.runId, reporter);
    return reporter;
  };

  let runs: RunProgress[];
  try {
    runs = await rt.deps.services.generation.resumeInterrupted((state, progress) => reporterFor(state, progress).listener);
  } catch (err) {
    rt.deps.logger.error({ err: describeForLog(err) }, 'resuming interrupted runs failed');
    return [];
  }
  for (const progress of runs) {
    const reporter = reporterFor(undefined, progress);
    if (!reporter.hasProgress) reporter.report(progress);
  }
  if (runs.length > 0) rt.deps.logger.info({ runs: runs.length }, 'interrupted runs resumed or reported');
  return runs;
}

/**
 * Team mode, once Slack is connected: this worker takes runs off the team's queue. Each run's progress goes where
 * its notifyState says (the command's response_url, the direct message), as it would on the worker that started it;
 * a run taken over from a worker that died or stopped says so, as after a restart. Runs with no Slack message of
 * their own are followed by their starter and show nothing here.
 */
export async function serveQueuedRuns(rt: GenerateRuntime, client: WebClient): Promise<void> {
  const silent = () => undefined;
  await rt.deps.services.generation.serveQueuedRuns((state, progress, fresh) =>
    parseNotifyState(state) ? reporterFromNotifyState(rt, client, state, progress, !fresh).listener : silent,
  );
}

/** A reporter that continues a run's progress where its notifyState says (only ever its own user's messages). */
function reporterFromNotifyState(rt: GenerateRuntime, client: WebClient, state: unknown, progress: RunProgress, afterRestart: boolean): ProgressReporter {
  const notify = parseNotifyState(state);
  const user = notify?.user ?? progress.user;
  const sameUser = user.userId === progress.user.userId && user.teamId === progress.user.teamId;
  return rt.newReporter(client, {
    user: progress.user,
    responseUrl: sameUser ? notify?.responseUrl : undefined,
    dm: sameUser ? notify?.dm : undefined,
    afterRestart,
  });
}
