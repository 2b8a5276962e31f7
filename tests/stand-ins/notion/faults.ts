// Injected faults: answered before the rate limiter and without consuming tokens.

export type FaultStatus = 409 | 429 | 500 | 502 | 503 | 504 | 529 | 'slow' | 'drop';

export interface FaultSpec {
  /**
   * 409/429/500/503/504/529: a Notion error body with that status (429 and 529 carry Retry-After).
   * 502: an HTML page from the edge proxy, not JSON (the SDK raises UnknownHTTPResponseError).
   * 'slow': the request is handled, then the answer waits `delayMs` (default 2000): a client timeout is an unknown outcome.
   * 'drop': the connection is destroyed without an answer; with `afterApplying` the write is applied first.
   */
  status: FaultStatus;
  /** How many matching requests to fault. Default 1, or unlimited when `probability` is set. */
  times?: number;
  /** Fault each matching request with this probability (0..1). */
  probability?: number;
  match?: { method?: string; pathIncludes?: string; secret?: string };
  /** Retry-After for 429/529 (default 1 s); other statuses carry it only when this is set. */
  retryAfterSeconds?: number;
  delayMs?: number;
  afterApplying?: boolean;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultBook {
  private faults: ActiveFault[] = [];

  inject(spec: FaultSpec): void {
    const remaining = spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY);
    this.faults.push({ spec, remaining });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault to apply to this request, if any; counts it as used. */
  take(request: { method: string; path: string; secret?: string }): FaultSpec | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || !matches(fault.spec, request)) continue;
      if (fault.spec.probability !== undefined && Math.random() >= fault.spec.probability) continue;
      fault.remaining -= 1;
      return fault.spec;
    }
    this.faults = this.faults.filter((fault) => fault.remaining > 0);
    return undefined;
  }
}

function matches(spec: FaultSpec, request: { method: string; path: string; secret?: string }): boolean {
  const match = spec.match ?? {};
  if (match.method && match.method.toUpperCase() !== request.method) return false;
  if (match.pathIncludes && !request.path.includes(match.pathIncludes)) return false;
  if (match.secret && match.secret !== request.secret) return false;
  return true;
}

export function faultLabel(spec: FaultSpec): string {
  return spec.status === 'drop' && spec.afterApplying ? 'drop-after-applying' : String(spec.status);
}
