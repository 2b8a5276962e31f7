/**
 * The state of one call to the API (one listModels or one streamChat), shared by our fetch wrapper and the
 * code reading the answer:
 * - an idle watchdog: it aborts the call when the server sends nothing for `idleMs`. It runs only while we
 *   wait on the server (for response headers, then for each chunk), never while the SDK sleeps before a
 *   retry or while our caller is busy with a chunk we handed over;
 * - a fatal connection error (nothing listens, the host does not resolve), which ends the call at once
 *   instead of letting the SDK retry something that cannot work.
 */
export class CallContext {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #fatal: Error | undefined;
  /** Aborted by the watchdog, a fatal connection error, or the caller's own signal. */
  readonly signal: AbortSignal;

  constructor(idleMs: number, callerSignal?: AbortSignal) {
    this.#idleMs = idleMs;
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.#controller.signal]) : this.#controller.signal;
  }

  /** Start (or restart) the idle clock: we are now waiting on the server. */
  waiting(): void {
    this.#clear();
    if (this.#controller.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error('idle timeout'));
    }, this.#idleMs);
    this.#timer.unref?.();
  }

  /** Stop the clock: the SDK is about to sleep before a retry, or our caller holds the turn. */
  notWaiting(): void {
    this.#clear();
  }

  /** Ends the call because of a connection error no retry can fix. */
  failFatally(err: Error): void {
    this.#fatal ??= err;
    this.#controller.abort(err);
  }

  get timedOut(): boolean {
    return this.#timedOut;
  }

  get fatalError(): Error | undefined {
    return this.#fatal;
  }

  get idleMs(): number {
    return this.#idleMs;
  }

  finish(): void {
    this.#clear();
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
