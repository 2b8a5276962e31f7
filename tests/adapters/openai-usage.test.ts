// Token usage through the OpenAI adapter: asked for with `stream_options: { include_usage: true }` and read from the
// last chunk (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options), "not reported"
// when a server sends none, and a server that refuses `stream_options` asked once more without it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiGateway, type OpenAiGateway, type TokenUsage } from '../../src/adapters/openai.js';
import { OpenAiError } from '../../src/errors.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai/index.js';

const MODEL = 'gpt-5-mini';
const PROMPT = 'Summarise the meeting notes for row 12';
const logger = pino({ level: 'silent' });

/** Streams an answer to its end and returns the text and every onUsage call. */
async function answer(
  gateway: OpenAiGateway,
  o: { apiKey: string; baseUrl?: string; stopAfterChars?: number },
): Promise<{ text: string; usages: Array<TokenUsage | undefined>; error?: unknown }> {
  const usages: Array<TokenUsage | undefined> = [];
  let text = '';
  try {
    const client = gateway.forUser({ apiKey: o.apiKey, baseUrl: o.baseUrl });
    for await (const delta of client.streamChat({ model: MODEL, prompt: PROMPT, onUsage: (u) => usages.push(u) })) {
      text += delta;
      if (o.stopAfterChars !== undefined && text.length >= o.stopAfterChars) break;
    }
    return { text, usages };
  } catch (error) {
    return { text, usages, error };
  }
}

/** A server that streams one answer with the usage chunk a test gives (raw SSE, as OpenAI's reference shows it). */
async function usageServer(usage: unknown): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1_700_000_000, model: MODEL };
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'Hello.' }, finish_reason: null }], usage: null })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

describe('OpenAI adapter: token usage', () => {
  let standIn: OpenAiStandIn;
  let key: string;
  const servers: Server[] = [];
  const gatewayFor = (defaultBaseUrl: string) =>
    createOpenAiGateway({ logger, timeoutMs: 2000, defaultBaseUrl, userEndpoints: { allow: { hosts: new Set(), ranges: [[ipaddr.parse('127.0.0.1'), 32]] } } });

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
  });
  afterEach(() => {
    standIn.setUsageMode('openai');
    standIn.clearFaults();
  });
  afterAll(async () => {
    await standIn.close();
    for (const server of servers) server.close();
  });

  it('asks for usage and reports the counts of the usage chunk once the answer ends', async () => {
    const { text, usages, error } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key });
    expect(error).toBeUndefined();
    expect(text.length).toBeGreaterThan(0);
    const request = standIn.requests.at(-1)!;
    expect(request.body.stream_options).toEqual({ include_usage: true });
    const sent = request.usage!;
    expect(usages).toEqual([{ prompt: sent.prompt_tokens, completion: sent.completion_tokens }]);
  });

  it('passes on exactly the numbers the server sent', async () => {
    const { baseUrl, server } = await usageServer({ prompt_tokens: 1000, completion_tokens: 234, total_tokens: 1234 });
    servers.push(server);
    const { usages } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key, baseUrl });
    expect(usages).toEqual([{ prompt: 1000, completion: 234 }]);
  });

  it.each([
    ['negative', { prompt_tokens: -5, completion_tokens: 10, total_tokens: 5 }],
    ['fractional', { prompt_tokens: 1.5, completion_tokens: 10, total_tokens: 11.5 }],
    ['text', { prompt_tokens: '100', completion_tokens: 10, total_tokens: 110 }],
    ['missing completion_tokens', { prompt_tokens: 100 }],
  ])('treats %s counts as not reported (never a guess)', async (_what, usage) => {
    const { baseUrl, server } = await usageServer(usage);
    servers.push(server);
    const { text, usages } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key, baseUrl });
    expect(text).toBe('Hello.');
    expect(usages).toEqual([undefined]);
  });

  it('reports undefined (not 0) when the server sends no usage', async () => {
    standIn.setUsageMode('never');
    const { text, usages } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key });
    expect(text.length).toBeGreaterThan(0);
    expect(usages).toEqual([undefined]);
  });

  it('reports undefined for an answer the caller stopped reading before its end', async () => {
    const { usages } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key, stopAfterChars: 10 });
    expect(usages).toEqual([undefined]);
  });

  it('does not call onUsage when no answer began (the request was refused)', async () => {
    standIn.injectFault({ kind: 'quota' });
    const { usages, error } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key });
    expect(error).toBeInstanceOf(OpenAiError);
    expect(usages).toEqual([]);
  });

  it('reports undefined for an answer cut half way (the usage chunk never came)', async () => {
    standIn.injectFault({ kind: 'cut_stream', afterChars: 30 });
    const { usages, error } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key });
    expect((error as OpenAiError).code).toBe('stream_cut');
    expect(usages).toEqual([undefined]);
  });

  it('asks a server that refuses stream_options once more without it, and remembers that endpoint', async () => {
    standIn.setUsageMode('reject');
    const gateway = gatewayFor(standIn.baseUrl);
    const before = standIn.requests.length;
    const first = await answer(gateway, { apiKey: key });
    expect(first.error).toBeUndefined();
    expect(first.text.length).toBeGreaterThan(0);
    expect(first.usages).toEqual([undefined]);
    const chats = standIn.requests.slice(before).filter((r) => r.path === '/v1/chat/completions');
    expect(chats.map((r) => [r.status, r.body.stream_options])).toEqual([
      [400, { include_usage: true }],
      [200, undefined],
    ]);
    // The next answer goes without stream_options at once: one request, not two.
    const again = await answer(gateway, { apiKey: key });
    expect(again.error).toBeUndefined();
    const later = standIn.requests.slice(before + 2).filter((r) => r.path === '/v1/chat/completions');
    expect(later.map((r) => [r.status, r.body.stream_options])).toEqual([[200, undefined]]);
  });

  it('does not retry a 400 that is not about stream_options', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: "Invalid value for 'messages'.", type: 'invalid_request_error', param: 'messages', code: null } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    let requests = 0;
    server.on('request', () => {
      requests += 1;
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const { error, usages } = await answer(gatewayFor(standIn.baseUrl), { apiKey: key, baseUrl });
    expect(error).toBeInstanceOf(OpenAiError);
    expect(requests).toBe(1);
    expect(usages).toEqual([]);
  });
});
