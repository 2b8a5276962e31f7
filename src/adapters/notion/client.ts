/**
 * One @notionhq/client `Client` per integration secret, configured as the team contract says: API version
 * 2026-12-01, the SDK's own retries off (our fetch wrapper limits and retries every attempt), and the SDK's log
 * routed to pino. The SDK logs method, path, error code and request id (never headers); raw error bodies are kept
 * to debug level and redacted.
 */
import { Client, LogLevel, type Logger as NotionLogger } from '@notionhq/client';
import type { Logger } from 'pino';
import { clipForLog } from '../../log-redaction.js';
import { createLimitedFetch, type LimitedFetchOptions } from './http.js';
import { HTTP_DEFAULTS } from './limits.js';
import type { NotionRateLimiter } from './rate-limiter.js';

/**
 * https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01: lists (query, search) return only the
 * title property unless `filter_properties` names others (property-ids.ts), a person's `name` may be null
 * (property-values.ts), and reading a page as Markdown sends `markdown_version: "v2"` (workspace.ts). The guide's
 * other changes touch what Visen does not call: writing Markdown (`update_content`, `after_content`; Visen converts
 * Markdown to blocks itself) and status group filters (Visen filters only select and rich text properties).
 */
export const NOTION_VERSION = '2026-12-01';
export const DEFAULT_NOTION_BASE_URL = 'https://api.notion.com';

export interface NotionClientOptions {
  readonly secret: string;
  readonly limiter: NotionRateLimiter;
  readonly logger: Logger;
  readonly baseUrl?: string;
  /** One HTTP attempt (retries add more). */
  readonly timeoutMs?: number;
  /** Overrides of the retry policy (tests). */
  readonly http?: Partial<Omit<LimitedFetchOptions, 'limiter' | 'logger'>>;
}

export function createNotionClient(options: NotionClientOptions): Client {
  const attemptTimeoutMs = options.timeoutMs ?? options.http?.attemptTimeoutMs ?? HTTP_DEFAULTS.attemptTimeoutMs;
  const maxTotalMs = options.http?.maxTotalMs ?? HTTP_DEFAULTS.maxTotalMs;
  const fetch = createLimitedFetch({ ...options.http, attemptTimeoutMs, maxTotalMs, limiter: options.limiter, logger: options.logger });
  return new Client({
    auth: options.secret,
    baseUrl: options.baseUrl ?? DEFAULT_NOTION_BASE_URL,
    notionVersion: NOTION_VERSION,
    retry: false,
    fetch,
    logger: routeNotionLog(options.logger),
    logLevel: options.logger.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.WARN,
    // The SDK's timer covers the whole call, retries and waits included; ours end each attempt well before it.
    timeoutMs: maxTotalMs + attemptTimeoutMs + 5_000,
  });
}

/** Failures the caller expects and reports itself (a probe for a page that is a database, a missing object). */
const EXPECTED_FAILURES = new Set(['object_not_found', 'validation_error', 'unauthorized', 'restricted_resource', 'conflict_error']);

/** The SDK's logger -> pino: its chatty info lines go to debug, expected 4xx failures too; bodies only at debug. */
export function routeNotionLog(logger: Logger): NotionLogger {
  return (level, message, extraInfo) => {
    const { body, message: detail, ...rest } = extraInfo;
    const fields: Record<string, unknown> = { ...rest };
    if (typeof detail === 'string') fields.detail = clipForLog(detail);
    const code = typeof rest.code === 'string' ? rest.code : undefined;
    const target = level === LogLevel.ERROR ? 'error' : level === LogLevel.WARN && !(code && EXPECTED_FAILURES.has(code)) ? 'warn' : 'debug';
    if (target === 'debug' && typeof body === 'string') fields.body = clipForLog(body);
    logger[target]({ notion: fields }, `notion client: ${message}`);
  };
}
