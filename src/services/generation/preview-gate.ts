import { describeForLog } from '../../errors.js';
import type { PreviewControl, RunContext } from './active-run.js';
import { DEFAULT_PREVIEW_ROWS, LARGE_RUN_ROWS } from './limits.js';
import { type PreviewTarget, previewRowOf } from './preview-values.js';
import type { RowAnswer } from './row-writes.js';
import type { PreviewRecord } from './run-store.js';
import type { PreviewAnswer } from './types.js';

/**
 * The preview gate of a database run: the first rows are generated and held (nothing is written), the owner sees
 * them and confirms or cancels; the held answers are then written as they are (no second model call) or dropped.
 *
 * - `open`: rows go through (no preview, or it was confirmed);
 * - `undecided`: no preview was asked, and the query has not yet shown whether the run writes more than
 *   LARGE_RUN_ROWS rows: no row starts until it knows, so nothing is written before a large run is confirmed;
 * - `collecting`: the first `size` rows are generated and held (a row that fails frees its slot for the next); the
 *   worker that generated a row goes on to the next, so a preview larger than the row concurrency fills up;
 * - `waiting`: the preview is shown; every other row waits;
 * - `closed`: cancelled or stopping: rows waiting let go, and nothing of theirs is written.
 */
export class PreviewGate implements PreviewControl {
  #mode: 'open' | 'undecided' | 'collecting' | 'waiting' | 'closed';
  readonly #generating = new Set<string>();
  /** The order rows were admitted in (the database's): answers arrive in any order, the preview shows them in this one. */
  readonly #admitted = new Map<string, number>();
  /** Answers generated for the preview, in order, until they are written (after the confirmation). */
  readonly #held: Array<HeldRow> = [];
  /** Every row held in this run (before a restart too): when the query brings one again, it is not generated again. */
  readonly #heldIds = new Set<string>();
  #heldCount = 0;
  #waiters: Array<() => void> = [];
  /** Rows the query found to do, once it finished. */
  #rowsToDo: number | undefined;

  #target: PreviewTarget = { into: undefined };

  /** Made as the run starts, before it is planned, so a click on a preview shown again after a restart finds it. */
  constructor(private readonly ctx: RunContext) {
    const { run } = ctx;
    const asked = run.record.request.preview;
    const phase = run.record.preview?.phase;
    // A resumed run goes on from its preview's phase (its held answers come back in `restore`).
    // An automation's run has no one to click Confirm (its owner set it up to run by itself): it never previews.
    if (phase === 'confirmed' || run.record.request.automatic) this.#mode = 'open';
    else if (phase === 'waiting' || phase === 'generating') this.#mode = phase === 'waiting' ? 'waiting' : 'collecting';
    else if (asked !== undefined) this.#mode = this.#begin('asked', asked);
    else this.#mode = 'undecided';
    run.preview = this;
  }

  /** The run is planned: where its answers go, and `budget`, the most rows it may do (a `--limit` of 500 or fewer: no preview). */
  planned(target: PreviewTarget, budget: number): void {
    this.#target = target;
    if (this.#mode === 'undecided' && budget <= LARGE_RUN_ROWS) this.#setMode('open');
  }

  /**
   * After a restart: the held answers come back from the store (rows written since are left out), so a preview
   * waiting for its owner is shown again with the same buttons, and a confirmed one writes them without generating.
   */
  async restore(written: (rowId: string) => boolean): Promise<void> {
    const { run, store } = this.ctx;
    for (const rowId of run.record.preview?.heldRowIds ?? []) {
      const held = await store.getHeld(run.record.runId, rowId);
      if (!held) continue;
      this.#heldIds.add(rowId);
      this.#heldCount += 1;
      if (!written(rowId))
        this.#held.push({
          row: { id: rowId, title: held.title, url: held.url },
          answer: { text: held.text, ...(held.properties ? { properties: held.properties } : {}) },
        });
    }
    // Every preview row was in before the restart, but the preview was not yet shown: show it now.
    await this.#settle();
  }

  /** True for a row whose answer is held: it is written from that answer, never generated again. */
  isHeld(rowId: string): boolean {
    return this.#heldIds.has(rowId);
  }

  /** The run ended (not interrupted): held answers not written are dropped from the store. */
  async discard(): Promise<void> {
    const { run, store } = this.ctx;
    for (const rowId of run.record.preview?.heldRowIds ?? []) await store.deleteHeld(run.record.runId, rowId);
    if (run.record.preview) run.record.preview.heldRowIds = [];
  }

  /** `go`: generate and write this row; `preview`: generate it and `hold` its answer; `stop`: the run is stopping. */
  async admit(rowId: string): Promise<'go' | 'preview' | 'stop'> {
    for (;;) {
      if (this.#stopped) return 'stop';
      if (this.#mode === 'open') return 'go';
      if (this.#mode === 'collecting' && this.#heldCount + this.#generating.size < this.#preview.size) {
        this.#generating.add(rowId);
        this.#admitted.set(rowId, this.#admitted.size);
        return 'preview';
      }
      await this.#changed();
    }
  }

  /** Holds a preview row's answer (nothing is written); with every preview row in, the preview is shown. */
  async hold(row: HeldRow['row'], answer: RowAnswer): Promise<void> {
    const { run, store } = this.ctx;
    await store.setHeld(run.record.runId, { rowId: row.id, title: row.title, url: row.url, ...answer });
    this.#generating.delete(row.id);
    this.#held.push({ row, answer });
    this.#heldIds.add(row.id);
    this.#heldCount += 1;
    this.#preview.heldRowIds.push(row.id);
    this.#preview.rows.push(previewRowOf(row, answer, this.#target));
    // The record names every held answer, so a restart finds them (and `forgetUser` deletes them).
    await run.save();
    await this.#settle();
  }

  /** A preview row failed, or stopped before its answer was complete: its slot goes to the next row. */
  async dropped(rowId: string, failed: boolean): Promise<void> {
    if (!this.#generating.delete(rowId)) return;
    if (failed) this.#preview.failed += 1;
    this.#notify();
    await this.#settle();
  }

  /** The next held answer to write, once confirmed (each is taken once). */
  takeHeld(): HeldRow | undefined {
    return this.#mode === 'open' ? this.#held.shift() : undefined;
  }

  /** Resolves true once the rows may be written (no preview, or confirmed), false when cancelled or stopping. */
  async decision(): Promise<boolean> {
    for (;;) {
      if (this.#stopped) return false;
      if (this.#mode === 'open') return true;
      await this.#changed();
    }
  }

  /** The query counted another row to do: past LARGE_RUN_ROWS, an undecided run previews first. */
  counted(rows: number): void {
    if (this.ctx.run.record.preview) this.#preview.rowsSeen = rows;
    if (this.#mode === 'undecided' && rows > LARGE_RUN_ROWS) this.#mode = this.#begin('large', DEFAULT_PREVIEW_ROWS, rows);
  }

  /** The query ended with `rows` to do: an undecided run opens; a preview with all its rows in is shown. */
  async queryFinished(rows: number): Promise<void> {
    this.#rowsToDo = rows;
    if (this.ctx.run.record.preview) this.#preview.rowsSeen = rows;
    if (this.#mode === 'undecided' || (this.#mode === 'collecting' && rows === 0)) this.#setMode('open');
    await this.#settle();
  }

  confirm(): PreviewAnswer {
    const decided = this.#decided();
    if (decided) return decided;
    this.#setMode('open');
    this.#preview.phase = 'confirmed';
    // The held answers are written next, from memory; their text is no longer needed in the record.
    this.#preview.rows = [];
    this.ctx.run.save().catch((err: unknown) => this.ctx.logger.warn({ err: describeForLog(err) }, 'could not save the confirmed preview'));
    this.ctx.run.emit();
    return 'confirmed';
  }

  cancel(): PreviewAnswer {
    const decided = this.#decided();
    if (decided) return decided;
    this.#preview.phase = 'cancelled';
    this.#setMode('closed');
    return 'cancelled';
  }

  wake(): void {
    const { run } = this.ctx;
    if (run.cancelRequested && run.record.preview && this.#mode !== 'open') run.record.preview.phase = 'cancelled';
    if (run.stopping) this.#setMode('closed');
  }

  get #stopped(): boolean {
    return this.ctx.run.stopping || this.#mode === 'closed';
  }

  get #preview(): PreviewRecord {
    return this.ctx.run.record.preview!;
  }

  /** The answer to a click that comes too late or twice; undefined while the preview waits for it. */
  #decided(): PreviewAnswer | undefined {
    const phase = this.ctx.run.record.preview?.phase;
    if (this.#mode === 'waiting' && phase === 'waiting') return undefined;
    return phase === 'confirmed' || phase === 'cancelled' ? 'already-decided' : 'not-waiting';
  }

  #begin(reason: 'asked' | 'large', size: number, rowsSeen = 0): 'collecting' {
    const record = this.ctx.run.record;
    record.preview = { reason, size, phase: 'generating', rows: [], failed: 0, heldRowIds: [], rowsSeen, tokensBefore: { ...record.tokens } };
    this.ctx.run.emit();
    this.#notify();
    return 'collecting';
  }

  /** Every preview row is in (or there are no more rows): the preview is shown and waits for its owner. */
  async #settle(): Promise<void> {
    if (this.#mode !== 'collecting' || this.#generating.size > 0) return;
    const preview = this.#preview;
    const noMore = this.#rowsToDo !== undefined && this.#heldCount + preview.failed >= this.#rowsToDo;
    if (this.#heldCount < preview.size && !noMore) return;
    this.#inAdmissionOrder();
    this.#mode = 'waiting';
    preview.phase = 'waiting';
    await this.ctx.run.save();
    this.ctx.run.emit();
  }

  /** Held answers, and the preview's rows, in the order their rows were admitted (restored ones keep theirs, first). */
  #inAdmissionOrder(): void {
    const rank = (rowId: string) => this.#admitted.get(rowId) ?? -1;
    this.#held.sort((a, b) => rank(a.row.id) - rank(b.row.id));
    const preview = this.#preview;
    const pairs = preview.heldRowIds.map((rowId, i) => ({ rowId, row: preview.rows[i]! }));
    pairs.sort((a, b) => rank(a.rowId) - rank(b.rowId));
    preview.heldRowIds = pairs.map((p) => p.rowId);
    preview.rows = pairs.map((p) => p.row);
  }

  #setMode(mode: 'open' | 'closed'): void {
    this.#mode = mode;
    this.#notify();
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** A previewed row and its answer, kept until it is written. */
export interface HeldRow {
  readonly row: { readonly id: string; readonly title: string; readonly url: string };
  readonly answer: RowAnswer;
}
