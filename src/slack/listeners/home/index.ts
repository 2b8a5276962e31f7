import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { AppHomeOpenedEvent } from '@slack/types';
import { describeForLog, userMessageFor } from '../../../errors.js';
import { userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import type { ListenerRegistry } from '../../listener-router.js';
import { teamOfEvent, userFromInteraction } from '../../users.js';
import type { ThreadReaderFor } from '../threads/index.js';
import {
  checkLinkedRow,
  chooseSort,
  clearFilters,
  deleteConnection,
  filterByStatus,
  filterByType,
  type HomeActionArgs,
  type HomeActionDeps,
  type HomeActionWork,
  openNewGeneration,
  openSettings,
  refresh,
  runAgain,
  turnPage,
} from './actions.js';
import { defaultCollaborators, type HomeCollaborators } from './collaborators.js';
import { HomeAction, type HomeActionId } from './ids.js';
import { HomePublisher } from './publisher.js';

export type { HomeCollaborators } from './collaborators.js';
export { HomePublisher } from './publisher.js';

export interface HomeListenerOptions {
  readonly collaborators?: HomeCollaborators;
  readonly liveIntervalMs?: number;
  /** Reads a thread connection's thread for Run again (the Send to Notion feature's reader). */
  readonly threadReaderFor?: ThreadReaderFor;
}

const BUTTONS: ReadonlyArray<readonly [HomeActionId, HomeActionWork<ButtonAction>]> = [
  [HomeAction.openSettings, openSettings],
  [HomeAction.newGeneration, openNewGeneration],
  [HomeAction.refresh, refresh],
  [HomeAction.clearFilters, clearFilters],
  [HomeAction.pageNext, turnPage],
  [HomeAction.pagePrevious, turnPage],
  [HomeAction.runAgain, runAgain],
  [HomeAction.delete, deleteConnection],
  [HomeAction.openRow, checkLinkedRow],
  [HomeAction.openTarget, checkLinkedRow],
];

const MENUS: ReadonlyArray<readonly [HomeActionId, HomeActionWork<StaticSelectAction>]> = [
  [HomeAction.sort, chooseSort],
  [HomeAction.filterType, filterByType],
  [HomeAction.filterStatus, filterByStatus],
];

/**
 * The Home tab: `app_home_opened` publishes the cached view at once and then a fresh one; the buttons and
 * menus on it (settings, new generation, refresh, sort, filters, pages, run again, open, delete); live
 * progress while the user's runs go; a re-render when their settings change. Every action acks first.
 * Returns the publisher (tests wait on it).
 */
export function registerHomeListeners(listeners: ListenerRegistry, deps: SlackDeps, options: HomeListenerOptions = {}): HomePublisher {
  const logger = deps.logger.child({ component: 'home' });
  const home = deps.services.home;
  const publisher = new HomePublisher({
    client: listeners.client,
    home,
    logger,
    automations: (user) => deps.services.automations.list(user),
    ...(options.liveIntervalMs ? { liveIntervalMs: options.liveIntervalMs } : {}),
  });
  const actionDeps: HomeActionDeps = { home, publisher, logger, collaborators: options.collaborators ?? defaultCollaborators(deps, options.threadReaderFor) };

  listeners.event('app_home_opened', ({ event, body }) => onHomeOpened(actionDeps, event, body));
  for (const [actionId, work] of BUTTONS) onHomeAction(listeners, actionDeps, actionId, work);
  for (const [actionId, work] of MENUS) onHomeAction(listeners, actionDeps, actionId, work);
  // Link buttons open in the browser; Slack still sends the action and shows an error unless it is acked.
  listeners.action(HomeAction.openLink, async ({ ack }) => {
    await ack();
  });

  subscribeToOtherFeatures(deps, publisher);
  return publisher;
}

/** Bolt acks Events API envelopes itself before any listener runs (App.processEvent), so this may take its time. */
async function onHomeOpened(deps: HomeActionDeps, event: Pick<AppHomeOpenedEvent, 'tab' | 'user'>, body: unknown): Promise<void> {
  if (event.tab !== 'home') return;
  const teamId = teamOfEvent(body);
  if (!teamId) {
    deps.logger.warn({ user: event.user }, 'app_home_opened without a team id: ignored');
    return;
  }
  await deps.publisher.open({ teamId, userId: event.user });
}

/** Registers a Home action: ack first, then the work with the acting user; failures become a notice. */
function onHomeAction<A extends ButtonAction | StaticSelectAction>(
  listeners: ListenerRegistry,
  deps: HomeActionDeps,
  actionId: HomeActionId,
  work: HomeActionWork<A>,
): void {
  listeners.action<BlockAction<A>>(actionId, async (args) => {
    await args.ack();
    const user = userFromInteraction(args.body);
    if (!user) {
      deps.logger.warn({ actionId }, 'Home action without a user or team: ignored');
      return;
    }
    deps.publisher.seen(user);
    try {
      await work(deps, args as HomeActionArgs<A>, user);
    } catch (err) {
      deps.logger.warn({ err: describeForLog(err), user: userKey(user), actionId }, 'Home action failed');
      deps.publisher.setNotice(user, { kind: 'error', text: userMessageFor(err) });
      await deps.publisher.publish(user);
    }
  });
}

/**
 * Live progress from the generation service, and a re-render when a user's settings are saved or cleared.
 * Both subscriptions end when the publisher closes (the app is stopping).
 */
function subscribeToOtherFeatures(deps: SlackDeps, publisher: HomePublisher): void {
  const stopProgress = deps.services.generation.subscribe((progress) => publisher.onProgress(progress));
  // An automatic run or pause changes the "Automatic connections" section (last result, next run, paused).
  const stopAutomations = deps.services.automations.subscribe((notice) => {
    publisher.publishIfRecent(notice.kind === 'run' ? notice.report.owner : notice.owner);
  });
  const stopSettings = deps.services.settings.onChange(async (user, change) => {
    if (change === 'cleared') publisher.forget(user);
    await publisher.refreshAndPublish(user);
  });
  publisher.onClose(() => {
    stopProgress();
    stopSettings();
    stopAutomations();
  });
}
