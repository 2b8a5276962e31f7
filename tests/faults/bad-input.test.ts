/**
 * Bad input, table-driven, end to end: malformed slash commands, modal fields and URLs each get their clear
 * message, none crashes the app, none writes anything (no Notion write, no OpenAI call, no saved settings,
 * no connection row), and the app still answers the next command.
 *
 * Where the answer shows: a command the app cannot read is answered in its ack; a problem only the services
 * can see comes as the command's reply (response_url); modal fields get errors next to them
 * (`response_action: errors`, or the updated view when the checks run after the ack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import type { Delivery } from '../stand-ins/slack/index.js';
import { type BadInput, badInputs, type Fixture } from './support/bad-inputs.js';
import { setUpFixture } from './support/fixture.js';
import { answerTo, type Mark, mark, submitGenerateModal, submitSettingsModal, writesSince } from './support/observe.js';

let h: Harness;
let fixture: Fixture;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  fixture = await setUpFixture(h);
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const cases = badInputs();

describe('bad input', { timeout: 60_000 }, () => {
  it('has at least 40 cases across the command, the modal fields and URLs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const kinds = new Set(cases.map((c) => c.via));
    expect(kinds).toEqual(new Set(['command', 'settings modal', 'generate modal']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c: BadInput) => {
    const before: Mark = mark(h);
    const user = c.configured === false ? fixture.bareUser : fixture.user;
    const settingsBefore = await h.visen.services.settings.summary(user);

    let shown: string;
    if (c.via === 'command') {
      const text = typeof c.input === 'function' ? c.input(fixture) : c.input;
      shown = await answerTo(h, user, text, c.expect);
    } else if (c.via === 'settings modal') {
      shown = await submitSettingsModal(h, user, c.fields(fixture), c.expect);
    } else {
      shown = await submitGenerateModal(h, user, c.fields(fixture), c.expect);
    }

    // Its own clear message, and never a raw or generic one.
    expect(shown).toMatch(c.expect);
    expect(shown).not.toMatch(/Something went wrong on our side|undefined|\[object Object\]|Error:|at \S+:\d+:\d+/);

    // Nothing written: no Notion write, no generation, settings as they were, no connection row.
    expect(writesSince(h, before)).toEqual([]);
    expect(h.openai.requests.slice(before.openai).filter((r) => r.path.endsWith('/chat/completions'))).toEqual([]);
    expect(await h.visen.services.settings.summary(user)).toEqual(settingsBefore);
    expect(h.notion.rows(fixture.connectionsDataSourceId)).toHaveLength(0);

    // Still answering.
    const next: Delivery = await h.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: 'help' });
    expect(next.acked).toBe(true);
    expect(h.slack.failures).toEqual([]);
  });
});
