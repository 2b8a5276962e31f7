import type { LocalStore, SqliteStore, StoreEntry } from './store.js';
import { storeKey } from './store.js';

/** What a copy did: entries per namespace, or the keys that already exist in the target (and nothing written). */
export type CopyOutcome = { readonly ok: true; readonly copied: ReadonlyMap<string, number> } | { readonly ok: false; readonly existing: readonly string[] };

/**
 * Copies every entry of the one-process store into another store (team mode's Redis), through both stores' own
 * get and set, so the key layout is the stores' and no one else's. Nothing is written unless no entry's key
 * exists in the target yet: a second run, or a team already in use, is refused rather than overwritten.
 */
export async function copyStore(source: SqliteStore, target: LocalStore): Promise<CopyOutcome> {
  const entries: StoreEntry[] = [];
  for await (const entry of source.entries()) entries.push(entry);
  const existing: string[] = [];
  for (const entry of entries) {
    if ((await target.get(entry.namespace, entry.key)) !== undefined) existing.push(storeKey(entry.namespace, entry.key));
  }
  if (existing.length > 0) return { ok: false, existing };
  const copied = new Map<string, number>();
  for (const entry of entries) {
    await target.set(entry.namespace, entry.key, entry.value);
    copied.set(entry.namespace, (copied.get(entry.namespace) ?? 0) + 1);
  }
  return { ok: true, copied };
}
