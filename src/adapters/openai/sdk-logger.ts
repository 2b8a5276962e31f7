import type { Logger } from 'pino';
import { clipForLog } from '../../log-redaction.js';

type LogFn = (message: string, ...rest: unknown[]) => void;
/** The openai SDK's logger shape (ClientOptions.logger). */
export interface SdkLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

const MAX_DETAIL_CHARS = 300;

/**
 * Routes the SDK's own log lines to pino at warn level at most (the client is built with logLevel 'warn',
 * so info/debug lines, which carry request details, are never produced). The SDK masks the Authorization
 * header itself; we still cut the key out of every line and redact known token shapes.
 */
export function sdkLoggerFor(logger: Logger, apiKey: string): SdkLogger {
  // clipForLog removes any part of the key (registered with the log redaction when the client was made) and
  // redacts before it cuts, so a cut through the key leaves no prefix behind.
  const scrub = (text: string, max: number) => clipForLog(apiKey ? text.split(apiKey).join('[redacted]') : text, max);
  const detail = (rest: unknown[]) => {
    if (rest.length === 0) return undefined;
    return scrub(rest.map((r) => (typeof r === 'string' ? r : safeJson(r))).join(' '), MAX_DETAIL_CHARS);
  };
  const write = (message: string, rest: unknown[]) => {
    const d = detail(rest);
    logger.warn(d === undefined ? {} : { detail: d }, `openai sdk: ${scrub(message, MAX_DETAIL_CHARS)}`);
  };
  return {
    error: (message, ...rest) => write(message, rest),
    warn: (message, ...rest) => write(message, rest),
    info: () => undefined,
    debug: () => undefined,
  };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
