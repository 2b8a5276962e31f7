import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeForLog, userMessageFor } from '../../../errors.js';
import { type UserRef, userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { Subcommand } from '../../ids.js';
import type { ListenerRegistry } from '../../listener-router.js';
import { userFromCommand, userFromInteraction } from '../../users.js';
import { buildAutomationsListMessage } from '../../views/automations-list.js';
import { notificationText, oneLine } from '../../views/text.js';
import type { CommandArgs, SubcommandHandler } from '../commands/visen.js';
import type { HomePublisher } from '../home/publisher.js';
import { AutomationAction } from './ids.js';

/** `/visen automations`: the user's automatic connections in an ephemeral message, with Pause and Resume. */
export function automationsSubcommands(deps: SlackDeps): Record<string, SubcommandHandler> {
  return {
    [Subcommand.automations]: async (args: CommandArgs) => {
      await args.ack();
      const user = userFromCommand(args.command);
      try {
        const items = await deps.services.automations.list(user);
        await args.respond({ response_type: 'ephemeral', ...buildAutomationsListMessage(items) });
      } catch (err) {
        deps.logger.warn({ err: describeForLog(err), user: userKey(user) }, '/visen automations failed');
        await args.respond({ response_type: 'ephemeral', text: `:warning: ${oneLine(userMessageFor(err))}` }).catch(() => undefined);
      }
    },
  };
}

type PauseArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Pause and Resume, wherever the button is: the Home tab, the `/visen automations` message, a direct message. */
export function registerAutomationListeners(listeners: ListenerRegistry, deps: SlackDeps, home: HomePublisher): void {
  listeners.action<BlockAction<ButtonAction>>(AutomationAction.pause, pauseOrResume(deps, home, 'pause'));
  listeners.action<BlockAction<ButtonAction>>(AutomationAction.resume, pauseOrResume(deps, home, 'resume'));
}

/**
 * Acks first. The clicking user is the one acting, and the service only knows that user's automations, so a button
 * of someone else's (a forwarded message) is refused as unknown. Then the place it was clicked shows the outcome: the
 * Home tab as its notice, the list message replaced by the updated list, a direct message by a short ephemeral reply;
 * the Home tab is re-published in every case.
 */
function pauseOrResume(deps: SlackDeps, home: HomePublisher, change: 'pause' | 'resume') {
  return async ({ ack, body, action, respond }: PauseArgs): Promise<void> => {
    await ack();
    const user = userFromInteraction(body);
    const connectionId = action.value ?? '';
    if (!user || connectionId === '') {
      deps.logger.warn({ actionId: action.action_id }, 'Pause/Resume without a user or a connection: ignored');
      return;
    }
    const outcome = await applyChange(deps, user, connectionId, change);
    const container = (body as { container?: { type?: string; is_ephemeral?: boolean } }).container;
    if (container?.type === 'view') {
      home.setNotice(user, outcome);
    } else if (container?.is_ephemeral) {
      const items = await deps.services.automations.list(user).catch(() => undefined);
      const message = items ? buildAutomationsListMessage(items, outcome.text) : { text: notificationText(outcome.text) };
      await respond({ response_type: 'ephemeral', replace_original: true, ...message }).catch((err: unknown) => logRespondFailure(deps, user, err));
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text: notificationText(outcome.text) }).catch((err: unknown) =>
        logRespondFailure(deps, user, err),
      );
    }
    await home.publish(user);
  };
}

async function applyChange(
  deps: SlackDeps,
  user: UserRef,
  connectionId: string,
  change: 'pause' | 'resume',
): Promise<{ kind: 'success' | 'error'; text: string }> {
  try {
    const automation = await deps.services.automations[change](user, connectionId);
    const name = `“${oneLine(automation.connectionName || 'Untitled connection').slice(0, 150)}”`;
    deps.logger.info({ user: userKey(user), change }, 'automation paused or resumed');
    return {
      kind: 'success',
      text: change === 'pause' ? `Paused ${name}: it will not run until you resume it.` : `Resumed ${name}: it runs by itself again.`,
    };
  } catch (err) {
    deps.logger.info({ err: describeForLog(err), user: userKey(user), change }, 'could not pause or resume an automation');
    return { kind: 'error', text: userMessageFor(err) };
  }
}

function logRespondFailure(deps: SlackDeps, user: UserRef, err: unknown): void {
  deps.logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not show the outcome of Pause/Resume');
}
