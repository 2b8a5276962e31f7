// What the stand-in answers to POST /v1/chat/completions: the text (deterministic, derived from the prompt,
// unless a test sets a responder) and the objects that carry it. Shapes follow OpenAI's reference for the
// chat completion object and the chunk object (https://platform.openai.com/docs/api-reference/chat/object,
// https://platform.openai.com/docs/api-reference/chat-streaming) and components.schemas.CreateChatCompletionResponse
// / CreateChatCompletionStreamResponse in its OpenAPI document.
import { randomBytes } from 'node:crypto';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** The request's `response_format` `json_schema`, when it asked for structured output. */
  responseFormat?: import('./structured.js').ResponseFormat;
}

export type Responder = (req: ChatRequest) => string;

/** Message content may be a string or an array of parts; the text parts joined. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join('');
  }
  return '';
}

export function toChatRequest(body: { model: string; messages: Array<{ role?: unknown; content?: unknown }> }): ChatRequest {
  return {
    model: body.model,
    messages: body.messages.map((m) => ({ role: String(m.role ?? ''), content: messageText(m.content) })),
  };
}

export function lastUserMessage(req: ChatRequest): string {
  return [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** The heading the default answer starts with: the prompt's first line, plain, at most 60 characters. */
export function titleFromPrompt(prompt: string): string {
  const firstLine = prompt.split('\n').find((line) => line.trim() !== '') ?? '';
  const plain = firstLine
    .replace(/[#*_`>[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const short = plain.length > 60 ? `${plain.slice(0, 57).trimEnd()}...` : plain;
  return short ? short[0]!.toUpperCase() + short.slice(1) : 'Untitled';
}

/**
 * The default answer: a small Markdown document that quotes the last user message, so a test can tell which
 * prompt reached which page or row.
 */
export function defaultResponse(req: ChatRequest): string {
  const prompt = lastUserMessage(req);
  const quoted = prompt
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');
  return [
    `# ${titleFromPrompt(prompt)}`,
    '',
    `This document answers the prompt below; it was written by the stand-in for ${req.model}.`,
    '',
    quoted,
    '',
    '## Key points',
    '',
    `- The prompt has ${prompt.length} characters.`,
    '- The text is deterministic, so tests can compare it.',
    '',
    'That is all for this prompt.',
  ].join('\n');
}

/** Roughly four characters a token, as OpenAI's tokenizer guide suggests for English text. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function completionId(): string {
  return `chatcmpl-${randomBytes(15).toString('base64url')}`;
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function usageFor(req: ChatRequest, text: string) {
  const prompt_tokens = estimateTokens(req.messages.map((m) => m.content).join('\n'));
  const completion_tokens = estimateTokens(text);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** The non-streamed `chat.completion` object. */
export function completionObject(meta: CompletionMeta, req: ChatRequest, text: string) {
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop' as const,
      },
    ],
    usage: usageFor(req, text),
    service_tier: 'default' as const,
  };
}

/** One `chat.completion.chunk`; with include_usage every chunk but the last carries `usage: null`. */
export function chunkObject(
  meta: CompletionMeta,
  choice: { delta: Record<string, unknown>; finish_reason: 'stop' | null } | undefined,
  usage: ReturnType<typeof usageFor> | null | undefined,
) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk' as const,
    created: meta.created,
    model: meta.model,
    service_tier: 'default' as const,
    choices: choice ? [{ index: 0, delta: choice.delta, logprobs: null, finish_reason: choice.finish_reason }] : [],
    ...(usage !== undefined ? { usage } : {}),
  };
}

/** Splits the text into deltas of at most `size` characters (never splitting a surrogate pair). */
export function splitIntoDeltas(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}
