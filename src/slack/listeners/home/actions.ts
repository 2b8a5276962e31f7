import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { describeForLog, userMessageFor } from '../../../errors.js';
import type { HomePreferences, HomeService } from '../../../services/home/types.js';
import { type UserRef, userKey } from '../../../users.js';
import { parseConnectionId, parsePageChoice, parseSortChoice, parseStatusChoice, parseTypeChoice } from '../../views/home-state.js';
import type { HomeCollaborators } from './collaborators.js';
import type { HomePublisher } from './publisher.js';

/**
 * The work of each button and menu on the Home tab, once `onHomeAction` (index.ts) has acked and found the
 * acting user; a failure thrown here becomes a notice on the tab.
 */

/** What the Home actions work with. */
export interface HomeActionDeps {
  readonly home: HomeService;
  readonly publisher: HomePublisher;
  readonly logger: Logger;
  readonly collaborators: HomeCollaborators;
}

export type HomeActionArgs<A extends ButtonAction | StaticSelectAction> = SlackActionMiddlewareArgs<BlockAction<A>> & AllMiddlewareArgs;
export type HomeActionWork<A extends ButtonAction | StaticSelectAction> = (deps: HomeActionDeps, args: HomeActionArgs<A>, user: UserRef) => Promise<void>;

export const openSettings: HomeActionWork<ButtonAction> = async (deps, { body, client }, user) => {
  await deps.collaborators
    .openSettingsModal(client, body.trigger_id, user)
    .catch((err: unknown) => failNotice(deps, user, 'Visen could not open the settings', err));
};

export const openNewGeneration: HomeActionWork<ButtonAction> = async (deps, { body, client }, user) => {
  await deps.collaborators
    .openGenerateModal(client, body.trigger_id, user)
    .catch((err: unknown) => failNotice(deps, user, 'Visen could not open the generation form', err));
};

export const refresh: HomeActionWork<ButtonAction> = async (deps, _args, user) => {
  deps.publisher.setNotice(user, undefined);
  await deps.publisher.refreshAndPublish(user);
};

export const chooseSort: HomeActionWork<StaticSelectAction> = async (deps, { action }, user) => {
  const sort = parseSortChoice(action.selected_option?.value);
  if (sort) await changePreferences(deps, user, { sort });
};

export const filterByType: HomeActionWork<StaticSelectAction> = async (deps, { action }, user) => {
  const choice = parseTypeChoice(action.selected_option?.value);
  if (choice.ok) await changePreferences(deps, user, { type: choice.value });
};

export const filterByStatus: HomeActionWork<StaticSelectAction> = async (deps, { action }, user) => {
  const choice = parseStatusChoice(action.selected_option?.value);
  if (choice.ok) await changePreferences(deps, user, { status: choice.value });
};

export const clearFilters: HomeActionWork<ButtonAction> = async (deps, _args, user) => {
  await changePreferences(deps, user, { type: undefined, status: undefined });
};

/** Next and Previous: the button's value is the page to show. */
export const turnPage: HomeActionWork<ButtonAction> = async (deps, { action }, user) => {
  const page = parsePageChoice(action.value);
  if (page !== undefined) await changePreferences(deps, user, { page });
};

export const runAgain: HomeActionWork<ButtonAction> = async (deps, { action, client }, user) => {
  const connectionId = parseConnectionId(action.value);
  if (!connectionId) return;
  const name = await cachedName(deps, user, connectionId);
  let started: boolean;
  try {
    started = await deps.collaborators.rerun(client, user, connectionId);
  } catch (err) {
    await failNotice(deps, user, `“${name}” did not start`, err, { connectionId });
    return;
  }
  if (started) deps.logger.info({ user: userKey(user), connectionId }, 'connection run again from the Home tab');
  deps.publisher.setNotice(
    user,
    started
      ? { kind: 'success', text: `“${name}” is running again. Its progress arrives in a direct message from Visen, and shows here as it goes.` }
      : { kind: 'error', text: `“${name}” did not start. Your direct messages with Visen say why and what to do.` },
  );
  await deps.publisher.publish(user);
};

/** Slack shows a confirmation dialog before this action is sent (the button's `confirm`). */
export const deleteConnection: HomeActionWork<ButtonAction> = async (deps, { action }, user) => {
  const connectionId = parseConnectionId(action.value);
  if (!connectionId) return;
  try {
    const trashed = await deps.home.trashConnection(user, connectionId);
    const name = trashed?.name || 'the connection';
    deps.publisher.setNotice(user, { kind: 'success', text: `Moved “${name}” to Notion’s trash. You can restore it from Trash in Notion.` });
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err), user: userKey(user), connectionId }, 'deleting a connection failed');
    const name = await cachedName(deps, user, connectionId);
    deps.publisher.setNotice(user, { kind: 'error', text: `Could not delete “${name}”: ${userMessageFor(err)}` });
  }
  await deps.publisher.refreshAndPublish(user);
};

/**
 * A row's links are drawn only for the user's own connections (and only into Notion), so an action naming
 * any other row did not come from their view: it is refused in words, and nothing is opened or linked.
 */
export const checkLinkedRow: HomeActionWork<ButtonAction> = async (deps, { action }, user) => {
  const connectionId = parseConnectionId(action.value);
  if (connectionId && (await deps.home.cachedConnection(user, connectionId))) return;
  deps.logger.warn(
    { user: userKey(user), actionId: action.action_id, connectionId },
    'a link action named a row that is not one of the user’s connections: refused',
  );
  deps.publisher.setNotice(user, {
    kind: 'error',
    text: 'That is not one of your connections, so Visen opened nothing for it. Your connections are listed below; press Refresh if one is missing.',
  });
  await deps.publisher.publish(user);
};

async function changePreferences(deps: HomeActionDeps, user: UserRef, change: Partial<HomePreferences>): Promise<void> {
  await deps.home.updatePreferences(user, change);
  deps.publisher.setNotice(user, undefined);
  await deps.publisher.publish(user);
}

/** The connection's name from the cached list, for a notice; a generic one when it is not there. */
async function cachedName(deps: HomeActionDeps, user: UserRef, connectionId: string): Promise<string> {
  const known = await deps.home.cachedConnection(user, connectionId).catch(() => undefined);
  return known?.name || 'the connection';
}

/** A modal or run that did not open: said on the Home tab itself (there is no message to answer). */
async function failNotice(deps: HomeActionDeps, user: UserRef, what: string, err: unknown, context: Record<string, unknown> = {}): Promise<void> {
  deps.logger.warn({ err: describeForLog(err), user: userKey(user), ...context }, what);
  deps.publisher.setNotice(user, { kind: 'error', text: `${what}. ${userMessageFor(err)}` });
  await deps.publisher.publish(user);
}
