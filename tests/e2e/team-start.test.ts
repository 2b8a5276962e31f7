/**
 * Starting a team-mode worker through the real entry point: without VISEN_SECRET_KEY it refuses with one clear
 * message; with Redis unreachable it says so, naming the URL without its password; with Redis up it connects,
 * takes no data-dir lock, names itself in every log line, and stops on SIGTERM.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/adapters/process-lock.js';
import { type SlackStandIn, startSlackStandIn } from '../stand-ins/slack/index.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';
import { exitOf, repoRoot, spawnMain, waitForOutput } from './support/run-main.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
const PASSWORD = 'start-pw-7d2e91';
const KEY = Buffer.alloc(32, 3).toString('base64');
/** Prints `redis client loaded: true|false` when the process exits. */
const REPORT_REDIS_LOADED = join(repoRoot, 'tests/support/report-redis-loaded.mjs');

/** Starts the entry point, waits until it is connected, stops it with SIGTERM; returns what it printed. */
async function startAndStop(env: Record<string, string>): Promise<string> {
  const child = spawnMain(env, mkdtempSync(join(tmpdir(), 'visen-cwd-')), [REPORT_REDIS_LOADED]);
  try {
    await waitForOutput(child, /Visen is connected to Slack/);
    child.kill('SIGTERM');
    expect((await exitOf(child)).code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  return child.output();
}

let slack: SlackStandIn;
let redis: RedisServer | undefined;

beforeAll(async () => {
  slack = await startSlackStandIn();
  if (redisAvailable) redis = await startRedis({ password: PASSWORD });
}, 20_000);

afterAll(async () => {
  await redis?.stop();
  await slack?.close();
});

function envFor(extra: Record<string, string>) {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-team-start-')), 'data');
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    VISEN_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

async function failedStart(env: Record<string, string>): Promise<string> {
  const child = spawnMain(env, mkdtempSync(join(tmpdir(), 'visen-cwd-')));
  const { code } = await exitOf(child);
  const output = child.output();
  expect(code, output).toBe(1);
  expect(output).not.toMatch(STACK_FRAME);
  expect(output).not.toContain(PASSWORD);
  return output;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('starting a team-mode worker', () => {
  it('refuses without VISEN_SECRET_KEY, saying why, before connecting anywhere', async () => {
    const opened = slack.callsTo('auth.test').length;
    const output = await failedStart(envFor({ VISEN_STORE_URL: `redis://:${PASSWORD}@127.0.0.1:6379` }));
    expect(output).toContain('Visen cannot start: the configuration has problems.');
    expect(output).toContain('VISEN_SECRET_KEY is required with VISEN_STORE_URL (team mode): every worker must decrypt the same saved secrets');
    expect(slack.callsTo('auth.test')).toHaveLength(opened);
  });

  it('says it cannot reach Redis, naming the URL without its password', async () => {
    const port = await closedPort();
    const output = await failedStart(envFor({ VISEN_STORE_URL: `redis://:${PASSWORD}@127.0.0.1:${port}`, VISEN_SECRET_KEY: KEY }));
    expect(output).toContain(`Visen cannot start: Visen cannot reach its store at redis://127.0.0.1:${port}`);
    expect(output).toContain('Check VISEN_STORE_URL and that Redis is running.');
  });

  it.skipIf(!redisAvailable)('says Redis refused the password, without repeating it', async () => {
    const wrong = 'wrong-pw-3b8c0d';
    const output = await failedStart(envFor({ VISEN_STORE_URL: `redis://:${wrong}@127.0.0.1:${redis?.port}`, VISEN_SECRET_KEY: KEY }));
    expect(output).toContain(`Visen cannot start: Visen cannot reach its store at redis://127.0.0.1:${redis?.port}: WRONGPASS`);
    expect(output).not.toContain(wrong);
  });

  it.skipIf(!redisAvailable)('connects with Redis up: no data-dir lock, its worker id in every line, and a clean SIGTERM', async () => {
    const env = envFor({ VISEN_STORE_URL: `${redis?.url}`, VISEN_SECRET_KEY: KEY });
    const output = await startAndStop(env);
    expect(existsSync(join(env.VISEN_DATA_DIR, LOCK_FILE_NAME))).toBe(false);
    expect(existsSync(env.VISEN_DATA_DIR)).toBe(false);
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { worker?: string; msg?: string; store?: string });
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.worker).toMatch(/^.+-\d+$/);
    expect(lines.find((l) => l.msg === 'Visen is connected to Slack (Socket Mode)')?.store).toBe(`redis://127.0.0.1:${redis?.port}`);
    expect(output).not.toContain(PASSWORD);
    expect(output).toContain('redis client loaded: true');
  });

  it('without VISEN_STORE_URL: one process on SQLite, which never loads the Redis client', async () => {
    const env = envFor({});
    const output = await startAndStop(env);
    expect(existsSync(join(env.VISEN_DATA_DIR, 'visen.sqlite'))).toBe(true);
    expect(output).toContain('redis client loaded: false');
    expect(output).not.toMatch(/"worker"/);
  });
});
