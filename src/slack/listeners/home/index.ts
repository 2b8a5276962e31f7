import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor } from '../../../errors.js';
import type { HomePreferences } from '../../../services/home/types.js';
import { type UserRef, userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { teamOfEvent, userFromInteraction } from '../../users.js';
import { parseConnectionId, parsePageChoice, parseSortChoice, parseStatusChoice, parseTypeChoice } from '../../views/home-state.js';
import { openGenerateModal, startRunWithDmProgress } from '../generate/index.js';
import { openSettingsModal } from '../settings/index.js';
import { HomeAction } from './ids.js';
import { HomePublisher } from './publisher.js';

export { HomePublisher } from './publisher.js';

/** What the Home tab asks of the other features: their modals and the run-with-progress flow. */
export interface HomeCollaborators {
  openSettingsModal(client: WebClient, triggerId: string, user: UserRef): Promise<void>;
  openGenerateModal(client: WebClient, triggerId: string, user: UserRef): Promise<void>;
  /**
   * Runs a saved connection again, its progress in a direct message (as the generate feature shows it).
   * False when it did not start (the direct message says why); throws only for what it could not tell.
   */
  rerun(client: WebClient, user: UserRef, connectionId: string): Promise<boolean>;
}

export interface HomeListenerOptions {
  readonly collaborators?: HomeCollaborators;
  readonly liveIntervalMs?: number;
}

/**
 * The Home tab: `app_home_opened` publishes the cached view at once and then a fresh one; the buttons and
 * menus on it (settings, new generation, refresh, sort, filters, pages, run again, open, delete); live
 * progress while the user's runs go; a re-render when their settings change. Every action acks first.
 * Returns the publisher (tests wait on it).
 */
export function registerHomeListeners(app: App, deps: SlackDeps, options: HomeListenerOptions = {}): HomePublisher {
  const home = deps.services.home;
  const logger = deps.logger.child({ component: 'home' });
  const collaborators = options.collaborators ?? defaultCollaborators(deps);
  const publisher = new HomePublisher({ client: app.client, home, logger, ...(options.liveIntervalMs ? { liveIntervalMs: options.liveIntervalMs } : {}) });

  // Bolt acks Events API envelopes itself before any listener runs (App.processEvent), so this may take its time.
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    const teamId = teamOfEvent(body);
    if (!teamId) {
      logger.warn({ user: event.user }, 'app_home_opened without a team id: ignored');
      return;
    }
    await publisher.open({ teamId, userId: event.user });
  });

  type ActionArgs<A extends ButtonAction | StaticSelectAction> = SlackActionMiddlewareArgs<BlockAction<A>> & AllMiddlewareArgs;

  /** Registers a Home action: ack first, then the work with the acting user; failures become a notice. */
  const onAction = <A extends ButtonAction | StaticSelectAction>(actionId: string, work: (args: ActionArgs<A>, user: UserRef) => Promise<void>): void => {
    app.action<BlockAction<A>>(actionId, async (args) => {
      await args.ack();
      const user = userFromInteraction(args.body);
      if (!user) {
        logger.warn({ actionId }, 'Home action without a user or team: ignored');
        return;
      }
      publisher.seen(user);
      try {
        await work(args as ActionArgs<A>, user);
      } catch (err) {
        logger.warn({ err: describeForLog(err), user: userKey(user), actionId }, 'Home action failed');
        publisher.setNotice(user, { kind: 'error', text: userMessageFor(err) });
        await publisher.publish(user);
      }
    });
  };

  /** A modal or run that did not open: said on the Home tab itself (there is no message to answer). */
  const failNotice = async (user: UserRef, what: string, err: unknown, context: Record<string, unknown> = {}) => {
    logger.warn({ err: describeForLog(err), user: userKey(user), ...context }, what);
    publisher.setNotice(user, { kind: 'error', text: `${what}. ${userMessageFor(err)}` });
    await publisher.publish(user);
  };

  onAction<ButtonAction>(HomeAction.openSettings, async ({ body, client }, user) => {
    await collaborators.openSettingsModal(client, body.trigger_id, user).catch((err: unknown) => failNotice(user, 'Visen could not open the settings', err));
  });

  onAction<ButtonAction>(HomeAction.newGeneration, async ({ body, client }, user) => {
    await collaborators
      .openGenerateModal(client, body.trigger_id, user)
      .catch((err: unknown) => failNotice(user, 'Visen could not open the generation form', err));
  });

  onAction<ButtonAction>(HomeAction.refresh, async (_args, user) => {
    publisher.setNotice(user, undefined);
    await publisher.refreshAndPublish(user);
  });

  const changePreferences = async (user: UserRef, change: Partial<HomePreferences>) => {
    await home.updatePreferences(user, change);
    publisher.setNotice(user, undefined);
    await publisher.publish(user);
  };

  onAction<StaticSelectAction>(HomeAction.sort, async ({ action }, user) => {
    const sort = parseSortChoice(action.selected_option?.value);
    if (sort) await changePreferences(user, { sort });
  });

  onAction<StaticSelectAction>(HomeAction.filterType, async ({ action }, user) => {
    const choice = parseTypeChoice(action.selected_option?.value);
    if (choice.ok) await changePreferences(user, { type: choice.value });
  });

  onAction<StaticSelectAction>(HomeAction.filterStatus, async ({ action }, user) => {
    const choice = parseStatusChoice(action.selected_option?.value);
    if (choice.ok) await changePreferences(user, { status: choice.value });
  });

  onAction<ButtonAction>(HomeAction.clearFilters, async (_args, user) => {
    await changePreferences(user, { type: undefined, status: undefined });
  });

  const turnPage = async ({ action }: ActionArgs<ButtonAction>, user: UserRef) => {
    const page = parsePageChoice(action.value);
    if (page !== undefined) await changePreferences(user, { page });
  };
  onAction<ButtonAction>(HomeAction.pageNext, turnPage);
  onAction<ButtonAction>(HomeAction.pagePrevious, turnPage);

  onAction<ButtonAction>(HomeAction.runAgain, async ({ action, client }, user) => {
    const connectionId = parseConnectionId(action.value);
    if (!connectionId) return;
    const known = await home.cachedConnection(user, connectionId).catch(() => undefined);
    const name = known?.name || 'the connection';
    let started: boolean;
    try {
      started = await collaborators.rerun(client, user, connectionId);
    } catch (err) {
      await failNotice(user, `“${name}” did not start`, err, { connectionId });
      return;
    }
    if (!started) {
      publisher.setNotice(user, { kind: 'error', text: `“${name}” did not start. Your direct messages with Visen say why and what to do.` });
      await publisher.publish(user);
      return;
    }
    logger.info({ user: userKey(user), connectionId }, 'connection run again from the Home tab');
    publisher.setNotice(user, {
      kind: 'success',
      text: `“${name}” is running again. Its progress arrives in a direct message from Visen, and shows here as it goes.`,
    });
    await publisher.publish(user);
  });

  // Slack shows a confirmation dialog before this action is sent (the button's `confirm`).
  onAction<ButtonAction>(HomeAction.delete, async ({ action }, user) => {
    const connectionId = parseConnectionId(action.value);
    if (!connectionId) return;
    let name = 'the connection';
    try {
      const trashed = await home.trashConnection(user, connectionId);
      if (trashed?.name) name = trashed.name;
      publisher.setNotice(user, { kind: 'success', text: `Moved “${name}” to Notion’s trash. You can restore it from Trash in Notion.` });
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: userKey(user), connectionId }, 'deleting a connection failed');
      const known = await home.cachedConnection(user, connectionId).catch(() => undefined);
      if (known?.name) name = known.name;
      publisher.setNotice(user, { kind: 'error', text: `Could not delete “${name}”: ${userMessageFor(err)}` });
    }
    await publisher.refreshAndPublish(user);
  });

  // Link buttons open in the browser; Slack still sends the action and shows an error unless it is acked.
  app.action(HomeAction.openLink, async ({ ack }) => {
    await ack();
  });
  // A row's links are drawn only for the user's own connections (and only into Notion), so an action naming
  // any other row did not come from their view: it is refused in words, and nothing is opened or linked.
  for (const linkAction of [HomeAction.openRow, HomeAction.openTarget]) {
    onAction<ButtonAction>(linkAction, async ({ action }, user) => {
      const connectionId = parseConnectionId(action.value);
      if (connectionId && (await home.cachedConnection(user, connectionId))) return;
      logger.warn({ user: userKey(user), actionId: linkAction, connectionId }, 'a link action named a row that is not one of the user’s connections: refused');
      publisher.setNotice(user, {
        kind: 'error',
        text: 'That is not one of your connections, so Visen opened nothing for it. Your connections are listed below; press Refresh if one is missing.',
      });
      await publisher.publish(user);
    });
  }

  subscribeToOtherFeatures(deps, publisher);
  return publisher;
}

/**
 * Live progress from the generation service, and a re-render when a user's settings are saved or cleared.
 * Both subscriptions end when the publisher closes (the app is stopping).
 */
function subscribeToOtherFeatures(deps: SlackDeps, publisher: HomePublisher): void {
  const stopProgress = deps.services.generation.subscribe((progress) => publisher.onProgress(progress));
  const stopSettings = deps.services.settings.onChange(async (user, change) => {
    if (change === 'cleared') publisher.forget(user);
    await publisher.refreshAndPublish(user);
  });
  publisher.onClose(() => {
    stopProgress();
    stopSettings();
  });
}

/** The real collaborators: the settings and generate features' own flows. */
function defaultCollaborators(deps: SlackDeps): HomeCollaborators {
  return {
    openSettingsModal: (client, triggerId, user) => openSettingsModal(client, triggerId, user, deps),
    openGenerateModal: (client, triggerId, user) => openGenerateModal(client, triggerId, user, deps),
    rerun: async (client, user, connectionId) => {
      const started = await startRunWithDmProgress(
        client,
        user,
        (listener, notifyState) => deps.services.generation.rerun(user, connectionId, listener, notifyState),
        deps,
      );
      return started !== undefined;
    },
  };
}
