// OpenAI's error responses: status, headers and the body `{ error: { message, type, param, code } }`
// (components.schemas.ErrorResponse in OpenAI's OpenAPI document). Statuses, codes and messages follow
// https://platform.openai.com/docs/guides/error-codes and https://help.openai.com/en/articles/6891839-api-error-code-guidance;
// the 429 headers follow https://platform.openai.com/docs/guides/rate-limits.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ErrorReply {
  status: number;
  body: OpenAiErrorBody;
  headers?: Record<string, string>;
}

function reply(status: number, type: string, code: string | null, message: string, headers?: Record<string, string>): ErrorReply {
  return { status, body: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) };
}

/** Like OpenAI, the message shows the start and the last four characters of the key it rejected. */
export function maskKey(key: string): string {
  if (key.length <= 12) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

export function missingKey(): ErrorReply {
  return reply(
    401,
    'invalid_request_error',
    null,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  );
}

export function invalidApiKey(key: string): ErrorReply {
  return reply(
    401,
    'invalid_request_error',
    'invalid_api_key',
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  );
}

export function modelNotFound(model: string): ErrorReply {
  return reply(404, 'invalid_request_error', 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`);
}

export function invalidUrl(method: string, pathname: string): ErrorReply {
  return reply(404, 'invalid_request_error', null, `Invalid URL (${method} ${pathname})`);
}

export function invalidRequest(message: string, param: string | null = null): ErrorReply {
  const r = reply(400, 'invalid_request_error', null, message);
  r.body.error.param = param;
  return r;
}

/** A per-minute request limit: retryable, with `retry-after` (seconds) and `retry-after-ms`. */
export function rateLimited(model: string, retryAfterMs: number): ErrorReply {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return reply(
    429,
    'requests',
    'rate_limit_exceeded',
    `Rate limit reached for ${model} in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    {
      'retry-after': String(seconds),
      'retry-after-ms': String(Math.round(retryAfterMs)),
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${seconds}s`,
    },
  );
}

/** Out of credit or over a spend limit: same 429 status, but waiting does not help, so no retry-after. */
export function insufficientQuota(): ErrorReply {
  return reply(
    429,
    'insufficient_quota',
    'insufficient_quota',
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  );
}

export function serverError(): ErrorReply {
  return reply(500, 'server_error', null, 'The server had an error while processing your request. Sorry about that!');
}
