/**
 * Errors cross layers as these types. Each carries a `userMessage` that is safe to show in Slack: it says
 * what happened and what to do, and never holds a secret, a stack trace or raw vendor text. Only the Slack
 * layer turns them into words for the user; everything else logs `describeForLog(err)`.
 */
import { clipForLog } from './log-redaction.js';

/**
 * Every code an error of ours can carry, one union per error class, so that tsc catches a misspelt code where an
 * error is made or tested. A new code is added to its class's union here first.
 */
export type VisenErrorCode = AppErrorCode | UserInputErrorCode | NotionErrorCode | OpenAiErrorCode | StoreErrorCode | SlackStartErrorCode;

/** Codes of a plain VisenError: one of Visen's own rules stopped the work (named for the rule). */
export type AppErrorCode =
  | 'aborted'
  | 'cancelled'
  | 'clear_incomplete'
  | 'empty_answer'
  | 'forbidden'
  | 'invalid_answer'
  | 'not_found'
  | 'property_gone'
  | 'settings_unreadable'
  | 'shutting_down'
  | 'thread_unreadable'
  | 'too_long'
  | 'too_many_candidates'
  | 'too_many_failures';

export class VisenError extends Error {
  constructor(
    readonly code: VisenErrorCode,
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${userMessage}`, options);
    this.name = new.target.name;
  }
}

export type NotionErrorCode =
  | 'unauthorized'
  | 'object_not_found'
  | 'restricted_resource'
  | 'validation_error'
  | 'rate_limited'
  | 'conflict_error'
  | 'unavailable'
  | 'timeout'
  | 'outcome_unknown'
  | 'unknown';

/** A failure answered by a vendor's HTTP API: its code, and the HTTP status when there was an answer. */
abstract class VendorError<Code extends VisenErrorCode> extends VisenError {
  constructor(
    override readonly code: Code,
    userMessage: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(code, userMessage, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

export class NotionError extends VendorError<NotionErrorCode> {}

export type OpenAiErrorCode =
  | 'unauthorized'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'model_not_found'
  | 'timeout'
  | 'stream_cut'
  | 'unavailable'
  | 'bad_endpoint'
  /** The outbound policy refused the base URL's address, or a redirect (VISEN_BASE_URL_ALLOW). */
  | 'endpoint_not_allowed'
  | 'unknown';

export class OpenAiError extends VendorError<OpenAiErrorCode> {}

export type StoreErrorCode = 'locked' | 'unavailable';

export class StoreError extends VisenError {
  constructor(
    override readonly code: StoreErrorCode,
    userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(code, userMessage, options);
  }
}

export type UserInputErrorCode = 'user_input';

/** An error the user caused and can fix (bad input, missing settings): shown as is, logged at info. */
export class UserInputError extends VisenError {
  override readonly code: UserInputErrorCode = 'user_input';
  constructor(
    userMessage: string,
    readonly field?: string,
  ) {
    super('user_input', userMessage);
  }
}

export const GENERIC_USER_MESSAGE =
  'Something went wrong on our side. Please try again in a moment; if it keeps happening, ask whoever runs Visen to check its log.';

/** The message to show a user for any error: ours verbatim, anything else generic. */
export function userMessageFor(err: unknown): string {
  return err instanceof VisenError ? err.userMessage : GENERIC_USER_MESSAGE;
}

/**
 * Fields that are safe to log. Vendor SDK errors can carry request headers (with the bearer token), so we
 * never log the raw object: only names, codes, statuses, our own messages and the stack of our own errors.
 */
export function describeForLog(err: unknown): Record<string, unknown> {
  if (err instanceof VisenError) {
    const cause = err.cause;
    return {
      type: err.name,
      code: err.code,
      message: err.userMessage,
      ...(hasStatus(err) ? { status: err.status } : {}),
      ...(cause !== undefined ? { cause: describeCause(cause) } : {}),
    };
  }
  return describeCause(err);
}

function hasStatus(err: unknown): err is { status: number } {
  return typeof (err as { status?: unknown }).status === 'number';
}

function describeCause(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; status?: unknown };
    return {
      type: e.name,
      ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: clipForLog(String(e.code), 100) } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
      message: clipForLog(e.message),
      stack: e.stack ? stackFrames(e.stack, `${e.name}: ${e.message}`) : undefined,
    };
  }
  return { type: typeof err };
}

/** Frames the stack keeps at most: where it was thrown and its callers, enough to find the line. */
const MAX_STACK_FRAMES = 12;

/**
 * Only the stack's "at …" lines, which name our code: its first line repeats the message, which may hold an
 * upstream's whole answer (a 5 MB error page once made one log line of 10 MiB).
 */
function stackFrames(stack: string, header: string): string | undefined {
  const frames: string[] = [];
  const afterHeader = stack.startsWith(header) ? stack.slice(header.length) : stack;
  for (const line of afterHeader.slice(0, 20_000).split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    frames.push(clipForLog(line.trim(), 300));
    if (frames.length >= MAX_STACK_FRAMES) break;
  }
  return frames.length > 0 ? frames.join('\n') : undefined;
}

export { clipForLog, redactSecrets } from './log-redaction.js';

export type SlackStartErrorCode = 'slack_token_rejected' | 'slack_tokens_mismatch' | 'slack_unreachable' | 'start_cancelled';

/** Slack refused a token, or could not be reached, while Visen was starting: the message names the variable and the fix. */
export class SlackStartError extends VisenError {
  constructor(
    override readonly code: SlackStartErrorCode,
    userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(code, userMessage, options);
  }
}
