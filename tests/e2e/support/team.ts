/**
 * Team mode end to end: a private Redis, the usual harness (its Visen is worker A) started in team mode, and a
 * second worker B started the same way (`startVisen` with the very same environment), each on its own Socket
 * Mode connection to the one Slack stand-in (`workers: 3` adds a worker C the same way). `via(worker)` makes the stand-in deliver the next envelopes on that
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
  /** Worker C, when started with `workers: 3`. */
  readonly c?: TeamWorker;
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

  const a: TeamWorker = { name: 'A', visen: h.visen, connectionId: connectionA, logLines: () => h.logLines() };
  const b = await startWorker(h, 'B', [connectionA]);
  const c = options.workers === 3 ? await startWorker(h, 'C', [connectionA, b.connectionId]) : undefined;
  return {
    h,
    redis,
    a,
    b,
    ...(c ? { c } : {}),
    via: (worker) => h.slack.routeTo(worker.connectionId),
    async stop() {
      await c?.visen.stop();
      await b.visen.stop();
      await h.stop();
      await redis.stop();
    },
  };
}

/** One more worker started as `npm start` starts it, with the harness's environment; its log lines are kept. */
async function startWorker(h: Harness, name: 'B' | 'C', others: readonly number[]): Promise<TeamWorker> {
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const visen = await startVisen(h.env, { logDestination });
  const connectionId = await h.slack.waitFor(() => h.slack.activeConnectionIds().find((id) => !others.includes(id)), 10_000);
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
