/**
 * The OpenAI adapter: one client per user's API key and base URL (OpenAI, or any OpenAI-compatible server:
 * Azure, Ollama, LM Studio, vLLM), model listing and streamed chat completions, every failure turned into an
 * OpenAiError with a message the user can act on (see ./openai/errors.ts).
 *
 * Retries: the SDK retries 429 rate limits, 5xx and network blips up to MAX_RETRIES times, honouring
 * Retry-After (https://platform.openai.com/docs/guides/rate-limits), but only before the answer starts:
 * once tokens have flowed nothing is retried, because the caller has already written them.
 * Timeouts: `timeoutMs` bounds the wait for the first token and the gap between tokens.
 */
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { OpenAiError } from '../errors.js';
import { rememberSecretForRedaction } from '../log-redaction.js';
import { createGuardedFetch, type Fetch, type HostResolver } from './net/guarded-fetch.js';
import type { AllowList } from './net/outbound-policy.js';
import { ANSWER_LIMITS, answerCutNotices } from './openai/answer-limits.js';
import { CallContext } from './openai/call-context.js';
import { type Endpoint, endpointOf, type FailureContext, safeCause, toOpenAiError, unreachable, userMessages } from './openai/errors.js';
import { fetchForCall } from './openai/fetch-for-call.js';
import { modelIds, suggestions } from './openai/model-list.js';
import { type ChunkStream, readAnswer } from './openai/read-answer.js';
import { sdkLoggerFor } from './openai/sdk-logger.js';
import { type JsonSchemaFormat, rejectsResponseFormat, responseFormatOf, schemaInstructions } from './openai/structured.js';
import { RememberedEndpoints, rejectsStreamOptions, type TokenUsage } from './openai/usage.js';

export type { JsonSchemaFormat } from './openai/structured.js';
export type { TokenUsage } from './openai/usage.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_RETRIES = 2;
const MAX_CACHED_CLIENTS = 200;

export interface OpenAiGatewayOptions {
  logger: Logger;
  /** Longest wait for the first token and between tokens (default 60 s). */
  timeoutMs?: number;
  /** The endpoint for users who set no base URL (OPENAI_BASE_URL); OpenAI's own API when absent. */
  defaultBaseUrl?: string;
  /**
   * Where users' own base URLs may connect: the non-public addresses the operator allows (VISEN_BASE_URL_ALLOW)
   * and, for tests, the host resolver. Absent: public addresses only. The default endpoint is the operator's
   * and is trusted as it is, also when a user types its address.
   */
  userEndpoints?: { readonly allow: AllowList; readonly resolve?: HostResolver };
}

export interface OpenAiGateway {
  forUser(c: { apiKey: string; baseUrl?: string | undefined }): OpenAiClient;
}

export interface StreamChatOptions {
  model: string;
  system?: string;
  /** Further system messages after `system` (e.g. a database owner's standing instructions), each its own message. */
  instructions?: readonly string[];
  /** A document the prompt is about (e.g. the page's Markdown), sent as its own user message before the prompt. */
  document?: string;
  prompt: string;
  signal?: AbortSignal;
  /** Called when the answer was cut (ANSWER_LIMITS), with words for the user; the text so far was yielded. */
  onCut?: (notice: string) => void;
  /**
   * Called once when an answer the model began has ended (complete, cut, failed or aborted): its token usage, or
   * undefined when the server did not report it. Not called when no answer began (the request was refused).
   */
  onUsage?: (usage: TokenUsage | undefined) => void;
  /**
   * Ask for one JSON object matching this schema (structured outputs, see openai/structured.ts); a server that
   * refuses `response_format` gets the schema as instructions. The text deltas are then the JSON's text.
   */
  jsonSchema?: JsonSchemaFormat;
}

export interface OpenAiClient {
  /** Model ids the endpoint lists for this key (sorted). Also checks the key and the endpoint. */
  listModels(): Promise<string[]>;
  /** Throws OpenAiError('model_not_found') naming a few models the endpoint does list. */
  checkModel(model: string): Promise<void>;
  /**
   * The answer's text deltas, in order, at most ANSWER_LIMITS.maxChars characters (the stream is closed there).
   * Throws OpenAiError; a caller's abort rethrows its signal's reason.
   */
  streamChat(request: StreamChatOptions): AsyncIterable<string>;
}

export function createOpenAiGateway(options: OpenAiGatewayOptions): OpenAiGateway {
  const logger = options.logger.child({ component: 'openai' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clients = new Map<string, OpenAiClient>();
  const withoutUsageOption = new RememberedEndpoints();
  const withoutResponseFormat = new RememberedEndpoints();
  const operatorEndpoint = endpointOf(options.defaultBaseUrl || OPENAI_DEFAULT_BASE_URL);
  const userFetch = createGuardedFetch({
    allow: options.userEndpoints?.allow ?? { hosts: new Set(), ranges: [] },
    ...(options.userEndpoints?.resolve ? { resolve: options.userEndpoints.resolve } : {}),
  });
  return {
    forUser({ apiKey, baseUrl }) {
      const endpoint = baseUrl ? endpointOf(baseUrl) : operatorEndpoint;
      // The cache key is a hash, so the key itself sits only inside the SDK client.
      const id = createHash('sha256').update(`${apiKey}\n${endpoint.baseUrl}`).digest('hex');
      let client = clients.get(id);
      if (client) {
        clients.delete(id); // most recently used goes last
      } else {
        rememberSecretForRedaction(apiKey); // so that no part of it reaches a log line, even echoed by an upstream
        const trusted = sameOrigin(endpoint, operatorEndpoint);
        client = new UserOpenAiClient(apiKey, endpoint, { timeoutMs, logger, withoutUsageOption, withoutResponseFormat }, trusted ? undefined : userFetch);
        if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value as string);
      }
      clients.set(id, client);
      return client;
    },
  };
}

class UserOpenAiClient implements OpenAiClient {
  readonly #sdk: OpenAI;
  readonly #apiKey: string;
  readonly #endpoint: Endpoint;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  /** Undefined: Node's fetch, for the operator's endpoint; else the policy's guarded fetch. */
  readonly #baseFetch: Fetch | undefined;
  readonly #shared: ClientShared;

  constructor(apiKey: string, endpoint: Endpoint, shared: ClientShared, baseFetch: Fetch | undefined) {
    const { timeoutMs, logger } = shared;
    this.#apiKey = apiKey;
    this.#baseFetch = baseFetch;
    this.#endpoint = endpoint;
    this.#timeoutMs = timeoutMs;
    this.#shared = shared;
    this.#logger = logger.child({ host: endpoint.host });
    // Every option the SDK would otherwise read from the environment is given explicitly.
    this.#sdk = new OpenAI({
      apiKey: apiKey || 'none',
      baseURL: endpoint.baseUrl,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: MAX_RETRIES,
      timeout: timeoutMs + 1000, // a backstop: the call's own idle clock fires first
      logger: sdkLoggerFor(this.#logger, apiKey),
      logLevel: 'warn',
    });
  }

  async listModels(): Promise<string[]> {
    const ctx = new CallContext(this.#timeoutMs);
    const failure = this.#failureContext('models');
    try {
      const body = await this.#sdkFor(ctx).get<unknown>('/models', { signal: ctx.signal });
      const ids = modelIds(body);
      if (!ids) {
        throw new OpenAiError('bad_endpoint', userMessages.badEndpoint(this.#endpoint, 'its /models answer is not an OpenAI model list'));
      }
      this.#logger.debug({ models: ids.length }, 'listed models');
      return ids;
    } catch (err) {
      throw this.#failure(err, ctx, failure, undefined);
    } finally {
      ctx.finish();
    }
  }

  async checkModel(model: string): Promise<void> {
    const models = await this.listModels();
    if (models.includes(model)) return;
    throw new OpenAiError('model_not_found', userMessages.modelNotFound(this.#endpoint, model, suggestions(models)));
  }

  streamChat(request: StreamChatOptions): AsyncIterable<string> {
    return { [Symbol.asyncIterator]: () => this.#stream(request) };
  }

  async *#stream(request: StreamChatOptions): AsyncGenerator<string, void, undefined> {
    const ctx = new CallContext(this.#timeoutMs, request.signal);
    const failure = { ...this.#failureContext('chat'), model: request.model, streaming: false };
    const startedAt = Date.now();
    const seen: { usage?: TokenUsage } = {};
    this.#logger.debug({ model: request.model }, 'chat completion started');
    try {
      const stream = await this.#openStream(ctx, request);
      failure.streaming = true;
      const end = yield* readAnswer(stream, ctx, seen);
      if (end.cut) {
        this.#logger.info({ model: request.model, chars: end.chars }, 'answer cut at the character limit');
        request.onCut?.(answerCutNotices.charCap);
        return;
      }
      // The SDK ends the iteration quietly when the call is aborted (idle timeout, caller's signal).
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // OpenAI ends every complete answer with a finish_reason (https://platform.openai.com/docs/api-reference/chat-streaming).
      if (!end.finishReason) throw new OpenAiError('stream_cut', userMessages.streamCut(this.#endpoint));
      if (end.finishReason === 'length') request.onCut?.(answerCutNotices.tokenCap);
      const level = end.finishReason === 'stop' ? 'debug' : 'info';
      this.#logger[level]({ model: request.model, chars: end.chars, finishReason: end.finishReason, ms: Date.now() - startedAt }, 'chat completion finished');
    } catch (err) {
      throw this.#failure(err, ctx, failure, request.signal);
    } finally {
      ctx.finish();
      if (failure.streaming) request.onUsage?.(seen.usage);
    }
  }

  /**
   * Starts a streamed Chat Completion, asking for its token usage and, with `jsonSchema`, for structured output. A
   * server that refuses `stream_options` (see rejectsStreamOptions) or `response_format` (rejectsResponseFormat) is
   * asked once more without it, and its endpoint is remembered: its answers report no usage, or get the schema as
   * instructions.
   */
  async #openStream(ctx: CallContext, request: StreamChatOptions, asked?: StreamAsks): Promise<ChunkStream> {
    const baseUrl = this.#endpoint.baseUrl;
    const { withoutUsageOption, withoutResponseFormat } = this.#shared;
    const asks = asked ?? { usage: !withoutUsageOption.has(baseUrl), structured: request.jsonSchema !== undefined && !withoutResponseFormat.has(baseUrl) };
    try {
      return await this.#createStream(ctx, request, asks);
    } catch (err) {
      if (asks.usage && rejectsStreamOptions(err)) {
        withoutUsageOption.add(baseUrl);
        this.#logger.info({ model: request.model }, 'the server refused stream_options; asking again without it (token usage will not be reported)');
        return this.#openStream(ctx, request, { ...asks, usage: false });
      }
      if (asks.structured && rejectsResponseFormat(err)) {
        withoutResponseFormat.add(baseUrl);
        this.#logger.info({ model: request.model }, 'the server refused response_format; asking again with the schema in the instructions');
        return this.#openStream(ctx, request, { ...asks, structured: false });
      }
      throw err;
    }
  }

  /** One streamed Chat Completion request; an endpoint that answers with anything but server-sent events is no OpenAI API. */
  async #createStream(ctx: CallContext, request: StreamChatOptions, asks: StreamAsks): Promise<ChunkStream> {
    const format = request.jsonSchema;
    const schemaMessage = format && !asks.structured ? [schemaInstructions(format)] : [];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
      ...[...(request.instructions ?? []), ...schemaMessage].map((content) => ({ role: 'system' as const, content })),
      ...(request.document !== undefined ? [{ role: 'user' as const, content: request.document }] : []),
      { role: 'user', content: request.prompt },
    ];
    const body: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
      model: request.model,
      messages,
      stream: true,
      max_completion_tokens: ANSWER_LIMITS.maxTokens,
    };
    if (asks.usage) body.stream_options = { include_usage: true };
    if (format && asks.structured) body.response_format = responseFormatOf(format);
    const { data: stream, response } = await this.#sdkFor(ctx).chat.completions.create(body, { signal: ctx.signal }).withResponse();
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      stream.controller.abort();
      throw new OpenAiError('bad_endpoint', userMessages.badEndpoint(this.#endpoint, 'it did not stream the answer as server-sent events'));
    }
    return stream;
  }

  /** The SDK client for one call: the cached client with that call's fetch (idle clock, retry advice). */
  #sdkFor(ctx: CallContext): OpenAI {
    return this.#sdk.withOptions({ fetch: fetchForCall(ctx, this.#baseFetch) });
  }

  #failureContext(operation: 'models' | 'chat'): FailureContext {
    return { endpoint: this.#endpoint, apiKey: this.#apiKey, operation, idleMs: this.#timeoutMs };
  }

  #failure(err: unknown, ctx: CallContext, failure: FailureContext, callerSignal: AbortSignal | undefined): unknown {
    if (err instanceof OpenAiError) return err;
    if (ctx.timedOut) {
      return new OpenAiError('timeout', userMessages.timeout(this.#endpoint, this.#timeoutMs), { cause: safeCause(err, this.#apiKey) });
    }
    if (ctx.fatalError) return unreachable(ctx.fatalError, failure);
    if (callerSignal?.aborted) return callerSignal.reason; // the caller cancelled: not an OpenAI problem
    return toOpenAiError(err, failure);
  }
}

/** What every client of one gateway shares. */
interface ClientShared {
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly withoutUsageOption: RememberedEndpoints;
  readonly withoutResponseFormat: RememberedEndpoints;
}

/** Which optional parameters a request carries: usage (`stream_options`) and structured output (`response_format`). */
interface StreamAsks {
  readonly usage: boolean;
  readonly structured: boolean;
}

/** The same scheme, host and port: a user who types the operator's endpoint gets the operator's trust. */
function sameOrigin(a: Endpoint, b: Endpoint): boolean {
  try {
    return new URL(a.baseUrl).origin === new URL(b.baseUrl).origin;
  } catch {
    return false;
  }
}
