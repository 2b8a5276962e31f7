import type { PageInfo } from '../../adapters/notion/index.js';
import { describeForLog, userMessageFor, VisenError } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { chosenRows } from './chosen-rows.js';
import { planRun, propertyOutputs, type RowPlan } from './database-plan.js';
import { PROPERTY_MAX_CHARS } from './limits.js';
import { generateText, isFatalOpenAi, SYSTEM_PROMPTS } from './model.js';
import { isFatalNotion } from './notion-writes.js';
import { generateTypedAnswer } from './outputs/generate.js';
import { PreviewGate } from './preview-gate.js';
import { RowQueue } from './row-queue.js';
import { propertiesReadPerRow, RowReader } from './row-reader.js';
import { type RowAnswer, writeRowAnswer } from './row-writes.js';
import type { WorkEnd } from './run-record.js';
import type { RowMarker } from './run-store.js';
import { addUsage } from './tokens.js';

/**
 * A database run: every row of the data source (all pages of results) is filled from the prompt template and
 * written, several rows at once, each row's text generated in full before it is written once.
 *
 * No row is written twice, across failures and restarts:
 * - before a row's write starts, a marker with the generated text is stored (`inflight:<run>:<row>`) and the
 *   row is listed in the run record's `inFlight`; after the write it goes into the connection's written-rows
 *   log with this run's id, and the marker is removed;
 * - on resume, rows in this run's log are done; a row still in `inFlight` is checked in Notion (the property
 *   already holds the text, or the page already ends with the text's blocks) and only the missing part is
 *   written, from the marker's text, without generating again.
 */
export async function runDatabase(ctx: RunContext): Promise<WorkEnd> {
  const gate = new PreviewGate(ctx);
  return new DatabaseRun(ctx, await planRun(ctx), gate).run();
}

/** The rows of one database run: queued by the query as it pages, taken by `rowConcurrency` workers. */
class DatabaseRun {
  readonly #queue = new RowQueue<PageInfo>();
  /** Fills each row's template: related pages are read once per run, the row's page when the template asks. */
  readonly #reader: RowReader;
  /** Holds the first rows' answers for the owner to see, when the run previews (asked, or a large run). */
  readonly #gate: PreviewGate;
  #consecutiveFailures = 0;
  #queryFinished = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly plan: RowPlan,
    gate: PreviewGate,
  ) {
    const { notion, options } = ctx;
    const outputs = plan.typed ? propertyOutputs(plan.typed) : plan.into !== undefined ? [plan.into] : [];
    this.#reader = new RowReader(notion, plan.template, { perCell: options.relationTitlesPerCell, contextChars: options.contextChars, outputs });
    this.#gate = gate;
    gate.planned({ into: plan.into, plan: plan.typed?.plan }, this.#budget());
  }

  /** Most rows this run may still queue: its limit, less the rows done or failed before a restart. */
  #budget(): number {
    const { limit } = this.ctx.run.record.request;
    return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - this.plan.alreadyCounted);
  }

  async run(): Promise<WorkEnd> {
    const { run, options } = this.ctx;
    const record = run.record;
    await this.#gate.restore((rowId) => this.plan.written.get(rowId) === record.runId);
    const producer = this.#queueRows();
    const workers = Array.from({ length: Math.max(1, options.rowConcurrency) }, () => this.#work());
    await Promise.all([producer, ...workers]);

    const allDone = this.#queryFinished && this.#queue.size === 0 && record.done + record.failed >= (record.total ?? Infinity);
    const interrupted = run.fatal === undefined && !run.cancelRequested && run.stopRequested && !allDone;
    // Held preview answers outlive only a restart; a run that ended drops those it did not write.
    if (!interrupted) await this.#gate.discard();
    if (run.fatal !== undefined) throw run.fatal;
    if (run.cancelRequested) return 'cancelled';
    return interrupted ? 'interrupted' : 'complete';
  }

  /** Pages through the rows and queues those to do, up to the limit; a failure stops the whole run. */
  async #queueRows(): Promise<void> {
    const { run } = this.ctx;
    try {
      const planned = await this.#queryRows();
      if (planned === undefined) return;
      this.#queryFinished = true;
      run.record.total = this.plan.alreadyCounted + planned;
      run.emit();
      await this.#gate.queryFinished(planned);
    } catch (err) {
      this.#stopRun(err);
    } finally {
      this.#queue.close();
    }
  }

  /** How many rows were queued; undefined when the run stopped before the query ended. */
  async #queryRows(): Promise<number | undefined> {
    const { run, notion } = this.ctx;
    const budget = this.#budget();
    let planned = 0;
    const properties = propertiesReadPerRow(this.plan.template, this.#filledBy(), run.record.request.onlyEmpty);
    const source = run.record.request.rows
      ? chosenRows(notion, this.plan.dataSourceId, run.record.request, properties)
      : notion.queryDataSource(this.plan.dataSourceId, { properties });
    for await (const row of source) {
      if (run.stopping) return undefined;
      const verdict = this.#verdictOn(row);
      if (verdict === 'skip') {
        run.record.skipped += 1;
        run.emit();
      }
      if (verdict !== 'to-do') continue;
      if (planned >= budget) break;
      planned += 1;
      this.#queue.push(row);
      this.#gate.counted(planned);
    }
    return planned;
  }

  /** `pass`: in the trash, or done or failed in this run; `skip`: already has output and only empty rows are filled. */
  #verdictOn(row: PageInfo): 'to-do' | 'pass' | 'skip' {
    const record = this.ctx.run.record;
    const { written, failedRows } = this.plan;
    if (row.inTrash || written.get(row.id) === record.runId || failedRows.has(row.id)) return 'pass';
    const outputs = this.#filledBy();
    const filled = written.has(row.id) || (outputs.length > 0 && outputs.every((name) => (row.properties[name]?.plainText ?? '').trim() !== ''));
    return record.request.onlyEmpty && filled ? 'skip' : 'to-do';
  }

  /** The properties whose values make a row count as filled (a checkbox always has one, so it does not count). */
  #filledBy(): string[] {
    const { into, typed } = this.plan;
    if (!typed) return into !== undefined ? [into] : [];
    return typed.plan.specs.filter((spec) => spec.type !== 'body' && spec.type !== 'checkbox').map((spec) => spec.name);
  }

  async #work(): Promise<void> {
    const { run } = this.ctx;
    for (;;) {
      if (run.stopping) return;
      const row = await this.#queue.take();
      if (run.stopping) return;
      if (!row) return this.#writeHeldRows(await this.#gate.decision());
      // Held before a restart and queued again by the query: written from its held answer.
      if (this.#gate.isHeld(row.id)) continue;
      const pass = await this.#gate.admit(row.id);
      if (pass === 'stop') return;
      if (pass === 'go') await this.#writeHeldRows(true);
      this.#countFailure(!(await this.#processRow(row, pass === 'preview')));
    }
  }

  /** Once the preview is confirmed: its rows' answers are written as they were shown, never generated again. */
  async #writeHeldRows(confirmed: boolean): Promise<void> {
    if (!confirmed) return;
    for (let held = this.#gate.takeHeld(); held && !this.ctx.run.stopping; held = this.#gate.takeHeld()) {
      this.#countFailure(!(await this.#writeAnswer(held.row, held.answer)));
      await this.ctx.store.deleteHeld(this.ctx.run.record.runId, held.row.id);
    }
  }

  /** The run stops after `maxConsecutiveRowFailures` rows failed one after another. */
  #countFailure(failed: boolean): void {
    const { run, options } = this.ctx;
    this.#consecutiveFailures = failed ? this.#consecutiveFailures + 1 : 0;
    if (this.#consecutiveFailures >= options.maxConsecutiveRowFailures && run.fatal === undefined) {
      const last = run.record.error ?? 'unknown';
      this.#stopRun(
        new VisenError('too_many_failures', `Visen stopped after ${this.#consecutiveFailures} rows failed one after another. Last problem: ${last}`),
      );
    }
  }

  /**
   * One row: fill, generate, write (a preview row's answer is held instead). True when written, held or left to do;
   * false when it failed (the run goes on).
   */
  async #processRow(row: PageInfo, preview: boolean): Promise<boolean> {
    let answer: RowAnswer | undefined;
    try {
      answer = await this.#generate(row);
    } catch (err) {
      if (preview) await this.#gate.dropped(row.id, !this.ctx.run.generation.signal.aborted);
      return this.#generationFailed(row, err);
    }
    // Cancelled (or stopped) while the answer came in: nothing of this row is written; it stays to do.
    if (answer === undefined) {
      if (preview) await this.#gate.dropped(row.id, false);
      return true;
    }
    if (preview) await this.#gate.hold(row, answer);
    return preview || this.#writeAnswer(row, answer);
  }

  async #writeAnswer(row: Pick<PageInfo, 'id' | 'title' | 'url'>, answer: RowAnswer): Promise<boolean> {
    try {
      await this.#writeRow(row, answer);
      return true;
    } catch (err) {
      if (isFatalNotion(err)) this.#stopRun(err);
      await this.#rowFailed(row, err);
      return false;
    }
  }

  /** The row's answer, or undefined when the run was stopped while it came in; an answer that cannot be written throws. */
  async #generate(row: PageInfo): Promise<RowAnswer | undefined> {
    const { run, options, logger } = this.ctx;
    const { into, typed, instructions } = this.plan;
    const note = this.#reader.systemNote;
    const prompt = await this.#reader.promptFor(row, run.record.request.prompt);
    if (typed) return generateTypedAnswer(this.ctx, typed, prompt, { instructions, ...(note !== undefined ? { systemNote: note } : {}) });
    const system = into !== undefined ? SYSTEM_PROMPTS.property : SYSTEM_PROMPTS.rowPage;
    const text = await generateText(this.ctx.openai, {
      model: run.record.model,
      system: note === undefined ? system : `${system}\n\n${note}`,
      instructions,
      prompt,
      signal: run.generation.signal,
      attempts: options.generationAttempts,
      backoffMs: options.backoffMs,
      logger,
      maxChars: into !== undefined ? PROPERTY_MAX_CHARS : undefined,
      // Every attempt at the row counts; the record is saved with the row (written, failed or in flight).
      onUsage: (usage) => addUsage(run.record.tokens, usage),
    });
    if (run.generation.signal.aborted) return undefined;
    if (text.trim() === '') throw new VisenError('empty_answer', 'The model returned an empty answer for this row.');
    if (into !== undefined && text.length > PROPERTY_MAX_CHARS) {
      throw new VisenError(
        'too_long',
        `The answer for this row is longer than a Notion text property holds (${PROPERTY_MAX_CHARS.toLocaleString('en-US')} characters). Write into the row's page instead.`,
      );
    }
    return { text };
  }

  async #generationFailed(row: PageInfo, err: unknown): Promise<boolean> {
    // Stopped (cancel, restart, or another row's fatal error) before anything was written: the row stays to do.
    // The abort closed the row's model stream, so nothing more of its answer arrives.
    if (this.ctx.run.generation.signal.aborted && !isFatalOpenAi(err)) return true;
    if (isFatalOpenAi(err) || isFatalNotion(err)) {
      this.#stopRun(err);
      return true;
    }
    await this.#rowFailed(row, err);
    return false;
  }

  /** An error every later row would meet too: the run stops, and its model streams with it. */
  #stopRun(err: unknown): void {
    this.ctx.run.fatal ??= err;
    this.ctx.run.generation.abort(err);
    this.#gate.wake();
  }

  async #writeRow(row: Pick<PageInfo, 'id' | 'title' | 'url'>, answer: RowAnswer): Promise<void> {
    const { run, store } = this.ctx;
    const record = run.record;
    // Listed first, then the marker: a crash in between leaves a listed row without a marker, which resume
    // drops (its write had not started), and never a marker no record points to.
    const marker: RowMarker = { rowId: row.id, ...answer, since: new Date().toISOString() };
    record.inFlight.push(row.id);
    await run.save();
    await store.setMarker(record.runId, marker);
    try {
      await writeRowAnswer(this.ctx, row.id, answer, this.plan.into);
    } catch (err) {
      record.inFlight = record.inFlight.filter((id) => id !== row.id);
      await store.deleteMarker(record.runId, row.id);
      throw err;
    }
    await this.#rowWritten(row);
  }

  async #rowWritten(row: Pick<PageInfo, 'id' | 'title' | 'url'>): Promise<void> {
    const { run, store } = this.ctx;
    const record = run.record;
    await store.recordWritten(record.user, record.connection.id, row.id, record.runId);
    this.plan.written.set(row.id, record.runId);
    record.inFlight = record.inFlight.filter((id) => id !== row.id);
    record.done += 1;
    run.addWritten(row.title || 'Untitled', row.url);
    await run.save();
    await store.deleteMarker(record.runId, row.id);
    run.emit();
  }

  async #rowFailed(row: Pick<PageInfo, 'id' | 'title'>, err: unknown): Promise<void> {
    const { run, logger } = this.ctx;
    logger.warn({ err: describeForLog(err), rowId: row.id }, 'a row failed');
    run.record.failed += 1;
    run.record.failedRowIds.push(row.id);
    run.record.error = `“${row.title || 'Untitled'}”: ${userMessageFor(err)}`;
    await run.save();
    run.emit();
  }
}
