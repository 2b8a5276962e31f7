/**
 * A hostile upstream: an HTTP proxy in front of a stand-in (Notion's, OpenAI's) that passes every request through
 * unchanged, except those a test asks it to answer itself, as a misbehaving server or a compromised proxy on the
 * way would: a 429 with `Retry-After: 999999`, a 5 MB error page, a body that echoes the caller's key back.
 *
 *   const proxy = await startHostileProxy();                    // point the app at `${proxy.origin}/v1`
 *   proxy.target = openai.baseUrl;                              // where everything else goes
 *   proxy.answer({ pathIncludes: '/models', status: 500, body: 'x'.repeat(5_000_000) });
 *
 * Retry-After is HTTP's header for "wait this many seconds" (https://www.rfc-editor.org/rfc/rfc9110#name-retry-after);
 * the answers are whatever a hostile server chooses to send, so nothing here follows a vendor's documentation on
 * purpose. The real stand-in behind it still checks everything that passes through.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HostileAnswer {
  method?: string;
  pathIncludes?: string;
  /** Only requests whose Authorization (or api-key) header holds this secret. */
  secret?: string;
  status: number;
  headers?: Record<string, string>;
  /** The body; a function gets the caller's credential (to echo it back, say). */
  body?: string | ((credential: string) => string);
  /** How many matching requests it answers (default 1). */
  times?: number;
}

export interface HostileProxy {
  /** `http://127.0.0.1:PORT`; paths are passed through as they come. */
  readonly origin: string;
  /** Where requests it does not answer itself go (any path of the URL is ignored: paths pass through). */
  target: string;
  answer(a: HostileAnswer): void;
  /** Requests it answered itself, in order. */
  readonly answered: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

export async function startHostileProxy(): Promise<HostileProxy> {
  let target: URL | undefined;
  const pending: Array<HostileAnswer & { left: number }> = [];
  const answered: Array<{ method: string; path: string }> = [];

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const credential = credentialOf(req.headers);
    const match = pending.find(
      (a) => a.left > 0 && (!a.method || a.method === method) && (!a.pathIncludes || path.includes(a.pathIncludes)) && (!a.secret || credential === a.secret),
    );
    if (match) {
      match.left -= 1;
      answered.push({ method, path });
      req.resume();
      const body = typeof match.body === 'function' ? match.body(credential) : (match.body ?? '');
      res.writeHead(match.status, { 'content-type': 'text/html', ...match.headers });
      res.end(body);
      return;
    }
    if (!target) {
      res.writeHead(502).end('hostile proxy: no target set');
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method, path, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('hostile proxy: no TCP address');

  return {
    origin: `http://127.0.0.1:${address.port}`,
    get target() {
      return target?.href ?? '';
    },
    set target(url: string) {
      target = new URL(url);
    },
    answer: (a) => void pending.push({ ...a, left: a.times ?? 1 }),
    answered,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function credentialOf(headers: IncomingHttpHeaders): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
  const apiKey = headers['api-key'];
  return bearer ?? (typeof apiKey === 'string' ? apiKey : '');
}
