/**
 * `npm run store:migrate -- --to redis://…` end to end: a store made by the one process (a user configured through
 * the settings modal, a generate run), copied into a private Redis by the real entry point in its own process
 * (reading VISEN_DATA_DIR and VISEN_SECRET_KEY from .env, as `npm start` does); then a team worker serves that user
 * from Redis. Refused while Visen runs on the data dir, without the data dir's key, and when a key exists already
 * (with nothing written); an unreachable Redis is named without its password. No secret is ever printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/adapters/redis-store.js';
import { openLocalStore, type StoreEntry } from '../../src/adapters/store.js';
import { startVisen, type VisenHandle } from '../../src/visen.js';
import { answerTo } from '../faults/support/observe.js';
import { type RedisOptions, type RedisServer, redisAvailable, startRedis } from '../support/redis.js';
import { type Harness, startHarness } from './harness.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { bodyOf, eventually, textOf } from './support/observe.js';
import { repoRoot } from './support/run-main.js';

const silent = pino({ level: 'silent' });
const REDIS_PASSWORD = 'migrate-redis-pw-51c3';

/** Runs the migration as `npm run store:migrate -- <args>` runs it (the entry point, here under tsx). */
function migrate(args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs'), join(repoRoot, 'src/store-migrate.ts'), ...args], {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', ...o.env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** A folder with a .env as an operator writes it next to Visen. */
function folderWithEnv(lines: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'visen-migrate-'));
  writeFileSync(
    join(dir, '.env'),
    `${Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  return dir;
}

let h: Harness;
let alice: ConfiguredUser;
let pageId = '';
let dataDirKey = '';
const redisServers: RedisServer[] = [];

async function freshRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const redis = await startRedis(options);
  redisServers.push(redis);
  return redis;
}

beforeAll(async () => {
  if (!redisAvailable) return;
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  alice = await configureUser(h, 'U0MIGRATE');
  const page = h.notion.addPage({ title: 'Before the move', parentPageId: alice.parentPageId });
  pageId = page.id;
  await answerTo(h, { teamId: alice.teamId, userId: alice.userId }, `generate ${page.url} Write the plan before the move`, /Done/, 30_000);
  dataDirKey = readFileSync(join(h.dataDir, 'secret.key'), 'utf8').trim();
}, 60_000);

afterAll(async () => {
  await h?.stop();
  for (const redis of redisServers) await redis.stop();
});

describe.skipIf(!redisAvailable)('store:migrate', () => {
  it('refuses a --to that is not a Redis URL without repeating it', async () => {
    const result = await migrate(['--to', 'postgres://user:pw-not-shown@db/visen'], { cwd: folderWithEnv({ VISEN_DATA_DIR: h.dataDir }) });
    expect(result.code).toBe(1);
    expect(result.output).toContain('--to must be a Redis URL such as redis://redis.internal:6379.');
    expect(result.output).not.toContain('pw-not-shown');
  }, 30_000);

  it('refuses while Visen runs on the data dir, and copies nothing', async () => {
    const redis = await freshRedis();
    const cwd = folderWithEnv({ VISEN_DATA_DIR: h.dataDir, VISEN_SECRET_KEY: dataDirKey });
    const result = await migrate(['--to', redis.url], { cwd });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Visen is running on .*: stop it first/);
    expect(redis.cli('DBSIZE').trim()).toBe('0');
  }, 30_000);

  it('refuses without VISEN_SECRET_KEY, or with another key, saying how to fix it without printing the key', async () => {
    await h.visen.stop();
    const redis = await freshRedis();
    const missing = await migrate(['--to', redis.url], { cwd: folderWithEnv({ VISEN_DATA_DIR: h.dataDir }) });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(
      `VISEN_SECRET_KEY is not set. The saved secrets in ${h.dataDir} are sealed with the key in ${join(h.dataDir, 'secret.key')}`,
    );
    expect(missing.output).toContain(`echo "VISEN_SECRET_KEY=$(cat ${join(h.dataDir, 'secret.key')})" >> .env`);

    const otherKey = Buffer.alloc(32, 9).toString('base64');
    const wrong = await migrate(['--to', redis.url], { cwd: folderWithEnv({ VISEN_DATA_DIR: h.dataDir, VISEN_SECRET_KEY: otherKey }) });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toContain(`VISEN_SECRET_KEY is not the key in ${join(h.dataDir, 'secret.key')}`);
    for (const output of [missing.output, wrong.output]) {
      expect(output).not.toContain(dataDirKey);
      expect(output).not.toContain(otherKey);
    }
    expect(redis.cli('DBSIZE').trim()).toBe('0');
  }, 30_000);

  it('says it could not reach Redis, at the URL without its password, and what to check; --verbose adds the details', async () => {
    const cwd = folderWithEnv({ VISEN_DATA_DIR: h.dataDir, VISEN_SECRET_KEY: dataDirKey });
    const result = await migrate(['--to', `redis://:${REDIS_PASSWORD}@127.0.0.1:1`, '--verbose'], { cwd });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'store:migrate: could not reach Redis at redis://127.0.0.1:1 (nothing answers at that host and port): check that Redis is running and reachable from this machine and that --to or VISEN_STORE_URL names it, then run store:migrate again. Nothing was copied.',
    );
    expect(result.output).toMatch(/details:\n.*ECONNREFUSED/);
    expect(result.output).not.toContain(REDIS_PASSWORD);
  }, 30_000);

  it('refuses when a key exists in Redis already, names it, and writes nothing', async () => {
    const redis = await freshRedis();
    const occupied = await openRedisStore({ url: redis.url, redactedUrl: 'test' }, silent);
    const userKey = `${alice.teamId}:${alice.userId}`;
    await occupied.set('settings', userKey, { saved: 'by a team already in use' });
    await occupied.close();

    const result = await migrate(['--to', redis.url], { cwd: folderWithEnv({ VISEN_DATA_DIR: h.dataDir, VISEN_SECRET_KEY: dataDirKey }) });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Nothing was copied: 1 of the keys to copy already exist in redis:\/\/127\.0\.0\.1:\d+, and store:migrate never overwrites/);
    expect(result.output).toContain(`  - settings:${userKey}`);
    expect(redis.cli('DBSIZE').trim()).toBe('1');
    const again = await openRedisStore({ url: redis.url, redactedUrl: 'test' }, silent);
    expect(await again.get('settings', userKey)).toEqual({ saved: 'by a team already in use' });
    await again.close();
  }, 30_000);

  it('copies everything, prints counts per kind only, and a team worker then serves the user', async () => {
    // Without --to: VISEN_STORE_URL from .env, as the workers will read it (and Redis asks for a password).
    const redis = await freshRedis({ password: REDIS_PASSWORD });
    const result = await migrate([], { cwd: folderWithEnv({ VISEN_DATA_DIR: h.dataDir, VISEN_SECRET_KEY: dataDirKey, VISEN_STORE_URL: redis.url }) });
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(REDIS_PASSWORD);

    const local = await openLocalStore(h.dataDir, silent);
    const entries: StoreEntry[] = [];
    for await (const entry of local.entries()) entries.push(entry);
    await local.close();
    const byKind = new Map<string, number>();
    for (const e of entries) byKind.set(e.namespace, (byKind.get(e.namespace) ?? 0) + 1);
    expect(byKind.get('settings')).toBe(1);
    expect(byKind.get('generation')).toBeGreaterThan(0);
    expect(result.output).toContain(`Copied ${entries.length} record(s) from ${h.dataDir} into redis://127.0.0.1:${redis.port}:`);
    for (const [kind, count] of byKind) expect(result.output).toContain(`  ${kind}: ${count}\n`);
    for (const secret of [alice.notionSecret, alice.openaiKey, dataDirKey]) expect(result.output).not.toContain(secret);

    // Every record reads back the same through the team's store.
    const shared = await openRedisStore({ url: redis.url, redactedUrl: 'test' }, silent);
    for (const e of entries) expect(await shared.get(e.namespace, e.key)).toEqual(e.value);
    await shared.close();

    const workerLog: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        workerLog.push(chunk.toString());
        done();
      },
    });
    const worker: VisenHandle = await startVisen({ ...h.env, VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: dataDirKey }, { logDestination });
    try {
      await h.slack.waitForConnection();
      const user = { teamId: alice.teamId, userId: alice.userId };
      expect(await worker.services.settings.load(user)).toMatchObject({ notionSecret: alice.notionSecret, openaiKey: alice.openaiKey });

      // The Home tab lists the connection made before the move.
      const before = (h.slack.views.published.get(alice.userId) ?? []).length;
      await h.slack.appHomeOpened(user);
      await eventually(
        () => (h.slack.views.published.get(alice.userId) ?? []).slice(before).some((v) => textOf(v.blocks).includes('Before the move')),
        'the Home tab listing the migrated connection',
        15_000,
      );

      const page = h.notion.addPage({ title: 'After the move', parentPageId: alice.parentPageId });
      expect(await answerTo(h, user, `generate ${page.url} Write the plan after the move`, /Done/, 30_000)).toMatch(/Done/);
      expect(bodyOf(h, page.id)).toContain('Write the plan after the move');
      expect(bodyOf(h, pageId)).toContain('Write the plan before the move');
    } finally {
      await worker.stop();
    }
    expect(workerLog.join('')).toMatch(/"worker":/);
  }, 90_000);
});
