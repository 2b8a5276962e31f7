/**
 * Every failure of a Notion call becomes a NotionError with a message a user can act on.
 *
 * Codes and statuses: https://developers.notion.com/reference/status-codes (400 validation_error and friends,
 * 401 unauthorized, 403 restricted_resource, 404 object_not_found, 409 conflict_error, 429 rate_limited,
 * 500 internal_server_error, 503 service_unavailable / database_connection_unavailable, 504 gateway_timeout) and
 * https://developers.notion.com/reference/request-limits (529 `service_overload`, with Retry-After).
 *
 * The messages never hold the secret or Notion's raw text, except a short, redacted excerpt of a validation
 * message (e.g. "Could not find property with name or id: Status"), which is what tells a user what to fix.
 */
import { APIErrorCode, APIResponseError, ClientErrorCode, isNotionClientError, UnknownHTTPResponseError } from '@notionhq/client';
import { NotionError, redactSecrets } from '../../errors.js';

export const NOTION_MESSAGES = {
  unauthorized:
    'Notion rejected your integration secret. Copy it again from notion.so/profile/integrations (Internal Integration Secret) and save it in `/visen settings`.',
  objectNotFound:
    'Notion could not find it, or your integration cannot see it. To connect it, open it in Notion, click ••• at the top right, choose Connections, find your integration by name, and confirm.',
  restrictedResource:
    'Your Notion integration is not allowed to do this. Open notion.so/profile/integrations, choose your integration, and under Capabilities allow Read content, Update content and Insert content; then try again.',
  rateLimited: 'Notion is limiting how fast Visen may work right now. Please wait a minute and try again.',
  overloaded: 'Notion is overloaded right now. Please try again in a few minutes.',
  unavailable: 'Notion is not answering properly right now (this is on Notion’s side). Please try again in a few minutes.',
  conflict: 'Notion could not save this because the same thing was being changed at the same moment. Please try again.',
  timeout: 'Notion took too long to answer. Please try again in a moment.',
  unreachable: 'Visen could not reach Notion. Check this computer’s internet connection, then try again.',
  outcomeUnknown:
    'The connection to Notion broke before it confirmed the change, so Visen cannot tell whether it was saved. Check in Notion before trying again.',
  invalidId: 'That is not a valid Notion id. Paste the link to the page or database from Notion’s Share → Copy link.',
  unknown: 'Notion answered in a way Visen did not expect. Please try again; if it keeps happening, ask whoever runs Visen to check its log.',
} as const;

/** Notion's Retry-After asked for more than Visen waits (see MAX_RETRY_AFTER_MS in limits.ts). */
export function askedToWaitTooLong(waitMs: number): string {
  return `Notion asked Visen to wait ${durationInWords(waitMs)} before sending more requests with your integration, which is far longer than Visen holds a request, so it stopped here. Please try again later.`;
}

/** No request slot came before the call's deadline (Notion's rate limit, shared by all your work). */
export function noRequestSlotInTime(nextSlotInMs: number): string {
  return `Notion is limiting how fast Visen may work with your integration right now, so this request could not be sent in time. Please try again in ${durationInWords(Math.max(60_000, nextSlotInMs))}.`;
}

/** "about 40 seconds", "about 17 minutes", "about 3 hours", "about 11 days". */
export function durationInWords(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  const [count, unit] =
    seconds < 60
      ? [seconds, 'second']
      : seconds < 90 * 60
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 36 * 3600
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86_400), 'day'];
  return `about ${count} ${unit}${count === 1 ? '' : 's'}`;
}

const VALIDATION_EXCERPT_CHARS = 160;

export function toNotionError(err: unknown): NotionError {
  if (err instanceof NotionError) return err;
  if (APIResponseError.isAPIResponseError(err)) return fromApiError(err);
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(err)) return fromStatus(err.status, err);
  if (isNotionClientError(err)) {
    if (err.code === ClientErrorCode.RequestTimeout) return new NotionError('timeout', NOTION_MESSAGES.timeout, { cause: err });
    if (err.code === ClientErrorCode.InvalidPathParameter) return new NotionError('validation_error', NOTION_MESSAGES.invalidId, { cause: err });
  }
  if (isTimeout(err)) return new NotionError('timeout', NOTION_MESSAGES.timeout, { cause: err });
  if (isNetworkFailure(err)) return new NotionError('unavailable', NOTION_MESSAGES.unreachable, { cause: err });
  return new NotionError('unknown', NOTION_MESSAGES.unknown, { cause: err });
}

function fromApiError(err: APIResponseError): NotionError {
  const options = { cause: err, status: err.status };
  switch (err.code) {
    case APIErrorCode.Unauthorized:
      return new NotionError('unauthorized', NOTION_MESSAGES.unauthorized, options);
    case APIErrorCode.RestrictedResource:
      return new NotionError('restricted_resource', NOTION_MESSAGES.restrictedResource, options);
    case APIErrorCode.ObjectNotFound:
      return new NotionError('object_not_found', NOTION_MESSAGES.objectNotFound, options);
    case APIErrorCode.RateLimited:
      return new NotionError('rate_limited', NOTION_MESSAGES.rateLimited, options);
    case APIErrorCode.ServiceOverload:
      return new NotionError('rate_limited', NOTION_MESSAGES.overloaded, options);
    case APIErrorCode.ConflictError:
      return new NotionError('conflict_error', NOTION_MESSAGES.conflict, options);
    case APIErrorCode.InternalServerError:
    case APIErrorCode.ServiceUnavailable:
    case APIErrorCode.GatewayTimeout:
      return new NotionError('unavailable', NOTION_MESSAGES.unavailable, options);
    case APIErrorCode.ValidationError:
    case APIErrorCode.InvalidJSON:
    case APIErrorCode.InvalidRequest:
    case APIErrorCode.InvalidRequestURL:
    case APIErrorCode.InvalidBeta:
      return new NotionError('validation_error', validationMessage(err.message), options);
    default:
      return fromStatus(err.status, err);
  }
}

/** Bodies the SDK does not recognise (an HTML page from Notion's edge proxy, a code it does not know). */
function fromStatus(status: number, cause: unknown): NotionError {
  const options = { cause, status };
  if (status === 401) return new NotionError('unauthorized', NOTION_MESSAGES.unauthorized, options);
  if (status === 403) return new NotionError('restricted_resource', NOTION_MESSAGES.restrictedResource, options);
  if (status === 404) return new NotionError('object_not_found', NOTION_MESSAGES.objectNotFound, options);
  if (status === 409) return new NotionError('conflict_error', NOTION_MESSAGES.conflict, options);
  if (status === 429) return new NotionError('rate_limited', NOTION_MESSAGES.rateLimited, options);
  if (status === 529) return new NotionError('rate_limited', NOTION_MESSAGES.overloaded, options);
  if (status === 408) return new NotionError('timeout', NOTION_MESSAGES.timeout, options);
  if (status >= 500) return new NotionError('unavailable', NOTION_MESSAGES.unavailable, options);
  if (status === 400) return new NotionError('validation_error', validationMessage(''), options);
  return new NotionError('unknown', NOTION_MESSAGES.unknown, options);
}

function validationMessage(notionMessage: string): string {
  const excerpt = redactSecrets(
    notionMessage
      .slice(0, 4 * VALIDATION_EXCERPT_CHARS)
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const short = excerpt.length > VALIDATION_EXCERPT_CHARS ? `${excerpt.slice(0, VALIDATION_EXCERPT_CHARS - 1)}…` : excerpt;
  return short
    ? `Notion refused the request: ${short}`
    : 'Notion refused the request as invalid. Check that the page or database still has the properties Visen expects.';
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** Node's fetch rejects with `TypeError: fetch failed` and the socket error as `cause`. */
function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  return (err instanceof TypeError && err.message === 'fetch failed') || (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code));
}
