/**
 * Run control across workers over Redis (see ../run-control.ts for the port):
 * - a request is PUBLISHed on one channel every worker subscribes to; the worker that runs the run applies it;
 * - it is also kept under `visen:control:request:<runId>` for REQUEST_TTL_S, for a run no worker runs at this instant
 *   (queued, or taken over after its worker died): the worker that launches or resumes it takes it (GETDEL) first;
 * - a preview's answer is decided once with SET NX on `visen:control:decided:<runId>`;
 * - progress is announced as `<announcer id> <runId>`, so a worker never hears its own announcements (its last one
 *   arrives after the run has left its registry, and would come back to its own Home tab as if from another worker).
 * Loaded only in team mode (a dynamic import from visen.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeForLog, StoreError } from '../../errors.js';
import { STORE_UNREACHABLE_MESSAGE } from '../redis-store.js';
import type { RunControl, RunControlAction, RunControlHandler } from '../run-control.js';
import { openTeamConnection } from './redis-connection.js';

const CHANNEL = 'visen:control:runs';
/** Progress of a run moved (its record was saved): other workers' Home tabs show it live. */
const PROGRESS_CHANNEL = 'visen:control:progress';
const REQUEST_PREFIX = 'visen:control:request:';
const DECIDED_PREFIX = 'visen:control:decided:';
/** A day: longer than any wait in a queue or takeover; a request for a run that never comes back then goes. */
const REQUEST_TTL_S = 24 * 60 * 60;
const ACTIONS: ReadonlySet<string> = new Set<RunControlAction>(['cancel', 'confirm-preview', 'cancel-preview']);

export interface RedisRunControl extends RunControl {
  /** Resolves once this worker receives requests (the subscription is in place). */
  readonly ready: Promise<void>;
}

export function openRedisRunControl(url: string, logger: Logger): RedisRunControl {
  const log = logger.child({ component: 'run-control' });
  const commands = openTeamConnection(url, 'command', log);
  // A subscribed connection can do nothing else; ioredis subscribes again by itself after a reconnect.
  const subscriber = openTeamConnection(url, 'blocking', log);
  const handlers = new Set<RunControlHandler>();
  const progressHandlers = new Set<(runId: string) => void>();
  const announcerId = randomUUID();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === PROGRESS_CHANNEL) {
      const runId = announcedByAnother(message, announcerId);
      if (runId) for (const handler of progressHandlers) handler(runId);
      return;
    }
    if (channel !== CHANNEL) return;
    const request = parseRequest(message);
    if (!request) return void log.warn('ignored a malformed run control message');
    for (const handler of handlers) handler(request.runId, request.action);
  });
  const ready = subscriber.subscribe(CHANNEL, PROGRESS_CHANNEL).then(() => undefined);
  ready.catch((err: unknown) => log.warn({ err: describeForLog(err) }, 'could not subscribe to run control messages'));

  return {
    acrossWorkers: true,
    ready,
    async request(runId, action) {
      const key = REQUEST_PREFIX + runId;
      await unavailableAsStoreError(async () => {
        if (action === 'cancel') await commands.set(key, action, 'EX', REQUEST_TTL_S);
        else await commands.set(key, action, 'EX', REQUEST_TTL_S, 'NX');
        await commands.publish(CHANNEL, JSON.stringify({ runId, action }));
      });
    },
    onRequest(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    async takeRequest(runId) {
      const kept = await unavailableAsStoreError(() => commands.getdel(REQUEST_PREFIX + runId));
      return kept !== null && ACTIONS.has(kept) ? (kept as RunControlAction) : undefined;
    },
    async decideOnce(runId) {
      return (await unavailableAsStoreError(() => commands.set(DECIDED_PREFIX + runId, '1', 'EX', REQUEST_TTL_S, 'NX'))) === 'OK';
    },
    announceProgress(runId) {
      commands
        .publish(PROGRESS_CHANNEL, `${announcerId} ${runId}`)
        .catch((err: unknown) => log.debug({ err: describeForLog(err), runId }, 'could not announce progress'));
    },
    onProgress(handler) {
      progressHandlers.add(handler);
      return () => void progressHandlers.delete(handler);
    },
    close: () => closeAll([commands, subscriber]),
  };
}

/** The run id of a progress announcement, unless this worker made it. */
function announcedByAnother(message: string, announcerId: string): string | undefined {
  const space = message.indexOf(' ');
  if (space === -1) return message; // A worker of an earlier version announces the run id alone.
  return message.slice(0, space) === announcerId ? undefined : message.slice(space + 1);
}

function parseRequest(message: string): { runId: string; action: RunControlAction } | undefined {
  try {
    const parsed = JSON.parse(message) as { runId?: unknown; action?: unknown };
    if (typeof parsed.runId !== 'string' || typeof parsed.action !== 'string' || !ACTIONS.has(parsed.action)) return undefined;
    return { runId: parsed.runId, action: parsed.action as RunControlAction };
  } catch {
    return undefined;
  }
}

/** Redis away: the user is told to try again, as for the store (the client's own error says nothing they can act on). */
async function unavailableAsStoreError<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: err });
  }
}

async function closeAll(connections: Redis[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
}
