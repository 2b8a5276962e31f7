import type { UserRef } from '../../../users.js';

/**
 * Where a run's progress is shown, as the JSON the generation service keeps with the run and gives back
 * after a restart (`notifyState`). Plain data, versioned.
 */
export interface NotifyState {
  readonly v: 1;
  readonly user: UserRef;
  /** Slash command runs: the command's response_url and when Slack issued it (ms since the epoch). */
  readonly responseUrl?: { readonly url: string; readonly issuedAt: number };
  /** Runs whose progress is a direct message from the start (modal, Home tab): the message to update. */
  readonly dm?: { readonly channel: string; readonly ts: string };
}

export function parseNotifyState(value: unknown): NotifyState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as {
    v?: unknown;
    user?: { teamId?: unknown; userId?: unknown };
    responseUrl?: { url?: unknown; issuedAt?: unknown };
    dm?: { channel?: unknown; ts?: unknown };
  };
  if (v.v !== 1 || typeof v.user?.teamId !== 'string' || typeof v.user.userId !== 'string') return undefined;
  const responseUrl =
    typeof v.responseUrl?.url === 'string' && /^https?:\/\//.test(v.responseUrl.url) && typeof v.responseUrl.issuedAt === 'number'
      ? { url: v.responseUrl.url, issuedAt: v.responseUrl.issuedAt }
      : undefined;
  const dm = typeof v.dm?.channel === 'string' && typeof v.dm.ts === 'string' ? { channel: v.dm.channel, ts: v.dm.ts } : undefined;
  return { v: 1, user: { teamId: v.user.teamId, userId: v.user.userId }, ...(responseUrl ? { responseUrl } : {}), ...(dm ? { dm } : {}) };
}
