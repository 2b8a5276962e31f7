/**
 * Token usage of a streamed Chat Completion. OpenAI sends it only when asked: with
 * `stream_options: { include_usage: true }` one more chunk comes before `data: [DONE]`, its `choices` empty and its
 * `usage` the whole request's counts; every other chunk carries `usage: null`, and an interrupted stream may never
 * send it (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options,
 * https://platform.openai.com/docs/api-reference/chat-streaming; CompletionUsage in OpenAI's OpenAPI document).
 */
import { APIError } from 'openai';

/** Tokens of one answer, as the model server counted them. */
export interface TokenUsage {
  readonly prompt: number;
  readonly completion: number;
}

/** Endpoints remembered as refusing `stream_options`; a bound, so a stream of odd base URLs cannot grow it. */
const MAX_REMEMBERED_ENDPOINTS = 1_000;

/**
 * The usage a chunk carries, or undefined. A server's numbers are untrusted: anything but whole, non-negative,
 * safe integers is no usage at all ("not reported" beats a wrong figure).
 */
export function usageOf(chunk: unknown): TokenUsage | undefined {
  if (chunk === null || typeof chunk !== 'object') return undefined;
  const usage = (chunk as { usage?: unknown }).usage;
  if (usage === null || typeof usage !== 'object') return undefined;
  const { prompt_tokens: prompt, completion_tokens: completion } = usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (!isCount(prompt) || !isCount(completion)) return undefined;
  return { prompt, completion };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * True when a server refused the request because of `stream_options`. OpenAI-compatible servers that do: Groq
 * (400, "property 'stream_options' is unsupported"), Mistral (422, `extra_forbidden` at
 * `body.stream_options.include_usage`), Databricks serving Bedrock models (400), as their users reported to the
 * client libraries that send it. The rule is simple: a 400 or 422 whose error names `stream_options` or
 * `include_usage`.
 */
export function rejectsStreamOptions(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  let text = err.message;
  try {
    text += ` ${JSON.stringify(err.error ?? '')}`;
  } catch {
    // an error body that cannot be written out: the message alone decides
  }
  return /stream_options|include_usage/.test(text.slice(0, 8_000));
}

/** Base URLs whose server refused an optional parameter once (`stream_options`, `response_format`): later requests go without it. */
export class RememberedEndpoints {
  readonly #urls = new Set<string>();

  has(baseUrl: string): boolean {
    return this.#urls.has(baseUrl);
  }

  add(baseUrl: string): void {
    if (this.#urls.size >= MAX_REMEMBERED_ENDPOINTS) this.#urls.delete(this.#urls.values().next().value as string);
    this.#urls.add(baseUrl);
  }
}
