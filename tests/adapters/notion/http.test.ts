import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotionClient } from '../../../src/adapters/notion/client.js';
import { toNotionError } from '../../../src/adapters/notion/errors.js';
import { createLimitedFetch, isReadRequest, type LimitedFetchOptions, MAX_ERROR_BODY_BYTES, parseRetryAfter } from '../../../src/adapters/notion/http.js';
import { RateLimiter } from '../../../src/adapters/notion/rate-limiter.js';
import { NotionError } from '../../../src/errors.js';
import { backoffDelay } from '../../../src/retry.js';
import { memoryLogger, notionError, type ScriptedServer, startScriptedServer } from './support.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
  server.fallback = { status: 200, json: { ok: true } };
});

function limitedFetch(overrides: Partial<LimitedFetchOptions> = {}) {
  const limiter = overrides.limiter ?? new RateLimiter({ ratePerSecond: 50, capacity: 10 });
  const { logger, lines } = memoryLogger();
  const fetch = createLimitedFetch({ limiter, logger, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2000, random: () => 0.5, ...overrides });
  return { fetch, limiter, lines };
}

const call = (fetch: ReturnType<typeof createLimitedFetch>, method: string, path: string, body?: unknown) =>
  fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: 'Bearer ntn_testsecret1234567890', 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('createLimitedFetch: 429 and 529', () => {
  it('waits for Retry-After before sending again, for a read', async () => {
    const { fetch, limiter } = limitedFetch();
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '1' } });
    const response = await call(fetch, 'GET', '/v1/users/me');
    expect(response.status).toBe(200);
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(limiter.pausedUntil).toBeGreaterThanOrEqual(first!.at + 1000);
  });

  it('retries a write after 429 and 529 too: Notion did not count them', async () => {
    const { fetch } = limitedFetch();
    server.script(
      { status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '0' } },
      { status: 529, json: notionError(529, 'service_overload'), headers: { 'retry-after': '0' } },
    );
    const response = await call(fetch, 'PATCH', '/v1/blocks/abc/children', { children: [] });
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
  });

  it('accepts Retry-After as an HTTP date', async () => {
    const { fetch } = limitedFetch();
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } });
    expect((await call(fetch, 'GET', '/v1/users/me')).status).toBe(200);
  });

  it('holds every request of the secret until Retry-After has passed', async () => {
    const { fetch, limiter } = limitedFetch();
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '1' } });
    const first = call(fetch, 'GET', '/v1/users/me');
    // The others go once the 429 was read (a busy machine can take longer than any fixed wait to get there).
    while (limiter.pausedUntil <= Date.now()) await new Promise((resolve) => setTimeout(resolve, 5));
    const others = [call(fetch, 'GET', '/v1/pages/a'), call(fetch, 'POST', '/v1/pages', { x: 1 })];
    await Promise.all([first, ...others]);
    const limitedAt = server.requests[0]!.at;
    expect(server.requests.slice(1).every((r) => r.at >= limitedAt + 1000)).toBe(true);
  });

  it('gives the 429 back to the SDK when Retry-After is beyond the time budget', async () => {
    const { fetch } = limitedFetch({ maxTotalMs: 500 });
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '30' } });
    const response = await call(fetch, 'GET', '/v1/users/me');
    expect(response.status).toBe(429);
    expect(server.requests).toHaveLength(1);
  });
});

describe('createLimitedFetch: an absurd Retry-After', () => {
  it('fails that call at once with the wait in words, and refuses the secret for at most a minute', async () => {
    const { fetch, limiter } = limitedFetch();
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '999999' } });
    const err = await thrown(call(fetch, 'PATCH', '/v1/blocks/abc/children', { children: [] }));
    expect(err).toBeInstanceOf(NotionError);
    expect((err as NotionError).code).toBe('rate_limited');
    expect((err as NotionError).userMessage).toMatch(/^Notion asked Visen to wait about 12 days .*try again later/);
    expect(limiter.pausedUntil - Date.now()).toBeLessThanOrEqual(61_000);
    // The next call of this secret is told the same at once, without a request.
    const next = await thrown(call(fetch, 'GET', '/v1/users/me'));
    expect((next as NotionError).userMessage).toMatch(/^Notion asked Visen to wait about 12 days/);
    expect(server.requests).toHaveLength(1);
  });

  it('a call that cannot get a slot before its deadline fails with a message instead of waiting on', async () => {
    const { fetch, limiter } = limitedFetch({ maxTotalMs: 1_000 });
    limiter.pauseUntil(Date.now() + 30_000);
    const err = await thrown(call(fetch, 'GET', '/v1/users/me'));
    expect((err as NotionError).code).toBe('rate_limited');
    expect((err as NotionError).userMessage).toMatch(/could not be sent in time\. Please try again in about 1 minute/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('createLimitedFetch: error bodies', () => {
  it('reads no more than MAX_ERROR_BODY_BYTES of an error answer', async () => {
    const { fetch } = limitedFetch();
    server.script({ status: 400, text: `<html>${'x'.repeat(5_000_000)}</html>` });
    const response = await call(fetch, 'GET', '/v1/users/me');
    expect(response.status).toBe(400);
    expect((await response.text()).length).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
  });
});

describe('createLimitedFetch: server errors', () => {
  it('retries 500/502/503/504 with backoff for GET', async () => {
    const { fetch } = limitedFetch();
    server.script(
      { status: 500, json: notionError(500, 'internal_server_error') },
      { status: 502, text: '<html>502</html>' },
      { status: 503, json: notionError(503, 'service_unavailable') },
      { status: 504, json: notionError(504, 'gateway_timeout') },
    );
    expect((await call(fetch, 'GET', '/v1/pages/a')).status).toBe(200);
    expect(server.requests).toHaveLength(5);
  });

  it('retries for the POST endpoints that only read: query and search', async () => {
    const { fetch } = limitedFetch();
    server.script({ status: 503, json: notionError(503, 'service_unavailable') }, { status: 500, json: notionError(500, 'internal_server_error') });
    expect((await call(fetch, 'POST', '/v1/data_sources/ds1/query', {})).status).toBe(200);
    expect((await call(fetch, 'POST', '/v1/search', {})).status).toBe(200);
    expect(server.requests).toHaveLength(4);
  });

  it.each(['POST /v1/pages', 'PATCH /v1/pages/a', 'PATCH /v1/blocks/a/children', 'DELETE /v1/blocks/a'])(
    'does not repeat a write after a 5xx (%s): the outcome is unknown',
    async (route) => {
      const { fetch } = limitedFetch();
      const [method, path] = route.split(' ') as [string, string];
      server.script({ status: 504, json: notionError(504, 'gateway_timeout') });
      const err = await thrown(call(fetch, method, path, { x: 1 }));
      expect(err).toBeInstanceOf(NotionError);
      expect((err as NotionError).code).toBe('outcome_unknown');
      expect((err as NotionError).status).toBe(504);
      expect(server.requests).toHaveLength(1);
    },
  );

  it('stops after the maximum number of attempts and hands back the last answer', async () => {
    const { fetch } = limitedFetch({ maxAttempts: 4 });
    server.fallback = { status: 503, json: notionError(503, 'service_unavailable') };
    expect((await call(fetch, 'GET', '/v1/pages/a')).status).toBe(503);
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry 4xx answers', async () => {
    const { fetch } = limitedFetch();
    server.script({ status: 404, json: notionError(404, 'object_not_found') });
    expect((await call(fetch, 'GET', '/v1/pages/a')).status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });
});

describe('createLimitedFetch: no answer', () => {
  it('retries a read after a dropped connection', async () => {
    const { fetch } = limitedFetch();
    server.script({ drop: true });
    expect((await call(fetch, 'GET', '/v1/pages/a')).status).toBe(200);
    expect(server.requests).toHaveLength(2);
  });

  it('throws outcome_unknown for a write after a dropped connection, without repeating it', async () => {
    const { fetch } = limitedFetch();
    server.script({ drop: true });
    const err = await thrown(call(fetch, 'POST', '/v1/pages', { parent: {} }));
    expect((err as NotionError).code).toBe('outcome_unknown');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a read after a timeout and throws outcome_unknown for a write', async () => {
    const { fetch } = limitedFetch({ attemptTimeoutMs: 150 });
    server.script({ status: 200, json: {}, delayMs: 400 });
    expect((await call(fetch, 'GET', '/v1/pages/a')).status).toBe(200);
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    server.script({ status: 200, json: {}, delayMs: 400 });
    const err = await thrown(call(fetch, 'PATCH', '/v1/pages/a', { in_trash: true }));
    expect((err as NotionError).code).toBe('outcome_unknown');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on reads with a timeout error after the last attempt', async () => {
    // Attempts long enough for each request to reach the server (same process) even on a loaded machine.
    const { fetch } = limitedFetch({ attemptTimeoutMs: 250, maxAttempts: 2 });
    server.fallback = { status: 200, json: {}, delayMs: 1_000 };
    const err = await thrown(call(fetch, 'GET', '/v1/pages/a'));
    expect((err as NotionError).code).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('retries even a write when the connection was refused: nothing reached Notion', async () => {
    const closed = await startScriptedServer();
    const url = closed.baseUrl;
    await closed.close();
    const { fetch } = limitedFetch({ maxAttempts: 3 });
    const err = await thrown(fetch(`${url}/v1/pages`, { method: 'POST', body: '{}' }));
    expect((err as NotionError).code).toBe('unavailable');
  });
});

describe('with the Notion SDK', () => {
  it('every attempt goes through the limiter, the SDK gets the final answer, and no secret reaches the log', async () => {
    const { logger, lines } = memoryLogger();
    const limiter = new RateLimiter({ ratePerSecond: 50, capacity: 10 });
    const secret = 'ntn_abcdefghijklmnopqrstuvwxyz0123456789';
    const client = createNotionClient({ secret, limiter, logger, baseUrl: server.baseUrl, http: { baseDelayMs: 5, maxDelayMs: 10 } });
    server.script(
      { status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '0' } },
      { status: 503, json: notionError(503, 'service_unavailable') },
      { status: 200, json: { object: 'user', id: 'bot-1', type: 'bot', name: 'Visen', bot: {} } },
    );
    const me = await client.users.me({});
    expect(me.id).toBe('bot-1');
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.headers['notion-version'] === '2026-12-01')).toBe(true);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${secret}`)).toBe(true);
    const log = lines.join('\n');
    expect(log).not.toContain(secret);
    expect(log.toLowerCase()).not.toContain('authorization');
  });

  it('the SDK error of a final 429 maps to rate_limited', async () => {
    const { logger } = memoryLogger('warn');
    const client = createNotionClient({ secret: 'ntn_x', limiter: new RateLimiter(), logger, baseUrl: server.baseUrl, http: { maxTotalMs: 100 } });
    server.script({ status: 429, json: notionError(429, 'rate_limited'), headers: { 'retry-after': '60' } });
    const err = toNotionError(await thrown(client.users.me({})));
    expect(err.code).toBe('rate_limited');
    expect(err.status).toBe(429);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['1', 1000],
    ['0', 0],
    ['2.5', 2500],
    [' 3 ', 3000],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('%j -> %i ms', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
  it.each([null, undefined, '', 'soon', '-1'])('%j -> undefined', (value) => expect(parseRetryAfter(value, now)).toBeUndefined());
});

describe('isReadRequest', () => {
  it.each([
    ['GET', '/v1/pages/a', true],
    ['POST', '/v1/data_sources/a/query', true],
    ['POST', '/v1/search', true],
    ['POST', '/prefix/v1/search', true],
    ['POST', '/v1/pages', false],
    ['PATCH', '/v1/blocks/a/children', false],
    ['DELETE', '/v1/blocks/a', false],
    ['POST', '/v1/databases', false],
  ])('%s %s -> %s', (method, path, read) => expect(isReadRequest(method, path)).toBe(read));
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { ...o, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...o, random: () => 1 })).toBe(400);
    expect(backoffDelay(10, { ...o, random: () => 1 })).toBe(1000);
  });
});
