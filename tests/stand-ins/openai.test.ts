// Self-test of the OpenAI stand-in, driven through the real openai SDK (v6) as the app drives it.
import OpenAI, { APIConnectionTimeoutError, APIError, AuthenticationError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { insufficientQuota, invalidApiKey, rateLimited, serverError } from './openai/errors.js';
import { defaultResponse, type OpenAiStandIn, startOpenAiStandIn, titleFromPrompt } from './openai/index.js';
import { openAiSpecValidator } from './openai/spec-validation.js';
import { specsDir } from './specs.js';

const MODEL = 'gpt-5-mini';
const PROMPT = 'Write a short note about tide pools\nand the animals living in them.';

function sdk(standIn: OpenAiStandIn, apiKey: string, extra: { maxRetries?: number; timeout?: number } = {}): OpenAI {
  return new OpenAI({ apiKey, baseURL: standIn.baseUrl, maxRetries: 0, logLevel: 'off', ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  let text = '';
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return { chunks, text, error: undefined as unknown };
  } catch (error) {
    return { chunks, text, error };
  }
}

const userMessages = (prompt = PROMPT): OpenAI.Chat.ChatCompletionMessageParam[] => [
  { role: 'system', content: 'You write Markdown.' },
  { role: 'user', content: prompt },
];

describe('OpenAI stand-in', () => {
  let standIn: OpenAiStandIn;
  let key: string;
  let client: OpenAI;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
    client = sdk(standIn, key);
  });
  afterEach(() => {
    standIn.clearFaults();
    standIn.setResponder(undefined);
    standIn.setLatency(0);
    standIn.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('serves on 127.0.0.1 under /v1 and issues sk-test- keys', () => {
    expect(standIn.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(key).toMatch(/^sk-test-[A-Za-z0-9]{32}$/);
    expect(standIn.addKey('my-own-key')).toBe('my-own-key');
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-5-mini', 'gpt-4o-mini']);
    const model = await client.models.retrieve('gpt-4o-mini');
    expect(model).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' });
    const missing = await rejection(client.models.retrieve('gpt-nope'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('streams a deterministic Markdown answer that quotes the prompt, then finish_reason stop and usage', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: userMessages(),
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, text, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(
      defaultResponse({
        model: MODEL,
        messages: [
          { role: 'system', content: 'You write Markdown.' },
          { role: 'user', content: PROMPT },
        ],
      }),
    );
    expect(text.startsWith(`# ${titleFromPrompt(PROMPT)}\n`)).toBe(true);
    expect(text).toContain('> Write a short note about tide pools\n> and the animals living in them.');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('answers without streaming with a chat.completion object', async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: userMessages('Hello there') });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toMatch(/^# Hello there\n/);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('uses the responder a test sets, with the messages the app sent', async () => {
    const seen: unknown[] = [];
    standIn.setResponder((req) => {
      seen.push(req);
      return '## Custom\n\n- one\n- two';
    });
    const stream = await client.chat.completions.create({ model: MODEL, messages: userMessages('Row 7'), stream: true });
    expect((await collect(stream)).text).toBe('## Custom\n\n- one\n- two');
    expect(seen).toEqual([
      {
        model: MODEL,
        messages: [
          { role: 'system', content: 'You write Markdown.' },
          { role: 'user', content: 'Row 7' },
        ],
      },
    ]);
  });

  it('streams at the rate a test sets', async () => {
    standIn.setResponder(() => 'x'.repeat(50));
    standIn.setStreamRate({ charsPerChunk: 5, chunkIntervalMs: 10 });
    const started = Date.now();
    const { chunks, text } = await collect(await client.chat.completions.create({ model: MODEL, messages: userMessages(), stream: true }));
    expect(text).toBe('x'.repeat(50));
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('records every request with its key, body and status', async () => {
    const before = standIn.requests.length;
    await client.chat.completions.create({ model: MODEL, messages: userMessages('Recorded') });
    const record = standIn.requests.at(-1)!;
    expect(standIn.requests.length).toBe(before + 1);
    expect(record).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key, status: 200 });
    expect(record.body.messages[1]).toEqual({ role: 'user', content: 'Recorded' });
    expect(record.at).toBeGreaterThan(Date.now() - 10_000);
  });

  it('rejects an unknown key with 401 invalid_api_key and a masked key in the message', async () => {
    const wrongKey = 'sk-test-WRONGWRONGWRONGWRONGWRONGWRON';
    const err = await rejection(sdk(standIn, wrongKey).models.list());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect((err as Error).message).not.toContain(wrongKey);
    expect((err as Error).message).toContain('WRON'); // the last four, as OpenAI shows them
    expect(standIn.requests.at(-1)).toMatchObject({ key: wrongKey, status: 401 });
  });

  it('answers 401 when no key is sent', async () => {
    const response = await fetch(`${standIn.baseUrl}/models`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('answers an unknown model on chat completions with 404 model_not_found', async () => {
    const err = await rejection(client.chat.completions.create({ model: 'gpt-nope', messages: userMessages(), stream: true }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found' });
    expect((err as Error).message).toContain('The model `gpt-nope` does not exist');
  });

  it('injects a 429 rate limit with retry-after headers', async () => {
    standIn.injectFault({ kind: 429, retryAfterMs: 2000 });
    const err = await rejection(client.chat.completions.create({ model: MODEL, messages: userMessages(), stream: true }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    const headers = (err as RateLimitError).headers;
    expect(headers.get('retry-after')).toBe('2');
    expect(headers.get('retry-after-ms')).toBe('2000');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('lets the SDK retry a 429 and then succeed', async () => {
    standIn.injectFault({ kind: 429, retryAfterMs: 20 });
    const before = standIn.requests.length;
    const retrying = sdk(standIn, key, { maxRetries: 2 });
    const { text, error } = await collect(await retrying.chat.completions.create({ model: MODEL, messages: userMessages(), stream: true }));
    expect(error).toBeUndefined();
    expect(text.length).toBeGreaterThan(0);
    expect(standIn.requests.slice(before).map((r) => r.status)).toEqual([429, 200]);
  });

  it('injects a 429 insufficient_quota', async () => {
    standIn.injectFault({ kind: 'quota' });
    const err = await rejection(client.chat.completions.create({ model: MODEL, messages: userMessages() }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect((err as RateLimitError).headers.get('retry-after')).toBeNull();
  });

  it('injects a 500 server_error, `times` times', async () => {
    standIn.injectFault({ kind: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(client.chat.completions.create({ model: MODEL, messages: userMessages() }));
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err).toMatchObject({ status: 500, type: 'server_error' });
    }
    await expect(client.chat.completions.create({ model: MODEL, messages: userMessages() })).resolves.toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: defaultResponse({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }) } }],
    });
    expect(standIn.requests.slice(-3).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('cuts a stream after `afterChars` characters: no finish chunk, no [DONE], the SDK iteration throws', async () => {
    standIn.injectFault({ kind: 'cut_stream', afterChars: 40 });
    const { chunks, text, error } = await collect(await client.chat.completions.create({ model: MODEL, messages: userMessages(), stream: true }));
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(defaultResponse({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }).slice(0, 40));
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
  });

  it('delays the first byte on `slow` and with setLatency', async () => {
    standIn.injectFault({ kind: 'slow', delayMs: 300 });
    let started = Date.now();
    await client.chat.completions.create({ model: MODEL, messages: userMessages() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    standIn.setLatency(200);
    started = Date.now();
    await client.models.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('holds every answer until released: the request is recorded, its answer comes after', async () => {
    const release = standIn.holdAnswers();
    const from = standIn.requests.length;
    let answered = false;
    const answer = client.models.list().then((page) => {
      answered = true;
      return page;
    });
    await vi.waitFor(() => expect(standIn.requests.length).toBe(from + 1), { timeout: 10_000 });
    // Recorded, not answered: an unanswered request has no status yet.
    expect(standIn.requests.at(-1)?.status).toBe(0);
    expect(answered).toBe(false);
    release();
    expect((await answer).data.length).toBeGreaterThan(0);
    expect(standIn.requests.at(-1)?.status).toBe(200);
  });

  it('never answers on `hang` (the SDK times out) and still closes promptly', async () => {
    const hanging = await startOpenAiStandIn();
    const hangKey = hanging.addKey();
    hanging.injectFault({ kind: 'hang', times: Infinity });
    const err = await rejection(sdk(hanging, hangKey, { timeout: 300 }).chat.completions.create({ model: MODEL, messages: userMessages(), stream: true }));
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    // A second hanging request is still open when we close.
    void sdk(hanging, hangKey, { timeout: 10_000 })
      .chat.completions.create({ model: MODEL, messages: userMessages() })
      .catch(() => undefined);
    // Close only once it has reached the stand-in (a fixed sleep could close before, and prove nothing).
    for (const deadline = Date.now() + 10_000; hanging.requests.length < 2; ) {
      if (Date.now() > deadline) throw new Error('the second hanging request never reached the stand-in');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const started = Date.now();
    await hanging.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(hanging.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it("answers an unknown path with OpenAI's invalid URL error and notes it as a failure", async () => {
    const other = await startOpenAiStandIn({ validateAgainstSpec: false });
    const otherKey = other.addKey();
    const err = await rejection(sdk(other, otherKey).embeddings.create({ model: MODEL, input: 'x' }));
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 404 });
    expect(other.failures).toEqual(['the app called POST /v1/embeddings, which the stand-in does not serve']);
    await other.close();
  });

  describe.skipIf(!specsDir)("against OpenAI's OpenAPI document", () => {
    it('finds nothing wrong with anything the stand-in sent in the tests above', () => {
      expect(standIn.failures).toEqual([]);
    });

    it('accepts our error bodies and flags a deliberately bad chunk', () => {
      const validator = openAiSpecValidator();
      for (const reply of [invalidApiKey(key), rateLimited(MODEL, 1000), insufficientQuota(), serverError()]) {
        expect(validator.problems('ErrorResponse', reply.body)).toEqual([]);
      }
      const good = {
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: MODEL,
        choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }],
      };
      expect(validator.problems('CreateChatCompletionStreamResponse', good)).toEqual([]);
      const bad = { ...good, object: 'chat.completion', choices: [{ index: 0, delta: { content: 5 }, finish_reason: 'done' }] };
      const problems = validator.problems('CreateChatCompletionStreamResponse', bad);
      expect(problems.some((p) => p.startsWith('/object'))).toBe(true);
      expect(problems.some((p) => p.startsWith('/choices/0/finish_reason'))).toBe(true);
      expect(problems.some((p) => p.startsWith('/choices/0/delta/content'))).toBe(true);
      expect(validator.problems('ErrorResponse', { error: { message: 'no type, param or code' } }).length).toBeGreaterThan(0);
      expect(validator.problems('ListModelsResponse', { object: 'list', data: [{ id: 'm' }] }).length).toBeGreaterThan(0);
    });

    it('reports a malformed request from the app and answers it 400', async () => {
      const other = await startOpenAiStandIn();
      const otherKey = other.addKey();
      const response = await fetch(`${other.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [] }),
      });
      expect(response.status).toBe(400);
      expect(other.failures.length).toBeGreaterThan(0);
      expect(other.failures[0]).toContain('CreateChatCompletionRequest');
      await other.close();
    });
  });
});
