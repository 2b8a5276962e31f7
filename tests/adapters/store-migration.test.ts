/**
 * copyStore, the heart of `store:migrate`: every entry of the one-process store, keys with colons in them
 * included, read back the same from the target; nothing at all written when any key exists there already.
 * (The target here is a second SQLite store; tests/e2e/store-migrate.test.ts copies into Redis.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalStore, parseStoreKey, type SqliteStore, storeKey } from '../../src/adapters/store.js';
import { CopyFailure, copyStore } from '../../src/adapters/store-migration.js';

const silent = pino({ level: 'silent' });
const opened: SqliteStore[] = [];

async function freshStore(): Promise<SqliteStore> {
  const store = await openLocalStore(join(mkdtempSync(join(tmpdir(), 'visen-migration-')), 'data'), silent);
  opened.push(store);
  return store;
}

async function entriesOf(store: SqliteStore): Promise<Array<[string, unknown]>> {
  const entries: Array<[string, unknown]> = [];
  for await (const e of store.entries()) entries.push([storeKey(e.namespace, e.key), e.value]);
  return entries.sort(([a], [b]) => a.localeCompare(b));
}

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

describe('copyStore', () => {
  it('copies every entry and counts them per namespace', async () => {
    const source = await freshStore();
    await source.set('settings', 'T1:U1', { version: 1, notionSecret: 'v1:sealed' });
    await source.set('settings', 'T1:U2', { version: 1 });
    await source.set('generation', 'run:abc', { runId: 'abc', rows: [1, 2] });
    await source.set('generation', 'pending', ['abc']);
    await source.set('automations', 'T1:U1:conn_1', { paused: false });
    const target = await freshStore();

    const outcome = await copyStore(source, target);
    expect(outcome).toEqual({
      ok: true,
      copied: new Map([
        ['settings', 2],
        ['generation', 2],
        ['automations', 1],
      ]),
    });
    expect(await entriesOf(target)).toEqual(await entriesOf(source));
    expect(await target.get('automations', 'T1:U1:conn_1')).toEqual({ paused: false });
  });

  it('writes nothing when a key exists in the target, and names every such key', async () => {
    const source = await freshStore();
    await source.set('settings', 'T1:U1', { from: 'source' });
    await source.set('settings', 'T1:U2', { from: 'source' });
    await source.set('generation', 'pending', []);
    const target = await freshStore();
    await target.set('settings', 'T1:U2', { from: 'target' });
    await target.set('generation', 'pending', ['other']);

    const outcome = await copyStore(source, target);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? [] : [...outcome.existing].sort()).toEqual(['generation:pending', 'settings:T1:U2']);
    expect(await entriesOf(target)).toEqual([
      ['generation:pending', ['other']],
      ['settings:T1:U2', { from: 'target' }],
    ]);
  });

  it('says how many entries it had written when the target fails part way (so the operator knows what is there)', async () => {
    const source = await freshStore();
    for (const user of ['U1', 'U2', 'U3', 'U4']) await source.set('settings', `T1:${user}`, { user });
    const target = await freshStore();
    let writes = 0;
    const failingOnThirdWrite: typeof target = {
      ...target,
      set: async (namespace, key, value) => {
        if (++writes === 3) throw new Error('connection lost');
        await target.set(namespace, key, value);
      },
    };

    const failure = await copyStore(source, failingOnThirdWrite).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(CopyFailure);
    expect(failure).toMatchObject({ side: 'target', written: 2, total: 4 });
    expect((await entriesOf(target)).length).toBe(2);
  });

  it('copies an empty store as nothing', async () => {
    expect(await copyStore(await freshStore(), await freshStore())).toEqual({ ok: true, copied: new Map() });
  });
});

describe('parseStoreKey', () => {
  it('is the inverse of storeKey (the namespace holds no colon, the key may)', () => {
    expect(parseStoreKey(storeKey('settings', 'T1:U1'))).toEqual({ namespace: 'settings', key: 'T1:U1' });
    expect(parseStoreKey('no-colon')).toBeUndefined();
  });
});
