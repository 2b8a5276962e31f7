/**
 * A private Redis for a test: `redis-server` on a free loopback port in a temporary folder, with no persistence
 * unless asked (`appendOnly`),
 * stopped (and startable again on the same port) by the test. Where `redis-server` is not installed, tests that
 * need it skip and the run says why in one line; `.ci/run` installs it and sets VISEN_REQUIRE_SPECS=1, and then a
 * missing `redis-server` fails every test file that imports this module, as a missing specs folder does.
 *
 *   import { redisAvailable, startRedis } from '../support/redis.js';
 *   describe.skipIf(!redisAvailable)('…', () => { let redis: RedisServer; beforeAll(async () => { redis = await startRedis(); }); … });
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findOnPath(program: string): boolean {
  try {
    execFileSync(program, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const redisAvailable = findOnPath('redis-server');

if (!redisAvailable && process.env.VISEN_REQUIRE_SPECS === '1') {
  // Thrown at import, so no Redis test can pass (or be skipped) by accident in CI.
  throw new Error('VISEN_REQUIRE_SPECS=1 but redis-server is not installed: the team-mode tests need it (apt-get install redis-server).');
}

/** Why Redis tests skip here, for a one-line notice. */
export const redisSkipReason = 'redis-server is not installed: the team-mode (Redis) tests are skipped (apt-get install redis-server to run them).';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Runs a `redis-cli` command against this server and returns its output (for raw scans in tests). */
  cli(...args: string[]): string;
  /** Stops the server (SIGTERM) and waits until it exited; the data is gone unless `appendOnly`. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export interface RedisOptions {
  /** Append-only file on: data survives a restart. */
  readonly appendOnly?: boolean;
  /** With `appendOnly`: fsync every write (default, nothing lost) or once a second (the README's default setting). */
  readonly appendFsync?: 'always' | 'everysec';
  /** Clients must authenticate (`requirepass`); the URL carries it as `redis://:<password>@…`. */
  readonly password?: string;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'visen-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const auth = options.password ? ['-a', options.password, '--no-auth-warning'] : [];
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...auth, '--raw', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const start = async () => {
    const persistence = options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', options.appendFsync ?? 'always'] : ['--appendonly', 'no'];
    const password = options.password ? ['--requirepass', options.password] : [];
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...password, '--dir', dir], {
      stdio: 'ignore',
    });
    await waitForPing(cli, child);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    cli,
    start,
    async stop() {
      await stop();
    },
  };
}

async function waitForPing(cli: (...args: string[]) => string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering PING`);
    try {
      if (cli('PING').includes('PONG')) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not answer PING within 5 seconds');
}

/** A TCP port nothing listens on now, on loopback (for a test server of ours). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
