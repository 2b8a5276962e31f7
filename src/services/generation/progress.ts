import type { Logger } from 'pino';
import { describeForLog } from '../../errors.js';
import type { ProgressListener, RunProgress } from './types.js';

/**
 * Sends a run's progress to its own listener and to every subscriber (the Home tab). State changes go
 * out at once; counter changes at most once per `intervalMs`, the last one always delivered. A listener
 * that throws or rejects is logged and otherwise ignored: progress display never stops a run.
 */
export class ProgressEmitter {
  private lastSentAt = 0;
  /** The state, whether the run is taking out what it wrote, and its preview's phase: a change of any goes out at once. */
  private lastPhase: string | undefined;
  private pending: RunProgress | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly listener: ProgressListener,
    private readonly subscribers: () => Iterable<ProgressListener>,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  update(progress: RunProgress): void {
    const stateChanged = phaseOf(progress) !== this.lastPhase;
    const due = Date.now() - this.lastSentAt >= this.intervalMs;
    if (stateChanged || due) {
      this.flushNow(progress);
      return;
    }
    this.pending = progress;
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        if (this.pending) this.flushNow(this.pending);
      },
      this.intervalMs - (Date.now() - this.lastSentAt),
    );
    this.timer.unref?.();
  }

  /** Stops the trailing timer (the final state has been sent). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flushNow(progress: RunProgress): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.lastSentAt = Date.now();
    this.lastPhase = phaseOf(progress);
    for (const listener of [this.listener, ...this.subscribers()]) this.deliver(listener, progress);
  }

  private deliver(listener: ProgressListener, progress: RunProgress): void {
    try {
      const result = listener(progress);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((err: unknown) => this.logFailure(err, progress));
      }
    } catch (err) {
      this.logFailure(err, progress);
    }
  }

  private logFailure(err: unknown, progress: RunProgress): void {
    this.logger.warn({ err: describeForLog(err), runId: progress.runId }, 'a progress listener failed');
  }
}

function phaseOf(progress: RunProgress): string {
  // A preview's phase goes out at once too: the owner waits for it to be shown.
  const preview = progress.preview ? `:preview-${progress.preview.phase}` : '';
  const phase = progress.rollingBack ? `${progress.state}:rolling-back${preview}` : `${progress.state}${preview}`;
  return progress.cancelRequested ? `${phase}:cancel-requested` : phase;
}
