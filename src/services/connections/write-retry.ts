import type { Logger } from 'pino';
import { describeForLog, NotionError } from '../../errors.js';
import { type RetryPolicy, withRetries } from '../../retry.js';

/** Writes whose outcome stays unknown are tried this many times (each one checked first where needed). */
export const WRITE_ATTEMPTS = 3;

/** Only a write whose outcome is unknown is tried again; every other failure is final. */
export function isOutcomeUnknown(err: unknown): boolean {
  return err instanceof NotionError && err.code === 'outcome_unknown';
}

/** The policy of a connection row write: up to `WRITE_ATTEMPTS`, again at once (no pause) when the outcome is unknown. */
export const UNKNOWN_OUTCOME_RETRIES: Pick<RetryPolicy, 'attempts' | 'canRetry'> = { attempts: WRITE_ATTEMPTS, canRetry: isOutcomeUnknown };

/** Sends an idempotent write (absolute property values, a trash) again while its outcome is unknown. */
export function resendOnUnknownOutcome<T>(logger: Logger, write: () => Promise<T>): Promise<T> {
  return withRetries(write, {
    ...UNKNOWN_OUTCOME_RETRIES,
    beforeRetry: (err, attempt) => logger.info({ err: describeForLog(err), attempt }, 'connection row update: outcome unknown, sending the same values again'),
  });
}
