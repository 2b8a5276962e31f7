import type { Logger } from 'pino';
import { describeForLog } from '../errors.js';
import { slackErrorCode } from './slack-errors.js';

/** The one Slack call made here (a WebClient fits): `users.info` needs the `users:read` scope. */
export interface UsersInfoClient {
  users: { info(args: { user: string }): Promise<{ user?: { tz?: string | null } }> };
}

/**
 * A user's time zone for their schedules. `fallback` says why it is UTC instead of theirs: the app was installed
 * without `users:read` (`missing_scope`), or Slack could not say just now (`unavailable`), or gave no valid zone.
 */
export interface UserTimeZone {
  readonly timeZone: string;
  readonly fallback?: 'missing_scope' | 'unavailable' | undefined;
}

export interface TimeZoneResolverOptions {
  readonly logger: Logger;
  readonly now?: () => number;
  /** How long a user's zone is kept (an hour: people travel, but not every minute). */
  readonly cacheMs?: number;
  /** Users kept at most (bounded memory); the oldest goes first. */
  readonly maxUsers?: number;
}

export interface TimeZoneResolver {
  timeZoneOf(client: UsersInfoClient, userId: string): Promise<UserTimeZone>;
}

export const TIME_ZONE_CACHE_MS = 60 * 60_000;
export const UTC = 'UTC';

/**
 * Users' time zones as Slack reports them (`users.info` `user.tz`, https://docs.slack.dev/reference/methods/users.info),
 * kept per user for an hour. Only answers are kept: a failure is asked again next time (a reinstall may have granted
 * the scope meanwhile).
 */
export function createTimeZoneResolver(options: TimeZoneResolverOptions): TimeZoneResolver {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? TIME_ZONE_CACHE_MS;
  const maxUsers = options.maxUsers ?? 10_000;
  const cache = new Map<string, { timeZone: string; at: number }>();
  return {
    async timeZoneOf(client, userId) {
      const kept = cache.get(userId);
      if (kept && now() - kept.at < cacheMs) return { timeZone: kept.timeZone };
      let tz: string | null | undefined;
      try {
        tz = (await client.users.info({ user: userId })).user?.tz;
      } catch (err) {
        const code = slackErrorCode(err);
        options.logger.warn({ err: describeForLog(err), user: userId, slackError: code }, 'could not read the user’s time zone; using UTC');
        return { timeZone: UTC, fallback: code === 'missing_scope' ? 'missing_scope' : 'unavailable' };
      }
      if (!tz || !isTimeZone(tz)) return { timeZone: UTC, fallback: 'unavailable' };
      cache.delete(userId);
      cache.set(userId, { timeZone: tz, at: now() });
      if (cache.size > maxUsers) cache.delete(cache.keys().next().value as string);
      return { timeZone: tz };
    },
  };
}

/** What the user is told when their schedule runs in UTC instead of their own zone. */
export function timeZoneFallbackNote(zone: UserTimeZone): string | undefined {
  if (zone.fallback === 'missing_scope') {
    return 'Visen could not read your time zone: this Slack app must be reinstalled to grant it the users:read permission (ask whoever installed Visen). Until then, your schedule runs in UTC.';
  }
  if (zone.fallback === 'unavailable') return 'Slack did not say which time zone you are in just now, so your schedule runs in UTC.';
  return undefined;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
