// One http.Server on 127.0.0.1 (random port) for everything Slack serves: the Web API under /api/, response_url
// endpoints under /response/, and the Socket Mode WebSocket under /link/ (upgrade).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './http-body.js';
import type { ApiContext } from './methods/method.js';
import type { Records } from './records.js';
import type { ResponseUrls } from './response-urls.js';
import type { SocketModeServer } from './socket-mode.js';
import { handleWebApi } from './web-api.js';

export interface Routes {
  api: ApiContext;
  responseUrls: ResponseUrls;
  socketMode: SocketModeServer;
  records: Records;
}

export async function startServer(routes: Routes): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    const r = routes;
    const route = async () => {
      if (pathname.startsWith('/api/')) return handleWebApi(decodeURIComponent(pathname.slice('/api/'.length)), request, response, r.api);
      const responseUrl = /^\/response\/([^/]+)$/.exec(pathname);
      if (responseUrl && request.method === 'POST') {
        const raw = await readBody(request);
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
        const answer = r.responseUrls.post(responseUrl[1]!, body);
        return sendJson(response, answer.status, answer.body);
      }
      r.records.fail(`HTTP ${request.method} ${pathname}: not an endpoint Slack serves`);
      return sendJson(response, 404, { ok: false, error: 'not_found' });
    };
    route().catch((error: unknown) => {
      r.records.fail(`HTTP ${request.method} ${pathname}: stand-in error ${String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: 'internal_error' });
      else response.destroy();
    });
  });
  server.on('upgrade', (request, socket, head) => routes.socketMode.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
