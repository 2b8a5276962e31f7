/**
 * OpenAI SDK errors -> OpenAiError with a userMessage that says what happened and what to do. Statuses and
 * codes per https://platform.openai.com/docs/guides/error-codes. A userMessage never holds the key or the
 * provider's own text (OpenAI's 401 message echoes part of the key); the provider's text goes only into
 * the cause, with the key cut out, for the log.
 */
import { APIConnectionTimeoutError, APIError } from 'openai';
import { OpenAiError, type OpenAiErrorCode } from '../../errors.js';
import { clipForLog } from '../../log-redaction.js';
import { findOutboundRefusal, type OutboundRefusedError } from '../net/guarded-fetch.js';
import { describeClass } from '../net/outbound-policy.js';
import { BILLING_CODES, connectionErrorCode } from './fetch-for-call.js';

export interface Endpoint {
  /** Normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  /** host[:port] only: never a path, query or credentials. */
  readonly host: string;
  /** True for OpenAI's own API. */
  readonly isOpenAi: boolean;
}

export function endpointOf(baseUrl: string): Endpoint {
  const trimmed = baseUrl.replace(/\/+$/, '');
  let host: string;
  try {
    host = new URL(trimmed).host || 'the configured endpoint';
  } catch {
    host = 'the configured endpoint';
  }
  return { baseUrl: trimmed, host, isOpenAi: host === 'api.openai.com' };
}

/** "OpenAI" or "the server at `host`". */
function who(e: Endpoint): string {
  return e.isOpenAi ? 'OpenAI' : `The server at \`${e.host}\``;
}

export const userMessages = {
  unauthorized: (e: Endpoint) =>
    e.isOpenAi
      ? 'OpenAI rejected your API key. Check it in `/visen settings` (a new key from platform.openai.com/api-keys works right away).'
      : `The server at \`${e.host}\` rejected your API key. Check the key and the base URL in \`/visen settings\`.`,
  forbidden: (e: Endpoint) =>
    `${who(e)} refused this request for your API key (it may lack access to this model or project). Check the key's permissions, or pick another model in \`/visen settings\`.`,
  quota: (e: Endpoint) =>
    e.isOpenAi
      ? 'Your OpenAI account has run out of credit (insufficient_quota). Add credit or use another key in `/visen settings`.'
      : `The server at \`${e.host}\` says your account has run out of credit (insufficient_quota). Add credit or use another key in \`/visen settings\`.`,
  rateLimited: (e: Endpoint) =>
    `${who(e)} is rate-limiting your API key right now (rate_limit_exceeded), even after Visen waited and retried. Wait a minute and try again, or use a key with higher limits in \`/visen settings\`.`,
  modelNotFound: (e: Endpoint, model: string, available?: readonly string[]) =>
    `The model \`${model}\` does not exist on your ${e.isOpenAi ? 'OpenAI endpoint' : `endpoint \`${e.host}\``}. Pick one it lists in \`/visen settings\`${
      available && available.length > 0 ? `, for example ${available.map((m) => `\`${m}\``).join(', ')}` : ''
    }.`,
  timeout: (e: Endpoint, idleMs: number) =>
    `${who(e)} sent nothing for ${formatSeconds(idleMs)}, so Visen stopped waiting. Try again in a moment; if it keeps happening, pick a faster model or check the endpoint in \`/visen settings\`.`,
  streamCut: (e: Endpoint) =>
    `The answer from ${e.isOpenAi ? 'OpenAI' : `\`${e.host}\``} broke off half way (the connection closed before it finished), so it is incomplete. Run it again.`,
  unavailable: (e: Endpoint, status?: number) =>
    `${who(e)} had a server error${status ? ` (HTTP ${status})` : ''} and still failed after Visen retried. Try again in a few minutes${e.isOpenAi ? ' (status.openai.com lists incidents)' : ''}.`,
  unreachable: (e: Endpoint) =>
    e.isOpenAi
      ? 'Visen could not reach OpenAI (api.openai.com). Check the internet connection of the machine Visen runs on, then try again.'
      : `Visen could not reach \`${e.host}\`. Check that the server is running and that the base URL in \`/visen settings\` is right.`,
  badEndpoint: (e: Endpoint, why: string) =>
    `No OpenAI-compatible API answered at \`${e.host}\` (${why}). Check the base URL in \`/visen settings\` (it usually ends in /v1) and that the server is running.`,
  promptTooLong: (model: string) =>
    `The prompt is too long for the model \`${model}\` (context_length_exceeded). Shorten the prompt or template, or pick a model with a larger context window in \`/visen settings\`.`,
  notAllowed: (refused: OutboundRefusedError) => {
    const r = refused.refusal;
    if (refused.redirect || !r) {
      const to = refused.redirect?.location ? ` to \`${refused.redirect.location}\`` : '';
      return `The server answered with a redirect (HTTP ${refused.redirect?.status ?? 'unknown'})${to}. Visen does not follow redirects from a base URL, so that requests with your key go only where you pointed them. If that is the right server, enter its address as the base URL in \`/visen settings\`.`;
    }
    const what = `\`${r.host}\` (${r.address && r.address !== r.host ? `${r.address}, ` : ''}${describeClass(r.addressClass)})`;
    return r.allowable
      ? `Visen is not allowed to connect to ${what}. Ask whoever runs Visen to allow it with VISEN_BASE_URL_ALLOW, or use a public endpoint.`
      : `Visen never connects to ${what}, whatever the settings say. Use the address of your model server instead.`;
  },
  unknown: (e: Endpoint, status?: number) =>
    `${who(e)} returned an unexpected error${status ? ` (HTTP ${status})` : ''}. Try again; if it keeps happening, ask whoever runs Visen to check its log.`,
};

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** What the log may see of a provider error: status, code, type, request id and its text minus the key. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly type: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/**
 * The provider's text, cut to a few hundred characters with any part of the key removed: a hostile or broken
 * server can answer with megabytes, and providers echo keys back (OpenAI's 401 shows the key's ends).
 */
export function safeCause(err: unknown, apiKey: string): Error {
  const scrub = (text: string) => clipForLog(apiKey ? text.slice(0, 4_000).split(apiKey).join('[redacted]') : text);
  if (err instanceof APIError) {
    return new ProviderError(
      scrub(`${err.constructor.name}: ${err.message}`),
      err.status,
      typeof err.code === 'string' ? err.code : undefined,
      err.type,
      err.requestID ?? undefined,
    );
  }
  if (err instanceof Error) {
    const code = connectionErrorCode(err);
    return new ProviderError(scrub(`${err.name}: ${err.message}`), undefined, code, undefined, undefined);
  }
  return new ProviderError('non-error thrown', undefined, undefined, undefined, undefined);
}

export interface FailureContext {
  readonly endpoint: Endpoint;
  readonly apiKey: string;
  readonly operation: 'models' | 'chat';
  readonly model?: string;
  /** The idle limit, for the timeout message. */
  readonly idleMs: number;
  /** True once the response to a chat request began streaming. */
  readonly streaming?: boolean;
}

function fail(code: OpenAiErrorCode, message: string, err: unknown, ctx: FailureContext, status?: number): OpenAiError {
  return new OpenAiError(code, message, { cause: safeCause(err, ctx.apiKey), ...(status !== undefined ? { status } : {}) });
}

/** Maps an SDK (or fetch) error to our OpenAiError. */
export function toOpenAiError(err: unknown, ctx: FailureContext): OpenAiError {
  if (err instanceof OpenAiError) return err;
  const e = ctx.endpoint;
  if (err instanceof APIConnectionTimeoutError) return fail('timeout', userMessages.timeout(e, ctx.idleMs), err, ctx);

  if (err instanceof APIError && typeof err.status === 'number') return fromHttpAnswer(err, err.status, ctx);

  // Once the answer streams, any failure (socket closed, a `data: {"error": ...}` event, which the SDK throws
  // as an APIError without a status) leaves the text incomplete.
  if (ctx.streaming) return fail('stream_cut', userMessages.streamCut(e), err, ctx);
  // Connection failures before any answer (the SDK retried those it could).
  if (err instanceof APIError || err instanceof TypeError) return unreachable(err, ctx);
  return fail('unknown', userMessages.unknown(e), err, ctx);
}

/** An HTTP answer that is an error: the status, OpenAI's code and the shape of the body say which of ours it is. */
function fromHttpAnswer(err: APIError, status: number, ctx: FailureContext): OpenAiError {
  const e = ctx.endpoint;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const openAiShaped = err.error !== undefined && err.error !== null && typeof err.error === 'object';
  if (status === 401 || status === 403 || status === 429) return refused(err, status, code, ctx);
  // Compatible servers word an unknown model differently (Ollama: `model "x" not found`, 404).
  if (code === 'model_not_found' || (ctx.model && mentionsMissingModel(err))) {
    return fail('model_not_found', userMessages.modelNotFound(e, ctx.model ?? 'you chose'), err, ctx, status);
  }
  if (status === 404) {
    // e.g. OpenAI's `Invalid URL (GET /models)` when the base URL lacks /v1, or any web server's 404 page.
    return fail(
      'bad_endpoint',
      userMessages.badEndpoint(e, `it has no ${ctx.operation === 'models' ? '/models' : '/chat/completions'} endpoint`),
      err,
      ctx,
      status,
    );
  }
  if (code === 'context_length_exceeded') return fail('unknown', userMessages.promptTooLong(ctx.model ?? 'you chose'), err, ctx, status);
  if (status >= 500) return fail('unavailable', userMessages.unavailable(e, status), err, ctx, status);
  if (!openAiShaped && status >= 400)
    return fail('bad_endpoint', userMessages.badEndpoint(e, `it answered HTTP ${status} in a format that is not the OpenAI API`), err, ctx, status);
  return fail('unknown', userMessages.unknown(e, status), err, ctx, status);
}

/** 401/403: the key is not let in; 429: out of quota (a billing code) or asked to slow down. */
function refused(err: APIError, status: 401 | 403 | 429, code: string | undefined, ctx: FailureContext): OpenAiError {
  const e = ctx.endpoint;
  if (status === 401) return fail('unauthorized', userMessages.unauthorized(e), err, ctx, status);
  if (status === 403) return fail('unauthorized', userMessages.forbidden(e), err, ctx, status);
  if (BILLING_CODES.has(code ?? '') || BILLING_CODES.has(err.type ?? '')) return fail('quota_exceeded', userMessages.quota(e), err, ctx, status);
  return fail('rate_limited', userMessages.rateLimited(e), err, ctx, status);
}

/** Some compatible servers answer an unknown model with a 400 and words instead of a code. */
function mentionsMissingModel(err: APIError): boolean {
  const message = String((err.error as { message?: unknown } | undefined)?.message ?? '');
  return (
    /model/i.test(message) && /(not found|does not exist|not exist|unknown model|no such model)/i.test(message) && (err.status === 400 || err.status === 404)
  );
}

/** A connection that failed before any answer: a bad base URL, or (for OpenAI itself) the network. */
export function unreachable(err: unknown, ctx: FailureContext): OpenAiError {
  const e = ctx.endpoint;
  const refused = findOutboundRefusal(err);
  if (refused) return fail('endpoint_not_allowed', userMessages.notAllowed(refused), err, ctx);
  const code = connectionErrorCode(err);
  if (e.isOpenAi) return fail('unavailable', userMessages.unreachable(e), err, ctx);
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'the host name does not resolve'
        : code && /CERT|TLS|SSL/.test(code)
          ? 'a secure (TLS) connection could not be made'
          : undefined;
  return fail('bad_endpoint', why ? userMessages.badEndpoint(e, why) : userMessages.unreachable(e), err, ctx);
}
