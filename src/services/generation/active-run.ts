import type { Logger } from 'pino';
import type { DataSourceSchema, NotionWorkspace } from '../../adapters/notion/index.js';
import type { OpenAiClient } from '../../adapters/openai.js';
import type { UserSettings } from '../settings/types.js';
import { previewProgressOf } from './preview-progress.js';
import type { ProgressEmitter } from './progress.js';
import type { RunRecord, RunStore } from './run-store.js';
import type { PreviewAnswer, RunProgress } from './types.js';

/** A database run's preview gate, as the service steers it (see preview-gate.ts). */
export interface PreviewControl {
  /** Decides at once (so a double click acts once); the saved record and the progress follow. */
  confirm(): PreviewAnswer;
  cancel(): PreviewAnswer;
  /** The run is stopping (cancel, restart, failure): every row waiting at the gate lets go. */
  wake(): void;
}

/** Links to what was written, kept in a run's progress (the newest last). */
export const WRITTEN_LINKS_KEPT = 10;

/** Tunables; the defaults suit Notion's 3 requests per second and a typical model. */
export interface GenerationOptions {
  /** Database rows worked on at once (generation and writing). */
  readonly rowConcurrency: number;
  /** Least time between two progress updates of a run (state changes go out at once). */
  readonly progressIntervalMs: number;
  /** Page runs: the first write goes out once this many blocks are complete... */
  readonly firstBatchBlocks: number;
  /** ...or once the first complete block has waited this long. */
  readonly firstBatchWaitMs: number;
  /** Page runs: later writes at most this often... */
  readonly batchIntervalMs: number;
  /** ...unless this many blocks are waiting (Notion's limit per append). */
  readonly maxBatchBlocks: number;
  /** Shutdown: how long rows in flight may keep generating before their generation is stopped. */
  readonly shutdownGraceMs: number;
  /** Attempts of one Notion write that fails transiently (each checked before it is repeated). */
  readonly writeAttempts: number;
  /** Attempts of one row's generation that fails transiently (timeout, stream cut, rate limit). */
  readonly generationAttempts: number;
  /** A database run stops after this many rows failed one after another. */
  readonly maxConsecutiveRowFailures: number;
  /** Most characters of a page's Markdown given to the model (a page run's page, a row's `{{@content}}`), cut at block boundaries; 0: none. */
  readonly contextChars: number;
  /** Relation titles looked up per cell (each is one Notion request, cached per run). */
  readonly relationTitlesPerCell: number;
  readonly backoffMs: (attempt: number) => number;
}

export const DEFAULT_GENERATION_OPTIONS: GenerationOptions = {
  rowConcurrency: 4,
  progressIntervalMs: 1_000,
  firstBatchBlocks: 3,
  firstBatchWaitMs: 700,
  batchIntervalMs: 1_500,
  maxBatchBlocks: 100,
  shutdownGraceMs: 10_000,
  writeAttempts: 6,
  generationAttempts: 3,
  maxConsecutiveRowFailures: 5,
  relationTitlesPerCell: 10,
  contextChars: 100_000,
  backoffMs: (attempt) => Math.min(8_000, 500 * 2 ** (attempt - 1)),
};

/** A run this process is working on: its record (persisted as it changes) and the switches that stop it. */
export class ActiveRun {
  /** Aborts model calls: cancel of a page run, a fatal error, or the end of the shutdown grace. */
  readonly generation = new AbortController();
  cancelRequested = false;
  stopRequested = false;
  /** The error that stops the whole run. */
  fatal: unknown = undefined;
  /** Set while a stopping page run takes out what it wrote (shown, so the user knows why it takes a while). */
  rollingBack: RunProgress['rollingBack'] = undefined;
  /** Database runs: the preview gate (whether or not this run previews). */
  preview: PreviewControl | undefined = undefined;
  finished: Promise<void> = Promise.resolve();

  constructor(
    readonly record: RunRecord,
    readonly emitter: ProgressEmitter,
    private readonly store: RunStore,
  ) {}

  /** No new rows: cancelled, stopping for a restart, or failed. */
  get stopping(): boolean {
    return this.cancelRequested || this.stopRequested || this.fatal !== undefined;
  }

  save(): Promise<void> {
    return this.store.saveRun(this.record);
  }

  emit(): void {
    this.emitter.update(this.rollingBack ? { ...progressOf(this.record), rollingBack: this.rollingBack } : progressOf(this.record));
  }

  /** Sends the run's last progress and stops the emitter's timer: nothing more of this run follows. */
  sendFinalProgress(): void {
    this.emitter.update(progressOf(this.record));
    this.emitter.close();
  }

  addWritten(title: string, url: string): void {
    this.record.written.push({ title, url });
    if (this.record.written.length > WRITTEN_LINKS_KEPT) this.record.written.splice(0, this.record.written.length - WRITTEN_LINKS_KEPT);
  }
}

/** What a page or database run needs to do its work. */
export interface RunContext {
  readonly run: ActiveRun;
  readonly settings: UserSettings;
  readonly notion: NotionWorkspace;
  readonly openai: OpenAiClient;
  readonly store: RunStore;
  readonly options: GenerationOptions;
  readonly logger: Logger;
  /** Database runs: the schema read as the run was started, so its first step need not read it again; absent on resume. */
  readonly startSchema?: DataSourceSchema | undefined;
}

export function progressOf(record: RunRecord): RunProgress {
  return {
    runId: record.runId,
    user: record.user,
    connectionId: record.connection.id,
    connectionName: record.connection.name,
    targetKind: record.target.kind,
    targetUrl: record.target.url,
    targetTitle: record.target.title,
    state: record.state,
    total: record.total,
    done: record.done,
    skipped: record.skipped,
    failed: record.failed,
    written: record.written.map((w) => ({ ...w })),
    error: record.error,
    resumed: record.resumed,
    tokens: { ...record.tokens },
    context: record.context,
    ...(record.replaced ? { replaced: record.replaced } : {}),
    preview: previewProgressOf(record),
    startedAt: record.startedAt,
    updatedAt: new Date().toISOString(),
  };
}
