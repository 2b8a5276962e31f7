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
    const notify = parseNotifyState(state);
    const user = notify?.user ?? progress.user;
    const sameUser = user.userId === progress.user.userId && user.teamId === progress.user.teamId;
    const reporter = rt.newReporter(client, {
      user: progress.user,
      responseUrl: sameUser ? notify?.responseUrl : undefined,
      dm: sameUser ? notify?.dm : undefined,
      afterRestart: true,
    });
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
