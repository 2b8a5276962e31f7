/**
 * VISEN_HEALTH_PORT: `/healthz` answers while the process is up; `/readyz` answers 200 only when the Slack socket is
 * connected and the store answers, else 503 naming which is not (and nothing secret); any other path is 404. One
 * process (before Slack connects, connected, its socket dropped) and team mode (Redis stopped, then started again).
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startVisen } from '../../src/visen.js';
import { freePort, redisAvailable } from '../support/redis.js';
import { type Harness, startHarness } from './harness.js';
import { startTeam, type Team } from './support/team.js';

/** A log destination that keeps nothing. */
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One probe as a process manager makes it; undefined while nothing listens on the port. */
async function probe(port: number, path: string): Promise<Answer | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    return undefined;
  }
}

/** Probes every 50 ms until `ok` holds for an answer; that answer. */
async function probeUntil(port: number, path: string, ok: (a: Answer) => boolean, what: string, timeoutMs = 15_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe(port, path);
    if (answer && ok(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last answer: ${JSON.stringify(answer)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('health endpoints, one process', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.stop();
  });

  it('is alive but not ready while the start waits for Slack, and ready once connected', async () => {
    const port = await freePort();
    h = await startHarness({ env: { VISEN_HEALTH_PORT: String(port) } });
    expect(await probe(port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(port, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await probe(port, '/metrics'))?.status).toBe(404);
    expect((await probe(port, '/'))?.status).toBe(404);

    // A restart during which Slack is unavailable for a while: the endpoints are up before the socket is.
    h.slack.injectApiFailure('auth.test', 'service_unavailable', { times: 2, httpStatus: 503 });
    const restarted = h.restart();
    const early = await probeUntil(port, '/readyz', () => true, 'the health endpoints up again');
    expect(early).toEqual({ status: 503, body: { status: 'not ready', slack: 'not connected', store: 'answering' } });
    expect(await probe(port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    await restarted;
    expect(await probe(port, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  }, 60_000);

  it('is not ready while its Slack socket is down, and ready again once it reconnected', async () => {
    const port = Number(h?.env.VISEN_HEALTH_PORT);
    h?.slack.dropConnections();
    const down = await probeUntil(port, '/readyz', (a) => a.status !== 200, 'not ready after the socket dropped');
    expect(down).toEqual({ status: 503, body: { status: 'not ready', slack: 'not connected', store: 'answering' } });
    await probeUntil(port, '/readyz', (a) => a.status === 200, 'ready after Socket Mode reconnected', 30_000);
  }, 40_000);

  it('stops answering when Visen stops', async () => {
    const port = Number(h?.env.VISEN_HEALTH_PORT);
    await h?.visen.stop();
    expect(await probe(port, '/healthz')).toBeUndefined();
  });

  it('refuses to start on a port already in use, saying which, and leaves the data dir free', async () => {
    const env = h!.env;
    const port = Number(env.VISEN_HEALTH_PORT);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startVisen(env, { logDestination: discard() })).rejects.toThrow(
        `VISEN_HEALTH_PORT ${port} is already in use on 127.0.0.1: choose another port, or stop what listens there.`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed start released the data dir's lock: the next start takes it.
    const again = await startVisen(env, { logDestination: discard() });
    expect((await probe(port, '/healthz'))?.status).toBe(200);
    await again.stop();
  }, 30_000);
});

const REDIS_PASSWORD = 'health-redis-pw-7d2e';

describe.skipIf(!redisAvailable)('health endpoints, a team worker', () => {
  let team: Team | undefined;
  afterAll(async () => {
    await team?.stop();
  });

  it('says the store is not answering while Redis is stopped, and is ready again once it is back', async () => {
    team = await startTeam({ redis: { password: REDIS_PASSWORD } });
    const port = await freePort();
    const lines: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // A third worker with the endpoints on (each worker of a host needs its own port).
    const worker = await startVisen({ ...team.h.env, VISEN_HEALTH_PORT: String(port) }, { logDestination });
    try {
      await probeUntil(port, '/readyz', (a) => a.status === 200, 'the worker ready');

      await team.redis.stop();
      const down = await probe(port, '/readyz');
      expect(down).toEqual({ status: 503, body: { status: 'not ready', slack: 'connected', store: 'not answering' } });
      expect(JSON.stringify(down)).not.toContain(REDIS_PASSWORD);
      expect(await probe(port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });

      await team.redis.start();
      await probeUntil(port, '/readyz', (a) => a.status === 200, 'ready again after Redis is back');
      expect(lines.join('')).not.toContain(REDIS_PASSWORD);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
