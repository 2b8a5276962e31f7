import type { Logger } from 'pino';
import { describeForLog } from '../../errors.js';

/** One log line per live check that failed; the user already sees the message next to the field. */
export function logFailedCheck(logger: Logger, check: string, err: unknown): void {
  logger.info({ check, err: describeForLog(err) }, 'a settings check failed');
}
