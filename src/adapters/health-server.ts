/**
 * The optional health endpoints (VISEN_HEALTH_PORT) for a process manager, a load balancer or Kubernetes:
 * `GET /healthz` answers 200 while the process is up; `GET /readyz` answers 200 when the Slack socket is connected
 * and the store answers, else 503 with a short JSON body naming what is not ready (never a URL or a secret).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** What readiness is made of, passed in by the entry point so this module knows neither Slack nor the store. */
export interface ReadinessChecks {
  slackConnected(): boolean;
  /** True when the store answered a read just now; never throws. */
  storeAnswers(): Promise<boolean>;
}

export interface HealthServerOptions {
  readonly port: number;
  readonly host: string;
  readonly checks: ReadinessChecks;
  readonly logger: Logger;
}

export interface HealthServer {
  /** The port it listens on (the one asked for). */
  readonly port: number;
  close(): Promise<void>;
}

/** A probe that waits longer than this is told "not ready" rather than hang (a store read takes milliseconds). */
const STORE_CHECK_TIMEOUT_MS = 2_000;

export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    answer(req, res, o.checks).catch((err: unknown) => {
      o.logger.warn({ message: (err as Error).message }, 'health check failed');
      if (!res.headersSent) send(res, 500, { status: 'error' });
    });
  });
  // Probes are short and frequent: no keep-alive connections left open to slow down a stop.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `VISEN_HEALTH_PORT ${o.port} is already in use on ${o.host}: choose another port, or stop what listens there.`
            : `the health endpoints could not listen on ${o.host}:${o.port} (${err.code ?? err.message}); check VISEN_HEALTH_PORT and VISEN_HEALTH_HOST.`,
        ),
      ),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  o.logger.info({ host: o.host, port: o.port }, 'health endpoints listening (/healthz, /readyz)');
  return {
    port: o.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, checks: ReadinessChecks): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const probe = req.method === 'GET' || req.method === 'HEAD';
  if (probe && path === '/healthz') return send(res, 200, { status: 'ok' });
  if (!probe || path !== '/readyz') return send(res, 404, { status: 'not found' });
  const slack = checks.slackConnected();
  const store = await withTimeout(checks.storeAnswers(), STORE_CHECK_TIMEOUT_MS);
  if (slack && store) return send(res, 200, { status: 'ready' });
  send(res, 503, { status: 'not ready', slack: slack ? 'connected' : 'not connected', store: store ? 'answering' : 'not answering' });
}

function send(res: ServerResponse, status: number, body: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check.catch(() => false), late]).finally(() => clearTimeout(timer));
}
