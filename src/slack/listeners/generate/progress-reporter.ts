import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { describeForLog } from '../../../errors.js';
import type { ProgressListener, RunProgress, StartedRun } from '../../../services/generation/types.js';
import type { UserRef } from '../../../users.js';
import type { SlackMessage } from '../../views/blocks.js';
import { buildProgressMessage, buildStartErrorMessage, isTerminal } from '../../views/progress-message.js';
import type { NotifyState } from './notify-state.js';

/**
 * Shows one run's progress as ONE message, updated as the run goes.
 *
 * The response_url budget. Slack accepts at most 5 posts to a response_url, within 30 minutes of the command
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses). A slash command run
 * spends them like this:
 *   #1-#3  progress (replace_original), at least `responseUrlMinIntervalMs` apart; updates in between are
 *          coalesced, only the newest is shown;
 *   #4     the final message, or, when the run needs a 4th progress update, a note that its progress
 *          continues in a direct message (posted first with chat.postMessage to the user id, then updated
 *          with chat.update at most once per `dmMinIntervalMs`; the final message goes there too);
 *   #5     kept back: after a restart it tells the user where the run's progress went (or that it was
 *          interrupted), and it carries the final message if the direct message could not be posted.
 * After `responseUrlUsableMs` (25 of Slack's 30 minutes, to leave room for clocks and slow posts), everything
 * goes to the direct message. Runs started from the modal or the Home tab use the direct message only.
 */
export interface ProgressPolicy {
  readonly responseUrlMaxPosts: number;
  readonly responseUrlProgressPosts: number;
  readonly responseUrlMinIntervalMs: number;
  readonly responseUrlUsableMs: number;
  readonly dmMinIntervalMs: number;
}

export const DEFAULT_PROGRESS_POLICY: ProgressPolicy = {
  responseUrlMaxPosts: 5,
  responseUrlProgressPosts: 3,
  responseUrlMinIntervalMs: 2_000,
  responseUrlUsableMs: 25 * 60_000,
  dmMinIntervalMs: 1_000,
};

export type ResponseUrlPoster = (url: string, message: Record<string, unknown>) => Promise<void>;

export interface ReporterIo {
  readonly client: WebClient;
  readonly postToResponseUrl: ResponseUrlPoster;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  readonly policy: ProgressPolicy;
}

export interface ReporterOptions {
  readonly user: UserRef;
  readonly responseUrl?: { readonly url: string; readonly issuedAt: number } | undefined;
  /** The direct message to update (already posted); without it one is posted when first needed. */
  readonly dm?: { readonly channel: string; readonly ts: string } | undefined;
  /** Resumed after a restart: direct message only, plus at most one post (#5) to a still-valid response_url. */
  readonly afterRestart?: boolean;
  /** Called with the run id as soon as it is known, and when the final message is out. */
  readonly onRunId?: (runId: string, reporter: ProgressReporter) => void;
  readonly onFinished?: (runId: string | undefined) => void;
  /** Called when progress moved to a new message, so the run remembers where to continue after a restart. */
  readonly onNotifyStateChange?: (runId: string, notifyState: NotifyState) => void;
}

type Shown = { readonly kind: 'progress'; readonly progress: RunProgress } | { readonly kind: 'error'; readonly message: string };

/** The command's response_url, while the run still answers through it: Slack allows a few posts within 30 minutes. */
interface ResponseUrlState {
  readonly url: string;
  readonly issuedAt: number;
  posts: number;
}

export class ProgressReporter {
  notifyState: NotifyState;
  private readonly responseUrl: ResponseUrlState | undefined;
  private dm: { channel: string; ts: string } | undefined;
  private viaDm: boolean;
  private movedFromCommand = false;
  private dmFailed = false;
  private restartPostPending: boolean;
  private latest: Shown | undefined;
  private version = 0;
  private rendered = 0;
  private lastResponseUrlPostAt = Number.NEGATIVE_INFINITY;
  private lastDmAt = Number.NEGATIVE_INFINITY;
  private cancelRequested = false;
  private finished = false;
  private runId: string | undefined;
  private pumping: Promise<void> | undefined;
  /** Ends the pause between two updates early: a preview waiting for its owner arrived. */
  private endPause: (() => void) | undefined;

  constructor(
    private readonly io: ReporterIo,
    private readonly options: ReporterOptions,
  ) {
    this.responseUrl = options.responseUrl ? { ...options.responseUrl, posts: 0 } : undefined;
    this.dm = options.dm ? { ...options.dm } : undefined;
    this.viaDm = !this.responseUrl || options.afterRestart === true;
    this.restartPostPending = options.afterRestart === true && this.responseUrl !== undefined;
    this.notifyState = {
      v: 1,
      user: { teamId: options.user.teamId, userId: options.user.userId },
      ...(options.responseUrl ? { responseUrl: { url: options.responseUrl.url, issuedAt: options.responseUrl.issuedAt } } : {}),
      ...(options.dm ? { dm: { channel: options.dm.channel, ts: options.dm.ts } } : {}),
    };
  }

  /** Give this to the service; it never throws. */
  readonly listener: ProgressListener = (progress) => {
    this.report(progress);
  };

  /** True once any progress arrived (resume uses it to avoid showing an older state over a newer one). */
  get hasProgress(): boolean {
    return this.latest?.kind === 'progress';
  }

  get done(): boolean {
    return this.finished;
  }

  report(progress: RunProgress): void {
    if (this.finished) return;
    const current = this.latest?.kind === 'progress' ? this.latest.progress : undefined;
    if (current) {
      if (isTerminal(current) && !isTerminal(progress)) return;
      if (!isTerminal(progress) && progress.updatedAt < current.updatedAt) return;
    }
    if (this.runId === undefined) {
      this.runId = progress.runId;
      this.options.onRunId?.(progress.runId, this);
    }
    // Cancel clicked on another worker (team mode): shown as stopping, as a click here would.
    if (progress.cancelRequested) this.cancelRequested = true;
    this.latest = { kind: 'progress', progress };
    if (awaitsOwner(this.latest)) this.endPause?.();
    this.bump();
  }

  /** The run started: show its first progress unless the listener already showed something newer. */
  attach(started: StartedRun): void {
    this.report(started.progress);
  }

  /** A problem found before anything was generated. */
  showError(message: string): void {
    if (this.finished) return;
    this.latest = { kind: 'error', message };
    this.bump();
  }

  /** Cancel was pressed and accepted: show "stopping" until the run reports it has stopped. */
  requestCancel(): void {
    if (this.finished || this.cancelRequested) return;
    this.cancelRequested = true;
    if (this.latest) this.bump();
  }

  /** Resolves when everything reported so far has been shown (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private bump(): void {
    this.version += 1;
    if (!this.pumping) {
      this.pumping = this.pump()
        .catch((err: unknown) => this.io.logger.warn({ err: describeForLog(err), runId: this.runId }, 'showing run progress failed'))
        .finally(() => {
          this.pumping = undefined;
          if (this.rendered < this.version && !this.finished) this.bump();
        });
    }
  }

  private async pump(): Promise<void> {
    while (this.rendered < this.version && !this.finished) {
      const shown = this.latest;
      const version = this.version;
      if (!shown) return;
      const final = shown.kind === 'error' || isTerminal(shown.progress);

      if (this.restartPostPending) {
        this.restartPostPending = false;
        await this.postRestartNotice(shown);
      }
      if (!this.viaDm && this.responseUrl) await this.showViaResponseUrl(this.responseUrl, shown, version, final);
      else await this.showViaDm(shown, version, final);
    }
  }

  /** One step while the run still answers through the command's response_url: post, wait, or move to a direct message. */
  private async showViaResponseUrl(r: ResponseUrlState, shown: Shown, version: number, final: boolean): Promise<void> {
    const inWindow = this.io.now() - r.issuedAt < this.io.policy.responseUrlUsableMs;
    const maxForFinal = this.dmFailed ? this.io.policy.responseUrlMaxPosts : this.io.policy.responseUrlMaxPosts - 1;
    if (inWindow && final && r.posts < maxForFinal) {
      await this.sendToResponseUrl(shown, false);
      this.markRendered(version, final);
      return;
    }
    if (inWindow && !final && r.posts < this.io.policy.responseUrlProgressPosts) {
      const wait = awaitsOwner(shown) ? 0 : this.lastResponseUrlPostAt + this.io.policy.responseUrlMinIntervalMs - this.io.now();
      if (wait > 0) {
        await this.pause(wait);
        return; // show whatever is newest after the wait
      }
      await this.sendToResponseUrl(shown, false);
      this.markRendered(version, false);
      return;
    }
    if (this.dmFailed) {
      // No direct message possible: keep the remaining posts for the final message.
      if (final && inWindow && r.posts < this.io.policy.responseUrlMaxPosts) await this.sendToResponseUrl(shown, false);
      this.markRendered(version, final);
      return;
    }
    // When the direct message fails, the branch above sends what it can on the next step.
    if (await this.moveToDm(shown, inWindow)) this.markRendered(version, final);
  }

  /** One step in the direct message: wait for the least interval between two updates, then update it. */
  private async showViaDm(shown: Shown, version: number, final: boolean): Promise<void> {
    const wait = awaitsOwner(shown) ? 0 : this.lastDmAt + this.io.policy.dmMinIntervalMs - this.io.now();
    if (wait > 0) {
      await this.pause(wait);
      return;
    }
    await this.sendToDm(shown);
    this.markRendered(version, final);
  }

  /** Waits before the next update, unless something the owner waits on comes first. */
  private async pause(ms: number): Promise<void> {
    await Promise.race([this.io.sleep(ms), new Promise<void>((resolve) => (this.endPause = resolve))]);
    this.endPause = undefined;
  }

  private markRendered(version: number, final: boolean): void {
    this.rendered = version;
    if (final && !this.finished) {
      this.finished = true;
      this.options.onFinished?.(this.runId);
    }
  }

  private render(shown: Shown, extra: { continuedInDm?: boolean } = {}): SlackMessage {
    if (shown.kind === 'error') return buildStartErrorMessage(shown.message);
    return buildProgressMessage({
      progress: shown.progress,
      cancelRequested: this.cancelRequested,
      movedFromCommand: this.movedFromCommand && extra.continuedInDm !== true,
      afterRestart: this.options.afterRestart === true,
      continuedInDm: extra.continuedInDm === true,
    });
  }

  private async sendToResponseUrl(shown: Shown, continuedInDm: boolean): Promise<void> {
    const r = this.responseUrl;
    if (!r) return;
    r.posts += 1; // counted even if the post fails: Slack may have counted it
    this.lastResponseUrlPostAt = this.io.now();
    const message = this.render(shown, { continuedInDm });
    try {
      await this.io.postToResponseUrl(r.url, { response_type: 'ephemeral', replace_original: true, text: message.text, blocks: message.blocks });
    } catch (err) {
      this.io.logger.warn({ err: describeForLog(err), runId: this.runId, post: r.posts }, 'posting run progress to response_url failed');
    }
  }

  /** The run needs more updates than the response_url allows: continue in a direct message, and say so. */
  private async moveToDm(shown: Shown, inWindow: boolean): Promise<boolean> {
    this.viaDm = true;
    this.movedFromCommand = true;
    const posted = await this.sendToDm(shown);
    if (!posted) {
      this.viaDm = false;
      this.movedFromCommand = false;
      this.dmFailed = true;
      return false;
    }
    const r = this.responseUrl;
    if (r && inWindow && r.posts < this.io.policy.responseUrlMaxPosts - 1) await this.sendToResponseUrl(shown, true);
    this.io.logger.info({ runId: this.runId, user: this.options.user.userId }, 'run progress moved to a direct message');
    return true;
  }

  /** After a restart: one post to the command's response_url, if it is still valid, pointing to the DM. */
  private async postRestartNotice(shown: Shown): Promise<void> {
    const r = this.responseUrl;
    if (!r || this.io.now() - r.issuedAt >= this.io.policy.responseUrlUsableMs) return;
    const final = shown.kind === 'error' || isTerminal(shown.progress);
    await this.sendToResponseUrl(shown, !final);
  }

  private async sendToDm(shown: Shown): Promise<boolean> {
    const message = this.render(shown);
    this.lastDmAt = this.io.now();
    if (this.dm) {
      try {
        await this.io.client.chat.update({ channel: this.dm.channel, ts: this.dm.ts, text: message.text, blocks: message.blocks });
        return true;
      } catch (err) {
        this.io.logger.warn({ err: describeForLog(err), runId: this.runId }, 'updating the progress message failed; posting a new one');
      }
    }
    try {
      const res = await this.io.client.chat.postMessage({ channel: this.options.user.userId, text: message.text, blocks: message.blocks });
      if (typeof res.channel === 'string' && typeof res.ts === 'string') {
        this.dm = { channel: res.channel, ts: res.ts };
        this.notifyState = { ...this.notifyState, dm: { ...this.dm } };
        if (this.runId !== undefined) this.options.onNotifyStateChange?.(this.runId, this.notifyState);
      }
      return true;
    } catch (err) {
      this.io.logger.warn(
        { err: describeForLog(err), runId: this.runId, user: this.options.user.userId },
        'could not send the progress message as a direct message',
      );
      return false;
    }
  }
}

/** A preview waiting for its owner goes out at once, not after the least interval between updates: they wait on it. */
function awaitsOwner(shown: Shown): boolean {
  return shown.kind === 'progress' && shown.progress.preview?.phase === 'waiting' && !isTerminal(shown.progress);
}
