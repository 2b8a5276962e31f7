/** Rows waiting for a worker: filled by the query as it pages through the database, drained by the workers. */
export class RowQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** No more rows will come; workers finish what is queued (or, with `drop`, stop at once). */
  close(drop = false): void {
    this.closed = true;
    if (drop) this.items.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** The next row, or undefined once closed and empty. */
  take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get size(): number {
    return this.items.length;
  }
}
