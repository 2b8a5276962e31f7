import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import { dataDirProblem } from './data-dir.js';
import { KeyQueue } from './key-queue.js';

export const STORE_FILE_NAME = 'visen.sqlite';

/** How long a query waits for another connection's lock before we tell the user to try again. */
const BUSY_TIMEOUT_MS = 2_000;

/** A small key-value store: exact keys only, so one user's keys can never match another's. */
export interface LocalStore {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  /** With `ttlMs`, the value is gone after that long (Redis expires it; SQLite forgets it at the next read). */
  set<T>(namespace: string, key: string, value: T, ttlMs?: number): Promise<void>;
  delete(namespace: string, key: string): Promise<boolean>;
  /**
   * Runs `fn` while no other `exclusive` call for the same namespace and key runs, in any process sharing this
   * store: the one way to read, change and write back a value that others change too (a list, an index).
   * Not reentrant: `fn` must not take the same key again. Rejects with `StoreError` when the key cannot be had.
   */
  exclusive<T>(namespace: string, key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One entry of the store, as `store:migrate` reads it. */
export interface StoreEntry {
  readonly namespace: string;
  readonly key: string;
  readonly value: unknown;
}

/** The one-process store, which can also list what it holds (for `store:migrate`). */
export interface SqliteStore extends LocalStore {
  entries(): AsyncIterable<StoreEntry>;
}

/**
 * One SQLite file is used by one process (the data dir's lock), so serialising here is enough; one queue per module
 * so that two stores opened on the same file in this process (tests, a reopened store) still take turns.
 */
const sqliteTurns = new KeyQueue();

const BUSY_MESSAGE = 'Visen could not read its local store because another program is holding it. Please try again in a few seconds.';

/**
 * Opens the SQLite file through keyv + @keyv/sqlite, avoiding that pair's traps:
 * - `clear()` deletes with `LIKE 'ns:%'` (case-insensitive, `_` a wildcard): never used; deletes are by exact key;
 * - `get()` swallows store errors unless `throwOnErrors`: on, so a locked file is "busy", not "no settings";
 * - a bad path surfaces as an unhandled rejection from the constructor: we create and open the file ourselves
 *   first and await the first query, so start-up fails fast with a clear message.
 */
export async function openLocalStore(dataDir: string, logger: Logger): Promise<SqliteStore> {
  const dir = resolve(dataDir);
  const file = join(dir, STORE_FILE_NAME);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  } catch (err) {
    throw dataDirProblem(err, (err as NodeJS.ErrnoException).path ?? dir, (err as NodeJS.ErrnoException).path === file ? 'file' : 'folder');
  }

  const sqlite = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: BUSY_TIMEOUT_MS });
  const keyv = new Keyv({ store: sqlite, namespace: 'visen', throwOnErrors: true });
  // Keyv re-emits store errors; without a listener EventEmitter would throw them at the process.
  keyv.on('error', (err: unknown) => logger.warn({ err: String(err) }, 'local store error'));
  try {
    // WAL lets readers go on while a write is in progress; the busy timeout rides out short locks.
    await sqlite.query('PRAGMA journal_mode = WAL');
    await sqlite.query('SELECT 1');
  } catch (err) {
    throw new StoreError('unavailable', `Visen cannot open its store ${file}: ${(err as Error).message}.`, { cause: err });
  }

  const guard = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      logger.warn({ operation, code, message: (err as Error).message }, 'local store operation failed');
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /SQLITE_BUSY|database is locked/i.test(String(err))) {
        throw new StoreError('locked', BUSY_MESSAGE, { cause: err });
      }
      throw new StoreError(
        'unavailable',
        'Visen could not use its local store. Please try again; if it keeps failing, ask whoever runs Visen to check its log.',
        { cause: err },
      );
    }
  };

  return {
    ...keyvReadsAndWrites(keyv, guard),
    entries: () => entriesOf(keyv),
    exclusive: (namespace, key, fn) => sqliteTurns.run(`${file}\0${storeKey(namespace, key)}`, fn),
    close: async () => {
      await keyv.disconnect().catch((err: unknown) => logger.warn({ err: String(err) }, 'closing the local store failed'));
    },
  };
}

/** A store operation wrapped with what its backend does on failure (log it, throw a StoreError the user can act on). */
export type StoreGuard = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

/** The store's key: one namespace per concept, exact keys, so one user's keys can never match another's. */
export const storeKey = (namespace: string, key: string) => `${namespace}:${key}`;

/** Splits a store key back into its namespace and key (namespaces hold no colon; keys may). */
export function parseStoreKey(storeKeyText: string): { namespace: string; key: string } | undefined {
  const colon = storeKeyText.indexOf(':');
  return colon > 0 ? { namespace: storeKeyText.slice(0, colon), key: storeKeyText.slice(colon + 1) } : undefined;
}

async function* entriesOf(keyv: Keyv): AsyncIterable<StoreEntry> {
  if (!keyv.iterator) throw new StoreError('unavailable', 'This store cannot list its entries.');
  for await (const [fullKey, value] of keyv.iterator(undefined)) {
    const parsed = parseStoreKey(String(fullKey));
    if (parsed) yield { ...parsed, value };
  }
}

/** get, set and delete over Keyv, the same for every backend (SQLite here, Redis in team mode). */
export function keyvReadsAndWrites(keyv: Keyv, guard: StoreGuard): Pick<LocalStore, 'get' | 'set' | 'delete'> {
  return {
    get: <T>(namespace: string, key: string) => guard('get', async () => (await keyv.get(storeKey(namespace, key))) as T | undefined),
    set: async <T>(namespace: string, key: string, value: T, ttlMs?: number) => {
      await guard('set', () => keyv.set(storeKey(namespace, key), value, ttlMs));
    },
    delete: (namespace: string, key: string) => guard('delete', () => keyv.delete(storeKey(namespace, key))),
  };
}
