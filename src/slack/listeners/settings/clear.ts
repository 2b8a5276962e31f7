/** `/visen clear` after its confirmation: Clear deletes the clicking user's local data, Cancel leaves it. */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor } from '../../../errors.js';
import { type UserRef, userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import type { ListenerRegistry } from '../../listener-router.js';
import { userFromInteraction } from '../../users.js';
import type { SlackMessage } from '../../views/blocks.js';
import { buildClearCancelledMessage, buildClearDoneMessage, buildClearFailedMessage } from '../../views/clear-confirmation.js';
import { SettingsAction } from './ids.js';
import { directMessage, noUser } from './replies.js';

export function registerClearListeners(listeners: ListenerRegistry, deps: SlackDeps): void {
  listeners.action<BlockAction>(SettingsAction.clearConfirm, clearConfirmHandler(deps));
  listeners.action<BlockAction>(SettingsAction.clearCancel, clearCancelHandler(deps));
}

function clearConfirmHandler(deps: SlackDeps) {
  return async ({ ack, body, respond, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    // The clicking user is the one cleared; the button's value carries nothing.
    const user = userFromInteraction(body);
    if (!user) return noUser(deps, SettingsAction.clearConfirm);
    let message: SlackMessage;
    try {
      // Automations first: they run with the settings about to be deleted.
      const stopped = await stopAutomations(deps, user);
      const outcome = await deps.services.settings.clear(user);
      message = buildClearDoneMessage(outcome.hadSettings, stopped);
    } catch (err) {
      deps.logger.error({ user: userKey(user), err: describeForLog(err) }, '/visen clear failed');
      message = buildClearFailedMessage(userMessageFor(err));
    }
    await replaceOrMessage(respond, client, user, deps, message);
  };
}

/** Stops and forgets the user's automations (their rows in Notion get `Trigger` `Manual`); how many there were. */
async function stopAutomations(deps: SlackDeps, user: UserRef): Promise<number> {
  const automations = await deps.services.automations.list(user).catch((err: unknown) => {
    deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not count the automations before /visen clear');
    return [];
  });
  await deps.services.automations.forgetUser(user);
  return automations.length;
}

function clearCancelHandler(deps: SlackDeps) {
  return async ({ ack, body, respond, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const user = userFromInteraction(body);
    if (!user) return noUser(deps, SettingsAction.clearCancel);
    deps.logger.info({ user: userKey(user) }, '/visen clear cancelled');
    await replaceOrMessage(respond, client, user, deps, buildClearCancelledMessage());
  };
}

async function replaceOrMessage(
  respond: SlackActionMiddlewareArgs<BlockAction>['respond'],
  client: WebClient,
  user: UserRef,
  deps: SlackDeps,
  message: SlackMessage,
): Promise<void> {
  try {
    await respond({ replace_original: true, response_type: 'ephemeral', text: message.text, blocks: message.blocks });
  } catch (err) {
    deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not replace the /visen clear message');
    await directMessage(client, user, deps, message);
  }
}
