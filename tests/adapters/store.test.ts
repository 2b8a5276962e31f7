import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireProcessLock } from '../../src/adapters/process-lock.js';
import { openRedisStore, STORE_UNREACHABLE_MESSAGE } from '../../src/adapters/redis-store.js';
import { type LocalStore, openLocalStore, STORE_FILE_NAME } from '../../src/adapters/store.js';
import { StoreError } from '../../src/errors.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

const silent = pino({ level: 'silent' });
const require = createRequire(import.meta.url);
const opened: LocalStore[] = [];

async function freshStore(): Promise<{ dir: string; store: LocalStore }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'visen-store-')), 'data');
  const store = await openLocalStore(dir, silent);
  opened.push(store);
  return { dir, store };
}

let redis: RedisServer | undefined;
/** Each Redis store gets its own database number's worth of isolation by a fresh server per file and a flush per test. */
async function freshRedisStore(): Promise<LocalStore> {
  if (!redis) throw new Error('redis-server is not running');
  redis.cli('FLUSHALL');
  const store = await openRedisStore({ url: redis.url, redactedUrl: redis.url }, silent);
  opened.push(store);
  return store;
}

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
}, 20_000);

afterAll(async () => {
  await redis?.stop();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** The store interface, with the same assertions for each backend. */
const backends = [
  { name: 'SQLite (one process)', open: async () => (await freshStore()).store, available: true },
  { name: 'Redis (team mode)', open: freshRedisStore, available: redisAvailable },
];

describe.each(backends)('the store interface on $name', ({ open, available }) => {
  it.skipIf(!available)('round-trips values by exact key, and misses are undefined', async () => {
    const store = await open();
    await store.set('settings', 'T1:U1', { model: 'gpt-5-mini', nested: { list: [1, 2] } });
    expect(await store.get('settings', 'T1:U1')).toEqual({ model: 'gpt-5-mini', nested: { list: [1, 2] } });
    expect(await store.get('settings', 'T1:U2')).toBeUndefined();
    expect(await store.get('runs', 'T1:U1')).toBeUndefined();
  });

  it.skipIf(!available)('overwrites a key and keeps Buffers as Buffers', async () => {
    const store = await open();
    await store.set('settings', 'T1:U1', { v: 1 });
    await store.set('settings', 'T1:U1', { v: 2, secret: Buffer.from([0, 1, 255]) });
    const value = await store.get<{ v: number; secret: Buffer }>('settings', 'T1:U1');
    expect(value?.v).toBe(2);
    expect(Buffer.isBuffer(value?.secret) && [...(value?.secret ?? [])]).toEqual([0, 1, 255]);
  });

  it.skipIf(!available)('deletes one key only, even where a pattern would match others', async () => {
    const store = await open();
    const keys = ['T1:U_1', 'T1:UA1', 'T1:u_1', 'T1:U%1', 'T1:U_10', 'T1:U*1', 'T1:U?1'];
    for (const key of keys) await store.set('settings', key, { key });
    expect(await store.delete('settings', 'T1:U_1')).toBe(true);
    expect(await store.delete('settings', 'T1:U_1')).toBe(false);
    expect(await store.get('settings', 'T1:U_1')).toBeUndefined();
    for (const key of keys.slice(1)) expect(await store.get('settings', key)).toEqual({ key });
  });

  it.skipIf(!available)('forgets a value written with a time to live once it has passed, and only that one', async () => {
    const store = await open();
    await store.set('automation-notice', 'T1:U1:c1', { ts: '1' }, 50);
    await store.set('automation-notice', 'T1:U1:c2', { ts: '2' });
    while ((await store.get('automation-notice', 'T1:U1:c1')) !== undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.get('automation-notice', 'T1:U1:c2')).toEqual({ ts: '2' });
  });
});

describe.skipIf(!redisAvailable)('the Redis store', () => {
  it('keeps every key under visen:: so a shared Redis database stays tidy', async () => {
    const store = await freshRedisStore();
    await store.set('settings', 'T1:U1', { model: 'm' });
    expect(redis?.cli('KEYS', '*').trim()).toBe('visen::settings:T1:U1');
  });

  it('claims a key once across connections (the redelivery record), until it expires', async () => {
    const first = await openRedisStore({ url: `${redis?.url}`, redactedUrl: 'r' }, silent);
    const second = await openRedisStore({ url: `${redis?.url}`, redactedUrl: 'r' }, silent);
    opened.push(first, second);
    redis?.cli('FLUSHALL');
    expect(await first.claim('envelope', 'command:T1', 60_000)).toBe(true);
    expect(await second.claim('envelope', 'command:T1', 60_000)).toBe(false);
    expect(await second.claim('envelope', 'command:T2', 60_000)).toBe(true);
    expect(Number(redis?.cli('PTTL', 'visen::envelope:command:T1'))).toBeGreaterThan(50_000);
  });

  it('refuses to start with a clear message when Redis cannot be reached, without the password', async () => {
    const error = await openRedisStore({ url: 'redis://:hunter2-password@127.0.0.1:1', redactedUrl: 'redis://127.0.0.1:1' }, silent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).userMessage).toMatch(/cannot reach its store at redis:\/\/127\.0\.0\.1:1.*Check VISEN_STORE_URL/);
    expect((error as StoreError).userMessage).not.toMatch(/hunter2/);
  });

  it('says "cannot reach, try again in a minute" while Redis is down, and works again once it is back', async () => {
    const store = await freshRedisStore();
    await store.set('settings', 'T1:U1', { saved: true });
    await redis?.stop();
    try {
      for (const operation of [() => store.get('settings', 'T1:U1'), () => store.set('settings', 'T1:U1', {}), () => store.delete('settings', 'T1:U1')]) {
        const error = await operation().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).userMessage).toBe(STORE_UNREACHABLE_MESSAGE);
      }
    } finally {
      await redis?.start();
    }
    // The client reconnects by itself; the server restarted empty (no persistence in tests).
    await expect
      .poll(
        () =>
          store.set('settings', 'T1:U1', { again: true }).then(
            () => 'written',
            () => 'not yet',
          ),
        { timeout: 10_000 },
      )
      .toBe('written');
    expect(await store.get('settings', 'T1:U1')).toEqual({ again: true });
  });
});

describe('the SQLite store (openLocalStore)', () => {
  it('creates the directory 0700 and the file 0600, in WAL mode', async () => {
    const { dir } = await freshStore();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, STORE_FILE_NAME)).mode & 0o777).toBe(0o600);
    const sqlite3 = require('sqlite3');
    const mode = await new Promise<string>((resolve, reject) => {
      const db = new sqlite3.Database(join(dir, STORE_FILE_NAME));
      db.get('PRAGMA journal_mode', (err: Error | null, row: { journal_mode: string }) => {
        db.close();
        if (err) reject(err);
        else resolve(row.journal_mode);
      });
    });
    expect(mode).toBe('wal');
  });

  it('fails fast with a clear message when the data dir cannot be used', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'visen-store-'));
    const notADir = join(parent, 'file');
    writeFileSync(notADir, 'x');
    await expect(openLocalStore(notADir, silent)).rejects.toThrow(/is a file, but Visen needs a folder there.*VISEN_DATA_DIR/);
  });

  it('says "busy, try again" (never "no settings") while another process holds the file', async () => {
    const { dir, store } = await freshStore();
    await store.set('settings', 'T1:U1', { saved: true });
    const locker = spawn(process.execPath, [join(import.meta.dirname, '../support/lock-sqlite.cjs'), join(dir, STORE_FILE_NAME)]);
    try {
      await new Promise<void>((resolve, reject) => {
        locker.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        locker.on('exit', (code) => reject(new Error(`locker exited ${code}`)));
      });
      // Reads still see the saved settings (WAL): never "you have no settings".
      expect(await store.get('settings', 'T1:U1')).toEqual({ saved: true });
      const error = await store.set('settings', 'T1:U1', { saved: 'again' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('locked');
      expect((error as StoreError).userMessage).toMatch(/try again/);
    } finally {
      locker.kill('SIGKILL');
    }
    await new Promise((r) => locker.once('exit', r));
    expect(await store.get('settings', 'T1:U1')).toEqual({ saved: true });
  });
});

describe('acquireProcessLock', () => {
  it('refuses a second owner while the first is alive, and frees on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'visen-lock-'));
    const first = acquireProcessLock(dir);
    // Same pid would be taken for stale: pretend another live process (our parent) owns it.
    first.release();
    writeFileSync(join(dir, 'visen.lock'), String(process.ppid));
    expect(() => acquireProcessLock(dir)).toThrow(/Another Visen process \(pid \d+\) is already running/);
    writeFileSync(join(dir, 'visen.lock'), '999999999');
    const taken = acquireProcessLock(dir);
    expect(readFileSync(join(dir, 'visen.lock'), 'utf8')).toBe(String(process.pid));
    taken.release();
  });
});
