// The OpenAI stand-in's token usage on streamed answers, read as raw server-sent events so the order of the events
// is what is checked. OpenAI: with `stream_options: { include_usage: true }` "an additional chunk will be streamed
// before the `data: [DONE]` message. The `usage` field on this chunk shows the token usage statistics for the entire
// request, and the `choices` field will always be an empty array. All other chunks will also include a `usage`
// field, but with a null value." (ChatCompletionStreamOptions in its OpenAPI document;
// https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiStandIn, startOpenAiStandIn } from './openai/index.js';
import { openAiSpecValidator } from './openai/spec-validation.js';
import { specsDir } from './specs.js';

const MODEL = 'gpt-5-mini';

interface RawStream {
  readonly status: number;
  /** Every `data:` payload in order, `[DONE]` as the string. */
  readonly events: Array<Record<string, any> | '[DONE]'>;
  readonly body: string;
}

async function streamRaw(standIn: OpenAiStandIn, key: string, extra: Record<string, unknown>): Promise<RawStream> {
  const response = await fetch(`${standIn.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Count the tokens of this.' }], stream: true, ...extra }),
  });
  const body = await response.text();
  const events = body
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? ('[DONE]' as const) : (JSON.parse(data) as Record<string, any>)));
  return { status: response.status, events, body };
}

describe('OpenAI stand-in: token usage of streamed answers', () => {
  let standIn: OpenAiStandIn;
  let key: string;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('with include_usage: usage: null on every chunk, then one usage chunk with empty choices, then [DONE]', async () => {
    standIn.setUsageMode('openai');
    const { status, events } = await streamRaw(standIn, key, { stream_options: { include_usage: true } });
    expect(status).toBe(200);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Array<Record<string, any>>;
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    const { prompt_tokens, completion_tokens, total_tokens } = usageChunk.usage;
    expect(prompt_tokens).toBeGreaterThan(0);
    expect(completion_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
    const before = chunks.slice(0, -1);
    expect(before.length).toBeGreaterThan(2);
    expect(before.every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(before.at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('without stream_options: no usage field and no usage chunk', async () => {
    standIn.setUsageMode('openai');
    const { events } = await streamRaw(standIn, key, {});
    const chunks = events.slice(0, -1) as Array<Record<string, any>>;
    expect(chunks.every((c) => !('usage' in c) && c.choices.length === 1)).toBe(true);
  });

  it('mode never: a server that ignores the option sends no usage at all', async () => {
    standIn.setUsageMode('never');
    const { status, events } = await streamRaw(standIn, key, { stream_options: { include_usage: true } });
    expect(status).toBe(200);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Array<Record<string, any>>;
    expect(chunks.every((c) => !('usage' in c) && c.choices.length === 1)).toBe(true);
    standIn.setUsageMode('openai');
  });

  it('mode reject: stream_options is refused with a 400 invalid_request_error naming it; without it the answer streams', async () => {
    standIn.setUsageMode('reject');
    const refused = await streamRaw(standIn, key, { stream_options: { include_usage: true } });
    expect(refused.status).toBe(400);
    const error = JSON.parse(refused.body).error;
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('stream_options');
    const plain = await streamRaw(standIn, key, {});
    expect(plain.status).toBe(200);
    expect(plain.events.at(-1)).toBe('[DONE]');
    standIn.setUsageMode('openai');
  });

  describe.skipIf(!specsDir)("against OpenAI's OpenAPI document", () => {
    it('every chunk, the usage chunk included, is a CreateChatCompletionStreamResponse and the request is valid', async () => {
      const { events } = await streamRaw(standIn, key, { stream_options: { include_usage: true } });
      const validator = openAiSpecValidator();
      for (const chunk of events.slice(0, -1)) expect(validator.problems('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      // The usage chunk itself is checked as CompletionUsage requires: prompt, completion and total tokens.
      const usage = (events.at(-2) as Record<string, any>).usage;
      expect(Object.keys(usage).sort()).toEqual(['completion_tokens', 'prompt_tokens', 'total_tokens']);
      expect(standIn.failures).toEqual([]);
    });
  });
});
