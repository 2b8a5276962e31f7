import { readAtMost } from '../../http-body.js';
import { OUTBOUND_REFUSED } from '../net/guarded-fetch.js';
import type { CallContext } from './call-context.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * An answer asking us to wait longer than this is handed back at once instead of being slept through. The
 * openai SDK (v6) sleeps for whatever `retry-after-ms` or `retry-after` says, uncapped and deaf to our abort
 * signal, on every status it retries (408, 409, 429, 5xx): a `Retry-After: 999999` would hold the call 11.6
 * days. OpenAI's own waits are seconds (https://platform.openai.com/docs/guides/rate-limits).
 */
export const MAX_RETRY_WAIT_MS = 20_000;
/**
 * Of an error answer, at most this much is read. OpenAI's error objects are a few hundred bytes
 * (https://platform.openai.com/docs/guides/error-codes); a server's 5 MB error page is not buffered to be logged.
 */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

/**
 * 429 codes that mean "out of credit or over a spend limit": waiting does not help, so the SDK must not retry
 * them (https://platform.openai.com/docs/guides/error-codes; the billing codes share `type: insufficient_quota`).
 */
export const BILLING_CODES = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
]);

/** Connection errors no retry can fix: nothing listens, the host does not exist, TLS cannot work. */
const UNRECOVERABLE_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ERR_INVALID_URL',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  OUTBOUND_REFUSED, // the outbound policy refused the address or a redirect: it will refuse a retry too
]);

/**
 * The fetch the SDK uses for one call. It keeps the call's idle clock running only while we wait on the
 * server, ends the call on a connection error that cannot heal, reads at most MAX_ERROR_BODY_BYTES of an error
 * answer, and tells the SDK (through its `x-should-retry` header) not to retry a quota error or any answer with
 * a Retry-After beyond MAX_RETRY_WAIT_MS. Everything else (429 rate limits, 5xx, network blips) the SDK retries
 * with `maxRetries`, before any token has flowed.
 */
export function fetchForCall(ctx: CallContext, baseFetch: Fetch = globalThis.fetch): Fetch {
  return async (input, init) => {
    ctx.waiting();
    let response: Response;
    try {
      response = await baseFetch(input, init);
    } catch (err) {
      const code = connectionErrorCode(err);
      if (code && UNRECOVERABLE_CONNECTION_CODES.has(code)) ctx.failFatally(err as Error);
      else ctx.notWaiting();
      throw err;
    }
    if (response.ok) {
      ctx.waiting(); // now for the body: the model list, or the first chunk
      return response;
    }
    ctx.notWaiting(); // the SDK reads the error, then throws or sleeps before a retry
    return withRetryAdvice(response);
  };
}

async function withRetryAdvice(response: Response): Promise<Response> {
  const text = await readAtMost(response, MAX_ERROR_BODY_BYTES);
  const headers = new Headers(response.headers);
  // OpenAI's own `x-should-retry: false` stands; its `true` must not make the SDK sleep through an absurd wait.
  if ((response.status === 429 && isBillingError(text)) || retryWaitMs(headers) > MAX_RETRY_WAIT_MS) headers.set('x-should-retry', 'false');
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

function isBillingError(text: string): boolean {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; type?: unknown } }).error;
    return BILLING_CODES.has(String(error?.code)) || BILLING_CODES.has(String(error?.type));
  } catch {
    return false;
  }
}

/** What `retry-after-ms` / `retry-after` (seconds or an HTTP date) ask for; 0 when absent. */
function retryWaitMs(headers: Headers): number {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return ms;
  const after = headers.get('retry-after');
  if (!after) return 0;
  const seconds = Number.parseFloat(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? date - Date.now() : 0;
}

/** undici wraps the system error: `TypeError: fetch failed` with `cause.code` (or an AggregateError's errors). */
export function connectionErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof e.code === 'string') return e.code;
    current = e.cause ?? e.errors?.[0];
  }
  return undefined;
}
