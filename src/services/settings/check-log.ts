import type { Logger } from 'pino';
import { describeForLog } from '../../errors.js';

/** One log line per live check that failed; the user already sees the message next to the field. */
export function logFailedCheck(log: Logger, check: string, err: unknown): void {
  log.info({ check, err: describeForLog(err) }, 'a settings check failed');
}
