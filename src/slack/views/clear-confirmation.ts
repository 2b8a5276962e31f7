/**
 * `/visen clear`: the ephemeral confirmation with Confirm and Cancel buttons, and the messages that replace
 * it. The buttons carry no user id: the user who clicks is the one cleared.
 */
import { COMMAND, SettingsViewBlock } from '../ids.js';
import { SettingsAction, SettingsBlock } from '../listeners/settings/ids.js';
import { actions, button, type SlackMessage, section } from './blocks.js';
import { escapeMrkdwn, plural } from './text.js';

export function buildClearConfirmation(): SlackMessage {
  const question =
    '*Delete your Visen settings from this Visen?*\n' +
    'This deletes what Visen keeps about you on the computer it runs on: your Notion integration secret, OpenAI key and endpoint, default model, ' +
    "the link to your connections database, and Visen's local records of your runs and Home tab. Runs of yours in progress are stopped, and your automatic connections stop (their rows in Notion get `Trigger` set to `Manual`).\n" +
    '*Nothing in Notion is deleted:* your connections database, its rows and your pages stay as they are.';
  const blocks = [
    section(question, { blockId: SettingsViewBlock.clearQuestion }),
    actions(
      [
        button('Delete my settings', SettingsAction.clearConfirm, { style: 'danger', value: 'confirm' }),
        button('Cancel', SettingsAction.clearCancel, { value: 'cancel' }),
      ],
      { blockId: SettingsBlock.clearActions },
    ),
  ];
  return { text: 'Delete your Visen settings? Nothing in Notion is deleted.', blocks };
}

export function buildClearDoneMessage(hadSettings: boolean, stoppedAutomations = 0): SlackMessage {
  const done = hadSettings
    ? `:wastebasket: Done: your Visen settings and local records are deleted from this Visen. Nothing in Notion was deleted. Run \`${COMMAND} settings\` to set Visen up again.`
    : `:wastebasket: Done: Visen had no settings saved for you, and any local records of yours are deleted. Nothing in Notion was deleted.`;
  const automations =
    stoppedAutomations > 0
      ? ` ${plural(stoppedAutomations, 'automatic connection')} stopped: ${stoppedAutomations === 1 ? 'its row' : 'their rows'} in Notion now ${stoppedAutomations === 1 ? 'has' : 'have'} \`Trigger\` set to \`Manual\`.`
      : '';
  const text = `${done}${automations}`;
  return { text, blocks: [section(text, { blockId: SettingsViewBlock.clearDone })] };
}

export function buildClearCancelledMessage(): SlackMessage {
  const text = 'Cancelled: nothing was deleted, your Visen settings are unchanged.';
  return { text, blocks: [section(text, { blockId: SettingsViewBlock.clearCancelled })] };
}

export function buildClearFailedMessage(userMessage: string): SlackMessage {
  const text = `:warning: ${escapeMrkdwn(userMessage)}`;
  return { text, blocks: [section(text, { blockId: SettingsViewBlock.clearFailed })] };
}
