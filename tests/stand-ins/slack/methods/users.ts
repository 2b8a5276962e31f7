// users.info (https://docs.slack.dev/reference/methods/users.info; scope users:read; errors `user_not_found`,
// `user_not_visible`): the user object (https://docs.slack.dev/reference/objects/user-object) with `tz` (IANA
// name), `tz_label` (e.g. "Central European Summer Time") and `tz_offset` (seconds east of UTC, at the moment of
// the call, so it follows daylight saving as Slack's does). Deleted users are still found, with `deleted: true`.
import type { SeedUserInput } from '../directory.js';
import type { AnyObject } from '../types.js';
import type { MethodSpec } from './method.js';

const DEFAULT_TZ = 'America/Los_Angeles';

/** `tz_label` and `tz_offset` of an IANA zone at `at`. */
export function timeZoneFields(tz: string, at: number): { tz_label: string; tz_offset: number } {
  const part = (style: 'long' | 'longOffset') =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
  const seconds = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60) : 0;
  return { tz_label: part('long'), tz_offset: seconds };
}

export function userObject(u: SeedUserInput, teamId: string, at: number): AnyObject {
  const tz = u.tz ?? DEFAULT_TZ;
  const name = u.name ?? u.id.toLowerCase();
  const realName = u.realName ?? name;
  return {
    id: u.id,
    team_id: teamId,
    name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz,
    ...timeZoneFields(tz, at),
    profile: {
      display_name: u.displayName ?? '',
      real_name: realName,
      display_name_normalized: u.displayName ?? '',
      real_name_normalized: realName,
      team: teamId,
    },
    is_bot: u.isBot ?? false,
    is_app_user: false,
    updated: Math.floor(at / 1000),
  };
}

export const usersInfo: MethodSpec = {
  token: 'bot',
  args: ['user', 'include_locale'],
  scope: () => 'users:read',
  tier: 4,
  handle(args, ctx) {
    const user = typeof args.user === 'string' ? ctx.directory.users.get(args.user) : undefined;
    if (!user) return { ok: false, error: 'user_not_found', expected: true, detail: `user ${JSON.stringify(args.user)} was never seeded` };
    const body = userObject(user, ctx.identity.teamId, ctx.now());
    if (args.include_locale === true || args.include_locale === 'true') body.locale = 'en-US';
    return { ok: true, body: { user: body } };
  },
};
