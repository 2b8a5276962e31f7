// The HTTP side: one request passes, in order, early-retry bookkeeping -> injected faults -> endpoint check
// (spec) -> Notion-Version -> auth -> rate limit -> JSON body -> version rules -> size limits -> handler.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  errorBody,
  invalidJson,
  invalidRequestUrl,
  missingVersion,
  NotionApiError,
  rateLimited,
  SERVER_ERRORS,
  unauthorized,
  validationError,
} from './errors.js';
import { type FaultBook, type FaultSpec, faultLabel } from './faults.js';
import { findLimitViolations } from './limits.js';
import { RetryAfterLedger, TokenBucket } from './rate-limit.js';
import { findRoute, type Route } from './routes/index.js';
import { type EndpointRule, findRule } from './spec-check.js';
import { findAfterUse, findArchivedUses, findMarkdownVersionProblem, isNotionVersion, NOTION_VERSIONS, type NotionVersion } from './version-rules.js';
import type { Workspace } from './workspace.js';

export interface RequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  query?: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  secret?: string;
  notionVersion?: string;
  body?: any;
  /** Arrival time (ms since epoch). */
  at: number;
  /** Label of the injected fault that answered this request. */
  injected?: string;
  /** Retry-After (seconds) carried by this response. */
  retryAfterSeconds?: number;
  /** Set on an early retry: when the Retry-After it ignored was sent. */
  retryAfterSentAt?: number;
  /**
   * Set when the integration's rate limit answered it (429 `rate_limited`, not an injected fault): the request came
   * over Notion's average of 3 a second and its burst (https://developers.notion.com/reference/request-limits).
   */
  overLimit?: true;
}

export interface ServerState {
  ws: Workspace;
  faults: FaultBook;
  requests: RequestRecord[];
  failures: string[];
  requestsPerSecond: number;
  burst: number;
  latencyMs: number;
  queryResultLimit: number;
  /** Blocks one GET /v1/pages/{id}/markdown renders before it truncates (see routes/pages.ts). */
  markdownBlockLimit: number;
  /** Spec rules, or undefined when the spec check is off. */
  specRules: EndpointRule[] | undefined;
}

const REFERENCE = {
  limits: 'https://developers.notion.com/reference/request-limits',
  upgrade: 'https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11',
  upgrade20261201: 'https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01',
  versioning: 'https://developers.notion.com/reference/versioning',
};

export function createNotionServer(state: ServerState): { server: Server; cancelTimers(): void } {
  const buckets = new Map<string, TokenBucket>();
  const ledger = new RetryAfterLedger();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, run: () => void) => {
    if (ms <= 0) return run();
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = url.pathname;
    const secret = bearerSecret(req.headers.authorization);
    const notionVersion = headerValue(req.headers['notion-version']);
    const rawBody = await readBody(req);
    const record: RequestRecord = { method, path: pathname, status: 0, at: arrivedAt };
    if (url.search) record.query = url.search;
    if (secret) record.secret = secret;
    if (notionVersion) record.notionVersion = notionVersion;
    if (rawBody.length > 0) record.body = parseOrRaw(rawBody);
    state.requests.push(record);
    const where = `${method} ${pathname}`;
    const requestSignature = `${where} ${rawBody.toString('utf8')}`;
    const fail = (message: string) => state.failures.push(`${message} [${where}]`);

    if (secret) {
      const ignored = ledger.ignoredBy(secret, requestSignature, arrivedAt);
      if (ignored) {
        record.retryAfterSentAt = ignored.sentAt;
        fail(
          `early retry: arrived ${ignored.until - arrivedAt} ms before the Retry-After sent at ${new Date(ignored.sentAt).toISOString()} had passed (${REFERENCE.limits})`,
        );
      }
    }

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, extraDelayMs = 0, dropInstead = false) => {
      later(state.latencyMs + extraDelayMs, () => {
        if (dropInstead) {
          record.status = 0;
          req.socket.destroy();
          return;
        }
        if (typeof body === 'string') {
          // An HTML page from the edge proxy (Cloudflare), without Notion's request id.
          res.writeHead(status, { 'content-type': 'text/html', 'cf-ray': `${randomUUID().slice(0, 16)}-IAD`, ...headers });
          res.end(body);
        } else {
          const requestId = randomUUID();
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-notion-request-id': requestId, ...headers });
          res.end(JSON.stringify({ ...(body as object), request_id: requestId }));
        }
        record.status = status;
        const retryAfter = headers['retry-after'];
        if (retryAfter) {
          record.retryAfterSeconds = Number(retryAfter);
          if (secret) ledger.record(secret, requestSignature, Number(retryAfter), Date.now());
        }
      });
    };
    const sendError = (err: NotionApiError, extraDelayMs = 0) => send(err.status, errorBody(err), err.headers, extraDelayMs);

    const fault = state.faults.take({ method, path: pathname, ...(secret ? { secret } : {}) });
    if (fault) record.injected = faultLabel(fault);
    if (fault && typeof fault.status === 'number') return sendInjected(fault, send, sendError);
    if (fault?.status === 'drop' && !fault.afterApplying) {
      req.socket.destroy();
      return;
    }
    const extraDelayMs = fault?.status === 'slow' ? (fault.delayMs ?? 2000) : 0;
    const dropAfterApplying = fault?.status === 'drop';

    try {
      const found = resolveEndpoint(method, pathname, fail);
      const version = checkVersion(notionVersion, fail);
      const integration = state.ws.activeIntegration(secret);
      if (!integration) throw unauthorized();
      takeToken(integration.secret, record);
      const body = parseBody(rawBody);
      checkVersionRules(found.route, body, fail);
      checkMarkdownVersion(body, url.searchParams.get('markdown_version'), version, fail);
      if (found.route.write) checkLimits(body, rawBody.length, fail);
      const result = found.route.handle({
        ws: state.ws,
        integration,
        params: found.params,
        query: url.searchParams,
        body,
        queryResultLimit: state.queryResultLimit,
        markdownBlockLimit: state.markdownBlockLimit,
        version,
      });
      send(200, result, {}, extraDelayMs, dropAfterApplying);
    } catch (err) {
      if (!(err instanceof NotionApiError)) {
        fail(`stand-in bug: ${(err as Error).stack ?? String(err)}`);
        return sendError(new NotionApiError(500, 'internal_server_error', 'Unexpected error occurred.'));
      }
      if (dropAfterApplying) return send(0, {}, {}, extraDelayMs, true);
      sendError(err, extraDelayMs);
    }
  }

  function resolveEndpoint(method: string, pathname: string, fail: (m: string) => void): { route: Route; params: Record<string, string> } {
    const found = findRoute(method, pathname);
    if (state.specRules && !findRule(state.specRules, method, pathname)) {
      fail(`unknown endpoint: not in Notion's OpenAPI spec nor the stand-in's allow-list`);
      throw invalidRequestUrl();
    }
    if (!found) {
      fail(state.specRules ? 'unimplemented: Notion has this endpoint but the stand-in does not serve it' : 'unknown endpoint');
      throw state.specRules ? new NotionApiError(400, 'invalid_request', `Unsupported request: ${method} ${pathname}.`) : invalidRequestUrl();
    }
    return found;
  }

  function checkVersion(notionVersion: string | undefined, fail: (m: string) => void): NotionVersion {
    if (!notionVersion) {
      fail(`missing Notion-Version header (${REFERENCE.versioning})`);
      throw missingVersion();
    }
    if (!isNotionVersion(notionVersion)) {
      const spoken = NOTION_VERSIONS.map((v) => `\`${v}\``).join(' or ');
      fail(`Notion-Version ${notionVersion} is not ${NOTION_VERSIONS.join(' or ')}`);
      throw validationError(`Notion-Version header failed validation: the Notion stand-in speaks only ${spoken}, instead was \`${notionVersion}\`.`);
    }
    return notionVersion;
  }

  function checkMarkdownVersion(body: unknown, queried: string | null, version: NotionVersion, fail: (m: string) => void): void {
    const problem =
      findMarkdownVersionProblem(body, version) ?? (queried === null ? undefined : findMarkdownVersionProblem({ markdown_version: queried }, version));
    if (!problem) return;
    fail(`refused in 2026-12-01: ${problem} (${REFERENCE.upgrade20261201})`);
    throw validationError(`body failed validation: ${problem}`);
  }

  function takeToken(secret: string, record: RequestRecord): void {
    let bucket = buckets.get(secret);
    if (!bucket) buckets.set(secret, (bucket = new TokenBucket(state.requestsPerSecond, state.burst)));
    const taken = bucket.take();
    if (taken.ok) return;
    record.overLimit = true;
    throw rateLimited(taken.retryAfterSeconds);
  }

  function checkVersionRules(route: Route, body: unknown, fail: (m: string) => void): void {
    const problems = [...findArchivedUses(body)];
    const after = route.template === '/v1/blocks/{block_id}/children' ? findAfterUse(body) : undefined;
    if (after) problems.push(after);
    if (problems.length === 0) return;
    for (const problem of problems) fail(`removed in 2026-03-11: ${problem} (${REFERENCE.upgrade})`);
    throw validationError(`body failed validation: ${problems[0]}`);
  }

  function checkLimits(body: unknown, payloadBytes: number, fail: (m: string) => void): void {
    const violations = findLimitViolations(body, payloadBytes);
    if (violations.length === 0) return;
    for (const violation of violations) fail(`limit: ${violation} (${REFERENCE.limits})`);
    throw validationError(`body failed validation: ${violations[0]}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      state.failures.push(`stand-in bug: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return {
    server,
    cancelTimers: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** Injected error answers; 429 and 529 carry Retry-After (default 1 s) as Notion's do. */
function sendInjected(fault: FaultSpec, send: Send, sendError: (err: NotionApiError) => void): void {
  const status = fault.status as number;
  const retryAfter = fault.retryAfterSeconds ?? (status === 429 || status === 529 ? 1 : undefined);
  const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
  if (status === 502) {
    // Notion's edge proxy answers with HTML, not a Notion error body.
    send(502, '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>', headers);
    return;
  }
  if (status === 429) {
    sendError(rateLimited(retryAfter ?? 1));
    return;
  }
  const known = SERVER_ERRORS[status] ?? { code: 'internal_server_error', message: 'Unexpected error occurred.' };
  sendError(new NotionApiError(status, known.code, known.message, headers));
}

function bearerSecret(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseOrRaw(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

function parseBody(raw: Buffer): Record<string, any> {
  if (raw.length === 0) return {};
  try {
    const parsed = JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw invalidJson();
  }
}
