import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor, VisenError } from '../../../errors.js';
import type { RunProgress } from '../../../services/generation/types.js';
import type { ThreadWatch } from '../../../services/threads/watches.js';
import { userKey } from '../../../users.js';
import { teamOfEvent } from '../../users.js';
import { escapeMrkdwn, mrkdwnLink } from '../../views/text.js';
import type { ThreadRuntime } from './runtime.js';
import { threadRequest } from './submit.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/**
 * "Keep it current": a reply in a watched thread refreshes each watching user's page, at most once every
 * `intervalMs` (VISEN_THREAD_REFRESH_MINUTES) per watch. A reply within the interval of the last run schedules
 * one refresh for when the interval ends (later replies join it), so the page ends up reflecting the last reply
 * without a run per message. The refresh runs the connection again (replacing what it wrote, blocks the user
 * edited kept) with no progress messages; only a failure is told, as a direct message, and ends the watching. Timers
 * live in memory: after a restart, the next reply schedules again.
 */
export class ThreadRefresher {
  readonly #pending = new Map<string, NodeJS.Timeout>();
  /** Watches being refreshed now, and those that got a reply meanwhile (refreshed again once the run ends). */
  readonly #running = new Set<string>();
  readonly #again = new Set<string>();

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

  close(): void {
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }

  async #refresh(client: WebClient, watch: ThreadWatch, key: string): Promise<void> {
    const { user, channelId, threadTs } = watch;
    const logger = this.rt.deps.logger;
    const startedAt = this.now();
    this.#running.add(key);
    try {
      await this.rt.deps.services.threadWatches.markRun(watch, startedAt);
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
      await this.rt.deps.services.generation.start(user, request, (progress) => this.#onProgress(client, ran, key, progress), null);
      logger.info({ user: user.userId }, 'refreshing a thread kept current');
    } catch (err) {
      this.#ended(client, { ...watch, lastRunAt: startedAt }, key);
      if (err instanceof VisenError) logger.info({ err: describeForLog(err), user: user.userId }, 'a thread kept current was not refreshed');
      else logger.error({ err: describeForLog(err), user: user.userId }, 'a thread kept current failed to refresh');
      await this.#tell(client, watch, userMessageFor(err));
    }
  }

  async #onProgress(client: WebClient, watch: ThreadWatch, key: string, progress: RunProgress): Promise<void> {
    if (progress.state === 'succeeded' || progress.state === 'failed' || progress.state === 'cancelled') this.#ended(client, watch, key);
    if (progress.state === 'failed') await this.#tell(client, watch, progress.error ?? 'The run failed.');
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
