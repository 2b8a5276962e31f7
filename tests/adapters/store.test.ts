import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireProcessLock } from '../../src/adapters/process-lock.js';
import { type LocalStore, openLocalStore, STORE_FILE_NAME } from '../../src/adapters/store.js';
import { StoreError } from '../../src/errors.js';

const silent = pino({ level: 'silent' });
const require = createRequire(import.meta.url);
const opened: LocalStore[] = [];

async function freshStore(): Promise<{ dir: string; store: LocalStore }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'visen-store-')), 'data');
  const store = await openLocalStore(dir, silent);
  opened.push(store);
  return { dir, store };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('openLocalStore', () => {
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

  it('round-trips values by exact key', async () => {
    const { store } = await freshStore();
    await store.set('settings', 'T1:U1', { model: 'gpt-5-mini' });
    expect(await store.get('settings', 'T1:U1')).toEqual({ model: 'gpt-5-mini' });
    expect(await store.get('settings', 'T1:U2')).toBeUndefined();
  });

  it('deletes one key only, even where SQL LIKE would match others', async () => {
    const { store } = await freshStore();
    const keys = ['T1:U_1', 'T1:UA1', 'T1:u_1', 'T1:U%1', 'T1:U_10'];
    for (const key of keys) await store.set('settings', key, { key });
    expect(await store.delete('settings', 'T1:U_1')).toBe(true);
    expect(await store.get('settings', 'T1:U_1')).toBeUndefined();
    for (const key of keys.slice(1)) expect(await store.get('settings', key)).toEqual({ key });
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
