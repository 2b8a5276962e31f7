/**
 * Another program holds the SQLite store's write lock (tests/support/lock-sqlite.cjs). Reads still work in
 * WAL mode, so users keep seeing their settings; every write waits out the busy timeout and then tells the
 * user to try again, and nothing says "you have no settings". Once the lock is gone, everything works again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_FILE_NAME } from '../../src/adapters/store.js';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { messagesFor, textOf } from '../e2e/support/observe.js';
import { repoRoot } from '../e2e/support/run-main.js';
import { answerTo, submitSettingsModal } from './support/observe.js';

const TRY_AGAIN = /another program is holding it\. Please try again in a few seconds/;
/** How the views show a saved secret: by its last four characters. */
const endsIn = (secret: string) => new RegExp(`end(?:s|ing) in \\W?${secret.slice(-4)}`);
const NO_SETTINGS = /not set up for you yet|no settings saved|Visen had no settings/i;

let h: Harness;
let c: ConfiguredUser;
let locker: ChildProcess | undefined;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0LOCKED');
}, 60_000);

afterAll(async () => {
  locker?.kill('SIGKILL');
  await h?.stop();
});

async function holdWriteLock(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'tests/support/lock-sqlite.cjs'), join(h.dataDir, STORE_FILE_NAME)]);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => String(d).includes('locked') && resolve());
    child.stderr.on('data', (d: Buffer) => reject(new Error(`lock-sqlite: ${String(d)}`)));
    child.once('exit', (code) => reject(new Error(`lock-sqlite exited with ${code}`)));
  });
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
}

describe('the SQLite store locked by another program', () => {
  it('tells users to try again, never that they have no settings, and recovers when the lock is gone', async () => {
    const user = { teamId: c.teamId, userId: c.userId };
    const saved = await h.visen.services.settings.load(user);
    locker = await holdWriteLock();

    // Reading still works: the settings form opens with what is saved.
    const openedBefore = h.slack.views.opened.length;
    expect((await h.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: 'settings' })).acked).toBe(true);
    const form = await h.slack.waitFor(() => h.slack.views.opened.slice(openedBefore).find((v) => v.callback_id === 'settings_form'), 10_000);
    expect(textOf(form.blocks)).toMatch(endsIn(c.notionSecret));
    await h.slack.viewClosed({ userId: user.userId, teamId: user.teamId, view: { id: form.id } });

    // Saving settings needs a write: try again, and the saved settings are untouched.
    const submitted = await submitSettingsModal(
      h,
      user,
      { settings_connections_url: { settings_connections_url_input: c.connections.url }, settings_model: { settings_model_input: 'gpt-4o-mini' } },
      TRY_AGAIN,
    );
    expect(submitted).toMatch(TRY_AGAIN);
    expect(submitted).not.toMatch(NO_SETTINGS);

    // /visen clear: the confirmation, then "try again"; the settings are still there.
    const messagesBefore = h.slack.messages.length;
    expect(await answerTo(h, user, 'clear', /Delete your Visen settings/)).toMatch(/Delete your Visen settings/);
    await h.slack.blockAction({ userId: user.userId, teamId: user.teamId, actionId: 'settings_clear_confirm', container: 'message' });
    await h.slack.waitFor(
      () =>
        TRY_AGAIN.test(
          messagesFor(h, user.userId, messagesBefore)
            .map((m) => `${m.text}`)
            .join('\n'),
        ),
      15_000,
    );
    expect(
      messagesFor(h, user.userId, messagesBefore)
        .map((m) => m.text)
        .join('\n'),
    ).not.toMatch(NO_SETTINGS);

    // /visen generate records its run locally before anything else: try again, nothing generated.
    const page = h.notion.addPage({ title: 'Locked page', parentPageId: c.parentPageId });
    const generated = await answerTo(h, user, `generate ${page.url} Write a plan`, TRY_AGAIN, 15_000);
    expect(generated).toMatch(TRY_AGAIN);
    expect(generated).not.toMatch(NO_SETTINGS);
    expect(h.notion.childrenOf(page.id)).toEqual([]);
    expect(h.openai.requests.filter((r) => r.path.endsWith('/chat/completions'))).toEqual([]);

    // The Home tab still shows the saved settings, not the onboarding.
    const homeBefore = (h.slack.views.published.get(user.userId) ?? []).length;
    await h.slack.appHomeOpened({ userId: user.userId, teamId: user.teamId });
    const home = await h.slack.waitFor(() => (h.slack.views.published.get(user.userId) ?? []).slice(homeBefore).at(-1), 10_000);
    expect(textOf(home.blocks)).toMatch(endsIn(c.openaiKey));

    expect(await h.visen.services.settings.load(user)).toEqual(saved);

    // The lock goes away: saving works again.
    await release(locker);
    locker = undefined;
    const again = await submitSettingsModal(
      h,
      user,
      { settings_connections_url: { settings_connections_url_input: c.connections.url }, settings_model: { settings_model_input: 'gpt-4o-mini' } },
      /saved/i,
    );
    expect(again).not.toMatch(TRY_AGAIN);
    expect((await h.visen.services.settings.load(user))?.model).toBe('gpt-4o-mini');
    expect(h.slack.failures).toEqual([]);
  }, 90_000);
});
