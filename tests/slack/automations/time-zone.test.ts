/** Users' time zones from `users.info`: kept an hour, UTC with a reason when Slack cannot say. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createTimeZoneResolver, TIME_ZONE_CACHE_MS, timeZoneFallbackNote, type UsersInfoClient } from '../../../src/slack/time-zone.js';

function fakeUsers(answer: () => Promise<{ user?: { tz?: string | null } }>) {
  const asked: string[] = [];
  const client: UsersInfoClient = {
    users: {
      info: async ({ user }) => {
        asked.push(user);
        return answer();
      },
    },
  };
  return { client, asked };
}

const slackError = (error: string) => Object.assign(new Error(`An API error occurred: ${error}`), { data: { ok: false, error } });

function resolver() {
  const clock = { ms: 0 };
  return { clock, timeZones: createTimeZoneResolver({ logger: pino({ level: 'silent' }), now: () => clock.ms }) };
}

describe('the time zone resolver', () => {
  it('gives the user’s tz and keeps it for an hour per user', async () => {
    const { clock, timeZones } = resolver();
    let tz = 'Europe/Paris';
    const { client, asked } = fakeUsers(async () => ({ user: { tz } }));
    expect(await timeZones.timeZoneOf(client, 'U1')).toEqual({ timeZone: 'Europe/Paris' });
    tz = 'Asia/Tokyo';
    clock.ms += TIME_ZONE_CACHE_MS - 1;
    expect(await timeZones.timeZoneOf(client, 'U1')).toEqual({ timeZone: 'Europe/Paris' });
    expect(await timeZones.timeZoneOf(client, 'U2')).toEqual({ timeZone: 'Asia/Tokyo' });
    clock.ms += 1;
    expect(await timeZones.timeZoneOf(client, 'U1')).toEqual({ timeZone: 'Asia/Tokyo' });
    expect(asked).toEqual(['U1', 'U2', 'U1']);
  });

  it('falls back to UTC on missing_scope, says the app must be reinstalled, and asks again next time', async () => {
    const { timeZones } = resolver();
    const { client, asked } = fakeUsers(async () => {
      throw slackError('missing_scope');
    });
    const zone = await timeZones.timeZoneOf(client, 'U1');
    expect(zone).toEqual({ timeZone: 'UTC', fallback: 'missing_scope' });
    expect(timeZoneFallbackNote(zone)).toMatch(/must be reinstalled to grant it the users:read permission.*runs in UTC/);
    await timeZones.timeZoneOf(client, 'U1');
    expect(asked).toHaveLength(2);
  });

  it.each([
    ['a failure', async () => Promise.reject(slackError('ratelimited'))],
    ['no tz', async () => ({ user: {} })],
    ['a zone that does not exist', async () => ({ user: { tz: 'Mars/Olympus_Mons' } })],
  ])('falls back to UTC, saying so, on %s', async (_name, answer) => {
    const { timeZones } = resolver();
    const zone = await timeZones.timeZoneOf(fakeUsers(answer).client, 'U1');
    expect(zone).toEqual({ timeZone: 'UTC', fallback: 'unavailable' });
    expect(timeZoneFallbackNote(zone)).toMatch(/runs in UTC/);
  });

  it('has no note for a zone Slack gave', () => {
    expect(timeZoneFallbackNote({ timeZone: 'Europe/Paris' })).toBeUndefined();
  });
});
