import { type APIErrorCode, APIResponseError, RequestTimeoutError, UnknownHTTPResponseError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { NOTION_MESSAGES, toNotionError } from '../../../src/adapters/notion/errors.js';
import { NotionError } from '../../../src/errors.js';

function apiError(status: number, code: string, message = 'Something.') {
  return new APIResponseError({
    code: code as APIErrorCode,
    status,
    message,
    headers: new Headers({ authorization: 'Bearer ntn_shouldneverappear123' }),
    rawBodyText: JSON.stringify({ object: 'error', status, code, message }),
    additional_data: undefined,
    request_id: 'req-1',
  });
}

describe('toNotionError', () => {
  it.each([
    [401, 'unauthorized', 'unauthorized'],
    [403, 'restricted_resource', 'restricted_resource'],
    [404, 'object_not_found', 'object_not_found'],
    [400, 'validation_error', 'validation_error'],
    [400, 'invalid_json', 'validation_error'],
    [400, 'invalid_request_url', 'validation_error'],
    [400, 'invalid_request', 'validation_error'],
    [409, 'conflict_error', 'conflict_error'],
    [429, 'rate_limited', 'rate_limited'],
    [529, 'service_overload', 'rate_limited'],
    [500, 'internal_server_error', 'unavailable'],
    [503, 'service_unavailable', 'unavailable'],
    [504, 'gateway_timeout', 'unavailable'],
  ])('%i %s -> %s', (status, code, ours) => {
    const err = toNotionError(apiError(status, code));
    expect(err).toBeInstanceOf(NotionError);
    expect(err.code).toBe(ours);
    expect(err.status).toBe(status);
    expect(err.userMessage).not.toContain('ntn_');
  });

  it('tells how to fix a rejected secret', () => {
    expect(toNotionError(apiError(401, 'unauthorized')).userMessage).toBe(
      'Notion rejected your integration secret. Copy it again from notion.so/profile/integrations (Internal Integration Secret) and save it in `/visen settings`.',
    );
  });

  it('tells how to connect an object the integration cannot see', () => {
    const message = toNotionError(apiError(404, 'object_not_found', 'Could not find page with ID: abc.')).userMessage;
    expect(message).toContain('open it in Notion, click ••• at the top right, choose Connections, find your integration by name, and confirm.');
    expect(message).not.toContain('Could not find page');
  });

  it('keeps a short, redacted excerpt of a validation message', () => {
    const long = `Could not find property with name or id: Status. token ntn_abcdefghijklmnop ${'x'.repeat(400)}`;
    const message = toNotionError(apiError(400, 'validation_error', long)).userMessage;
    expect(message).toMatch(/^Notion refused the request: Could not find property with name or id: Status\./);
    expect(message).not.toContain('ntn_abcdefghijklmnop');
    expect(message.length).toBeLessThan(220);
  });

  it('maps statuses of bodies the SDK does not know (an HTML 502 from the edge)', () => {
    const err = new UnknownHTTPResponseError({ status: 502, message: undefined, headers: new Headers(), rawBodyText: '<html>502</html>' });
    expect(toNotionError(err).code).toBe('unavailable');
    const db = new UnknownHTTPResponseError({ status: 503, message: 'database_connection_unavailable', headers: new Headers(), rawBodyText: '{}' });
    expect(toNotionError(db).code).toBe('unavailable');
  });

  it('maps timeouts and network failures', () => {
    expect(toNotionError(new RequestTimeoutError()).code).toBe('timeout');
    const network = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const err = toNotionError(network);
    expect(err.code).toBe('unavailable');
    expect(err.userMessage).toBe(NOTION_MESSAGES.unreachable);
  });

  it('passes our own errors through and wraps anything else as unknown', () => {
    const ours = new NotionError('outcome_unknown', NOTION_MESSAGES.outcomeUnknown);
    expect(toNotionError(ours)).toBe(ours);
    const other = toNotionError(new Error('boom: ntn_secretvalue123456'));
    expect(other.code).toBe('unknown');
    expect(other.userMessage).not.toContain('ntn_');
  });
});
