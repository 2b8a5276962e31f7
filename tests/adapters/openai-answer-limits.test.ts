// The answer limits (src/adapters/openai/answer-limits.ts) against the OpenAI stand-in playing a server that
// ignores the token limit and sends a 1 MB answer. The stand-in is the operator's endpoint (defaultBaseUrl), so the
// loopback refusal for users' own base URLs does not apply.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_LIMITS, answerCutNotices } from '../../src/adapters/openai/answer-limits.js';
import { createOpenAiGateway } from '../../src/adapters/openai.js';
import { hostileMarkdown } from '../stand-ins/openai/hostile-answers.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai/index.js';

let openai: OpenAiStandIn;

beforeAll(async () => {
  openai = await startOpenAiStandIn();
});
afterAll(async () => openai.close());

describe('answer limits', () => {
  it('asks for at most ANSWER_LIMITS.maxTokens, as max_completion_tokens', async () => {
    const client = createOpenAiGateway({ logger: pino({ level: 'silent' }), defaultBaseUrl: openai.baseUrl }).forUser({ apiKey: openai.addKey() });
    for await (const _ of client.streamChat({ model: 'gpt-5-mini', prompt: 'short' })) void _;
    const chat = openai.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1);
    expect(chat?.body?.max_completion_tokens).toBe(ANSWER_LIMITS.maxTokens);
    expect(chat?.body).not.toHaveProperty('max_tokens');
  });

  it('stops reading at ANSWER_LIMITS.maxChars while the answer streams, keeps the text so far and says so', async () => {
    const answer = hostileMarkdown('list-continuation', 1_000_000);
    openai.setResponder(() => answer);
    openai.setStreamRate({ charsPerChunk: 4_000, chunkIntervalMs: 0 });
    const client = createOpenAiGateway({ logger: pino({ level: 'silent' }), defaultBaseUrl: openai.baseUrl }).forUser({ apiKey: openai.addKey() });
    const notices: string[] = [];
    let text = '';
    for await (const delta of client.streamChat({ model: 'gpt-5-mini', prompt: 'long', onCut: (n) => notices.push(n) })) text += delta;
    expect(text).toBe(answer.slice(0, ANSWER_LIMITS.maxChars));
    expect(notices).toEqual([answerCutNotices.charCap]);
    openai.setResponder(undefined);
  });
});
