/**
 * What the user sees after saving: the modal's success view and the confirmation message (a direct message
 * from the app), both saying what was saved (never a secret, only its last four characters) and what to try
 * next. Also the message for checks that finished after the modal was closed.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { SettingsErrors, SettingsField, SettingsSummary } from '../../services/settings/types.js';
import { COMMAND, SettingsViewBlock } from '../ids.js';
import { SettingsCallback } from '../listeners/settings/ids.js';
import { modalTexts, type SlackMessage, section } from './blocks.js';
import { SETTINGS_MODAL_TITLE } from './settings-modal.js';
import { endsIn, escapeMrkdwn, mrkdwnLink } from './text.js';

export interface SettingsSavedModel {
  readonly summary: SettingsSummary;
  readonly createdDatabase: boolean;
  readonly addedProperties: readonly string[];
}

/** The lines that say what was saved, in mrkdwn. */
export function savedSettingsLines(model: SettingsSavedModel): string[] {
  const s = model.summary;
  const integration = s.integrationName ? `integration “${escapeMrkdwn(s.integrationName)}”` : 'integration';
  const lines = [`• *Notion:* ${integration}, secret ${endsIn(s.notionSecretLast4)}`];
  if (s.connections) {
    const how = model.createdDatabase
      ? ' (created just now)'
      : model.addedProperties.length > 0
        ? ` (added: ${escapeMrkdwn(model.addedProperties.join(', '))})`
        : '';
    lines.push(`• *Connections database:* ${mrkdwnLink(s.connections.url, s.connections.title || 'Untitled')}${how}`);
  }
  lines.push(`• *OpenAI:* key ${endsIn(s.openaiKeyLast4)}, endpoint ${s.openaiBaseUrl ? `\`${escapeMrkdwn(s.openaiBaseUrl)}\`` : 'the default'}`);
  lines.push(`• *Default model:* \`${escapeMrkdwn(s.model)}\``);
  return lines;
}

const NEXT_STEPS =
  `*Try it:* \`${COMMAND} generate &lt;Notion page URL&gt; &lt;prompt&gt;\` writes into a page; give a database URL and a template with \`{{Property}}\` to fill its rows; ` +
  `\`${COMMAND} generate\` alone opens a form. Your connections show on Visen's Home tab. Change these any time with \`${COMMAND} settings\`.`;

export function buildSettingsSavedView(model: SettingsSavedModel): ModalView {
  return {
    type: 'modal',
    callback_id: SettingsCallback.saved,
    ...modalTexts({ title: SETTINGS_MODAL_TITLE, close: 'Done' }),
    blocks: [
      section(':white_check_mark: *Checked and saved.*', { blockId: SettingsViewBlock.savedHeader }),
      section(savedSettingsLines(model).join('\n'), { blockId: SettingsViewBlock.savedDetails }),
      section(NEXT_STEPS, { blockId: SettingsViewBlock.savedNext }),
    ],
  };
}

export function buildSettingsSavedMessage(model: SettingsSavedModel): SlackMessage {
  const lines = savedSettingsLines(model);
  return {
    text: `Your Visen settings are saved. Try ${COMMAND} generate next.`,
    blocks: [
      section(':white_check_mark: *Your Visen settings are checked and saved.*', { blockId: SettingsViewBlock.savedHeader }),
      section(lines.join('\n'), { blockId: SettingsViewBlock.savedDetails }),
      section(NEXT_STEPS, { blockId: SettingsViewBlock.savedNext }),
    ],
  };
}

const FIELD_NAMES: Record<SettingsField, string> = {
  notionSecret: 'Notion integration secret',
  openaiKey: 'OpenAI API key',
  openaiBaseUrl: 'OpenAI base URL',
  model: 'Default model',
  connectionsUrl: 'Connections database URL',
  parentPageUrl: 'Parent page URL',
  addMissingProperties: 'Database properties',
};

/** The result of checks that finished after the modal was closed: nothing was saved, and why. */
export function buildSettingsNotSavedMessage(errors: SettingsErrors, notice?: string): SlackMessage {
  const lines = (Object.entries(errors) as Array<[SettingsField, string | undefined]>)
    .filter((entry): entry is [SettingsField, string] => Boolean(entry[1]))
    .map(([field, message]) => `• *${FIELD_NAMES[field]}:* ${escapeMrkdwn(message)}`);
  const blocks: KnownBlock[] = [
    section(`:warning: *Your Visen settings were not saved.*${notice ? ` ${escapeMrkdwn(notice)}` : ''}`, { blockId: SettingsViewBlock.notSavedHeader }),
  ];
  if (lines.length > 0) blocks.push(section(lines.join('\n'), { blockId: SettingsViewBlock.notSavedDetails }));
  blocks.push(section(`Run \`${COMMAND} settings\` to fix this and save again.`, { blockId: SettingsViewBlock.notSavedNext }));
  return { text: `Your Visen settings were not saved. Run ${COMMAND} settings to try again.`, blocks };
}
