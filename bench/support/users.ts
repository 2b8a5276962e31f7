/**
 * Benchmark users, set up as a person would: a Notion integration, a connections database shared with it,
 * an OpenAI key, then `/visen settings` and a submit of the real modal through the Slack stand-in. (The
 * end-to-end tests' configureUser does the same against the in-process app; here the app is a child process,
 * so success is read from the modal, not from the store.)
 */
import { connectionsPropertiesConfig } from '../../src/services/connections/schema.js';
import { SettingsCallback, SettingsInput } from '../../src/slack/listeners/settings/ids.js';
import type { BenchEnvironment } from './environment.js';

/** The stand-ins a user is set up against (one app process, or a team of them). */
export type BenchVendors = Pick<BenchEnvironment, 'slack' | 'notion' | 'openai'>;

export interface BenchUser {
  readonly teamId: string;
  readonly userId: string;
  readonly notionSecret: string;
  /** A page of the user's, shared with the integration, for page runs. */
  readonly pageId: string;
  readonly pageUrl: string;
  /** The page the connections database lives in (shared with the integration). */
  readonly parentPageId: string;
  readonly connectionsDataSourceId: string;
}

export async function setUpUsers(env: BenchVendors, count: number, prefix: string): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  // One at a time: each submit checks Notion and OpenAI live, and the stand-ins answer fast.
  for (let i = 0; i < count; i++) users.push(await setUpUser(env, `U0${prefix}${String(i).padStart(3, '0')}`));
  return users;
}

export async function setUpUser(env: BenchVendors, userId: string): Promise<BenchUser> {
  const { slack, notion, openai } = env;
  const teamId = slack.teamId;
  const notionSecret = notion.createIntegration({ name: `Visen ${userId}` }).secret;
  const openaiKey = openai.addKey();
  const parent = notion.addPage({ title: `${userId}'s space`, sharedWith: [notionSecret] });
  const database = notion.addDatabase({ title: 'Visen connections', parentPageId: parent.id, properties: connectionsPropertiesConfig() });
  const page = notion.addPage({ title: `${userId} notes`, parentPageId: parent.id });

  const before = new Set(slack.views.opened.map((v) => v.id));
  const opened = await slack.slashCommand({ userId, teamId, text: 'settings' });
  if (!opened.acked) throw new Error(`bench setup: /visen settings was not acked (${opened.reason})`);
  const form = await slack.waitFor(
    () => slack.views.opened.find((v) => !before.has(v.id) && v.callback_id === SettingsCallback.form && slack.modalStack(userId).some((s) => s.id === v.id)),
    15_000,
  );
  const submitted = await slack.viewSubmission({
    userId,
    teamId,
    view: form,
    values: {
      [SettingsInput.notionSecret.block]: { [SettingsInput.notionSecret.action]: notionSecret },
      [SettingsInput.openaiKey.block]: { [SettingsInput.openaiKey.action]: openaiKey },
      [SettingsInput.connectionsUrl.block]: { [SettingsInput.connectionsUrl.action]: database.url },
      [SettingsInput.parentPageUrl.block]: { [SettingsInput.parentPageUrl.action]: null },
    },
  });
  if (!submitted.acked) throw new Error(`bench setup: the settings submission was not acked (${submitted.reason})`);
  await slack.waitFor(() => {
    const errors = slack.views.errorsShown.find((e) => e.viewId === form.id);
    if (errors) throw new Error(`bench setup: the settings modal showed errors: ${JSON.stringify(errors.errors)}`);
    return slack.modalStack(userId).find((v) => v.id === form.id)?.callback_id === SettingsCallback.saved;
  }, 15_000);
  return {
    teamId,
    userId,
    notionSecret,
    pageId: page.id,
    pageUrl: page.url,
    parentPageId: parent.id,
    connectionsDataSourceId: database.dataSourceId,
  };
}
