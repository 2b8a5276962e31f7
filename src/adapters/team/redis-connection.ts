/**
 * ioredis connections for team mode's coordination (BullMQ queues and workers, the shared Notion limiter, run
 * control messages). The store itself stays on Keyv's own adapter (redis-store.ts); these are the connections the
 * engines that coordinate workers need, each with the options its owner documents.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Reconnect delays grow to this and stay there: a worker keeps trying for as long as it runs. */
const MAX_RECONNECT_DELAY_MS = 2_000;
const CONNECT_TIMEOUT_MS = 5_000;

export type ConnectionRole =
  /**
   * A BullMQ Worker or QueueEvents: blocking commands, so BullMQ requires `maxRetriesPerRequest: null`. Also a
   * pub/sub subscriber (run control): it waits for messages for as long as the worker runs.
   */
  | 'blocking'
  /**
   * Producers and one-shot commands (Queue.add, limiter scripts, publish): they fail fast while Redis is away
   * (no offline queue), so a user is told to try again instead of waiting on a hang.
   */
  | 'command';

/** Opens one ioredis connection to the team's Redis; it reconnects by itself and logs loss and return once each. */
export function openTeamConnection(url: string, role: ConnectionRole, logger: Logger): Redis {
  const options: RedisOptions = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
    // https://docs.bullmq.io/guide/going-to-production#maxretriesperrequest: null for workers, fail fast for producers.
    maxRetriesPerRequest: role === 'blocking' ? null : 1,
    enableOfflineQueue: role === 'blocking',
    lazyConnect: false,
  };
  const connection = new Redis(url, options);
  let connected = false;
  connection.on('ready', () => {
    if (!connected) logger.debug({ role }, 'team connection ready');
    connected = true;
  });
  connection.on('error', (err: Error) => {
    if (!connected) return;
    connected = false;
    logger.warn({ role, message: err.message }, 'team connection lost; reconnecting');
  });
  return connection;
}

/**
 * Resolves once the connection is ready, at once when it is; rejects after `ms`. A command connection has no offline
 * queue, so a call made while it is still reconnecting (Redis just came back; its back-off is at most 2 s) would fail
 * although Redis answers: callers wait this long first, and tell the user to try again only after that.
 */
export function whenReady(connection: Redis, ms: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      reject(new Error(`Redis not ready within ${ms} ms`));
    }, ms);
    connection.once('ready', onReady);
  });
}
