// Notion's error responses. Every error body is
// {"object":"error","status":...,"code":...,"message":...,"request_id":...}.
// Codes and example messages: https://developers.notion.com/reference/status-codes

export class NotionApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The error body; the server adds `request_id` when it sends it. */
export function errorBody(err: NotionApiError) {
  return { object: 'error', status: err.status, code: err.code, message: err.message };
}

export function validationError(message: string): NotionApiError {
  return new NotionApiError(400, 'validation_error', message);
}

/** Notion words schema problems as "body failed validation: <path> should be ..., instead was `...`." */
export function bodyInvalid(detail: string): NotionApiError {
  return validationError(`body failed validation: ${detail}`);
}

export function shouldBe(path: string, expectation: string, actual: unknown): string {
  return `${path} should be ${expectation}, instead was \`${describe(actual)}\`.`;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export type ObjectKind = 'page' | 'database' | 'data_source' | 'block';

/** Same 404 whether the object is missing or merely not shared, as in Notion. */
export function notFound(kind: ObjectKind, id: string): NotionApiError {
  return new NotionApiError(
    404,
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

/** Writes to trashed objects (Notion still words it with "archived"). */
export function inTrashError(): NotionApiError {
  return validationError("Can't edit block that is archived. You must unarchive the block before editing.");
}

export const unauthorized = () => new NotionApiError(401, 'unauthorized', 'API token is invalid.');

export const missingVersion = () =>
  new NotionApiError(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.');

export const invalidJson = () => new NotionApiError(400, 'invalid_json', 'Error parsing JSON body.');

export const invalidRequestUrl = () => new NotionApiError(400, 'invalid_request_url', 'Invalid request URL.');

export function rateLimited(retryAfterSeconds: number): NotionApiError {
  return new NotionApiError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
    'retry-after': String(retryAfterSeconds),
  });
}

/**
 * Server-side failures. 529 is `service_overload` and carries Retry-After:
 * https://developers.notion.com/reference/request-limits ("Connections should handle HTTP 429 and 529 responses
 * and respect the Retry-After response header ... A 529 response carries the "service_overload" code").
 * 500/503/504 codes: https://developers.notion.com/reference/status-codes
 */
export const SERVER_ERRORS: Record<number, { code: string; message: string }> = {
  409: { code: 'conflict_error', message: 'Conflict occurred while saving. Please try again.' },
  500: { code: 'internal_server_error', message: 'Unexpected error occurred.' },
  503: { code: 'service_unavailable', message: 'Notion is unavailable, please try again later.' },
  504: { code: 'gateway_timeout', message: 'Notion timed out while attempting to complete this request.' },
  529: { code: 'service_overload', message: 'Notion is overloaded, please try again later.' },
};
