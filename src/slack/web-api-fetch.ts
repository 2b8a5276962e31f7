/**
 * The `fetch` Visen's Slack Web API clients use. @slack/web-api (v8) answers an HTTP 429 by pausing its whole
 * request queue, every user's calls of this bot token, for the Retry-After seconds and then retrying
 * (WebClient.makeRequest), with no upper bound: one `Retry-After: 999999` would silence Visen for 11.6 days.
 *
 * Slack sends Retry-After in seconds and its waits are short (https://docs.slack.dev/apis/web-api/rate-limits),
 * so a 429 asking for more than MAX_SLACK_RETRY_AFTER_SECONDS is answered to the SDK as the `ratelimited`
 * error Slack's method pages document (`{ ok: false, error: 'ratelimited' }`): that one call fails at once,
 * with the header kept (`response_metadata.retryAfter`), and nobody else's calls wait. Shorter waits keep the
 * SDK's behaviour. Other error answers are read up to MAX_ERROR_BODY_BYTES only (the SDK would buffer them whole).
 */
import type { WebClientOptions } from '@slack/web-api';
import { readAtMost } from '../http-body.js';

export const MAX_SLACK_RETRY_AFTER_SECONDS = 60;
const MAX_ERROR_BODY_BYTES = 16 * 1024;

type SlackFetch = NonNullable<WebClientOptions['fetch']>;

export function slackWebApiFetch(baseFetch: typeof globalThis.fetch = globalThis.fetch): SlackFetch {
  return async (url, init) => {
    const response = await baseFetch(url, init as RequestInit);
    if (response.status === 200 || response.body === null) return response;
    const headers = new Headers(response.headers);
    if (response.status === 429) {
      const seconds = Number.parseInt(headers.get('retry-after') ?? '', 10);
      if (!(seconds > MAX_SLACK_RETRY_AFTER_SECONDS)) return response;
      await response.body?.cancel().catch(() => undefined);
      headers.set('content-type', 'application/json; charset=utf-8');
      return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), { status: 200, headers });
    }
    const text = await readAtMost(response, MAX_ERROR_BODY_BYTES);
    return new Response(text, { status: response.status, statusText: response.statusText, headers });
  };
}
