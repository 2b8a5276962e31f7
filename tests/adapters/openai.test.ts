// The OpenAI adapter against the OpenAI stand-in (and, for broken endpoints, a closed port and tiny fake servers).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AuthenticationError, NotFoundError, RateLimitError } from 'openai';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpointOf, toOpenAiError } from '../../src/adapters/openai/errors.js';
import { createOpenAiGateway, type OpenAiClient, type OpenAiGateway } from '../../src/adapters/openai.js';
import { describeForLog, OpenAiError } from '../../src/errors.js';
import { defaultResponse, type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai/index.js';

const MODEL = 'gpt-5-mini';
const PROMPT = 'Summarise the meeting notes for row 12';

/** Every log line of every gateway in this file, at trace level. */
const logLines: string[] = [];
const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
/** Every key used in this file, for the final no-secrets check. */
const keysUsed = new Set<string>();
/** Every error the adapter threw, logged as the app logs them. */
const errorsSeen: unknown[] = [];

async function failure(run: () => Promise<unknown>): Promise<OpenAiError> {
  try {
    await run();
  } catch (err) {
    errorsSeen.push(err);
    logger.error({ err: describeForLog(err) }, 'openai call failed');
    if (err instanceof OpenAiError) return err;
    throw new Error(`expected an OpenAiError, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}

async function drain(stream: AsyncIterable<string>, onDelta?: (delta: string) => Promise<void>): Promise<string> {
  let text = '';
  for await (const delta of stream) {
    text += delta;
    if (onDelta) await onDelta(delta);
  }
  return text;
}

/** Text received before the stream failed, and the failure. */
async function drainUntilFailure(stream: AsyncIterable<string>): Promise<{ text: string; error: OpenAiError }> {
  let text = '';
  const error = await failure(async () => {
    for await (const delta of stream) text += delta;
  });
  return { text, error };
}

async function fakeServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ baseUrl: string; host: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, host: `127.0.0.1:${port}`, server };
}

describe('OpenAI adapter', () => {
  let standIn: OpenAiStandIn;
  let key: string;
  let gateway: OpenAiGateway;
  let client: OpenAiClient;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
    keysUsed.add(key);
    // The fake servers below are users' own base URLs on loopback, which the operator must allow.
    gateway = createOpenAiGateway({
      logger,
      timeoutMs: 2000,
      defaultBaseUrl: standIn.baseUrl,
      userEndpoints: { allow: { hosts: new Set(), ranges: [[ipaddr.parse('127.0.0.1'), 32]] } },
    });
    client = gateway.forUser({ apiKey: key });
  });
  afterEach(() => {
    standIn.clearFaults();
    standIn.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('lists the models of the endpoint', async () => {
    expect(await client.listModels()).toEqual(['gpt-4o-mini', 'gpt-5-mini']);
    expect(standIn.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models', key, status: 200 });
  });

  it('caches one client per key and base URL', () => {
    expect(gateway.forUser({ apiKey: key })).toBe(client);
    expect(gateway.forUser({ apiKey: key, baseUrl: `${standIn.baseUrl}/` })).toBe(client);
    expect(gateway.forUser({ apiKey: key, baseUrl: 'http://127.0.0.1:1/v1' })).not.toBe(client);
    expect(gateway.forUser({ apiKey: `${key}x` })).not.toBe(client);
  });

  it('streams the full answer, with the system and user messages', async () => {
    const text = await drain(client.streamChat({ model: MODEL, system: 'Answer in Markdown.', prompt: PROMPT }));
    expect(text).toBe(defaultResponse({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }));
    expect(standIn.requests.at(-1)?.body).toMatchObject({
      model: MODEL,
      stream: true,
      messages: [
        { role: 'system', content: 'Answer in Markdown.' },
        { role: 'user', content: PROMPT },
      ],
    });
  });

  it('checks a model, naming a few the endpoint lists when it is missing', async () => {
    await expect(client.checkModel('gpt-4o-mini')).resolves.toBeUndefined();
    const err = await failure(() => client.checkModel('gpt-nope'));
    expect(err.code).toBe('model_not_found');
    expect(err.userMessage).toContain('`gpt-nope` does not exist');
    expect(err.userMessage).toContain('`gpt-4o-mini`');
    expect(err.userMessage).toContain('/visen settings');
  });

  it('maps an unknown model on chat to model_not_found', async () => {
    const { error } = await drainUntilFailure(client.streamChat({ model: 'gpt-nope', prompt: PROMPT }));
    expect(error.code).toBe('model_not_found');
    expect(error.status).toBe(404);
    expect(error.userMessage).toContain('`gpt-nope`');
  });

  it('maps a rejected key to unauthorized, without the key in the message', async () => {
    const wrongKey = 'sk-test-NOTAREALKEYNOTAREALKEYNOTAREA';
    keysUsed.add(wrongKey);
    const wrong = gateway.forUser({ apiKey: wrongKey });
    for (const run of [() => wrong.listModels(), () => drain(wrong.streamChat({ model: MODEL, prompt: PROMPT }))]) {
      const err = await failure(run);
      expect(err.code).toBe('unauthorized');
      expect(err.status).toBe(401);
      expect(err.userMessage).toContain('rejected your API key');
      expect(err.userMessage).not.toContain('AREA');
    }
  });

  it('maps insufficient_quota to quota_exceeded without retrying it', async () => {
    standIn.injectFault({ kind: 'quota', times: 3 });
    const before = standIn.requests.length;
    const { error } = await drainUntilFailure(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('quota_exceeded');
    expect(error.userMessage).toContain('insufficient_quota');
    expect(standIn.requests.length - before).toBe(1);
  });

  it('retries a 429 rate limit before the stream starts, then streams', async () => {
    standIn.injectFault({ kind: 429, retryAfterMs: 30 });
    const before = standIn.requests.length;
    const text = await drain(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(text.length).toBeGreaterThan(0);
    expect(standIn.requests.slice(before).map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up on a 429 after two retries with rate_limited', async () => {
    standIn.injectFault({ kind: 429, retryAfterMs: 20, times: 3 });
    const before = standIn.requests.length;
    const { error } = await drainUntilFailure(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('rate_limited');
    expect(standIn.requests.length - before).toBe(3);
  });

  it('does not sleep through a very long Retry-After', async () => {
    standIn.injectFault({ kind: 429, retryAfterMs: 120_000 });
    const started = Date.now();
    const { error } = await drainUntilFailure(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('rate_limited');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('retries a 500 and maps a lasting one to unavailable', async () => {
    standIn.injectFault({ kind: 500 });
    expect((await drain(client.streamChat({ model: MODEL, prompt: PROMPT }))).length).toBeGreaterThan(0);
    standIn.injectFault({ kind: 500, times: 3 });
    const before = standIn.requests.length;
    const { error } = await drainUntilFailure(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('unavailable');
    expect(error.status).toBe(500);
    expect(standIn.requests.length - before).toBe(3);
  });

  it('maps a stream cut half way to stream_cut, after yielding what arrived, and never retries it', async () => {
    standIn.injectFault({ kind: 'cut_stream', afterChars: 50 });
    const before = standIn.requests.length;
    const { text, error } = await drainUntilFailure(client.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('stream_cut');
    expect(text).toBe(defaultResponse({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }).slice(0, 50));
    expect(standIn.requests.length - before).toBe(1);
  });

  it('times out when the server never answers, without retrying', async () => {
    const quick = createOpenAiGateway({ logger, timeoutMs: 300, defaultBaseUrl: standIn.baseUrl }).forUser({ apiKey: key });
    standIn.injectFault({ kind: 'hang', times: 3 });
    const before = standIn.requests.length;
    const started = Date.now();
    const { error } = await drainUntilFailure(quick.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('timeout');
    expect(error.userMessage).toContain('300 ms');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(standIn.requests.length - before).toBe(1);
  });

  it('times out when tokens stop flowing, but not while the caller is busy with a delta', async () => {
    const quick = createOpenAiGateway({ logger, timeoutMs: 400, defaultBaseUrl: standIn.baseUrl }).forUser({ apiKey: key });
    standIn.setStreamRate({ charsPerChunk: 40, chunkIntervalMs: 1500 });
    const { text, error } = await drainUntilFailure(quick.streamChat({ model: MODEL, prompt: PROMPT }));
    expect(error.code).toBe('timeout');
    expect(text).toBe(''); // the role chunk came, the first content chunk did not within 400 ms

    standIn.setStreamRate({ charsPerChunk: 200, chunkIntervalMs: 0 });
    const slowReader = await drain(quick.streamChat({ model: MODEL, prompt: PROMPT }), () => new Promise((r) => setTimeout(r, 800)));
    expect(slowReader).toBe(defaultResponse({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }));
  });

  it('times out a model list that never comes', async () => {
    const quick = createOpenAiGateway({ logger, timeoutMs: 300, defaultBaseUrl: standIn.baseUrl }).forUser({ apiKey: key });
    standIn.setLatency(1500);
    try {
      expect((await failure(() => quick.listModels())).code).toBe('timeout');
    } finally {
      standIn.setLatency(0);
    }
  });

  it('waits out a slow first byte within the timeout', async () => {
    standIn.injectFault({ kind: 'slow', delayMs: 300 });
    expect((await drain(client.streamChat({ model: MODEL, prompt: PROMPT }))).length).toBeGreaterThan(0);
  });

  it("rethrows the caller's abort reason, not an OpenAiError", async () => {
    standIn.setStreamRate({ charsPerChunk: 10, chunkIntervalMs: 50 });
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    let text = '';
    const err = await (async () => {
      try {
        for await (const delta of client.streamChat({ model: MODEL, prompt: PROMPT, signal: controller.signal })) {
          text += delta;
          if (text.length >= 20) controller.abort(reason);
        }
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBe(reason);
  });

  describe('endpoints that are not OpenAI-compatible', () => {
    it('maps a closed port to bad_endpoint naming only the host, at once', async () => {
      const probe = await fakeServer(() => undefined);
      const { host: closedHost, baseUrl } = probe;
      await new Promise((resolve) => probe.server.close(resolve));
      const dead = gateway.forUser({ apiKey: key, baseUrl });
      const started = Date.now();
      const err = await failure(() => dead.listModels());
      expect(err.code).toBe('bad_endpoint');
      expect(err.userMessage).toContain(`\`${closedHost}\``);
      expect(err.userMessage).toContain('connection refused');
      expect(err.userMessage).not.toContain(baseUrl); // the host only, not the whole URL
      expect(Date.now() - started).toBeLessThan(1000);
      const chat = await drainUntilFailure(dead.streamChat({ model: MODEL, prompt: PROMPT }));
      expect(chat.error.code).toBe('bad_endpoint');
    });

    it('maps a web page (HTML) to bad_endpoint', async () => {
      const web = await fakeServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Welcome</title>');
      });
      const html = gateway.forUser({ apiKey: key, baseUrl: web.baseUrl });
      expect((await failure(() => html.listModels())).code).toBe('bad_endpoint');
      expect((await drainUntilFailure(html.streamChat({ model: MODEL, prompt: PROMPT }))).error.code).toBe('bad_endpoint');
      web.server.close();
    });

    it('maps a 404 on /models to bad_endpoint', async () => {
      const notFound = await fakeServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
      });
      const err = await failure(() => gateway.forUser({ apiKey: key, baseUrl: notFound.baseUrl }).listModels());
      expect(err.code).toBe('bad_endpoint');
      expect(err.userMessage).toContain(notFound.host);
      notFound.server.close();
    });

    it('keeps a key that a server echoes out of messages and logs', async () => {
      const plainKey = 'local-server-secret-123456789';
      keysUsed.add(plainKey);
      const echo = await fakeServer((req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `key ${req.headers.authorization} is wrong`, type: 'auth', param: null, code: null } }));
      });
      const err = await failure(() => gateway.forUser({ apiKey: plainKey, baseUrl: echo.baseUrl }).listModels());
      expect(err.code).toBe('unauthorized');
      expect(JSON.stringify(describeForLog(err))).toContain('[redacted]');
      echo.server.close();
    });
  });

  it('says "OpenAI" and points at platform.openai.com for OpenAI\'s own endpoint', () => {
    const ctx = { endpoint: endpointOf('https://api.openai.com/v1/'), apiKey: 'sk-x', operation: 'chat' as const, model: MODEL, idleMs: 60_000 };
    const unauthorized = toOpenAiError(
      new AuthenticationError(401, { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' }, undefined, new Headers()),
      ctx,
    );
    expect(unauthorized.userMessage).toBe(
      'OpenAI rejected your API key. Check it in `/visen settings` (a new key from platform.openai.com/api-keys works right away).',
    );
    const quota = toOpenAiError(
      new RateLimitError(429, { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' }, undefined, new Headers()),
      ctx,
    );
    expect(quota.userMessage).toBe('Your OpenAI account has run out of credit (insufficient_quota). Add credit or use another key in `/visen settings`.');
  });

  it('tells an unknown model from a wrong path on compatible servers', () => {
    const ctx = { endpoint: endpointOf('http://localhost:11434/v1'), apiKey: 'ollama', operation: 'chat' as const, model: 'llama9', idleMs: 60_000 };
    const notFound = (message: string) => new NotFoundError(404, { message, type: 'api_error', param: null, code: null }, undefined, new Headers());
    expect(toOpenAiError(notFound('model "llama9" not found, try pulling it first'), ctx).code).toBe('model_not_found');
    const wrongPath = toOpenAiError(notFound('Invalid URL (POST /chat/completions)'), ctx);
    expect(wrongPath.code).toBe('bad_endpoint');
    expect(wrongPath.userMessage).toContain('`localhost:11434`');
  });

  it('finds nothing the stand-in rejects in what the adapter sent', () => {
    expect(standIn.failures).toEqual([]);
  });

  it('never puts a key in a log line or a user message', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(errorsSeen.length).toBeGreaterThan(10);
    for (const secret of keysUsed) {
      for (const line of logLines) expect(line).not.toContain(secret);
      for (const err of errorsSeen) {
        expect((err as OpenAiError).userMessage ?? '').not.toContain(secret);
        expect(JSON.stringify(describeForLog(err))).not.toContain(secret);
      }
    }
  });
});
