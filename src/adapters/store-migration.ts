import type { LocalStore, SqliteStore, StoreEntry } from './store.js';
import { storeKey } from './store.js';

/** What a copy did: entries per namespace, or the keys that already exist in the target (and nothing written). */
export type CopyOutcome = { readonly ok: true; readonly copied: ReadonlyMap<string, number> } | { readonly ok: false; readonly existing: readonly string[] };

/**
 * A copy that failed part way: which store failed (reading the source, or reading or writing the target), and how
 * many of how many entries were written by then, so the operator is told whether the target is still untouched.
 */
export class CopyFailure extends Error {
  constructor(
    readonly side: 'source' | 'target',
    readonly written: number,
    readonly total: number | undefined,
    options: { cause: unknown },
  ) {
    super(`copying the store failed on the ${side} after ${written} written`, options);
    this.name = 'CopyFailure';
  }
}

/**
 * Copies every entry of the one-process store into another store (team mode's Redis), through both stores' own
 * get and set, so the key layout is the stores' and no one else's. Nothing is written unless no entry's key
 * exists in the target yet: a second run, or a team already in use, is refused rather than overwritten.
 * Throws CopyFailure when a store fails.
 */
export async function copyStore(source: SqliteStore, target: LocalStore): Promise<CopyOutcome> {
  const entries: StoreEntry[] = [];
  try {
    for await (const entry of source.entries()) entries.push(entry);
  } catch (err) {
    throw new CopyFailure('source', 0, undefined, { cause: err });
  }
  const existing: string[] = [];
  const copied = new Map<string, number>();
  let written = 0;
  try {
    for (const entry of entries) {
      if ((await target.get(entry.namespace, entry.key)) !== undefined) existing.push(storeKey(entry.namespace, entry.key));
    }
    if (existing.length > 0) return { ok: false, existing };
    for (const entry of entries) {
      await target.set(entry.namespace, entry.key, entry.value);
      written++;
      copied.set(entry.namespace, (copied.get(entry.namespace) ?? 0) + 1);
    }
  } catch (err) {
    throw new CopyFailure('target', written, entries.length, { cause: err });
  }
  return { ok: true, copied };
}
