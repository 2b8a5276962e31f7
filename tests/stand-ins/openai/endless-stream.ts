// A hostile OpenAI-compatible server: it lists models like OpenAI does, but every streamed chat completion goes
// on forever (an event every `intervalMs`, never a finish_reason, never `data: [DONE]`). It counts the bytes it
// sends and sees when the client closes a stream, so a test can tell whether a cancelled run really stopped the
// HTTP request and how much arrived after the cancel.
//
// Protocol: chat completion chunks as `data: {chat.completion.chunk}` server-sent events
// (https://platform.openai.com/docs/api-reference/chat-streaming). `paddingBytesPerEvent` adds an SSE comment
// line (`: xxx…`), which every client ignores (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
// heavy on the wire, light on the answer, so a test can send ~34 KB every 20 ms without the answer itself
// reaching an answer-length cap before the test clicks Cancel.
// Backpressure is respected: a stream whose client stops reading gets no more events until it drains, so the
// byte count is what the client took, not what piled up in our buffers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chunkObject, completionId } from './completions.js';

export interface EndlessStreamOptions {
  /** Answer characters in each event (default 34,000). */
  readonly contentCharsPerEvent?: number;
  /** Ignored comment bytes added to each event (default 0). */
  readonly paddingBytesPerEvent?: number;
  /** Time between events (default 20 ms). */
  readonly intervalMs?: number;
  /** Model ids listed and accepted (default ['gpt-5-mini', 'gpt-4o-mini']). */
  readonly models?: readonly string[];
}

export interface EndlessStreamRecord {
  readonly openedAt: number;
  /** Bytes of this stream written to the socket so far. */
  bytes: number;
  /** False once the stream's connection is closed (only the client closes: the server never ends a stream). */
  open: boolean;
}

export interface EndlessStreamServer {
  /** `http://127.0.0.1:PORT/v1`, what the openai SDK takes as baseURL. */
  readonly baseUrl: string;
  /** Every chat completion stream, in the order they started. */
  readonly streams: readonly EndlessStreamRecord[];
  /** Bytes sent on all streams so far. */
  readonly bytesSent: number;
  /** Streams whose connection is still open. */
  readonly openStreams: number;
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['gpt-5-mini', 'gpt-4o-mini'];
const FILLER = 'All work and no play makes a very long answer.';

export async function startEndlessStreamServer(options: EndlessStreamOptions = {}): Promise<EndlessStreamServer> {
  const models = [...(options.models ?? DEFAULT_MODELS)];
  const content = paragraphs(options.contentCharsPerEvent ?? 34_000);
  const padding = (options.paddingBytesPerEvent ?? 0) > 0 ? `: ${'x'.repeat(options.paddingBytesPerEvent! - 3)}\n` : '';
  const intervalMs = options.intervalMs ?? 20;
  const streams: EndlessStreamRecord[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let bytesSent = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
      return json(res, 401, { error: { message: 'Missing API key.', type: 'invalid_request_error', param: null, code: null } });
    if (req.method === 'GET' && url.pathname === '/v1/models') return json(res, 200, { object: 'list', data: models.map(modelObject) });
    const model = /^\/v1\/models\/([^/]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && model) return models.includes(model) ? json(res, 200, modelObject(model)) : json(res, 404, notFound(model));
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return void stream(req, res);
    json(res, 404, { error: { message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null } });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function stream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as { model?: string };
    const meta = { id: completionId(), created: Math.floor(Date.now() / 1000), model: body.model ?? models[0]! };
    const record: EndlessStreamRecord = { openedAt: Date.now(), bytes: 0, open: true };
    streams.push(record);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const event = (delta: Record<string, unknown>) => `${padding}data: ${JSON.stringify(chunkObject(meta, { delta, finish_reason: null }, undefined))}\n\n`;
    const write = (text: string) => {
      if (res.destroyed || res.writableNeedDrain) return;
      res.write(text);
      const bytes = Buffer.byteLength(text);
      record.bytes += bytes;
      bytesSent += bytes;
    };
    write(event({ role: 'assistant', content: '' }));
    const timer = setInterval(() => write(event({ content })), intervalMs);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
      record.open = false;
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    streams,
    get bytesSent() {
      return bytesSent;
    },
    get openStreams() {
      return streams.filter((s) => s.open).length;
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** About `chars` characters of prose in paragraphs of ten sentences, so a page body gets ordinary blocks. */
function paragraphs(chars: number): string {
  const paragraph = `${Array.from({ length: 10 }, () => FILLER).join(' ')}\n\n`;
  return paragraph.repeat(Math.ceil(chars / paragraph.length)).slice(0, Math.max(1, chars));
}

function modelObject(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'openai' };
}

function notFound(model: string) {
  return {
    error: {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (body += part));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
