import type { HomeView } from '@slack/types';
import type { Logger } from 'pino';
import { describeForLog } from '../../../errors.js';
import type { AutomationSummary } from '../../../services/automations/types.js';
import type { RunProgress } from '../../../services/generation/types.js';
import type { HomeService } from '../../../services/home/types.js';
import { type UserRef, userKey } from '../../../users.js';
import { slackErrorCode } from '../../slack-errors.js';
import type { HomeAutomations } from '../../views/automations-list.js';
import { buildFaultOnlyView, buildHomeView } from '../../views/home.js';
import type { HomeNotice } from '../../views/home-frame.js';

/** The one Slack call the publisher makes. */
export interface HomeViewsClient {
  views: { publish(args: { user_id: string; view: HomeView }): Promise<unknown> };
}

export interface HomePublisherOptions {
  readonly client: HomeViewsClient;
  readonly home: HomeService;
  readonly logger: Logger;
  /** Live progress re-publishes a user's Home view at most this often. */
  readonly liveIntervalMs?: number;
  /** Live progress goes only to users who opened (or used) their Home tab this recently. */
  readonly recentMs?: number;
  /** A notice (e.g. "moved to Notion's trash") stays on the view this long. */
  readonly noticeTtlMs?: number;
  readonly now?: () => number;
  /** The user's automatic connections, for the Home tab's section (read from the local store at each publish). */
  readonly automations?: (user: UserRef) => Promise<readonly AutomationSummary[]>;
}

interface UserState {
  readonly user: UserRef;
  lastSeenAt: number;
  /** Publishes of this user go to Slack one after the other, each rendering the state of its own moment. */
  chain: Promise<void>;
  /** A publish waiting its turn: another request joins it instead of queueing one more. */
  queued: Promise<void> | undefined;
  notice: { notice: HomeNotice; at: number } | undefined;
  refreshing: number;
  lastLiveAt: number;
  liveTimer: NodeJS.Timeout | undefined;
}

const TERMINAL_STATES = new Set<RunProgress['state']>(['succeeded', 'failed', 'cancelled']);

/**
 * Publishes users' Home views: at once from the cache, then fresh from Notion, and live while their runs
 * go. Every publish renders the current state when its turn comes (preferences, cached list, runs,
 * notice), so a slow refresh can never overwrite a newer choice with an older one. A failed publish is
 * logged and never thrown: a Home tab that did not update must not take anything else down.
 */
export class HomePublisher {
  private readonly closeHooks: Array<() => void> = [];
  private readonly users = new Map<string, UserState>();
  private readonly liveIntervalMs: number;
  private readonly recentMs: number;
  private readonly noticeTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: HomePublisherOptions) {
    this.liveIntervalMs = options.liveIntervalMs ?? 3_000;
    this.recentMs = options.recentMs ?? 10 * 60_000;
    this.noticeTtlMs = options.noticeTtlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The user opened the tab: the cached view at once, then the one read fresh from Notion. */
  async open(user: UserRef): Promise<void> {
    const state = this.seen(user);
    state.notice = undefined;
    this.prune();
    await this.refreshAndPublish(user);
  }

  /** Marks the user as looking at their Home tab (live progress goes to them for a while). */
  seen(user: UserRef): UserState {
    const key = userKey(user);
    let state = this.users.get(key);
    if (!state) {
      state = { user, lastSeenAt: 0, chain: Promise.resolve(), queued: undefined, notice: undefined, refreshing: 0, lastLiveAt: 0, liveTimer: undefined };
      this.users.set(key, state);
    }
    state.lastSeenAt = this.now();
    return state;
  }

  setNotice(user: UserRef, notice: HomeNotice | undefined): void {
    const state = this.seen(user);
    state.notice = notice ? { notice, at: this.now() } : undefined;
  }

  /** Re-publishes from the local cache only (preferences changed, a page turned, progress moved). */
  publish(user: UserRef): Promise<void> {
    const state = this.stateOf(user);
    if (state.queued) return state.queued;
    const queued = state.chain.then(async () => {
      state.queued = undefined;
      await this.publishNow(state);
    });
    state.queued = queued;
    state.chain = queued;
    return queued;
  }

  /** Publishes the cached view marked "refreshing", reads from Notion, and publishes what it read. */
  async refreshAndPublish(user: UserRef): Promise<void> {
    const state = this.stateOf(user);
    state.refreshing += 1;
    try {
      void this.publish(user);
      await this.options.home.refresh(user);
    } catch (err) {
      // The service turns faults into the model; this is a bug, logged, and the cached view stays.
      this.options.logger.error({ err: describeForLog(err), user: userKey(user) }, 'refreshing the Home view failed');
    } finally {
      state.refreshing -= 1;
    }
    await this.publish(user);
  }

  /** A run's progress: re-publish its user's view, at most every `liveIntervalMs`; a finished run refreshes. */
  onProgress(progress: RunProgress): void {
    const state = this.users.get(userKey(progress.user));
    if (!state || this.now() - state.lastSeenAt > this.recentMs) return;
    if (TERMINAL_STATES.has(progress.state)) {
      // Its row in Notion now holds the new Status, Runs and Items: read them.
      this.clearLiveTimer(state);
      state.lastLiveAt = this.now();
      void this.refreshAndPublish(state.user);
      return;
    }
    const wait = state.lastLiveAt + this.liveIntervalMs - this.now();
    if (wait <= 0) {
      state.lastLiveAt = this.now();
      void this.publish(state.user);
      return;
    }
    state.liveTimer ??= setTimeout(() => {
      state.liveTimer = undefined;
      state.lastLiveAt = this.now();
      void this.publish(state.user);
    }, wait);
    state.liveTimer.unref?.();
  }

  /** Re-publishes from the cache when the user looked at their Home tab recently (an automation's news). */
  publishIfRecent(user: UserRef): void {
    const state = this.users.get(userKey(user));
    if (state && this.now() - state.lastSeenAt <= this.recentMs) void this.publish(user);
  }

  /** Drops what is held in memory for this user (after `/visen clear`). */
  forget(user: UserRef): void {
    const state = this.users.get(userKey(user));
    if (state) this.clearLiveTimer(state);
    this.users.delete(userKey(user));
  }

  /** Runs `hook` on close (subscriptions to other features end with the publisher). */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  /** Stops every live timer and subscription (the app is stopping). */
  close(): void {
    for (const hook of this.closeHooks.splice(0)) hook();
    for (const state of this.users.values()) this.clearLiveTimer(state);
  }

  /** Settles when everything queued for this user so far was published (tests). */
  async idle(user: UserRef): Promise<void> {
    await this.users.get(userKey(user))?.chain;
  }

  private stateOf(user: UserRef): UserState {
    return this.users.get(userKey(user)) ?? this.seen(user);
  }

  private async publishNow(state: UserState): Promise<void> {
    const { home, client, logger } = this.options;
    const user = state.user;
    const notice = state.notice && this.now() - state.notice.at <= this.noticeTtlMs ? state.notice.notice : undefined;
    let view: HomeView;
    try {
      const [model, automations] = await Promise.all([home.cached(user), this.automationsOf(user)]);
      view = buildHomeView(model, { notice, refreshing: state.refreshing > 0, automations });
    } catch (err) {
      logger.error({ err: describeForLog(err), user: userKey(user) }, 'building the Home view failed');
      view = buildFaultOnlyView({ code: 'unexpected', detail: undefined, at: new Date(this.now()).toISOString() });
    }
    try {
      await client.views.publish({ user_id: user.userId, view });
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: userKey(user), slackError: slackErrorCode(err) }, 'publishing the Home view failed');
      if (slackErrorCode(err) === 'invalid_blocks' || slackErrorCode(err) === 'invalid_arguments') {
        // A view Slack refuses would leave yesterday's tab in place with no word why: publish a plain one.
        const fallback = buildFaultOnlyView({ code: 'unexpected', detail: undefined, at: new Date(this.now()).toISOString() });
        await client.views
          .publish({ user_id: user.userId, view: fallback })
          .catch((again: unknown) => logger.warn({ err: describeForLog(again), user: userKey(user) }, 'publishing the fallback Home view failed'));
      }
    }
  }

  /** The automations section's content; a failure to read them shows as such, never as none. */
  private async automationsOf(user: UserRef): Promise<HomeAutomations | undefined> {
    if (!this.options.automations) return undefined;
    try {
      return { items: await this.options.automations(user) };
    } catch (err) {
      this.options.logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not read the automations for the Home view');
      return { unreadable: true };
    }
  }

  private clearLiveTimer(state: UserState): void {
    if (state.liveTimer) clearTimeout(state.liveTimer);
    state.liveTimer = undefined;
  }

  /** Forgets users who have not looked at their Home tab for a while (bounded memory). */
  private prune(): void {
    const cutoff = this.now() - this.recentMs * 6;
    for (const [key, state] of this.users) {
      if (state.lastSeenAt < cutoff && !state.queued && state.refreshing === 0) {
        this.clearLiveTimer(state);
        this.users.delete(key);
      }
    }
  }
}
