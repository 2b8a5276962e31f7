// Helpers shared by the Notion adapter tests: a pino logger that keeps its lines, and a scripted HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';

export function memoryLogger(level: pino.LevelWithSilent = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

export interface ScriptedRequest {
  method: string;
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How to answer one request: a status with JSON (and headers), a delay, or a dropped connection. */
export type Answer = { status: number; json?: unknown; text?: string; headers?: Record<string, string>; delayMs?: number } | { drop: true; delayMs?: number };

export interface ScriptedServer {
  baseUrl: string;
  requests: ScriptedRequest[];
  /** Answers are taken in order; when none is left, `fallback` answers. */
  script(...answers: Answer[]): void;
  fallback: Answer;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const queue: Answer[] = [];
  const requests: ScriptedRequest[] = [];
  const state = { fallback: { status: 200, json: { object: 'user', id: 'bot' } } as Answer };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0]!,
        at: Date.now(),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = queue.shift() ?? state.fallback;
      const respond = () => {
        if ('drop' in answer) {
          req.socket.destroy();
          return;
        }
        const body = answer.text ?? JSON.stringify(answer.json ?? {});
        res.writeHead(answer.status, { 'content-type': answer.text ? 'text/html' : 'application/json', ...answer.headers });
        res.end(body);
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...answers) => void queue.push(...answers),
    get fallback() {
      return state.fallback;
    },
    set fallback(answer: Answer) {
      state.fallback = answer;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const notionError = (status: number, code: string, message = 'x') => ({ object: 'error', status, code, message });
