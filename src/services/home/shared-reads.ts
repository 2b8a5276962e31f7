/**
 * Reads per key that callers share: while a read of a key is going, callers get one more read that starts after
 * it (the going one may have started before the change they want to see), shared by all who ask meanwhile.
 */
export class SharedReads<T> {
  private readonly going = new Map<string, Reads<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.going.get(key);
    if (entry) {
      entry.next ??= entry.current.then(() => load());
      return entry.next;
    }
    const fresh: Reads<T> = { current: load(), next: undefined };
    this.going.set(key, fresh);
    void this.settle(key, fresh);
    return fresh.current;
  }

  /** Waits out the reads of the entry, follow-ups included, then lets the key go. */
  private async settle(key: string, entry: Reads<T>): Promise<void> {
    await entry.current;
    while (entry.next) {
      entry.current = entry.next;
      entry.next = undefined;
      await entry.current;
    }
    if (this.going.get(key) === entry) this.going.delete(key);
  }
}

/** The read of a key going now, and the one that follows it when someone asked meanwhile. */
interface Reads<T> {
  current: Promise<T>;
  next: Promise<T> | undefined;
}
