/**
 * Team mode end to end: a private Redis, the usual harness (its Visen is worker A) started in team mode, and a
 * second worker B (and a third, C, with `workers: 3`) started the same way (`startVisen` with the very same
 * environment), each on its own Socket Mode connection to the one Slack stand-in. `via(worker)` makes the stand-in deliver the next envelopes on that
 * worker's socket, as Slack may choose any of an app's sockets.
 *
 *   const team = await startTeam();
 *   team.via(team.a); await configureUser(team.h, 'U0X');   // saved through worker A
 *   team.via(team.b); await answerTo(team.h, user, 'generate …', /Done/);   // handled by worker B
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { startVisen, type VisenHandle } from '../../../src/visen.js';
import { type RedisOptions, type RedisServer, startRedis } from '../../support/redis.js';
import { type Harness, type HarnessOptions, startHarness } from '../harness.js';

export interface TeamWorker {
  readonly name: 'A' | 'B' | 'C';
  readonly visen: VisenHandle;
  /** This worker's Socket Mode connection in the stand-in. */
  readonly connectionId: number;
  logLines(): string[];
}

export interface Team {
  readonly h: Harness;
  readonly redis: RedisServer;
  readonly a: TeamWorker;
  readonly b: TeamWorker;
  /** Every worker, A first (three with `workers: 3`). */
  readonly workers: readonly TeamWorker[];
  /** Sends later envelopes on this worker's socket. */
  via(worker: TeamWorker): void;
  stop(): Promise<void>;
}

export async function startTeam(options: { redis?: RedisOptions; harness?: HarnessOptions; workers?: 2 | 3 } = {}): Promise<Team> {
  const redis = await startRedis(options.redis);
  const env = { VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info', ...options.harness?.env };
  const h = await startHarness({ ...options.harness, env });
  const [connectionA] = h.slack.activeConnectionIds();
  if (connectionA === undefined) throw new Error('worker A has no Socket Mode connection');

  const workers: TeamWorker[] = [{ name: 'A', visen: h.visen, connectionId: connectionA, logLines: () => h.logLines() }];
  for (const name of (['B', 'C'] as const).slice(0, (options.workers ?? 2) - 1)) workers.push(await startWorker(h, name, workers));
  const [a, b] = workers as [TeamWorker, TeamWorker];
  return {
    h,
    redis,
    a,
    b,
    workers,
    via: (worker) => h.slack.routeTo(worker.connectionId),
    async stop() {
      for (const worker of workers.slice(1).reverse()) await worker.visen.stop();
      await h.stop();
      await redis.stop();
    },
  };
}

/** Another worker with the harness's environment, its log kept in memory, on its own socket. */
async function startWorker(h: Harness, name: 'B' | 'C', running: readonly TeamWorker[]): Promise<TeamWorker> {
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const visen = await startVisen(h.env, { logDestination });
  const known = new Set(running.map((w) => w.connectionId));
  const connectionId = await h.slack.waitFor(() => h.slack.activeConnectionIds().find((id) => !known.has(id)), 10_000);
  return { name, visen, connectionId, logLines: () => [...lines] };
}

/** The parsed JSON log lines of a worker. */
export function logEntries(worker: TeamWorker): Array<Record<string, unknown>> {
  return worker.logLines().flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
