import { z } from 'zod';
import { type AllowList, parseAllowList } from './adapters/net/outbound-policy.js';
import { decodeKey } from './adapters/secret-box.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';

/** Everything Visen needs to run, read once from the environment by the entry point and then passed down. */
export interface VisenConfig {
  readonly slack: {
    readonly botToken: string;
    readonly appToken: string;
    readonly apiUrl: string | undefined;
    /** How long a start keeps retrying while Slack cannot be reached; Infinity for ever. */
    readonly startWaitMs: number;
  };
  readonly notion: { readonly baseUrl: string | undefined };
  readonly openai: {
    readonly baseUrl: string | undefined;
    readonly defaultModel: string;
    /** The non-public hosts and ranges users' own base URLs may reach (VISEN_BASE_URL_ALLOW); empty by default. */
    readonly userBaseUrlAllow: AllowList;
  };
  readonly dataDir: string;
  /** Where the store lives: SQLite in the data dir (one process), or Redis shared by several workers (team mode). */
  readonly store: StoreLocation;
  /** 32-byte key for the secrets at rest; undefined means "use (or create) the key file in dataDir". */
  readonly secretKey: Buffer | undefined;
  /** Slack user IDs allowed to use Visen; undefined means everyone in the workspace. */
  readonly allowedUsers: ReadonlySet<string> | undefined;
  readonly logLevel: LogLevel;
  /** How long a model server may send nothing (before the first token or between two) before a call gives up. */
  readonly modelIdleTimeoutMs: number;
  /** Most characters of a page's content given to the model as the document a page run is about. */
  readonly contextChars: number;
  /** How often automations poll watched databases and re-read their connection rows (VISEN_POLL_SECONDS). */
  readonly pollIntervalMs: number;
  /** Send to Notion, "Keep it current": a thread's page is refreshed at most this often while replies arrive (0: at each reply). */
  readonly threadRefreshMs: number;
  /** Where /healthz and /readyz are served (VISEN_HEALTH_PORT, VISEN_HEALTH_HOST); undefined: not served. */
  readonly health: { readonly port: number; readonly host: string } | undefined;
  /** Team mode: runs one worker works on at once (VISEN_WORKER_CONCURRENCY, BullMQ's worker concurrency). */
  readonly workerConcurrency: number;
}

/** `redactedUrl` is the URL without its user name and password: the only form that may be logged or shown. */
export type StoreLocation = { readonly kind: 'sqlite' } | { readonly kind: 'redis'; readonly url: string; readonly redactedUrl: string };

export const DEFAULT_MODEL = 'gpt-5-mini';
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_SLACK_WAIT_SECONDS = 300;
export const DEFAULT_MODEL_IDLE_TIMEOUT_SECONDS = 60;
export const DEFAULT_CONTEXT_CHARS = 100_000;
export const DEFAULT_POLL_SECONDS = 60;
export const DEFAULT_THREAD_REFRESH_MINUTES = 15;
/** Loopback only unless the operator says otherwise: the endpoints are for a local process manager. */
export const DEFAULT_HEALTH_HOST = '127.0.0.1';
export const DEFAULT_WORKER_CONCURRENCY = 4;

/** The example values in .env.example: they pass the prefix checks, so they are caught here, before any network call. */
export const PLACEHOLDER_TOKENS = { SLACK_BOT_TOKEN: 'xoxb-your-bot-token', SLACK_APP_TOKEN: 'xapp-your-app-token' } as const;

export type ConfigResult = { ok: true; config: VisenConfig } | { ok: false; problems: string[] };

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

const httpUrl = (name: string) =>
  optionalText.refine((s) => s === undefined || isHttpUrl(s), {
    message: `${name} must be an http(s) URL, for example https://api.example.com`,
  });

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'SLACK_BOT_TOKEN is missing: the Bot User OAuth Token (xoxb-...) from OAuth & Permissions' })
      .trim()
      .refine((s) => s.startsWith('xoxb-'), { message: 'SLACK_BOT_TOKEN must start with xoxb- (the Bot User OAuth Token)' })
      .refine((s) => s !== PLACEHOLDER_TOKENS.SLACK_BOT_TOKEN, {
        message:
          'SLACK_BOT_TOKEN is still the example value from .env.example: put your Bot User OAuth Token (xoxb-...) there, from https://api.slack.com/apps -> your app -> OAuth & Permissions',
      }),
    SLACK_APP_TOKEN: z
      .string({ error: 'SLACK_APP_TOKEN is missing: an app-level token (xapp-...) with the connections:write scope' })
      .trim()
      .refine((s) => s.startsWith('xapp-'), {
        message: 'SLACK_APP_TOKEN must start with xapp- (an app-level token with connections:write)',
      })
      .refine((s) => s !== PLACEHOLDER_TOKENS.SLACK_APP_TOKEN, {
        message:
          'SLACK_APP_TOKEN is still the example value from .env.example: put an app-level token (xapp-...) with the connections:write scope there, from https://api.slack.com/apps -> your app -> Basic Information -> App-Level Tokens',
      }),
    SLACK_API_URL: httpUrl('SLACK_API_URL'),
    NOTION_BASE_URL: httpUrl('NOTION_BASE_URL'),
    OPENAI_BASE_URL: httpUrl('OPENAI_BASE_URL'),
    VISEN_DEFAULT_MODEL: optionalText.refine((s) => s === undefined || /^[\w.:/@-]{1,200}$/.test(s), {
      message: 'VISEN_DEFAULT_MODEL must be a model name such as gpt-5-mini (letters, digits, . : / @ - _)',
    }),
    VISEN_BASE_URL_ALLOW: optionalText.superRefine((s, ctx) => {
      const parsed = parseAllowList(s);
      if (!parsed.ok) for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
    VISEN_DATA_DIR: optionalText,
    // The message never repeats the value: a store URL may carry a password.
    VISEN_STORE_URL: optionalText.refine((s) => s === undefined || parseRedisUrl(s) !== undefined, {
      message:
        'VISEN_STORE_URL must be a Redis URL such as redis://redis.internal:6379 or rediss://:password@redis.example.com:6380 (leave it unset for one process with its local store)',
    }),
    VISEN_SECRET_KEY: optionalText.refine((s) => s === undefined || decodeKey(s) !== undefined, {
      message: 'VISEN_SECRET_KEY must be 32 bytes written as 64 hex characters or 44 base64 characters (try: openssl rand -base64 32)',
    }),
    VISEN_ALLOWED_USERS: optionalText.refine((s) => s === undefined || s.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim())), {
      message: 'VISEN_ALLOWED_USERS must be a comma-separated list of Slack user IDs such as U012ABCDEF',
    }),
    VISEN_SLACK_WAIT_SECONDS: optionalText.refine((s) => s === undefined || s === 'forever' || /^\d{1,7}$/.test(s), {
      message: 'VISEN_SLACK_WAIT_SECONDS must be a number of seconds (such as 300) or forever',
    }),
    LOG_LEVEL: optionalText.refine((s) => s === undefined || (LOG_LEVELS as readonly string[]).includes(s), {
      message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`,
    }),
    VISEN_MODEL_IDLE_TIMEOUT_SECONDS: optionalText.refine((s) => s === undefined || (/^\d{1,4}$/.test(s) && Number(s) >= 1 && Number(s) <= 3600), {
      message: 'VISEN_MODEL_IDLE_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 3600 (default 60)',
    }),
    VISEN_POLL_SECONDS: optionalText.refine((s) => s === undefined || (/^\d{1,5}$/.test(s) && Number(s) >= 15 && Number(s) <= 86_400), {
      message: 'VISEN_POLL_SECONDS must be a whole number of seconds from 15 to 86400 (default 60)',
    }),
    VISEN_CONTEXT_CHARS: optionalText.refine((s) => s === undefined || (/^\d{1,7}$/.test(s) && Number(s) >= 0 && Number(s) <= 1_000_000), {
      message: 'VISEN_CONTEXT_CHARS must be a whole number of characters from 0 to 1000000 (default 100000; 0 turns page context off)',
    }),
    VISEN_THREAD_REFRESH_MINUTES: optionalText.refine((s) => s === undefined || (/^\d{1,4}(\.\d{1,2})?$/.test(s) && Number(s) <= 1440), {
      message: 'VISEN_THREAD_REFRESH_MINUTES must be a number of minutes from 0 to 1440, such as 15 or 0.5 (default 15; 0 refreshes at each reply)',
    }),
    VISEN_HEALTH_PORT: optionalText.refine((s) => s === undefined || (/^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65_535), {
      message: 'VISEN_HEALTH_PORT must be a TCP port number from 1 to 65535, for example 8080 (leave it unset for no health endpoints)',
    }),
    VISEN_HEALTH_HOST: optionalText.refine((s) => s === undefined || /^[A-Za-z0-9.:-]{1,253}$/.test(s), {
      message: 'VISEN_HEALTH_HOST must be an address or host name to listen on, such as 127.0.0.1 (the default) or 0.0.0.0 for every interface',
    }),
    VISEN_WORKER_CONCURRENCY: optionalText.refine((s) => s === undefined || (/^\d{1,2}$/.test(s) && Number(s) >= 1 && Number(s) <= 50), {
      message: 'VISEN_WORKER_CONCURRENCY must be a whole number of runs from 1 to 50 (default 4): how many runs one team worker works on at once',
    }),
  })
  .superRefine((e, ctx) => {
    if (e.VISEN_STORE_URL !== undefined && e.VISEN_SECRET_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'VISEN_SECRET_KEY is required with VISEN_STORE_URL (team mode): every worker must decrypt the same saved secrets, so give them all the same key (try: openssl rand -base64 32)',
      });
    }
  });

/** Validates the whole environment at once, so a user fixes every problem in one go. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => issue.message) };
  }
  const e = parsed.data;
  const allowed = e.VISEN_ALLOWED_USERS?.split(',').map((id) => id.trim());
  const config: VisenConfig = {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: withTrailingSlash(e.SLACK_API_URL),
      startWaitMs: slackWaitMs(e.VISEN_SLACK_WAIT_SECONDS),
    },
    notion: { baseUrl: e.NOTION_BASE_URL },
    openai: { baseUrl: e.OPENAI_BASE_URL, defaultModel: e.VISEN_DEFAULT_MODEL ?? DEFAULT_MODEL, userBaseUrlAllow: allowListOf(e.VISEN_BASE_URL_ALLOW) },
    dataDir: e.VISEN_DATA_DIR ?? DEFAULT_DATA_DIR,
    store: storeLocation(e.VISEN_STORE_URL),
    secretKey: e.VISEN_SECRET_KEY ? decodeKey(e.VISEN_SECRET_KEY) : undefined,
    allowedUsers: allowed ? new Set(allowed) : undefined,
    logLevel: (e.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    modelIdleTimeoutMs: Number(e.VISEN_MODEL_IDLE_TIMEOUT_SECONDS ?? DEFAULT_MODEL_IDLE_TIMEOUT_SECONDS) * 1000,
    contextChars: Number(e.VISEN_CONTEXT_CHARS ?? DEFAULT_CONTEXT_CHARS),
    pollIntervalMs: Number(e.VISEN_POLL_SECONDS ?? DEFAULT_POLL_SECONDS) * 1000,
    threadRefreshMs: Math.round(Number(e.VISEN_THREAD_REFRESH_MINUTES ?? DEFAULT_THREAD_REFRESH_MINUTES) * 60_000),
    health: e.VISEN_HEALTH_PORT === undefined ? undefined : { port: Number(e.VISEN_HEALTH_PORT), host: e.VISEN_HEALTH_HOST ?? DEFAULT_HEALTH_HOST },
    workerConcurrency: Number(e.VISEN_WORKER_CONCURRENCY ?? DEFAULT_WORKER_CONCURRENCY),
  };
  return { ok: true, config: deepFreeze(config) };
}

export function formatConfigProblems(problems: readonly string[]): string {
  return [
    'Visen cannot start: the configuration has problems.',
    ...problems.map((p) => `  - ${p}`),
    'Set them in the environment or in a .env file (see .env.example); the README explains where each token comes from.',
  ].join('\n');
}

function slackWaitMs(text: string | undefined): number {
  if (text === 'forever') return Number.POSITIVE_INFINITY;
  return (text === undefined ? DEFAULT_SLACK_WAIT_SECONDS : Number(text)) * 1000;
}

/** The allow list, already validated by the schema. */
function allowListOf(text: string | undefined): AllowList {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error('VISEN_BASE_URL_ALLOW was validated before');
  return parsed.allow;
}

function storeLocation(text: string | undefined): StoreLocation {
  return (text === undefined ? undefined : redisStoreLocation(text)) ?? { kind: 'sqlite' };
}

/** A team store location from a redis:// or rediss:// URL (with its redacted form), else undefined. */
export function redisStoreLocation(text: string): Extract<StoreLocation, { kind: 'redis' }> | undefined {
  const url = parseRedisUrl(text);
  if (url === undefined) return undefined;
  return { kind: 'redis', url: text, redactedUrl: `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}` };
}

/** A redis:// or rediss:// URL with a host (and an optional database number as its path), else undefined. */
function parseRedisUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    const database = url.pathname.replace(/^\//, '');
    if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '' || !/^\d{0,2}$/.test(database)) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** @slack/web-api joins method names onto slackApiUrl, so it must end with a slash. */
function withTrailingSlash(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Set)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
