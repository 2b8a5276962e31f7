/**
 * The team-mode store: the same LocalStore interface over Redis, through Keyv's own adapter (@keyv/redis).
 * Loaded only by a dynamic import when VISEN_STORE_URL is set, so one process on SQLite never loads Redis.
 */
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import { rememberSecretForRedaction } from '../log-redaction.js';
import { DEFAULT_LOCK_TIMING, type LockCommands, type LockTiming, redisExclusive } from './redis-lock.js';
import { keyvReadsAndWrites, type LocalStore, storeKey } from './store.js';

/** How long the start waits for Redis before it gives up with a clear message. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Most time one store operation may take before the user is told to try again (Redis answers in milliseconds). */
const OPERATION_TIMEOUT_MS = 3_000;
/** Reconnect delays grow to this and stay there: the client keeps trying for as long as the worker runs. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Every key of Visen's starts with this, so one Redis database can be shared with other programs. */
const KEY_PREFIX = 'visen';

export const STORE_UNREACHABLE_MESSAGE = 'Visen cannot reach its store right now. Please try again in a minute.';

/** The store plus what only a shared store can do. */
export interface SharedStore extends LocalStore {
  /** Records `key` for `ttlMs` unless it is already recorded; true when this call recorded it (Redis SET NX). */
  claim(namespace: string, key: string, ttlMs: number): Promise<boolean>;
  /** True when Redis answers a PING now (for /readyz); never throws and logs nothing (probes are frequent). */
  ping(): Promise<boolean>;
}

export interface RedisStoreOptions {
  /** The URL with its password; never logged. */
  readonly url: string;
  /** The URL without user name and password, for log lines and messages. */
  readonly redactedUrl: string;
  /** The timing of `exclusive`'s lock (tests shorten it). */
  readonly lockTiming?: Partial<LockTiming>;
}

/**
 * Opens the Redis store, avoiding the adapter's traps for a long-running service:
 * - its default client queues commands while disconnected and waits for ever: the offline queue is off and every
 *   operation is bounded, so a user is told "cannot reach the store" at once instead of a hang;
 * - its `get()` swallows errors unless `throwOnErrors` (on here, in Keyv and in the adapter), so an outage is
 *   "try again", never "you have no settings";
 * - node-redis reconnects by itself (`reconnectStrategy`); state changes are logged once, not per attempt.
 */
export async function openRedisStore(options: RedisStoreOptions, logger: Logger): Promise<SharedStore> {
  const client = await connectRedis(options, logger);
  // The adapter's parameter type is wider in its protocol version than createClient's result; the client is the same.
  const adapter = new KeyvRedis(client as unknown as ConstructorParameters<typeof KeyvRedis>[0], {
    namespace: KEY_PREFIX,
    throwOnErrors: true,
    throwOnConnectError: true,
  });
  // Keyv hands its namespace to the adapter (which writes `visen::<key>`); it must not add a prefix of its own too.
  const keyv = new Keyv({ store: adapter, namespace: KEY_PREFIX, useKeyPrefix: false, throwOnErrors: true });
  // Keyv re-emits store errors; without a listener EventEmitter would throw them at the process.
  keyv.on('error', () => undefined);

  const guard = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(fn(), OPERATION_TIMEOUT_MS);
    } catch (err) {
      logger.warn({ operation, message: (err as Error).message }, 'store operation failed');
      throw new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: err });
    }
  };
  return {
    ...keyvReadsAndWrites(keyv, guard),
    exclusive: redisExclusive({
      commands: client as unknown as LockCommands,
      guard,
      busy: () => new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE),
      keyPrefix: `${KEY_PREFIX}:lock:`,
      timing: { ...DEFAULT_LOCK_TIMING, ...options.lockTiming },
      logger,
    }),
    claim: (namespace: string, key: string, ttlMs: number) =>
      guard('claim', async () => (await client.set(`${KEY_PREFIX}::${storeKey(namespace, key)}`, '1', { NX: true, PX: ttlMs })) === 'OK'),
    ping: () =>
      withTimeout(client.ping(), OPERATION_TIMEOUT_MS).then(
        (answer) => answer === 'PONG',
        () => false,
      ),
    close: async () => {
      await client.close().catch((err: unknown) => {
        logger.warn({ message: (err as Error).message }, 'closing the store connection failed');
        client.destroy();
      });
    },
  };
}

/** A connected client: the first connection must answer within CONNECT_TIMEOUT_MS (a wrong URL fails the start). */
async function connectRedis(options: RedisStoreOptions, logger: Logger) {
  // Whatever error text the client ever produces, the password never reaches a log line.
  rememberSecretForRedaction(decodeURIComponent(new URL(options.url).password));
  let connectedOnce = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // The first connection fails fast (a wrong URL is reported at start); after that, retry for as long as we run.
      reconnectStrategy: (retries: number, cause: Error) => (connectedOnce ? Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  });
  client.once('ready', () => {
    connectedOnce = true;
  });
  watchConnection(client, options.redactedUrl, logger);
  try {
    await withTimeout(client.connect(), CONNECT_TIMEOUT_MS);
    await withTimeout(client.ping(), CONNECT_TIMEOUT_MS);
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw new StoreError(
      'unavailable',
      `Visen cannot reach its store at ${options.redactedUrl}: ${(err as Error).message.replace(/\.$/, '')}. Check VISEN_STORE_URL and that Redis is running.`,
      {
        cause: err,
      },
    );
  }
  return client;
}

/** Logs when the connection is lost and when it is back, once each, however many attempts come between. */
function watchConnection(client: { on(event: string, listener: (err: Error) => void): unknown }, redactedUrl: string, logger: Logger): void {
  let connected = false;
  let everConnected = false;
  client.on('ready', () => {
    if (everConnected && !connected) logger.info({ store: redactedUrl }, 'store connection is back');
    connected = true;
    everConnected = true;
  });
  client.on('error', (err: Error) => {
    if (!connected) return;
    connected = false;
    logger.warn({ store: redactedUrl, message: err.message }, 'store connection lost; reconnecting');
  });
}

/** The promise, or a rejection after `ms` (Redis answers in milliseconds; a hung connection must not hold a caller). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
