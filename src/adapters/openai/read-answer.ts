/** Reading a streamed Chat Completion: its text deltas up to the character cap, its finish_reason and its usage. */
import type OpenAI from 'openai';
import { ANSWER_LIMITS } from './answer-limits.js';
import type { CallContext } from './call-context.js';
import { type TokenUsage, usageOf } from './usage.js';

/** The SDK's stream of chunks: iterable, and abortable through its controller. */
export type ChunkStream = AsyncIterable<OpenAI.Chat.ChatCompletionChunk> & { readonly controller: AbortController };

/** How a stream ended: the characters passed on, the finish_reason seen, and whether the character cap cut it. */
interface AnswerEnd {
  readonly chars: number;
  readonly finishReason: string | null;
  readonly cut: boolean;
}

/**
 * Yields the answer's text as it arrives, at most ANSWER_LIMITS.maxChars of it, and returns how the stream ended.
 * The usage chunk's counts go into `seen` (kept even when the stream then fails).
 */
export async function* readAnswer(stream: ChunkStream, ctx: CallContext, seen: { usage?: TokenUsage }): AsyncGenerator<string, AnswerEnd, undefined> {
  let chars = 0;
  let finishReason: string | null = null;
  for await (const chunk of stream) {
    const usage = usageOf(chunk);
    if (usage) seen.usage = usage;
    const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    const delta = choice?.delta?.content;
    if (!delta) continue;
    const overCap = chars + delta.length > ANSWER_LIMITS.maxChars;
    const text = overCap ? clipChars(delta, ANSWER_LIMITS.maxChars - chars) : delta;
    if (text) {
      chars += text.length;
      ctx.notWaiting(); // the caller's time with the delta is not the server's silence
      yield text;
      ctx.waiting();
    }
    if (overCap) {
      // Stop reading now, not after the server is done: a server that ignores max tokens may never be.
      stream.controller.abort();
      return { chars, finishReason, cut: true };
    }
  }
  return { chars, finishReason, cut: false };
}

/** The first `max` characters of text, never ending on the first half of a surrogate pair. */
function clipChars(text: string, max: number): string {
  if (max <= 0) return '';
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
