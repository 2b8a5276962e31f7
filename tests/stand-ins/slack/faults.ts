// Web API failures tests inject on purpose. They are answered like Slack answers them and are not app failures.
// `ratelimited` is HTTP 429 with a Retry-After header (https://docs.slack.dev/apis/web-api/rate-limits), which
// @slack/web-api waits out and retries by itself; every other error is HTTP 200 `{ ok: false, error }`.

export interface FaultOptions {
  /** How many calls fail (default 1). */
  times?: number;
  /** Seconds in Retry-After for `ratelimited` (default 1). */
  retryAfterSeconds?: number;
  /** HTTP status to answer with instead (e.g. 500, 503). */
  httpStatus?: number;
}

interface Fault {
  method: string;
  error: string;
  remaining: number;
  retryAfterSeconds: number;
  httpStatus?: number;
}

export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: { ok: false; error: string };
}

export class FaultBook {
  private readonly faults: Fault[] = [];

  add(method: string, error: string, timesOrOptions: number | FaultOptions = 1): void {
    const o = typeof timesOrOptions === 'number' ? { times: timesOrOptions } : timesOrOptions;
    this.faults.push({ method, error, remaining: o.times ?? 1, retryAfterSeconds: o.retryAfterSeconds ?? 1, httpStatus: o.httpStatus });
  }

  /** The injected answer for this call of `method`, consuming one use; undefined when none is pending. */
  take(method: string): FaultAnswer | undefined {
    const fault = this.faults.find((f) => f.method === method && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    const body = { ok: false as const, error: fault.error };
    if (fault.httpStatus) return { status: fault.httpStatus, headers: {}, body };
    if (fault.error === 'ratelimited') return { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds) }, body };
    return { status: 200, headers: {}, body };
  }

  clear(): void {
    this.faults.length = 0;
  }
}
