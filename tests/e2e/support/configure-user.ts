/**
 * Sets a Slack user up the way a person would: a Notion integration, a connections database shared with it
 * (or a parent page in which Visen creates one), an OpenAI key, then `/visen settings` and a submit of the real
 * modal through the Slack stand-in. The secrets go into `slack.forbiddenStrings`, so any later view, message or
 * Web API argument that carries one is a failure.
 *
 *   const c = await configureUser(h, 'U0ALICE');
 *   h.notion.addRow(c.connections.dataSourceId, { ... });
 */
import { connectionsPropertiesConfig } from '../../../src/services/connections/schema.js';
import { SettingsCallback, SettingsInput } from '../../../src/slack/listeners/settings/ids.js';
import type { View } from '../../stand-ins/slack/index.js';
import type { Harness } from '../harness.js';

export interface ConfigureUserOptions {
  /** The Slack team (default: the stand-in's). */
  readonly teamId?: string;
  /** The Notion integration's name (default `Visen <userId>`). */
  readonly integrationName?: string;
  /** Reuse an integration secret instead of creating one. */
  readonly notionSecret?: string;
  /** Reuse an OpenAI key instead of creating one. */
  readonly openaiKey?: string;
  /** An OpenAI-compatible base URL to type (default: blank, the operator's endpoint). */
  readonly openaiBaseUrl?: string;
  /** The default model to save (default: leave the form's, i.e. VISEN_DEFAULT_MODEL). */
  readonly model?: string;
  /** Let Visen create "Visen connections" in a parent page instead of pasting a database URL. */
  readonly createDatabase?: boolean;
  /** How long to wait for the checks (default 15 s). */
  readonly timeoutMs?: number;
}

export interface ConfiguredUser {
  readonly teamId: string;
  readonly userId: string;
  readonly notionSecret: string;
  /** The bot user of the integration: `created_by` of every row Visen creates with the secret. */
  readonly botId: string;
  readonly integrationName: string;
  readonly openaiKey: string;
  /** The page the connections database lives in (shared with the integration). */
  readonly parentPageId: string;
  readonly connections: { readonly databaseId: string; readonly dataSourceId: string; readonly url: string };
}

export async function configureUser(h: Harness, userId: string, options: ConfigureUserOptions = {}): Promise<ConfiguredUser> {
  const teamId = options.teamId ?? h.slack.teamId;
  const integrationName = options.integrationName ?? `Visen ${userId}`;
  const notionSecret = options.notionSecret ?? h.notion.createIntegration({ name: integrationName }).secret;
  const openaiKey = options.openaiKey ?? h.openai.addKey();
  h.slack.forbiddenStrings.add(notionSecret);
  h.slack.forbiddenStrings.add(openaiKey);

  const page = h.notion.addPage({ title: `${userId}'s space`, sharedWith: [notionSecret] });
  const database = options.createDatabase
    ? undefined
    : h.notion.addDatabase({ title: 'Visen connections', parentPageId: page.id, properties: connectionsPropertiesConfig() });

  const before = new Set(h.slack.views.opened.map((v) => v.id));
  const delivery = await h.slack.slashCommand({ userId, teamId, text: 'settings' });
  if (!delivery.acked) throw new Error(`configureUser: /visen settings was not acked (${delivery.reason})`);
  const form = await h.slack.waitFor(
    () =>
      h.slack.views.opened.find((v) => !before.has(v.id) && v.callback_id === SettingsCallback.form && h.slack.modalStack(userId).some((s) => s.id === v.id)),
    options.timeoutMs ?? 15_000,
  );

  const values: Record<string, Record<string, string | string[] | null>> = {
    [SettingsInput.notionSecret.block]: { [SettingsInput.notionSecret.action]: notionSecret },
    [SettingsInput.openaiKey.block]: { [SettingsInput.openaiKey.action]: openaiKey },
    [SettingsInput.connectionsUrl.block]: { [SettingsInput.connectionsUrl.action]: database ? database.url : null },
    [SettingsInput.parentPageUrl.block]: { [SettingsInput.parentPageUrl.action]: database ? null : page.url },
  };
  if (options.model) values[SettingsInput.model.block] = { [SettingsInput.model.action]: options.model };
  if (options.openaiBaseUrl) values[SettingsInput.openaiBaseUrl.block] = { [SettingsInput.openaiBaseUrl.action]: options.openaiBaseUrl };
  const submitted = await h.slack.viewSubmission({ userId, teamId, view: form, values });
  if (!submitted.acked) throw new Error(`configureUser: the settings submission was not acked (${submitted.reason})`);
  const errors = h.slack.views.errorsShown.filter((e) => e.viewId === form.id).at(-1);
  if (errors) throw new Error(`configureUser: the settings modal showed errors: ${JSON.stringify(errors.errors)}`);

  const saved = await h.slack.waitFor(() => {
    const top: View | undefined = h.slack.modalStack(userId).find((v) => v.id === form.id);
    if (top?.callback_id === SettingsCallback.saved) return top;
    if (top?.callback_id === SettingsCallback.form && top.blocks.some((b) => String(b.block_id ?? '').endsWith('_error'))) {
      throw new Error(`configureUser: the checks failed: ${JSON.stringify(top.blocks.filter((b) => String(b.block_id ?? '').endsWith('_error')))}`);
    }
    return undefined;
  }, options.timeoutMs ?? 15_000);
  void saved;

  const stored = await h.visen.services.settings.load({ teamId, userId });
  if (!stored) throw new Error('configureUser: the modal said saved, but nothing is stored');
  return {
    teamId,
    userId,
    notionSecret,
    botId: h.notion.botIdOf(notionSecret),
    integrationName,
    openaiKey,
    parentPageId: page.id,
    connections: { databaseId: stored.connections.databaseId, dataSourceId: stored.connections.dataSourceId, url: stored.connections.url },
  };
}
