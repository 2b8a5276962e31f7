/**
 * `/visen clear` end to end: the ephemeral confirmation, Cancel changing nothing, Confirm deleting the
 * clicking user's local data only (also when user ids differ only in case or by SQL LIKE wildcards), and
 * nothing in Notion touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsAction } from '../../src/slack/listeners/settings/ids.js';
import type { MessageRecord } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

const ref = (userId: string) => ({ teamId: h.slack.teamId, userId });
const load = (userId: string) => h.visen.services.settings.load(ref(userId));

/** Runs `/visen clear` and returns the confirmation message it acked with. */
async function askToClear(userId: string): Promise<MessageRecord> {
  const from = h.slack.messages.length;
  const delivery = await h.slack.slashCommand({ userId, text: 'clear' });
  expect(delivery.acked).toBe(true);
  expect(delivery.ackPayload?.response_type).toBe('ephemeral');
  // This command's ack, not an earlier one of the same user.
  const acked = h.slack.messages.slice(from).filter((m) => m.via === 'ack' && m.user === userId);
  expect(acked).toHaveLength(1);
  expect(acked[0]!.text).toBe(delivery.ackPayload?.text);
  return acked[0]!;
}

async function click(userId: string, message: MessageRecord, actionId: string, value?: string) {
  const delivery = await h.slack.blockAction({ userId, actionId, message, ...(value ? { value } : {}) });
  expect(delivery.acked).toBe(true);
  return h.slack.waitFor(() => {
    const latest = h.slack.messages.filter((m) => m.channel === message.channel && m.ts === message.ts).at(-1);
    return latest && latest !== message && latest.kind === 'update' ? latest : undefined;
  });
}

describe('/visen clear', () => {
  let alice: ConfiguredUser;

  beforeAll(async () => {
    alice = await configureUser(h, 'U0ALICE');
  });

  it('asks with Confirm and Cancel; Cancel changes nothing', async () => {
    const message = await askToClear('U0ALICE');
    expect(message.text).toContain('Nothing in Notion is deleted');
    const buttons = (message.blocks ?? []).flatMap((b) => b.elements ?? []).map((e: { action_id: string }) => e.action_id);
    expect(buttons).toEqual([SettingsAction.clearConfirm, SettingsAction.clearCancel]);

    const replaced = await click('U0ALICE', message, SettingsAction.clearCancel);
    expect(replaced.text).toContain('Cancelled: nothing was deleted');
    expect((await load('U0ALICE'))?.notionSecret).toBe(alice.notionSecret);
  });

  it('Confirm deletes the caller’s settings, says so, and leaves Notion alone', async () => {
    const bob = await configureUser(h, 'U0BOB');
    const message = await askToClear('U0BOB');
    const replaced = await click('U0BOB', message, SettingsAction.clearConfirm);
    expect(replaced.text).toContain('your Visen settings and local records are deleted');
    expect(replaced.text).toContain('Nothing in Notion was deleted');
    expect(await load('U0BOB')).toBeUndefined();
    expect(h.notion.getDatabase(bob.connections.databaseId)?.in_trash).toBe(false);
    expect((await load('U0ALICE'))?.notionSecret).toBe(alice.notionSecret);

    // The settings modal starts from scratch again.
    await h.slack.slashCommand({ userId: 'U0BOB', text: 'settings' });
    const form = await h.slack.waitFor(() => h.slack.modalStack('U0BOB').at(-1));
    expect(JSON.stringify(form)).not.toContain('Saved, ends in');
    const summary = await h.visen.services.settings.summary(ref('U0BOB'));
    expect(summary.configured).toBe(false);
  });

  it('the clicking user is cleared, whatever the button carries', async () => {
    const carol = await configureUser(h, 'U0CAROL');
    const message = await askToClear('U0CAROL');
    await click('U0CAROL', message, SettingsAction.clearConfirm, 'U0ALICE');
    expect(await load('U0CAROL')).toBeUndefined();
    expect((await load('U0ALICE'))?.notionSecret).toBe(alice.notionSecret);
    void carol;
  });

  it.each([
    ['case only', 'U0CASEAB', 'U0caseab'],
    ['`_` (a LIKE wildcard for one character)', 'U0_AB', 'U0XAB'],
    ['`%` (a LIKE wildcard for any run)', 'U0%', 'U0PERCENTB'],
  ])('two users whose ids differ by %s: clearing one leaves the other intact', async (_how, cleared, kept) => {
    const keptUser = await configureUser(h, kept);
    const clearedUser = await configureUser(h, cleared);
    const message = await askToClear(cleared);
    await click(cleared, message, SettingsAction.clearConfirm);
    expect(await load(cleared)).toBeUndefined();
    expect(await load(kept)).toMatchObject({ notionSecret: keptUser.notionSecret, openaiKey: keptUser.openaiKey });
    expect((await load('U0ALICE'))?.notionSecret).toBe(alice.notionSecret);
    void clearedUser;
  });

  it('clearing with nothing saved says so', async () => {
    const message = await askToClear('U0NOBODY');
    const replaced = await click('U0NOBODY', message, SettingsAction.clearConfirm);
    expect(replaced.text).toContain('Visen had no settings saved for you');
  });

  it('left no stand-in failures', () => {
    // Real Slack ids are upper-case letters and digits, so Slack refuses a DM or a Home tab for the odd ids above;
    // those refusals (to the settings confirmation DM and the Home tab's refresh) are Slack's answers, not bugs.
    const oddIds = /"U0caseab"|"U0_AB"|"U0%"|channel_not_found/;
    const failures = h.slack.takeFailures().filter((f) => !oddIds.test(f));
    expect(failures).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    expect(h.openai.failures).toEqual([]);
  });
});
