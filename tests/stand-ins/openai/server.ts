// The HTTP side. A request passes, in order: latency -> auth -> route -> (chat) body checks -> model ->
// injected fault -> answer. Every body we send is checked against OpenAI's OpenAPI document when a validator
// is given, and so is every chat completion request the app sends; problems land in `failures`.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  type ChatRequest,
  type CompletionMeta,
  chunkObject,
  completionId,
  completionObject,
  defaultResponse,
  type Responder,
  splitIntoDeltas,
  toChatRequest,
  usageFor,
} from './completions.js';
import {
  type ErrorReply,
  insufficientQuota,
  invalidApiKey,
  invalidRequest,
  invalidUrl,
  missingKey,
  modelNotFound,
  rateLimited,
  serverError,
} from './errors.js';
import type { FaultQueue, FaultSpec } from './faults.js';
import type { OpenAiSchemaName, OpenAiSpecValidator } from './spec-validation.js';
import { exampleFor, formatProblems, REFUSAL_MESSAGE, responseFormatOf, type StructuredOutputsMode } from './structured.js';

export interface RequestRecord {
  path: string;
  method: string;
  /** The API key the request carried (Bearer or Azure's `api-key` header). */
  key?: string;
  body?: any;
  /** Arrival time (ms since epoch). */
  at: number;
  /** 0 while unanswered, and for a request that never got an answer (hang) or was dropped. */
  status: number;
  /** Streamed answers: the usage chunk the stand-in sent, if it sent one. */
  usage?: ReturnType<typeof usageFor>;
}

export interface StreamRate {
  charsPerChunk: number;
  chunkIntervalMs: number;
}

/**
 * How the server treats `stream_options.include_usage` on streamed requests:
 * - `openai`: as OpenAI documents it, a usage chunk with empty `choices` last, before `data: [DONE]`, and
 *   `usage: null` on every other chunk (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options);
 * - `never`: like a compatible server that ignores the option: no `usage` field at all;
 * - `reject`: like Groq, which refuses the unknown property with a 400 ("property 'stream_options' is unsupported").
 */
export type UsageMode = 'openai' | 'never' | 'reject';

export interface ServerState {
  models: string[];
  keys: Set<string>;
  responder: Responder | undefined;
  streamRate: StreamRate;
  faults: FaultQueue;
  latencyMs: number;
  /** Set while answers are held (holdAnswers): every request waits for it after its latency. */
  answersHeld: Promise<void> | undefined;
  requests: RequestRecord[];
  failures: string[];
  validator: OpenAiSpecValidator | undefined;
  usageMode: UsageMode;
  structuredOutputs: StructuredOutputsMode;
}

/** Models list entries carry a fixed creation time, so answers are deterministic. */
const MODEL_CREATED = 1_700_000_000;
const DEFAULT_SLOW_MS = 1000;
const DEFAULT_RETRY_AFTER_MS = 1000;

export function createOpenAiServer(state: ServerState): { server: Server; shutdown(): void } {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const check = (schema: OpenAiSchemaName, value: unknown, what: string) => {
    if (!state.validator) return;
    for (const problem of state.validator.problems(schema, value)) state.failures.push(`${what} does not match ${schema}: ${problem}`);
  };

  function sendJson(res: ServerResponse, record: RequestRecord, status: number, body: unknown, headers: Record<string, string> = {}) {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId(), ...headers });
    res.end(JSON.stringify(body));
  }

  function sendError(res: ServerResponse, record: RequestRecord, reply: ErrorReply) {
    check('ErrorResponse', reply.body, `our ${reply.status} error body for ${record.method} ${record.path}`);
    sendJson(res, record, reply.status, reply.body, reply.headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RequestRecord = { path: url.pathname, method, at: Date.now(), status: 0 };
    state.requests.push(record);
    const raw = await readBody(req);
    await sleep(state.latencyMs);
    await state.answersHeld;
    if (closing) return;

    const key = keyOf(req);
    if (key !== undefined) record.key = key;
    if (key === undefined) return sendError(res, record, missingKey());
    if (!state.keys.has(key)) return sendError(res, record, invalidApiKey(key));

    if (method === 'GET' && url.pathname === '/v1/models') return listModels(res, record);
    const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && modelMatch) return retrieveModel(res, record, decodeURIComponent(modelMatch[1]!));
    if (method === 'POST' && url.pathname === '/v1/chat/completions') return chatCompletions(res, record, raw);

    state.failures.push(`the app called ${method} ${url.pathname}, which the stand-in does not serve`);
    return sendError(res, record, invalidUrl(method, url.pathname));
  }

  function modelObject(id: string) {
    return { id, object: 'model' as const, created: MODEL_CREATED, owned_by: 'openai' };
  }

  function listModels(res: ServerResponse, record: RequestRecord) {
    const body = { object: 'list' as const, data: state.models.map(modelObject) };
    check('ListModelsResponse', body, 'our models list');
    sendJson(res, record, 200, body);
  }

  function retrieveModel(res: ServerResponse, record: RequestRecord, id: string) {
    if (!state.models.includes(id)) return sendError(res, record, modelNotFound(id));
    const body = modelObject(id);
    check('Model', body, 'our model object');
    sendJson(res, record, 200, body);
  }

  async function chatCompletions(res: ServerResponse, record: RequestRecord, raw: string): Promise<void> {
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      state.failures.push('the app sent a chat completion request whose body is not JSON');
      return sendError(res, record, invalidRequest('We could not parse the JSON body of your request.'));
    }
    record.body = body;
    const before = state.failures.length;
    check('CreateChatCompletionRequest', body, "the app's chat completion request");
    if (state.failures.length > before || !isChatBody(body)) {
      if (state.failures.length === before) state.failures.push('the app sent a chat completion request without a model or messages');
      return sendError(res, record, invalidRequest('Invalid chat completion request: it needs `model` and a non-empty `messages` array.', 'messages'));
    }
    if (!state.models.includes(body.model)) return sendError(res, record, modelNotFound(body.model));
    if (state.usageMode === 'reject' && body.stream_options !== undefined) {
      return sendError(res, record, invalidRequest("property 'stream_options' is unsupported, did you mean 'stream'?"));
    }

    const format = responseFormatOf(body);
    if (format && state.structuredOutputs === 'reject') return sendError(res, record, invalidRequest(REFUSAL_MESSAGE, 'response_format'));
    const formatProblem = format ? formatProblems(format)[0] : undefined;
    if (formatProblem !== undefined) {
      state.failures.push(`the app sent a response_format OpenAI refuses: ${formatProblem}`);
      return sendError(res, record, invalidRequest(`Invalid schema for response_format '${format!.name}': ${formatProblem}.`, 'response_format'));
    }

    const fault = state.faults.take();
    if (fault?.kind === 'hang') return; // never answer; the socket stays open until the client gives up or close()
    if (fault?.kind === 429) return sendError(res, record, rateLimited(body.model, fault.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
    if (fault?.kind === 'quota') return sendError(res, record, insufficientQuota());
    if (fault?.kind === 500) return sendError(res, record, serverError());
    if (fault?.kind === 'slow') {
      await sleep(fault.delayMs ?? DEFAULT_SLOW_MS);
      if (closing) return;
    }

    const chat = { ...toChatRequest(body), ...(format ? { responseFormat: format } : {}) };
    const text = state.responder ? state.responder(chat) : format ? JSON.stringify(exampleFor(format.schema)) : defaultResponse(chat);
    const meta: CompletionMeta = { id: completionId(), created: Math.floor(Date.now() / 1000), model: body.model };
    if (body.stream === true) {
      const includeUsage = state.usageMode === 'openai' && body.stream_options?.include_usage === true;
      return streamCompletion(res, record, meta, chat, text, includeUsage, fault?.kind === 'cut_stream' ? fault : undefined);
    }
    if (fault?.kind === 'cut_stream') {
      res.socket?.destroy(); // a dropped connection, no answer at all
      return;
    }
    const completion = completionObject(meta, chat, text);
    check('CreateChatCompletionResponse', completion, 'our chat completion');
    sendJson(res, record, 200, completion);
  }

  /**
   * Server-sent events as OpenAI sends them (https://platform.openai.com/docs/api-reference/chat-streaming):
   * a role chunk, content chunks, a chunk with `finish_reason: 'stop'`, with `stream_options.include_usage` a
   * usage chunk with empty `choices`, then `data: [DONE]`. A cut stream stops after `afterChars` characters
   * of content and destroys the socket: no finish chunk, no [DONE].
   */
  async function streamCompletion(
    res: ServerResponse,
    record: RequestRecord,
    meta: CompletionMeta,
    chat: ChatRequest,
    text: string,
    includeUsage: boolean,
    cut: FaultSpec | undefined,
  ): Promise<void> {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId() });
    const usageField = includeUsage ? null : undefined;
    const send = async (chunk: unknown): Promise<boolean> => {
      if (closing || res.destroyed) return false;
      check('CreateChatCompletionStreamResponse', chunk, 'our stream chunk');
      await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => resolve()));
      return !res.destroyed;
    };

    const { charsPerChunk, chunkIntervalMs } = state.streamRate;
    const sentText = cut
      ? Array.from(text)
          .slice(0, cut.afterChars ?? Math.floor(text.length / 2))
          .join('')
      : text;
    if (!(await send(chunkObject(meta, { delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }, usageField)))) return;
    for (const delta of splitIntoDeltas(sentText, Math.max(1, charsPerChunk))) {
      await sleep(chunkIntervalMs);
      if (!(await send(chunkObject(meta, { delta: { content: delta }, finish_reason: null }, usageField)))) return;
    }
    if (cut) {
      res.socket?.destroy();
      return;
    }
    if (!(await send(chunkObject(meta, { delta: {}, finish_reason: 'stop' }, usageField)))) return;
    if (includeUsage) {
      const usage = usageFor(chat, text);
      if (!(await send(chunkObject(meta, undefined, usage)))) return;
      record.usage = usage;
    }
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      state.failures.push(`stand-in crashed on ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(serverError().body));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    server,
    shutdown() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
    },
  };
}

function isChatBody(body: any): body is { model: string; messages: Array<{ role?: unknown; content?: unknown }>; stream?: unknown; stream_options?: any } {
  return body !== null && typeof body === 'object' && typeof body.model === 'string' && Array.isArray(body.messages) && body.messages.length > 0;
}

/** OpenAI takes `Authorization: Bearer <key>`; Azure OpenAI takes an `api-key` header. */
function keyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const azure = req.headers['api-key'];
  return typeof azure === 'string' && azure !== '' ? azure : undefined;
}

function requestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
