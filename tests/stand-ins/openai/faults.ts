// Injected faults: each answers the next `times` chat completion requests (streamed or not) instead of the
// normal reply. GET /models is never affected, so an app that lists models first still reaches the fault.

export type FaultKind = 429 | 'quota' | 500 | 'cut_stream' | 'slow' | 'hang';

export interface FaultSpec {
  kind: FaultKind;
  /** How many requests it answers (default 1; Infinity for all until clearFaults). */
  times?: number;
  /** cut_stream: content characters sent before the socket is destroyed (default: half the text). */
  afterChars?: number;
  /** slow: wait before the first byte (default 1000 ms). */
  delayMs?: number;
  /** 429: the wait the `retry-after` / `retry-after-ms` headers ask for (default 1000 ms). */
  retryAfterMs?: number;
}

export class FaultQueue {
  #pending: Array<{ spec: FaultSpec; left: number }> = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!(times > 0)) throw new Error(`injectFault: times must be positive, got ${times}`);
    this.#pending.push({ spec, left: times });
  }

  /** The fault that answers this request, if any (consumes one use). */
  take(): FaultSpec | undefined {
    const head = this.#pending[0];
    if (!head) return undefined;
    head.left -= 1;
    if (head.left <= 0) this.#pending.shift();
    return head.spec;
  }

  clear(): void {
    this.#pending = [];
  }
}
