/**
 * Automations from Slack, end to end: `/visen generate --watch` and `--every`, the time zone from `users.info`, the
 * Home tab's "Automatic connections" with Pause and Resume, `/visen automations`, the direct messages (runs within 10
 * minutes folded into one), a bot token without `users:read`, and `/visen clear`. Visen is started as `npm start`
 * starts it, with a fake clock for its automations: tests move it and call `runDue()`, so nothing waits for real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomationAction } from '../../src/slack/listeners/automations/ids.js';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { SettingsAction } from '../../src/slack/listeners/settings/ids.js';
import type { Delivery, MessageRecord } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { connectionRow, dms, eventually, propertyText, textOf } from './support/observe.js';

const POLL_MS = 60_000;
const clock = { ms: Date.parse('2026-03-02T07:00:00.000Z'), now: () => clock.ms };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ automationClock: clock, env: { VISEN_POLL_SECONDS: '60' } });
});
afterAll(async () => {
  await h?.stop();
});

// ---- helpers ------------------------------------------------------------------------------------------------

const ref = (userId: string) => ({ teamId: h.slack.teamId, userId });

async function setUp(userId: string, tz = 'Europe/Paris'): Promise<ConfiguredUser> {
  h.slack.seedUser({ id: userId, name: userId.toLowerCase(), tz });
  return configureUser(h, userId);
}

/** A database of ideas shared with the user's integration: `Topic` is the input, `Summary` the output. */
function ideas(c: ConfiguredUser, rows: string[]) {
  const db = h.notion.addDatabase({
    title: 'Ideas',
    parentPageId: c.parentPageId,
    properties: { Name: { title: {} }, Topic: { rich_text: {} }, Summary: { rich_text: {} } },
  });
  const ids = rows.map((topic) => addIdea(db.dataSourceId, topic));
  return { ...db, rowIds: ids };
}

function addIdea(dataSourceId: string, topic: string): string {
  return h.notion.addRow(dataSourceId, { Name: { title: [{ text: { content: `About ${topic}` } }] }, Topic: { rich_text: [{ text: { content: topic } }] } }).id;
}

async function generate(userId: string, text: string): Promise<Delivery> {
  const d = await h.slack.slashCommand({ userId, text: `generate ${text}` });
  expect(d.acked).toBe(true);
  return d;
}

/** The text of what the app last posted to this command's response_url. */
function lastPost(d: Delivery): string {
  const post = h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && p.ok).at(-1);
  return post ? textOf((post.body as Record<string, unknown>).blocks ?? (post.body as Record<string, unknown>).text) : '';
}

async function postMatching(d: Delivery, pattern: RegExp, what: string): Promise<string> {
  return eventually(() => (pattern.test(lastPost(d)) ? lastPost(d) : undefined), what, 30_000);
}

/** One poll interval later: what is due runs, and everything it started ends. */
async function nextPoll(): Promise<void> {
  clock.ms += POLL_MS;
  await h.visen.services.automations.runDue();
  await h.visen.services.automations.idle();
}

function triggerOf(c: ConfiguredUser, targetUrl: string): string | undefined {
  const row = connectionRow(h, c, targetUrl);
  return row ? h.notion.getPage(row.id)?.properties?.Trigger?.select?.name : undefined;
}

/** Makes the database watched with `--watch`, and waits until its first fill (the rows empty now) is done. */
async function watch(userId: string, db: { url: string; rowIds: string[] }) {
  const d = await generate(userId, `${db.url} --watch --into Summary Summarise {{Topic}}`);
  await eventually(() => dms(h, userId).find((m) => /is now automatic/.test(textOf(m.blocks))), 'the automation confirmation');
  await eventually(() => db.rowIds.every((id) => propertyText(h, id, 'Summary') !== ''), 'the first fill');
  // Its rows written is not its end: the run still records its end on the connection row, and a poll before that
  // is skipped (the automation is busy), so the next row would count as already there.
  await eventually(async () => (await h.visen.services.generation.runsInProgress(ref(userId))).length === 0, 'the first fill to end');
  await h.visen.services.automations.idle();
  return d;
}

const runNotices = (userId: string): MessageRecord[] =>
  dms(h, userId).filter((m) => /automatic run|written/.test(m.text ?? '') && !/now automatic/.test(m.text ?? ''));

// ---- tests --------------------------------------------------------------------------------------------------

describe('/visen generate --watch', () => {
  it('fills the rows empty now, then each new row by the next poll, with one direct message folded across runs', async () => {
    const c = await setUp('U0WATCHER');
    const db = ideas(c, ['tides']);
    await watch('U0WATCHER', db);
    expect(triggerOf(c, db.url)).toBe('Watch');
    const confirmation = dms(h, 'U0WATCHER').find((m) => /is now automatic/.test(textOf(m.blocks)))!;
    expect(textOf(confirmation.blocks)).toMatch(/Watches for new and changed rows/);
    expect(JSON.stringify(confirmation.blocks)).toContain(AutomationAction.pause);
    // The first poll takes the rows of the first fill as they are.
    await nextPoll();
    expect(runNotices('U0WATCHER')).toEqual([]);

    const first = addIdea(db.dataSourceId, 'glaciers');
    await nextPoll();
    expect(propertyText(h, first, 'Summary')).toContain('glaciers');
    const notice = await eventually(() => runNotices('U0WATCHER')[0], 'the direct message of the automatic run');
    expect(textOf(notice.blocks)).toMatch(/1 row written/);
    expect(textOf(notice.blocks)).toContain('About glaciers');

    // A second run a minute later: the same message, updated in place, counts summed.
    const second = addIdea(db.dataSourceId, 'volcanoes');
    await nextPoll();
    expect(propertyText(h, second, 'Summary')).toContain('volcanoes');
    const folded = await eventually(
      () => runNotices('U0WATCHER').find((m) => /2 rows written in 2 automatic runs/.test(textOf(m.blocks))),
      'the folded message',
    );
    expect(folded.ts).toBe(notice.ts);
    expect(runNotices('U0WATCHER')).toHaveLength(1);
    expect(textOf(folded.blocks)).toContain('About volcanoes');
  });

  it('on a page says only a database can be watched', async () => {
    const c = await setUp('U0PAGEWATCH');
    const page = h.notion.addPage({ title: 'Notes', parentPageId: c.parentPageId });
    const d = await generate('U0PAGEWATCH', `${page.url} --watch Write the notes`);
    await postMatching(d, /Only a database can be watched/, 'the refusal');
    expect(await h.visen.services.automations.list(ref('U0PAGEWATCH'))).toEqual([]);
  });
});

describe('/visen generate --every', () => {
  it('schedules in the time zone Slack reports for the user, and says when it runs next', async () => {
    const c = await setUp('U0TOKYO', 'Asia/Tokyo');
    const page = h.notion.addPage({ title: 'Standup', parentPageId: c.parentPageId });
    const d = await generate('U0TOKYO', `${page.url} --every "weekdays 09:00" Write the standup notes`);
    const text = await postMatching(d, /is now automatic/, 'the schedule confirmation');
    expect(text).toMatch(/Runs `weekdays 09:00` \(Asia\/Tokyo\)/);
    expect(text).toMatch(/Next run <!date\^\d+\^/);
    const [automation] = await h.visen.services.automations.list(ref('U0TOKYO'));
    expect(automation).toMatchObject({ trigger: 'Schedule', schedule: 'weekdays 09:00', timeZone: 'Asia/Tokyo' });
    // 09:00 in Tokyo is 00:00 UTC, on a weekday.
    const next = new Date(automation!.nextRun!);
    expect(next.getUTCHours()).toBe(0);
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
    expect(triggerOf(c, page.url)).toBe('Schedule');
  });

  it('refuses a schedule it cannot read in the ack, saying how to write one', async () => {
    await setUp('U0BADSCHED');
    const d = await generate('U0BADSCHED', `https://www.notion.so/acme/Notes-0123456789abcdef0123456789abcdef --every fortnightly Write`);
    expect(textOf(d.ackPayload?.blocks)).toMatch(/Visen cannot read the schedule “fortnightly”\. Write a schedule as `hourly`/);
  });

  it('without the users:read scope, runs in UTC and says the app must be reinstalled', async () => {
    const c = await setUp('U0NOSCOPE', 'America/New_York');
    const page = h.notion.addPage({ title: 'Digest', parentPageId: c.parentPageId });
    h.slack.grantedScopes.delete('users:read');
    try {
      const d = await generate('U0NOSCOPE', `${page.url} --every "daily 18:00" Write the digest`);
      const text = await postMatching(d, /is now automatic/, 'the schedule confirmation');
      expect(text).toMatch(/must be reinstalled to grant it the users:read permission/);
      expect(text).toMatch(/runs in UTC/);
      const [automation] = await h.visen.services.automations.list(ref('U0NOSCOPE'));
      expect(automation?.timeZone).toBe('UTC');
    } finally {
      h.slack.grantedScopes.add('users:read');
    }
  });
});

describe('the generate form’s Run choice', () => {
  it('on a schedule: the form closes, the confirmation comes as a direct message in the user’s time zone', async () => {
    const c = await setUp('U0FORMSCHED', 'America/Sao_Paulo');
    const page = h.notion.addPage({ title: 'Form page', parentPageId: c.parentPageId });
    await h.slack.slashCommand({ userId: 'U0FORMSCHED', text: 'generate' });
    const opened = await eventually(() => h.slack.modalStack('U0FORMSCHED').find((v) => v.callback_id === GenerateIds.modalCallback), 'the form');
    const submitted = await h.slack.viewSubmission({
      userId: 'U0FORMSCHED',
      view: opened,
      values: {
        [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: page.url },
        [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: 'Write the morning briefing' },
        [GenerateIds.runBlock]: { [GenerateIds.runAction]: 'schedule' },
        [GenerateIds.scheduleBlock]: { [GenerateIds.scheduleAction]: 'daily 07:30' },
      },
    });
    expect(submitted.ackPayload).toEqual({ response_action: 'clear' });
    const dm = await eventually(() => dms(h, 'U0FORMSCHED').find((m) => /is now automatic/.test(textOf(m.blocks))), 'the confirmation');
    expect(textOf(dm.blocks)).toMatch(/Runs `daily 07:30` \(America\/Sao_Paulo\)/);
    expect(triggerOf(c, page.url)).toBe('Schedule');
  });

  it('keeps a schedule it cannot read, or a missing one, in the form next to the Schedule field', async () => {
    await setUp('U0FORMBAD');
    await h.slack.slashCommand({ userId: 'U0FORMBAD', text: 'generate' });
    const opened = await eventually(() => h.slack.modalStack('U0FORMBAD').find((v) => v.callback_id === GenerateIds.modalCallback), 'the form');
    const values = (schedule: string) => ({
      [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: 'https://www.notion.so/acme/Notes-0123456789abcdef0123456789abcdef' },
      [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: 'Write' },
      [GenerateIds.runBlock]: { [GenerateIds.runAction]: 'schedule' },
      [GenerateIds.scheduleBlock]: { [GenerateIds.scheduleAction]: schedule },
    });
    const bad = await h.slack.viewSubmission({ userId: 'U0FORMBAD', view: opened, values: values('every other day') });
    expect(bad.ackPayload).toEqual({
      response_action: 'errors',
      errors: { [GenerateIds.scheduleBlock]: expect.stringMatching(/^Visen cannot read the schedule “every other day”\. Write a schedule as/) },
    });
    const missing = await h.slack.viewSubmission({ userId: 'U0FORMBAD', view: opened, values: values('') });
    expect(missing.ackPayload?.errors).toEqual({ [GenerateIds.scheduleBlock]: expect.stringMatching(/^Write the schedule, for example/) });
  });
});

describe('Pause and Resume', () => {
  it('from the Home tab: the section lists the automation, Pause stops it, Resume starts it, the tab refreshes', async () => {
    const c = await setUp('U0HOMEAUTO');
    const db = ideas(c, ['meadows']);
    await watch('U0HOMEAUTO', db);
    const home = await openHome('U0HOMEAUTO');
    expect(textOf(home.blocks)).toMatch(/Automatic connections \(1\)/);
    expect(textOf(home.blocks)).toMatch(/Watches for new and changed rows/);

    await clickHome('U0HOMEAUTO', AutomationAction.pause);
    const paused = await eventually(() => homeWith('U0HOMEAUTO', /Paused “/), 'the Home tab after Pause');
    expect(textOf(paused.blocks)).toMatch(/:double_vertical_bar: \*Paused\*/);
    expect(JSON.stringify(paused.blocks)).toContain(AutomationAction.resume);
    expect((await h.visen.services.automations.list(ref('U0HOMEAUTO')))[0]?.paused).toBe(true);
    // Paused: a new row waits.
    const waiting = addIdea(db.dataSourceId, 'deserts');
    await nextPoll();
    expect(propertyText(h, waiting, 'Summary')).toBe('');

    await clickHome('U0HOMEAUTO', AutomationAction.resume);
    await eventually(() => homeWith('U0HOMEAUTO', /Resumed “/), 'the Home tab after Resume');
    await nextPoll();
    await nextPoll();
    expect(propertyText(h, waiting, 'Summary')).toContain('deserts');
  });

  it('from /visen automations: the list message, replaced by the updated list', async () => {
    const c = await setUp('U0LISTER');
    const page = h.notion.addPage({ title: 'Weekly', parentPageId: c.parentPageId });
    await postMatching(await generate('U0LISTER', `${page.url} --every "mondays 08:30" Write the weekly notes`), /is now automatic/, 'the confirmation');

    const d = await h.slack.slashCommand({ userId: 'U0LISTER', text: 'automations' });
    expect(d.acked).toBe(true);
    const list = await postMatching(d, /Your automatic connections \(1\)/, 'the list');
    expect(list).toMatch(/Runs `mondays 08:30` \(Europe\/Paris\)/);
    const message = await eventually(
      () => h.slack.messages.filter((m) => m.user === 'U0LISTER' && JSON.stringify(m.blocks ?? []).includes(AutomationAction.pause)).at(-1),
      'the list message',
    );
    const click = await h.slack.blockAction({ userId: 'U0LISTER', actionId: AutomationAction.pause, message });
    expect(click.acked).toBe(true);
    await eventually(() => h.slack.responseUrlPosts.find((p) => p.url === click.responseUrl && /Paused “/.test(textOf(p.body))), 'the updated list');
    expect((await h.visen.services.automations.list(ref('U0LISTER')))[0]?.paused).toBe(true);
  });
});

describe('Visen pausing them by itself', () => {
  it('a revoked Notion secret pauses all of the user’s automations, told in one direct message with Resume', async () => {
    const c = await setUp('U0REVOKEDE2E');
    const first = ideas(c, ['oaks']);
    const second = ideas(c, ['elms']);
    await watch('U0REVOKEDE2E', first);
    await watch('U0REVOKEDE2E', second);
    h.notion.revoke(c.notionSecret);
    await nextPoll();
    await nextPoll();
    const paused = await eventually(() => dms(h, 'U0REVOKEDE2E').filter((m) => /Visen paused your/.test(m.text ?? '')), 'the paused message');
    expect(paused).toHaveLength(1);
    expect(paused[0]!.text).toMatch(/^Visen paused your 2 automatic connections: /);
    expect(textOf(paused[0]!.blocks)).toContain('`/visen settings`');
    expect(JSON.stringify(paused[0]!.blocks).match(new RegExp(AutomationAction.resume, 'g'))).toHaveLength(2);
  });
});

describe('/visen clear', () => {
  it('stops and forgets the user’s automations, sets their rows to Manual, and says so', async () => {
    const c = await setUp('U0CLEARAUTO');
    const db = ideas(c, ['rivers']);
    await watch('U0CLEARAUTO', db);
    const d = await h.slack.slashCommand({ userId: 'U0CLEARAUTO', text: 'clear' });
    expect(textOf(d.ackPayload?.blocks)).toMatch(/automatic connections stop/);
    const question = h.slack.messages.filter((m) => m.user === 'U0CLEARAUTO' && m.via === 'ack').at(-1)!;
    await h.slack.blockAction({ userId: 'U0CLEARAUTO', actionId: SettingsAction.clearConfirm, message: question });
    const done = await eventually(
      () => h.slack.messages.filter((m) => m.channel === question.channel && m.ts === question.ts && m.kind === 'update').at(-1),
      'the clear outcome',
    );
    expect(textOf(done.blocks)).toMatch(/1 automatic connection stopped: its row in Notion now has `Trigger` set to `Manual`/);
    expect(await h.visen.services.automations.list(ref('U0CLEARAUTO'))).toEqual([]);
    expect(triggerOf(c, db.url)).toBe('Manual');
    const later = addIdea(db.dataSourceId, 'lakes');
    await nextPoll();
    expect(propertyText(h, later, 'Summary')).toBe('');
  });
});

// ---- the Home tab -------------------------------------------------------------------------------------------

type View = { blocks: Array<Record<string, any>> };
const viewsOf = (userId: string): View[] => ((h.slack.views.published as Map<string, unknown[]>).get(userId) ?? []) as View[];

async function openHome(userId: string): Promise<View> {
  const before = viewsOf(userId).length;
  await h.slack.appHomeOpened({ userId });
  return eventually(
    () =>
      viewsOf(userId)
        .slice(before)
        .find((v) => /Automatic connections/.test(textOf(v.blocks)) && !/Reading your connections/.test(textOf(v.blocks))),
    `the Home tab of ${userId}`,
  );
}

function homeWith(userId: string, pattern: RegExp): View | undefined {
  const latest = viewsOf(userId).at(-1);
  return latest && pattern.test(textOf(latest.blocks)) ? latest : undefined;
}

async function clickHome(userId: string, actionId: string): Promise<void> {
  const d = await h.slack.blockAction({ userId, actionId, view: { type: 'home' } });
  expect(d.acked).toBe(true);
}
