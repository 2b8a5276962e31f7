/**
 * A team for the benchmark: a private Redis (append-only, `appendfsync everysec` as the README recommends), the
 * stand-ins in this process, and N app processes started with the very same environment plus VISEN_STORE_URL and
 * VISEN_SECRET_KEY, each on its own Socket Mode connection; the Slack stand-in spreads envelopes over them in turn.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '../../tests/support/redis.js';
import { type AppProcess, type AppRuntime, startAppProcess } from './app-process.js';
import { startEnvironmentVendors } from './environment.js';
import type { BenchVendors } from './users.js';

export interface TeamEnvironment extends BenchVendors {
  readonly redis: RedisServer;
  readonly workers: readonly AppProcess[];
  readonly env: Record<string, string>;
  /** Redis commands executed so far (INFO commandstats, the INFO calls themselves left out), by command. */
  redisCommands(): Map<string, number>;
  close(): Promise<void>;
}

export async function startTeamEnvironment(o: {
  readonly workers: number;
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
  readonly notion?: Parameters<typeof startEnvironmentVendors>[0]['notion'];
}): Promise<TeamEnvironment> {
  const redis = await startRedis({ appendOnly: true });
  const vendors = await startEnvironmentVendors({ notion: o.notion });
  const root = mkdtempSync(join(tmpdir(), 'visen-bench-team-'));
  const env = { ...vendors.env(join(root, 'data')), VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: randomBytes(32).toString('base64') };
  const workers: AppProcess[] = [];
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await vendors.close();
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < o.workers; i++) {
      const worker = startAppProcess(env, { runtime: o.runtime, cwd: root, log: o.log });
      workers.push(worker);
      await worker.waitForOutput(/Visen is connected to Slack/, 60_000);
    }
    await vendors.slack.waitFor(() => vendors.slack.activeConnectionIds().length === o.workers, 10_000);
  } catch (err) {
    await close();
    throw err;
  }
  return { slack: vendors.slack, notion: vendors.notion, openai: vendors.openai, redis, workers, env, redisCommands: () => commandStats(redis), close };
}

function commandStats(redis: RedisServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of redis.cli('INFO', 'commandstats').split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match && match[1] !== 'info') counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}
