// The Web API at `/api/<method>` (https://docs.slack.dev/apis/web-api/): errors are HTTP 200 `{ ok: false, error }`
// except rate limits (429). Tokens come in `Authorization: Bearer ...` or as the `token` argument
// (https://docs.slack.dev/authentication/tokens); app-level tokens (xapp-) work only for apps.connections.*, and
// a bot token does not work there: both answer `not_allowed_token_type`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArguments, readBody, sendJson } from './http-body.js';
import { chatGetPermalink, chatPostEphemeral, chatPostMessage, chatUpdate } from './methods/chat.js';
import { appsConnectionsOpen, authTest } from './methods/connections.js';
import { conversationsInfo, conversationsOpen, conversationsReplies } from './methods/conversations.js';
import type { ApiContext, MethodResult, MethodSpec } from './methods/method.js';
import { usersInfo } from './methods/users.js';
import { viewsOpen, viewsPublish, viewsPush, viewsUpdate } from './methods/views.js';
import type { AnyObject } from './types.js';

/** Every method the stand-in implements; any other name answers `unknown_method`. */
export const METHODS: Readonly<Record<string, MethodSpec>> = {
  'auth.test': authTest,
  'apps.connections.open': appsConnectionsOpen,
  'conversations.open': conversationsOpen,
  'conversations.info': conversationsInfo,
  'conversations.replies': conversationsReplies,
  'users.info': usersInfo,
  'chat.postMessage': chatPostMessage,
  'chat.getPermalink': chatGetPermalink,
  'chat.postEphemeral': chatPostEphemeral,
  'chat.update': chatUpdate,
  'views.open': viewsOpen,
  'views.push': viewsPush,
  'views.update': viewsUpdate,
  'views.publish': viewsPublish,
};

interface Outcome {
  status: number;
  headers?: Record<string, string>;
  body: AnyObject;
  /** Recorded in `failures` when set. */
  failure?: string;
}

export async function handleWebApi(method: string, request: IncomingMessage, response: ServerResponse, ctx: ApiContext): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const raw = await readBody(request);
  const parsed = parseArguments(request.headers['content-type'], raw, url.searchParams);
  const args: AnyObject = parsed.ok ? parsed.args : {};
  const headerToken = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const argumentToken = typeof args.token === 'string' ? args.token : undefined;
  delete args.token;
  const token = headerToken ?? argumentToken;

  ctx.records.checkForbidden(args, `Web API ${method}`);
  const outcome = decide();
  ctx.records.apiCalls.push({
    method,
    token,
    body: args,
    at: Date.now(),
    ok: outcome.body.ok === true,
    error: outcome.body.ok === true ? undefined : String(outcome.body.error),
    httpStatus: outcome.status,
  });
  if (outcome.failure) ctx.records.fail(outcome.failure);
  sendJson(response, outcome.status, outcome.body, outcome.headers);

  function decide(): Outcome {
    const spec = METHODS[method];
    const refuse = (error: string, why?: string): Outcome => ({
      status: 200,
      body: { ok: false, error },
      failure: `Web API ${method}: ${error}${why ? ` (${why})` : ''}`,
    });
    if (!spec) return refuse('unknown_method', `the stand-in implements ${Object.keys(METHODS).join(', ')}`);
    if (!parsed.ok) return refuse(parsed.error, parsed.detail);

    if (!token) return refuse('not_authed', 'no token in the Authorization header or the token argument');
    const tokenType = token === ctx.identity.botToken ? 'bot' : token === ctx.identity.appToken ? 'app' : undefined;
    if (!tokenType) return refuse('invalid_auth', `unknown ${token.slice(0, 5)}... token`);
    if (tokenType !== spec.token) return refuse('not_allowed_token_type', `${method} takes a ${spec.token} token, got the ${tokenType} token`);
    // apps.connections.open: "you will need to pass this token in the HTTP Authorization header"; JSON bodies
    // cannot carry the token either (https://docs.slack.dev/apis/web-api/#json).
    if (!headerToken && (spec.token === 'app' || parsed.json)) return refuse('not_authed', 'token must be in the Authorization header here');

    // A call without the scope the method needs (https://docs.slack.dev/apis/web-api/#responses, e.g.
    // https://docs.slack.dev/reference/methods/conversations.replies): `missing_scope` with the scope `needed` and
    // the token's scopes `provided`, comma-separated. An outcome the app must handle, not a protocol violation.
    const needed = spec.scope?.(args, ctx);
    if (needed && !ctx.identity.grantedScopes.has(needed)) {
      return { status: 200, body: { ok: false, error: 'missing_scope', needed, provided: [...ctx.identity.grantedScopes].join(',') } };
    }
    const retryAfter = ctx.rateLimiter.take(method, spec.tier);
    if (retryAfter !== undefined) return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { ok: false, error: 'ratelimited' } };

    const fault = ctx.faults.take(method);
    if (fault) return { status: fault.status, headers: fault.headers, body: fault.body };

    const result: MethodResult = spec.handle(args, ctx);
    if (result.ok) return { status: 200, body: { ok: true, ...result.body } };
    const body = { ok: false, error: result.error, ...result.extra };
    return result.expected ? { status: 200, body } : { ...refuse(result.error, result.detail), body };
  }
}
