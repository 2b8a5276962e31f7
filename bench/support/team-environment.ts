/**
 * A team-mode benchmark environment: a private Redis, the stand-ins, and several app processes started with the
 * same environment (VISEN_STORE_URL, VISEN_SECRET_KEY), each on its own Socket Mode connection to the Slack
 * stand-in, as workers of one team started with the same `.env` would be.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '../../tests/support/redis.js';
import { type AppProcess, startAppProcess } from './app-process.js';
import { type BenchEnvironment, type EnvironmentOptions, startEnvironment } from './environment.js';

export interface TeamBenchEnvironment extends BenchEnvironment {
  readonly redis: RedisServer;
  /** Every worker's process, the first one being `app`. */
  readonly apps: readonly AppProcess[];
  /** Each worker's Socket Mode connection in the Slack stand-in, in the order of `apps`. */
  readonly connectionIds: readonly number[];
}

export async function startTeamEnvironment(o: EnvironmentOptions & { readonly workers: number }): Promise<TeamBenchEnvironment> {
  const redis = await startRedis();
  const teamEnv = { VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: randomBytes(32).toString('base64'), ...o.env };
  const base = await startEnvironment({ ...o, env: teamEnv });
  const apps: AppProcess[] = [base.app];
  const connectionIds: number[] = [...base.slack.activeConnectionIds()];
  const root = mkdtempSync(join(tmpdir(), 'visen-bench-team-'));
  const close = async () => {
    await Promise.all(apps.slice(1).map((app) => app.stop()));
    await base.close();
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i < o.workers; i++) {
      const app = startAppProcess(base.env, { runtime: o.runtime, cwd: root, log: o.log });
      apps.push(app);
      await app.waitForOutput(/Visen is connected to Slack/, 60_000);
      connectionIds.push(await base.slack.waitFor(() => base.slack.activeConnectionIds().find((id) => !connectionIds.includes(id)), 10_000));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ...base, redis, apps, connectionIds, close };
}
