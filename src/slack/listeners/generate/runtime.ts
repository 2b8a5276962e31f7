import type { WebClient } from '@slack/web-api';
import { describeForLog } from '../../../errors.js';
import type { SlackDeps } from '../../deps.js';
import { postToResponseUrl } from '../../response-url.js';
import { createTimeZoneResolver, type TimeZoneResolver } from '../../time-zone.js';
import { DEFAULT_PROGRESS_POLICY, type ProgressPolicy, ProgressReporter, type ReporterOptions, type ResponseUrlPoster } from './progress-reporter.js';

/**
 * What the generate listeners share for one app: the progress reporters of runs in this process (so Cancel
 * can show "stopping" at once) and the few things tests replace (clock, sleep, the response_url poster,
 * the budget). One per SlackDeps object, created on first use and kept in a WeakMap keyed by that object, so
 * each app (each test's app too) has its own, and it goes when its app does.
 */
export interface GenerateRuntime {
  readonly deps: SlackDeps;
  readonly reporters: Map<string, ProgressReporter>;
  readonly postToResponseUrl: ResponseUrlPoster;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly policy: ProgressPolicy;
  /** Users' time zones for their schedules (kept an hour per user). */
  readonly timeZones: TimeZoneResolver;
  newReporter(client: WebClient, options: Omit<ReporterOptions, 'onRunId' | 'onFinished'>): ProgressReporter;
}

export type RuntimeOverrides = Partial<Pick<GenerateRuntime, 'postToResponseUrl' | 'now' | 'sleep' | 'policy' | 'timeZones'>>;

const runtimes = new WeakMap<SlackDeps, GenerateRuntime>();

export function runtimeFor(deps: SlackDeps): GenerateRuntime {
  let rt = runtimes.get(deps);
  if (!rt) {
    rt = createGenerateRuntime(deps);
    runtimes.set(deps, rt);
  }
  return rt;
}

/** Tests: a runtime with a fake clock or poster, used by every listener built from these deps. */
export function installGenerateRuntime(deps: SlackDeps, overrides: RuntimeOverrides): GenerateRuntime {
  const rt = createGenerateRuntime(deps, overrides);
  runtimes.set(deps, rt);
  return rt;
}

function createGenerateRuntime(deps: SlackDeps, overrides: RuntimeOverrides = {}): GenerateRuntime {
  const reporters = new Map<string, ProgressReporter>();
  const logger = deps.logger.child({ component: 'generate' });
  const rt: GenerateRuntime = {
    deps,
    reporters,
    postToResponseUrl: overrides.postToResponseUrl ?? postToResponseUrl,
    now: overrides.now ?? Date.now,
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    policy: overrides.policy ?? DEFAULT_PROGRESS_POLICY,
    timeZones: overrides.timeZones ?? createTimeZoneResolver({ logger, ...(overrides.now ? { now: overrides.now } : {}) }),
    newReporter(client, options) {
      return new ProgressReporter(
        { client, postToResponseUrl: rt.postToResponseUrl, now: rt.now, sleep: rt.sleep, logger, policy: rt.policy },
        {
          ...options,
          onRunId: (runId, reporter) => reporters.set(runId, reporter),
          onFinished: (runId) => {
            if (runId !== undefined) reporters.delete(runId);
          },
          onNotifyStateChange: (runId, notifyState) => {
            deps.services.generation
              .updateNotifyState(options.user, runId, notifyState)
              .catch((err: unknown) => logger.warn({ err: describeForLog(err), runId }, 'could not remember where the progress message moved'));
          },
        },
      );
    },
  };
  return rt;
}
