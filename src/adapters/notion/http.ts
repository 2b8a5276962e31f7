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
 *
 * - A Retry-After beyond MAX_RETRY_AFTER_MS (60 s) is not waited for: that call fails at once with the wait in
 *   words, and the limiter refuses this secret's requests (at once, with the same message) for at most 60 s.
 *   A `Retry-After: 999999` once paused one user's every request for 11.6 days.
 *
 * Attempts and total time are bounded, and so is every wait for the limiter (the call's deadline): a request
 * that cannot get a slot in time fails with a message instead of waiting on. Each attempt reads the whole body inside its own timeout and hands the SDK
 * a finished response, so a stalled body is a timeout here rather than a hang in the SDK.
 *
 * Why not p-retry: its `retries`/`factor` schedule is fine for 5xx, but a 429 must wait exactly until
 * Retry-After on the shared limiter, and the decision depends on the response (status and header) and on the method,
 * which would all be threaded through p-retry's exceptions-as-control-flow. The loop below is shorter and says
 * what it does.
 */
import type { Client } from '@notionhq/client';
import type { Logger } from 'pino';
import { NotionError } from '../../errors.js';
import { readAtMost } from '../../http-body.js';
import { askedToWaitTooLong, NOTION_MESSAGES, noRequestSlotInTime } from './errors.js';
import { LimiterWaitError, type RateLimiter } from './rate-limiter.js';

/** The `fetch` option of the Notion Client. */
export type NotionFetch = NonNullable<NonNullable<ConstructorParameters<typeof Client>[0]>['fetch']>;
type NotionFetchInit = Parameters<NotionFetch>[1];
type NotionFetchResponse = Awaited<ReturnType<NotionFetch>>;

export interface LimitedFetchOptions {
  readonly limiter: RateLimiter;
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

export const HTTP_DEFAULTS = {
  attemptTimeoutMs: 30_000,
  maxAttempts: 6,
  maxTotalMs: 90_000,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
} as const;

/**
 * The longest Retry-After honoured by waiting. Notion's answers are a few seconds, and "can pass a minute" only
 * under the per-workspace limit (https://developers.notion.com/reference/request-limits); past this, a user is
 * better told to come back than left looking at a request that does not move.
 */
export const MAX_RETRY_AFTER_MS = 60_000;
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

export function createLimitedFetch(options: LimitedFetchOptions): NotionFetch {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? HTTP_DEFAULTS.attemptTimeoutMs;
  const maxAttempts = options.maxAttempts ?? HTTP_DEFAULTS.maxAttempts;
  const maxTotalMs = options.maxTotalMs ?? HTTP_DEFAULTS.maxTotalMs;
  const random = options.random ?? Math.random;
  const backoff = (attempt: number) =>
    backoffDelay(attempt, { baseMs: options.baseDelayMs ?? HTTP_DEFAULTS.baseDelayMs, maxMs: options.maxDelayMs ?? HTTP_DEFAULTS.maxDelayMs, random });
  const { limiter, logger } = options;

  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const path = pathOf(url);
    const read = isReadRequest(method, path);
    const deadline = Date.now() + maxTotalMs;
    for (let attempt = 1; ; attempt++) {
      const refund = await acquireBefore(limiter, deadline);
      const last = attempt >= maxAttempts;
      let response: NotionFetchResponse;
      try {
        response = await attemptOnce(fetchImpl, url, init, method, attemptTimeoutMs);
      } catch (err) {
        const timedOut = err instanceof AttemptTimeoutError;
        if (!read && !neverSent(err)) {
          logger.warn({ notion: { method, path, attempt, timedOut } }, 'Notion write: no answer, outcome unknown');
          throw new NotionError('outcome_unknown', NOTION_MESSAGES.outcomeUnknown, { cause: err });
        }
        const wait = backoff(attempt);
        if (last || Date.now() + wait > deadline) {
          throw timedOut
            ? new NotionError('timeout', NOTION_MESSAGES.timeout, { cause: err })
            : new NotionError('unavailable', NOTION_MESSAGES.unreachable, { cause: err });
        }
        logger.info({ notion: { method, path, attempt, timedOut, waitMs: wait } }, 'Notion: no answer, retrying');
        await sleep(wait);
        continue;
      }

      const { status } = response;
      if (RETRY_LATER.has(status)) {
        // Not counted by Notion: the token goes back, and everyone of this secret waits for Retry-After.
        refund();
        const retryAfterMs = parseRetryAfter(headerOf(response.headers, 'retry-after'), Date.now());
        if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
          logger.warn({ notion: { method, path, status, attempt, retryAfterMs } }, 'Notion: asked to wait too long, not waiting');
          const askedUntil = Date.now() + retryAfterMs;
          const refusal = () => new NotionError('rate_limited', askedToWaitTooLong(askedUntil - Date.now()), { status });
          limiter.refuseUntil(askedUntil, refusal);
          throw refusal();
        }
        const wait = retryAfterMs !== undefined ? retryAfterMs + Math.floor(random() * 250) : backoff(attempt);
        limiter.pauseUntil(Date.now() + wait);
        if (last || Date.now() + wait > deadline) {
          logger.warn({ notion: { method, path, status, attempt, retryAfterMs } }, 'Notion: still limited, giving up');
          return response;
        }
        logger.info({ notion: { method, path, status, attempt, waitMs: wait } }, 'Notion: limited, waiting for Retry-After');
        continue;
      }
      if (SERVER_ERRORS.has(status)) {
        if (!read) {
          logger.warn({ notion: { method, path, status, attempt } }, 'Notion write: server error, outcome unknown');
          throw new NotionError('outcome_unknown', serverErrorOnWrite(status), { status });
        }
        const wait = backoff(attempt);
        if (last || Date.now() + wait > deadline) return response;
        logger.info({ notion: { method, path, status, attempt, waitMs: wait } }, 'Notion: server error, retrying');
        await sleep(wait);
        continue;
      }
      return response;
    }
  };
}

/** A slot from the limiter before the call's deadline, else a NotionError saying so. */
async function acquireBefore(limiter: RateLimiter, deadline: number) {
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

/** Exponential backoff with "equal jitter": half the step fixed, half random. */
export function backoffDelay(attempt: number, o: { baseMs: number; maxMs: number; random: () => number }): number {
  const step = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + o.random() * (step / 2));
}

class AttemptTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

async function attemptOnce(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: NonNullable<NotionFetchInit>,
  method: string,
  timeoutMs: number,
): Promise<NotionFetchResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetchImpl(url, {
      method,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
