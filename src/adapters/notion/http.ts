/**
 * The `fetch` the Notion SDK is given (`new Client({ fetch, retry: false })`), so that every HTTP attempt, first
 * tries and retries alike, passes the secret's rate limiter, and retries follow Notion's rules:
 *
 * - 429 `rate_limited` and 529 `service_overload`: Notion did not count the request; wait for Retry-After ("an
 *   integer number of seconds"; an HTTP date is accepted too) and send again, for every method. The wait is set on
 *   the limiter, so no request of this secret leaves before it has passed.
 *   https://developers.notion.com/reference/request-limits
 * - 500/502/503/504: retried with exponential backoff and jitter only for reads (GET, and the POST endpoints that
 *   only read: query a data source, search), since a write may have been applied before the error.
 *   https://developers.notion.com/reference/status-codes
 * - A network failure or timeout: a read is retried; a write throws NotionError('outcome_unknown') so the caller
 *   can look before repeating it (nothing is written twice). A connection that was never made (refused, DNS) is
 *   safe to retry for writes too, since nothing reached Notion.
 * - A Retry-After beyond MAX_RETRY_AFTER_MS (60 s) is not waited for: that call fails at once with the wait in
 *   words, and the limiter refuses this secret's requests (at once, with the same message) for at most 60 s.
 *   A `Retry-After: 999999` once paused one user's every request for 11.6 days.
 *
 * Attempts and total time are bounded (numbers in limits.ts), and so is every wait for the limiter (the call's
 * deadline). Each attempt reads the whole body inside its own timeout and hands the SDK a finished response, so a
 * stalled body is a timeout here rather than a hang in the SDK.
 *
 * The request path is small named steps, after notion-sdk-js's `executeWithRetry` / `canRetry` /
 * `calculateRetryDelay`: `sendOnce` makes one attempt and classifies its answer (`noAnswer`, `limited`,
 * `serverError`); a failure a later attempt may cure is a `RetryableAttempt` carrying its wait, and the app's one
 * retry loop (`withRetries`, src/retry.ts) repeats it. Not p-retry: a 429 must wait exactly until Retry-After on
 * the shared limiter, and the decision depends on the status, the header and the method.
 */
import type { Client } from '@notionhq/client';
import type { Logger } from 'pino';
import { NotionError } from '../../errors.js';
import { readAtMost } from '../../http-body.js';
import { backoffDelay, withRetries } from '../../retry.js';
import { askedToWaitTooLong, NOTION_MESSAGES, noRequestSlotInTime } from './errors.js';
import { HTTP_DEFAULTS, MAX_RETRY_AFTER_MS, RETRY_AFTER_JITTER_MS } from './limits.js';
import { LimiterWaitError, type NotionRateLimiter, type Refund } from './rate-limiter.js';

/** The `fetch` option of the Notion Client. */
export type NotionFetch = NonNullable<NonNullable<ConstructorParameters<typeof Client>[0]>['fetch']>;
type NotionFetchInit = NonNullable<Parameters<NotionFetch>[1]>;
type NotionFetchResponse = Awaited<ReturnType<NotionFetch>>;

export interface LimitedFetchOptions {
  readonly limiter: NotionRateLimiter;
  readonly logger: Logger;
  /** The underlying fetch (default: Node's global fetch). */
  readonly fetch?: typeof globalThis.fetch;
  /** One attempt, body included. */
  readonly attemptTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** All attempts and waits of one call. */
  readonly maxTotalMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** For tests: 0..1. */
  readonly random?: () => number;
}

/**
 * Of an error answer, at most this much is read: Notion's error objects are a few hundred bytes
 * (https://developers.notion.com/reference/status-codes); a proxy's 5 MB error page is not buffered to be logged.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

const RETRY_LATER = new Set([429, 529]);
const SERVER_ERRORS = new Set([500, 502, 503, 504]);
/** Socket errors raised before a request could have reached Notion. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** POST endpoints that only read. https://developers.notion.com/reference/query-a-data-source, /reference/post-search */
const READ_POSTS = [/\/v1\/data_sources\/[^/]+\/query$/, /\/v1\/databases\/[^/]+\/query$/, /\/v1\/search$/];

/** The options with their defaults filled in: what every call of one client shares. */
interface FetchPolicy {
  readonly fetchImpl: typeof globalThis.fetch;
  readonly limiter: NotionRateLimiter;
  readonly logger: Logger;
  readonly attemptTimeoutMs: number;
  readonly maxAttempts: number;
  readonly maxTotalMs: number;
  readonly random: () => number;
  readonly backoff: (attempt: number) => number;
}

/** One call of the SDK: its request, whether it only reads, and when its attempts and waits must end. */
interface NotionCall {
  readonly url: string;
  readonly init: NotionFetchInit;
  readonly method: string;
  readonly path: string;
  readonly read: boolean;
  /** Epoch ms. */
  readonly deadline: number;
}

/** An attempt that failed in a way a later one may cure: its wait, its log line, and the call's end if none is left. */
class RetryableAttempt extends Error {
  constructor(
    /** The wait before the next attempt (checked against the call's deadline). */
    readonly waitMs: number,
    /** How much of that wait is slept here; a Retry-After is waited out by the limiter instead. */
    readonly sleepMs: number,
    readonly retryLog: { readonly fields: Record<string, unknown>; readonly message: string },
    /** What the call returns (the last answer, for the SDK to report) or throws when it may not try again. */
    readonly giveUp: () => NotionFetchResponse,
  ) {
    super(retryLog.message);
  }
}

export function createLimitedFetch(options: LimitedFetchOptions): NotionFetch {
  const policy = fetchPolicy(options);
  return (url, init = {}) => sendWithRetries(policy, describeCall(url, init, policy.maxTotalMs));
}

function fetchPolicy(options: LimitedFetchOptions): FetchPolicy {
  const random = options.random ?? Math.random;
  const delays = { baseMs: options.baseDelayMs ?? HTTP_DEFAULTS.baseDelayMs, maxMs: options.maxDelayMs ?? HTTP_DEFAULTS.maxDelayMs, random };
  return {
    fetchImpl: options.fetch ?? globalThis.fetch,
    limiter: options.limiter,
    logger: options.logger,
    attemptTimeoutMs: options.attemptTimeoutMs ?? HTTP_DEFAULTS.attemptTimeoutMs,
    maxAttempts: options.maxAttempts ?? HTTP_DEFAULTS.maxAttempts,
    maxTotalMs: options.maxTotalMs ?? HTTP_DEFAULTS.maxTotalMs,
    random,
    backoff: (attempt) => backoffDelay(attempt, delays),
  };
}

function describeCall(url: string, init: NotionFetchInit, maxTotalMs: number): NotionCall {
  const method = (init.method ?? 'GET').toUpperCase();
  const path = pathOf(url);
  return { url, init, method, path, read: isReadRequest(method, path), deadline: Date.now() + maxTotalMs };
}

/** The retry loop: attempts until an answer is final, the attempts are used up, or the next wait passes the deadline. */
async function sendWithRetries(policy: FetchPolicy, call: NotionCall): Promise<NotionFetchResponse> {
  try {
    return await withRetries((attempt) => sendOnce(policy, call, attempt), {
      attempts: policy.maxAttempts,
      canRetry: (err) => err instanceof RetryableAttempt && Date.now() + err.waitMs <= call.deadline,
      delayMs: (_attempt, err) => (err as RetryableAttempt).sleepMs,
      beforeRetry: (err) => {
        const { fields, message } = (err as RetryableAttempt).retryLog;
        policy.logger.info({ notion: fields }, message);
      },
    });
  } catch (err) {
    if (err instanceof RetryableAttempt) return err.giveUp();
    throw err;
  }
}

/** One attempt: a slot from the limiter, the request, and its answer classified (final, retryable, or a NotionError). */
async function sendOnce(policy: FetchPolicy, call: NotionCall, attempt: number): Promise<NotionFetchResponse> {
  const refund = await acquireBefore(policy.limiter, call.deadline);
  let response: NotionFetchResponse;
  try {
    response = await attemptOnce(policy.fetchImpl, call, policy.attemptTimeoutMs);
  } catch (err) {
    throw noAnswer(policy, call, attempt, err);
  }
  if (RETRY_LATER.has(response.status)) throw limited(policy, call, attempt, response, refund);
  if (SERVER_ERRORS.has(response.status)) throw serverError(policy, call, attempt, response);
  return response;
}

/** No answer (network failure or timeout): a read, or a request that never left, may go again; a write may have landed. */
function noAnswer(policy: FetchPolicy, call: NotionCall, attempt: number, err: unknown): Error {
  const { method, path } = call;
  const timedOut = err instanceof AttemptTimeoutError;
  if (!call.read && !neverSent(err)) {
    policy.logger.warn({ notion: { method, path, attempt, timedOut } }, 'Notion write: no answer, outcome unknown');
    return new NotionError('outcome_unknown', NOTION_MESSAGES.outcomeUnknown, { cause: err });
  }
  const waitMs = policy.backoff(attempt);
  return new RetryableAttempt(waitMs, waitMs, { fields: { method, path, attempt, timedOut, waitMs }, message: 'Notion: no answer, retrying' }, () => {
    throw timedOut
      ? new NotionError('timeout', NOTION_MESSAGES.timeout, { cause: err })
      : new NotionError('unavailable', NOTION_MESSAGES.unreachable, { cause: err });
  });
}

/** 429/529: not counted by Notion, so the token goes back, and everyone of this secret waits for Retry-After. */
function limited(policy: FetchPolicy, call: NotionCall, attempt: number, response: NotionFetchResponse, refund: Refund): Error {
  const { method, path } = call;
  const { status } = response;
  refund();
  const retryAfterMs = parseRetryAfter(headerOf(response.headers, 'retry-after'), Date.now());
  if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
    policy.logger.warn({ notion: { method, path, status, attempt, retryAfterMs } }, 'Notion: asked to wait too long, not waiting');
    return refuseSecretUntil(policy.limiter, Date.now() + retryAfterMs, status);
  }
  const waitMs = retryAfterMs !== undefined ? retryAfterMs + Math.floor(policy.random() * RETRY_AFTER_JITTER_MS) : policy.backoff(attempt);
  policy.limiter.pauseUntil(Date.now() + waitMs);
  const retryLog = { fields: { method, path, status, attempt, waitMs }, message: 'Notion: limited, waiting for Retry-After' };
  return new RetryableAttempt(waitMs, 0, retryLog, () => {
    policy.logger.warn({ notion: { method, path, status, attempt, retryAfterMs } }, 'Notion: still limited, giving up');
    return response;
  });
}

/** Every request of this secret is refused until `askedUntil`, with the wait in words (the limiter caps how long). */
function refuseSecretUntil(limiter: NotionRateLimiter, askedUntil: number, status: number): NotionError {
  const refusal = () => new NotionError('rate_limited', askedToWaitTooLong(askedUntil - Date.now()), { status });
  limiter.refuseUntil(askedUntil, refusal);
  return refusal();
}

/** 5xx: a read is tried again with backoff; a write may have been applied, so it is not repeated blind. */
function serverError(policy: FetchPolicy, call: NotionCall, attempt: number, response: NotionFetchResponse): Error {
  const { method, path } = call;
  const { status } = response;
  if (!call.read) {
    policy.logger.warn({ notion: { method, path, status, attempt } }, 'Notion write: server error, outcome unknown');
    return new NotionError('outcome_unknown', serverErrorOnWrite(status), { status });
  }
  const waitMs = policy.backoff(attempt);
  return new RetryableAttempt(waitMs, waitMs, { fields: { method, path, status, attempt, waitMs }, message: 'Notion: server error, retrying' }, () => response);
}

/** A slot from the limiter before the call's deadline, else a NotionError saying so. */
async function acquireBefore(limiter: NotionRateLimiter, deadline: number): Promise<Refund> {
  try {
    return await limiter.acquire({ deadline });
  } catch (err) {
    if (!(err instanceof LimiterWaitError)) throw err;
    throw new NotionError('rate_limited', noRequestSlotInTime(err.availableAt - Date.now()), { cause: err });
  }
}

/** Reads never change anything in Notion, so they may be repeated after any failure. */
export function isReadRequest(method: string, path: string): boolean {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return true;
  return upper === 'POST' && READ_POSTS.some((pattern) => pattern.test(path));
}

/** Retry-After as milliseconds from `nowMs`: delta-seconds (Notion's form) or an HTTP date; undefined if absent. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT") has a weekday and a month name; "-1" is no date.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

class AttemptTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** One HTTP request, its whole body read within `timeoutMs` (an error body only up to MAX_ERROR_BODY_BYTES). */
async function attemptOnce(fetchImpl: typeof globalThis.fetch, call: NotionCall, timeoutMs: number): Promise<NotionFetchResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetchImpl(call.url, {
      method: call.method,
      ...(call.init.headers ? { headers: call.init.headers } : {}),
      ...(call.init.body !== undefined ? { body: call.init.body } : {}),
      signal: controller.signal,
    });
    const text = response.ok ? await response.text() : await readAtMost(response, MAX_ERROR_BODY_BYTES);
    return { ok: response.ok, status: response.status, headers: response.headers, body: null, text: async () => text };
  } catch (err) {
    if (controller.signal.aborted && controller.signal.reason instanceof AttemptTimeoutError) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NEVER_SENT.has(code);
}

function serverErrorOnWrite(status: number): string {
  return `Notion answered with a server error (${status}) before confirming the change, so Visen cannot tell whether it was saved. Check in Notion before trying again.`;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      if (key.toLowerCase() === name && typeof value === 'string') return value;
    }
  }
  return undefined;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
