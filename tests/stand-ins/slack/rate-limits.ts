// Web API rate limits (https://docs.slack.dev/apis/web-api/rate-limits): each method has a tier, "Tier 2: 20+ per
// minute, Tier 3: 50+ per minute, Tier 4: 100+ per minute", counted per method per workspace per app. Beyond it
// Slack answers HTTP 429 with a `Retry-After` header (seconds) and `{ ok: false, error: 'ratelimited' }`.
// The stand-in counts calls in a sliding 60-second window on its clock; Slack allows bursts "+" above the figure,
// the stand-in holds to it exactly, so an app that stays within the documented figure never sees a 429 here.

export type Tier = 2 | 3 | 4;

export const TIER_PER_MINUTE: Readonly<Record<Tier, number>> = { 2: 20, 3: 50, 4: 100 };

const WINDOW_MS = 60_000;

export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly perMinute: Readonly<Record<Tier, number>>,
    private readonly now: () => number,
  ) {}

  /** Counts a call of `method`; returns the Retry-After seconds when it is over its tier's limit (and not counted). */
  take(method: string, tier: Tier | undefined): number | undefined {
    if (tier === undefined) return undefined;
    const now = this.now();
    const recent = (this.calls.get(method) ?? []).filter((at) => at > now - WINDOW_MS);
    this.calls.set(method, recent);
    if (recent.length >= this.perMinute[tier]) return Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
    recent.push(now);
    return undefined;
  }
}
