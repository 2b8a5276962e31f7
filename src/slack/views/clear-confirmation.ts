/**
 * `/visen clear`: the ephemeral confirmation with Confirm and Cancel buttons, and the messages that replace
 * it. The buttons carry no user id: the user who clicks is the one cleared.
 */
import type { KnownBlock } from '@slack/types';
import { COMMAND } from '../ids.js';
import { SettingsAction, SettingsBlock } from '../listeners/settings/ids.js';
import type { SlackMessage } from './settings-saved.js';
import { escapeMrkdwn } from './text.js';

export function buildClearConfirmation(): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'settings_clear_question',
      text: {
        type: 'mrkdwn',
        text:
          '*Delete your Visen settings from this Visen?*\n' +
          'This deletes what Visen keeps about you on the computer it runs on: your Notion integration secret, OpenAI key and endpoint, default model, ' +
          "the link to your connections database, and Visen's local records of your runs and Home tab. Runs of yours in progress are stopped.\n" +
          '*Nothing in Notion is deleted:* your connections database, its rows and your pages stay as they are.',
      },
    },
    {
      type: 'actions',
      block_id: SettingsBlock.clearActions,
      elements: [
        { type: 'button', action_id: SettingsAction.clearConfirm, style: 'danger', text: { type: 'plain_text', text: 'Delete my settings' }, value: 'confirm' },
        { type: 'button', action_id: SettingsAction.clearCancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
      ],
    },
  ];
  return { text: 'Delete your Visen settings? Nothing in Notion is deleted.', blocks };
}

export function buildClearDoneMessage(hadSettings: boolean): SlackMessage {
  const text = hadSettings
    ? `:wastebasket: Done: your Visen settings and local records are deleted from this Visen. Nothing in Notion was deleted. Run \`${COMMAND} settings\` to set Visen up again.`
    : `:wastebasket: Done: Visen had no settings saved for you, and any local records of yours are deleted. Nothing in Notion was deleted.`;
  return { text, blocks: [{ type: 'section', block_id: 'settings_clear_done', text: { type: 'mrkdwn', text } }] };
}

export function buildClearCancelledMessage(): SlackMessage {
  const text = 'Cancelled: nothing was deleted, your Visen settings are unchanged.';
  return { text, blocks: [{ type: 'section', block_id: 'settings_clear_cancelled', text: { type: 'mrkdwn', text } }] };
}

export function buildClearFailedMessage(userMessage: string): SlackMessage {
  const text = `:warning: ${escapeMrkdwn(userMessage)}`;
  return { text, blocks: [{ type: 'section', block_id: 'settings_clear_failed', text: { type: 'mrkdwn', text } }] };
}
