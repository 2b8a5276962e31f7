/**
 * Team mode with Redis stopped and started again (append-only file on, as the README recommends): while it is
 * down, commands are still acked and users are told Visen cannot reach its store and to try again in a minute,
 * never that they have no settings; both workers reconnect by themselves, and what was saved before is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNREACHABLE_MESSAGE } from '../../src/adapters/redis-store.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { bodyOf, eventually, textOf } from '../e2e/support/observe.js';
import { logEntries, startTeam, type Team } from '../e2e/support/team.js';
import { redisAvailable } from '../support/redis.js';
import { answerTo } from './support/observe.js';

const CANNOT_REACH = /Visen cannot reach its store right now\. Please try again in a minute\./;
const NO_SETTINGS = /not set up for you yet|no settings saved|Visen had no settings/i;

let team: Team;
let c: ConfiguredUser;

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam({ redis: { appendOnly: true } });
  team.via(team.a);
  c = await configureUser(team.h, 'U0OUTAGE');
}, 60_000);

afterAll(async () => {
  await team?.stop();
});

describe.skipIf(!redisAvailable)('Redis stopped and started again', () => {
  it('acks, says "cannot reach its store, try again in a minute", and works again once Redis is back', async () => {
    const user = { teamId: c.teamId, userId: c.userId };
    expect(STORE_UNREACHABLE_MESSAGE).toMatch(CANNOT_REACH);
    await team.redis.stop();

    for (const worker of [team.a, team.b]) {
      team.via(worker);
      const page = team.h.notion.addPage({ title: `During the outage (${worker.name})`, parentPageId: c.parentPageId });
      const shown = await answerTo(team.h, user, `generate ${page.url} Write a plan`, CANNOT_REACH, 15_000);
      expect(shown).toMatch(CANNOT_REACH);
      expect(shown).not.toMatch(NO_SETTINGS);
      expect(team.h.notion.childrenOf(page.id)).toEqual([]);
    }

    // /visen settings cannot read the saved settings to show them: the same words, no empty form.
    const openedBefore = team.h.slack.views.opened.length;
    const settings = await answerTo(team.h, user, 'settings', CANNOT_REACH, 15_000);
    expect(settings).toMatch(CANNOT_REACH);
    expect(team.h.slack.views.opened.slice(openedBefore).filter((v) => v.callback_id === 'settings_form')).toEqual([]);

    // /visen clear: asked first, then the click is told to try again.
    const clearAsked = await answerTo(team.h, user, 'clear', /Delete your Visen settings/);
    expect(clearAsked).toMatch(/Delete your Visen settings/);
    const from = team.h.slack.messages.length;
    await team.h.slack.blockAction({ userId: user.userId, teamId: user.teamId, actionId: 'settings_clear_confirm', container: 'message' });
    await eventually(() => team.h.slack.messages.slice(from).some((m) => CANNOT_REACH.test(m.text ?? '')), 'clear told to try again', 15_000);

    // The Home tab says it could not read Visen's data, rather than showing the onboarding.
    const homeBefore = (team.h.slack.views.published.get(user.userId) ?? []).length;
    await team.h.slack.appHomeOpened(user);
    const home = await team.h.slack.waitFor(() => (team.h.slack.views.published.get(user.userId) ?? []).slice(homeBefore).at(-1), 10_000);
    expect(textOf(home.blocks)).toMatch(/Visen could not read its saved data.*Press \*?Refresh\*? to try again/s);
    expect(logEntries(team.a).some((l) => l.msg === 'store connection lost; reconnecting')).toBe(true);

    await team.redis.start();
    for (const worker of [team.a, team.b]) {
      await eventually(() => logEntries(worker).some((l) => l.msg === 'store connection is back'), `worker ${worker.name} reconnected`);
    }

    // What was saved before the outage is still there (AOF), and both workers serve again.
    for (const worker of [team.a, team.b]) {
      team.via(worker);
      const page = team.h.notion.addPage({ title: `After the outage (${worker.name})`, parentPageId: c.parentPageId });
      const shown = await answerTo(team.h, user, `generate ${page.url} Write a plan after ${worker.name}`, /Done/, 30_000);
      expect(shown).toMatch(/Done/);
      expect(bodyOf(team.h, page.id)).toContain(`Write a plan after ${worker.name}`);
    }
    expect(team.h.slack.failures).toEqual([]);
  }, 120_000);
});
