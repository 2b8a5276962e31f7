import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor, VisenError } from '../../../errors.js';
import { ConnectionBusyError } from '../../../services/generation/run-registry.js';
import type { RunProgress } from '../../../services/generation/types.js';
import type { ThreadWatch } from '../../../services/threads/watches.js';
import { userKey } from '../../../users.js';
import type { RefreshClaims } from '../../deps.js';
import { teamOfEvent } from '../../users.js';
import { escapeMrkdwn, mrkdwnLink } from '../../views/text.js';
import type { ThreadRuntime } from './runtime.js';
import { threadRequest } from './submit.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** A claim outlives its refresh's due time by this much, so a worker that died with one holds it no longer. */
const CLAIM_MARGIN_MS = 60_000;
/**
 * A refresh refused because its connection is running already (Run again from Home, or in team mode another worker's
 * refresh that a reply on this one followed closely) is asked again this much later, at most this many times in a row:
 * it is not a failure to tell the user about, nor a reason to stop watching.
 */
export const BUSY_RETRY_MS = 15_000;
const BUSY_RETRIES = 8;

/**
 * "Keep it current": a reply in a watched thread refreshes each watching user's page, at most once every
 * `intervalMs` (VISEN_THREAD_REFRESH_MINUTES) per watch. A reply within the interval of the last run schedules
 * one refresh for when the interval ends (later replies join it), so the page ends up reflecting the last reply
 * without a run per message. The refresh runs the connection again (replacing what it wrote, blocks the user
 * edited kept) with no progress messages; only a failure is told, as a direct message, and ends the watching. Timers
 * live in memory: after a restart, the next reply schedules again.
 *
 * Team mode: Slack hands each reply to one worker, any of them, so a worker schedules a refresh only once it holds the
 * watch's shared claim (`refreshClaims`, lapsing shortly after the refresh is due). A worker whose claim fails leaves
 * the reply to the refresh already scheduled: that refresh reads the whole thread when it runs. The holder lets the
 * claim go once it has marked its run, so later replies schedule the next refresh from the new `lastRunAt`. When the
 * claim cannot be asked (Redis away), the reply is logged and left: the next one schedules again.
 */
export class ThreadRefresher {
  /** Refreshes scheduled here (their timers), and those whose claim is being asked ('claiming'). */
  readonly #pending = new Map<string, NodeJS.Timeout | 'claiming'>();
  /** Watches being refreshed now, and those that got a reply meanwhile (refreshed again once the run ends). */
  readonly #running = new Set<string>();
  readonly #again = new Set<string>();
  /** Watches whose last refreshes were refused as busy, and how many times in a row. */
  readonly #busy = new Map<string, number>();
  readonly #retries = new Set<NodeJS.Timeout>();

  constructor(
    private readonly rt: ThreadRuntime,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Message events (manifest `message.channels`, …): replies in threads only, not the app's own or edits. */
  handler() {
    return async ({ event, body, client }: MessageArgs): Promise<void> => {
      const e = event as { subtype?: string; bot_id?: string; thread_ts?: string; ts: string; channel: string };
      if (e.subtype || e.bot_id || !e.thread_ts || e.thread_ts === e.ts) return;
      const teamId = teamOfEvent(body);
      if (!teamId) return;
      // Never the app's generic error reply: the author of the reply is not the one who asked for anything.
      try {
        const watches = await this.rt.deps.services.threadWatches.watchersOf(teamId, e.channel, e.thread_ts);
        for (const watch of watches) this.request(client, watch);
      } catch (err) {
        this.rt.deps.logger.warn({ err: describeForLog(err) }, 'could not look up the watches of a thread');
      }
    };
  }

  request(client: WebClient, watch: ThreadWatch): void {
    const key = watchKey(watch);
    if (this.#running.has(key)) this.#again.add(key);
    if (this.#pending.has(key) || this.#running.has(key)) return;
    const claims = this.rt.deps.refreshClaims;
    if (!claims) {
      this.#schedule(client, watch, key);
      return;
    }
    this.#pending.set(key, 'claiming');
    void this.#claimThenSchedule(claims, client, watch, key).catch((err: unknown) => {
      this.#pending.delete(key);
      this.#release(key);
      this.rt.deps.logger.warn({ err: describeForLog(err), user: watch.user.userId }, 'could not claim a thread refresh; the next reply schedules it');
    });
  }

  close(): void {
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
    for (const [key, timer] of this.#pending) {
      if (timer === 'claiming') continue;
      clearTimeout(timer);
      this.#release(key);
    }
    this.#pending.clear();
  }

  /**
   * Team mode: schedules the refresh only with the watch's claim, and from the watch as stored once the claim is held
   * (a refresh that just ended on another worker marked a later run than this reply saw).
   */
  async #claimThenSchedule(claims: RefreshClaims, client: WebClient, seen: ThreadWatch, key: string): Promise<void> {
    const claimFor = (w: ThreadWatch) => refreshDelayMs(w.lastRunAt, this.intervalMs, this.now()) + CLAIM_MARGIN_MS;
    if (!(await claims.claim(key, claimFor(seen)))) {
      this.#pending.delete(key);
      return;
    }
    const stored = await this.rt.deps.services.threadWatches.watchersOf(seen.user.teamId, seen.channelId, seen.threadTs);
    const watch = stored.find((w) => watchKey(w) === key);
    if (watch === undefined) {
      this.#pending.delete(key);
      this.#release(key);
      return;
    }
    // A later run than seen means a later due time: the claim must last until then (unless another took it meanwhile).
    if (watch.lastRunAt > seen.lastRunAt && !(await claims.claim(key, claimFor(watch)))) {
      this.#pending.delete(key);
      return;
    }
    this.#schedule(client, watch, key);
  }

  #schedule(client: WebClient, watch: ThreadWatch, key: string): void {
    const timer = setTimeout(
      () => {
        this.#pending.delete(key);
        void this.#refresh(client, watch, key);
      },
      refreshDelayMs(watch.lastRunAt, this.intervalMs, this.now()),
    );
    timer.unref();
    this.#pending.set(key, timer);
  }

  /** Lets another worker schedule the next refresh; a claim not let go lapses by itself shortly after. */
  #release(key: string): void {
    void this.rt.deps.refreshClaims
      ?.release(key)
      .catch((err: unknown) => this.rt.deps.logger.debug({ err: describeForLog(err) }, 'could not let go of a thread refresh claim'));
  }

  async #refresh(client: WebClient, watch: ThreadWatch, key: string): Promise<void> {
    const { user, channelId, threadTs } = watch;
    const logger = this.rt.deps.logger;
    const startedAt = this.now();
    this.#running.add(key);
    try {
      try {
        await this.rt.deps.services.threadWatches.markRun(watch, startedAt);
      } finally {
        this.#release(key);
      }
      const location = { channelId, messageTs: threadTs, threadTs };
      const values = {
        targetUrl: watch.targetUrl,
        recentTarget: undefined,
        prompt: watch.prompt,
        include: 'thread',
        output: 'append',
        keepCurrent: true,
      } as const;
      const { request } = await threadRequest(this.rt, client, user, location, values);
      const ran = { ...watch, lastRunAt: startedAt };
      // Followed here (not queued to any worker): this worker's listener ends the refresh and tells of a failure.
      await this.rt.deps.services.generation.start(user, request, (progress) => this.#onProgress(client, ran, key, progress), null, true);
      this.#busy.delete(key);
      logger.info({ user: user.userId }, 'refreshing a thread kept current');
    } catch (err) {
      this.#ended(client, { ...watch, lastRunAt: startedAt }, key);
      if (err instanceof ConnectionBusyError) {
        this.#retryWhenFree(client, { ...watch, lastRunAt: startedAt }, key);
        return;
      }
      if (err instanceof VisenError) logger.info({ err: describeForLog(err), user: user.userId }, 'a thread kept current was not refreshed');
      else logger.error({ err: describeForLog(err), user: user.userId }, 'a thread kept current failed to refresh');
      await this.#tell(client, watch, userMessageFor(err));
    }
  }

  async #onProgress(client: WebClient, watch: ThreadWatch, key: string, progress: RunProgress): Promise<void> {
    if (progress.state === 'succeeded' || progress.state === 'failed' || progress.state === 'cancelled') this.#ended(client, watch, key);
    if (progress.state === 'failed') await this.#tell(client, watch, progress.error ?? 'The run failed.');
  }

  /** The connection was running already: ask again a little later, from the interval since this attempt. */
  #retryWhenFree(client: WebClient, watch: ThreadWatch, key: string): void {
    const attempts = (this.#busy.get(key) ?? 0) + 1;
    if (attempts > BUSY_RETRIES) {
      this.#busy.delete(key);
      this.rt.deps.logger.info({ user: watch.user.userId }, 'a thread kept current stayed busy; the next reply refreshes it');
      return;
    }
    this.#busy.set(key, attempts);
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      this.request(client, watch);
    }, BUSY_RETRY_MS);
    timer.unref();
    this.#retries.add(timer);
  }

  /** A refresh ended: replies that came meanwhile get the next one (after the interval). */
  #ended(client: WebClient, watch: ThreadWatch, key: string): void {
    if (!this.#running.delete(key)) return;
    if (this.#again.delete(key)) this.request(client, watch);
  }

  /** A failed refresh stops the watching (a busy thread must not bring a message per reply) and says so. */
  async #tell(client: WebClient, watch: ThreadWatch, problem: string): Promise<void> {
    await this.rt.deps.services.threadWatches
      .unwatch(watch)
      .catch((err: unknown) => this.rt.deps.logger.warn({ err: describeForLog(err), user: watch.user.userId }, 'could not stop watching a thread'));
    const text = `:warning: Visen could not bring ${mrkdwnLink(watch.targetUrl, 'your page')} up to date with the thread: ${escapeMrkdwn(problem)} It stopped keeping it current; once that is fixed, use *Send to Notion* on the thread with _Keep it current_ again.`;
    await client.chat
      .postMessage({ channel: watch.user.userId, text })
      .catch((err: unknown) =>
        this.rt.deps.logger.warn({ err: describeForLog(err), user: watch.user.userId }, 'could not tell a user a thread refresh failed'),
      );
  }
}

/** How long a reply waits before its refresh: none once the interval since the last run has passed. */
export function refreshDelayMs(lastRunAt: number, intervalMs: number, now: number): number {
  return Math.max(0, lastRunAt + intervalMs - now);
}

function watchKey(watch: ThreadWatch): string {
  return `${userKey(watch.user)}|${watch.channelId}|${watch.threadTs}|${watch.targetUrl}|${watch.prompt}`;
}
