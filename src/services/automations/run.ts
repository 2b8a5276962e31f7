import type { Logger } from 'pino';
import { describeForLog, NotionError, OpenAiError, userMessageFor } from '../../errors.js';
import type { GenerationRequest, GenerationService, RunProgress } from '../generation/types.js';
import type { AutomationRecord } from './store.js';
import type { AutomationRunReport } from './types.js';

/** Links to written rows or pages kept in a report (the newest). */
const REPORTED_LINKS_MAX = 10;

/** How an automatic run ended: its final progress, or the error that kept it from starting. */
export type AutomaticRunEnd =
  | { readonly started: true; readonly runId: string; readonly progress: RunProgress }
  | { readonly started: false; readonly error: unknown };

/** Runs the connection through the generation service with its owner's settings and waits for the end. */
export async function runAutomatically(
  generation: GenerationService,
  automation: AutomationRecord,
  request: Partial<GenerationRequest>,
  logger: Logger,
): Promise<AutomaticRunEnd> {
  let resolveEnd: (progress: RunProgress) => void = () => undefined;
  const ended = new Promise<RunProgress>((resolve) => (resolveEnd = resolve));
  const listener = (progress: RunProgress) => {
    if (progress.state === 'succeeded' || progress.state === 'failed' || progress.state === 'cancelled') resolveEnd(progress);
  };
  try {
    const started = await generation.start(automation.owner, { ...automation.request, ...request, automatic: true }, listener, { automation: automation.id });
    return { started: true, runId: started.runId, progress: await ended };
  } catch (err) {
    logger.info({ err: describeForLog(err), automation: automation.id }, 'an automatic run could not start');
    return { started: false, error: err };
  }
}

/**
 * A paused automation's automatic run in progress stops too, on whichever worker runs it (team mode: the user's runs
 * on every worker, cancelled through RunControl). A run that cannot be reached now is logged; the pause stands.
 */
export async function cancelAutomaticRuns(generation: GenerationService, automation: AutomationRecord, logger: Logger): Promise<void> {
  try {
    const runs = await generation.runsInProgress(automation.owner);
    for (const run of runs.filter((r) => r.automatic && r.connectionId === automation.id)) {
      const stopping = await generation.cancel(automation.owner, run.runId);
      logger.info({ automation: automation.id, runId: run.runId, stopping }, 'the paused automation’s run is cancelled');
    }
  } catch (err) {
    logger.warn({ err: describeForLog(err), automation: automation.id }, 'could not cancel the run of a paused automation');
  }
}

/** True when the run failed because the owner's Notion secret or model key no longer works. */
export function failedOnCredentials(end: AutomaticRunEnd): boolean {
  if (!end.started) return (end.error instanceof NotionError || end.error instanceof OpenAiError) && end.error.code === 'unauthorized';
  return end.progress.state === 'failed' && end.progress.errorCode === 'unauthorized';
}

/** A run counts as failed when it did not start, or ended failed (rows failing included). */
export function runFailed(end: AutomaticRunEnd): boolean {
  return !end.started || end.progress.state === 'failed';
}

/** The report an owner is told about; undefined when the run wrote and failed nothing (quiet). */
export function reportOf(automation: AutomationRecord, end: AutomaticRunEnd, at: { startedAt: string; finishedAt: string; lateFor?: string | undefined }) {
  const written = end.started ? end.progress.done : 0;
  const failed = end.started ? end.progress.failed + (end.progress.state === 'failed' && end.progress.failed === 0 ? 1 : 0) : 1;
  if (written === 0 && failed === 0) return undefined;
  const reason = end.started ? end.progress.error : userMessageFor(end.error);
  const report: Omit<AutomationRunReport, 'automation' | 'owner'> = {
    startedAt: at.startedAt,
    finishedAt: at.finishedAt,
    written,
    failed,
    writtenLinks: end.started ? end.progress.written.slice(-REPORTED_LINKS_MAX) : [],
    failures: failed > 0 && reason ? [{ title: automation.connectionName, reason }] : [],
    ...(at.lateFor ? { lateFor: at.lateFor } : {}),
    ...(end.started && end.progress.tokens ? { tokens: { prompt: end.progress.tokens.prompt, completion: end.progress.tokens.completion } } : {}),
  };
  return report;
}
