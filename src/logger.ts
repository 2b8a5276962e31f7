import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from '@slack/bolt';
import pino, { type DestinationStream, type Logger } from 'pino';
import { describeForLog } from './errors.js';
import { clipForLog, redactSecrets } from './log-redaction.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a memory stream to search the log. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty); defaults to on when stdout is a terminal. */
  pretty?: boolean;
}

/** Paths pino masks in every line of ours, however deep a secret-bearing object is passed. */
const REDACT_PATHS = [
  'notionSecret',
  '*.notionSecret',
  'openaiKey',
  '*.openaiKey',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
];

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // We log `err: describeForLog(error)` (safe fields only); pino's default `err` serializer would fold that
    // plain object into a message. A raw Error logged by mistake still passes through describeForLog.
    serializers: { err: (value: unknown) => (value instanceof Error ? describeForLog(value) : value) },
    // Last line of defence: no secret (nor any part of one) and no string longer than MAX_LOG_STRING_CHARS
    // reaches a log line, whether in the message or in a field, however it got there.
    formatters: { log: (fields: Record<string, unknown>) => clipFields(fields) as Record<string, unknown> },
    hooks: {
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? clipForLog(a, MAX_LOG_STRING_CHARS) : a)),
        );
      },
    },
  };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

/**
 * The longest string a log line holds. Upstream texts are cut much shorter where they are logged
 * (UPSTREAM_TEXT_LOG_CHARS); this bounds everything else, e.g. the Slack SDK's debug dump of an envelope.
 */
export const MAX_LOG_STRING_CHARS = 2_000;

/** Every string in plain objects and arrays clipped and redacted; errors are left to the `err` serializer. */
function clipFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clipForLog(value, MAX_LOG_STRING_CHARS);
  if (depth > 10 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => clipFields(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = clipFields(child, depth + 1);
  return out;
}

/** Keys whose values in Slack payloads can hold what a user typed (secrets in the settings modal, prompts). */
const SLACK_PAYLOAD_KEYS_TO_HIDE = new Set(['values', 'value', 'state', 'private_metadata', 'text', 'initial_value', 'token']);

/**
 * @slack/bolt and @slack/socket-mode log whole inbound envelopes at debug level, modal input values
 * included. Every argument they log passes through here: JSON is parsed and every field a user typed is
 * hidden; anything that looks like a payload but does not parse is dropped.
 */
export function sanitizeSlackLogArgument(arg: unknown): unknown {
  if (typeof arg === 'string') {
    const start = arg.search(/[{[]/);
    if (start === -1) return clipForLog(arg, MAX_LOG_STRING_CHARS);
    const prefix = arg.slice(0, start);
    try {
      return `${redactSecrets(prefix)}${JSON.stringify(hideTypedValues(JSON.parse(arg.slice(start))))}`;
    } catch {
      return `${redactSecrets(prefix)}[payload omitted]`;
    }
  }
  if (arg instanceof Error) return clipForLog(`${arg.name}: ${arg.message}`);
  if (arg !== null && typeof arg === 'object') return hideTypedValues(arg);
  return arg;
}

function hideTypedValues(value: unknown, depth = 0): unknown {
  if (depth > 30) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => hideTypedValues(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SLACK_PAYLOAD_KEYS_TO_HIDE.has(key) ? '[hidden]' : hideTypedValues(child, depth + 1);
    }
    return out;
  }
  return typeof value === 'string' ? clipForLog(value, MAX_LOG_STRING_CHARS) : value;
}

/** The Slack SDKs' Logger interface, writing to pino with every argument sanitised. */
export function toSlackLogger(logger: Logger): SlackLogger {
  let level: SlackLogLevel = toSlackLevel(logger.level);
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      // The SDKs log every envelope at debug: parsing and sanitising it only to drop the line was a tenth of an ack's CPU.
      if (!logger.isLevelEnabled(method)) return;
      logger[method](msg.map(sanitizeSlackLogArgument).map(stringify).join(' '));
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // Bolt calls setLevel with its own default; our LOG_LEVEL stays in charge.
    setLevel: (l: SlackLogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function toSlackLevel(level: string): SlackLogLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return SlackLogLevel.DEBUG;
    case 'info':
      return SlackLogLevel.INFO;
    case 'warn':
      return SlackLogLevel.WARN;
    default:
      return SlackLogLevel.ERROR;
  }
}
