import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { SlackStartError } from '../errors.js';
import { toSlackLogger } from '../logger.js';
import { sleep } from '../retry.js';
import { tokenProblem, tokensOfDifferentApps, unreachable } from './token-messages.js';

export interface SlackTokens {
  readonly botToken: string;
  readonly appToken: string;
  /** Web API base ending with a slash; Slack's own when undefined. */
  readonly apiUrl: string | undefined;
}

/** Who the bot token is: handed to Bolt so its constructor makes no auth.test call of its own that nothing awaits. */
export interface BotIdentity {
  readonly botUserId: string;
  readonly botId: string;
}

export interface TokenCheckOptions {
  readonly logger: Logger;
  /** How long to keep retrying while Slack cannot be reached; Infinity waits until it can. */
  readonly waitMs: number;
  /** Aborted when the process is asked to stop while it is still waiting. */
  readonly signal?: AbortSignal;
}

const SLACK_API = 'https://slack.com/api/';
/** Backoff between attempts while Slack is unreachable: 1 s, 2 s, 4 s ... capped at 30 s. */
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/**
 * Checks both tokens with Slack before anything else talks to it, so a wrong token is one clear message
 * instead of a rejection inside Bolt: auth.test for the bot token
 * (https://docs.slack.dev/reference/methods/auth.test) and apps.connections.open for the app token
 * (https://docs.slack.dev/reference/methods/apps.connections.open), the very call Socket Mode makes; its
 * `missing_scope` would otherwise make @slack/socket-mode retry for ever without a word. The URL it returns
 * is single-use and simply expires unused. While Slack cannot be reached, retries with backoff for `waitMs`.
 */
export async function checkSlackTokens(tokens: SlackTokens, options: TokenCheckOptions): Promise<BotIdentity> {
  const clientOptions = {
    ...(tokens.apiUrl ? { slackApiUrl: tokens.apiUrl } : {}),
    // The client's own "http request failed" warning would double our one line per attempt.
    logger: toSlackLogger(options.logger.child({ component: 'slack' }, { level: 'error' })),
    // One attempt per call: the retries, and the one log line per attempt, are ours.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
  };
  const bot = new WebClient(tokens.botToken, clientOptions);
  const app = new WebClient(tokens.appToken, clientOptions);
  const retry = retrier(tokens.apiUrl ?? SLACK_API, options);

  const auth = await retry('auth.test', () => bot.auth.test(), 'SLACK_BOT_TOKEN');
  await retry('apps.connections.open', () => app.apps.connections.open(), 'SLACK_APP_TOKEN');
  const appOfAppToken = appIdOfAppToken(tokens.appToken);
  // auth.test names the bot token's app (`app_id`, in @slack/web-api's AuthTestResponse, generated from
  // recorded answers); the app token carries its app's id in its second part (xapp-1-A0123ABC-...).
  if (auth.app_id && appOfAppToken && auth.app_id !== appOfAppToken) {
    throw new SlackStartError('slack_tokens_mismatch', tokensOfDifferentApps(auth.app_id, appOfAppToken));
  }
  if (!auth.user_id || !auth.bot_id) {
    throw new SlackStartError('slack_token_rejected', tokenProblem('SLACK_BOT_TOKEN', 'not_a_bot_token'));
  }
  return { botUserId: auth.user_id, botId: auth.bot_id };
}

export function appIdOfAppToken(appToken: string): string | undefined {
  return /^xapp-\d+-(A[A-Z0-9]+)-/.exec(appToken)?.[1];
}

type Retry = <T>(method: string, call: () => Promise<T>, variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN') => Promise<T>;

/** One retry loop for both calls; the deadline counts from the first attempt of the check. */
function retrier(apiUrl: string, options: TokenCheckOptions): Retry {
  const startedAt = Date.now();
  let attempt = 0;
  return async (method, call, variable) => {
    for (;;) {
      attempt += 1;
      if (options.signal?.aborted) throw cancelled();
      try {
        return await call();
      } catch (err) {
        const transient = transientReason(err);
        if (transient === undefined) throw new SlackStartError('slack_token_rejected', tokenProblem(variable, platformCode(err)), { cause: err });
        const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1), retryAfterMs(err));
        const elapsedMs = Date.now() - startedAt;
        if (elapsedMs + delayMs > options.waitMs) {
          throw new SlackStartError('slack_unreachable', unreachable(apiUrl, transient, attempt, elapsedMs), { cause: err });
        }
        options.logger.warn({ method, attempt, reason: transient, retryInSeconds: delayMs / 1000 }, 'Slack cannot be reached yet; retrying');
        await sleep(delayMs, options.signal);
        if (options.signal?.aborted) throw cancelled();
      }
    }
  };
}

/** Platform errors that mean "try again later" rather than "this token is wrong". */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** Why a failed call may succeed later (network, Slack having trouble), or undefined when Slack refused it. */
function transientReason(err: unknown): string | undefined {
  if (err instanceof WebAPIRequestError) {
    // fetch wraps the reason (ENOTFOUND, ECONNREFUSED, ETIMEDOUT...) in its `cause`.
    const original = err.original as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const detail = original.code ?? original.cause?.code ?? original.cause?.message;
    return detail ? `${original.message}: ${detail}` : original.message;
  }
  if (err instanceof WebAPIRateLimitedError) return `rate limited for ${err.retryAfter} s`;
  if (err instanceof WebAPIHTTPError && (err.statusCode >= 500 || err.statusCode === 408)) return `HTTP ${err.statusCode}`;
  if (err instanceof WebAPIPlatformError && TRANSIENT_PLATFORM_ERRORS.has(err.data.error)) return err.data.error;
  return undefined;
}

function platformCode(err: unknown): string {
  if (err instanceof WebAPIPlatformError) return err.data.error;
  if (err instanceof WebAPIHTTPError) return `http_${err.statusCode}`;
  return 'unknown';
}

function retryAfterMs(err: unknown): number {
  return err instanceof WebAPIRateLimitedError ? err.retryAfter * 1000 : Number.POSITIVE_INFINITY;
}

function cancelled(): SlackStartError {
  return new SlackStartError('start_cancelled', 'Stopped before Slack could be reached.');
}
