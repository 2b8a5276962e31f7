import { markdownToBlocksInTurns, type PageInfo, richTextValue } from '../../adapters/notion/index.js';
import { describeForLog, NotionError, userMessageFor, VisenError } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';
import { generateText, isFatalOpenAi, SYSTEM_PROMPTS } from './model.js';
import { AppendError, appendChecked, idempotentWrite, isFatalNotion, removeWrittenBlocks } from './notion-writes.js';
import { writeOptions } from './page-run.js';
import { RowQueue } from './row-queue.js';
import { cellText, relationIdsOf } from './row-values.js';
import type { RowMarker } from './run-store.js';
import { bindPlaceholders, fillTemplate } from './template.js';

export type DatabaseRunEnd = 'complete' | 'cancelled' | 'interrupted';

/** Notion allows 100 rich-text items of 2000 characters in a text property. */
const PROPERTY_MAX_CHARS = 100 * 2_000;

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
export async function runDatabase(ctx: RunContext): Promise<DatabaseRunEnd> {
  const { run, notion, store, options, logger } = ctx;
  const record = run.record;
  const request = record.request;
  const dataSourceId = record.target.dataSourceId!;
  const into = request.output.kind === 'property' ? request.output.property : undefined;

  // A resumed run checks the schema again before any row: it may have changed before the restart.
  const schema = ctx.startSchema ?? (await notion.retrieveDataSource(dataSourceId));
  const binding = bindPlaceholders(request.prompt, Object.keys(schema.properties));
  if (into !== undefined && schema.properties[into]?.type !== 'rich_text') {
    throw new VisenError(
      'property_gone',
      `The database no longer has a text property \`${into}\` to write into. Rename it back in Notion, or run again with another property.`,
    );
  }
  const relationProperties = [...new Set(binding.values())].filter((name) => schema.properties[name]?.type === 'relation');

  const written = await store.writtenRows(record.user, record.connection.id);
  await resolveInFlight(ctx, written, into);
  record.done = [...written.values()].filter((runId) => runId === record.runId).length;
  const failedRows = new Set(record.failedRowIds);
  const alreadyCounted = record.done + record.failed;
  record.skipped = 0;
  record.total = undefined;
  await run.save();
  run.emit();

  const queue = new RowQueue<PageInfo>();
  const relationTitles = new Map<string, string>();
  let consecutiveFailures = 0;
  let queryFinished = false;

  const producer = (async () => {
    let planned = 0;
    const budget = request.limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, request.limit - alreadyCounted);
    try {
      for await (const row of notion.queryDataSource(dataSourceId)) {
        if (run.stopping) return;
        if (row.inTrash || written.get(row.id) === record.runId || failedRows.has(row.id)) continue;
        if (request.onlyEmpty && (written.has(row.id) || (into !== undefined && (row.properties[into]?.plainText ?? '').trim() !== ''))) {
          record.skipped += 1;
          run.emit();
          continue;
        }
        if (planned >= budget) break;
        planned += 1;
        queue.push(row);
      }
      queryFinished = true;
      record.total = alreadyCounted + planned;
      run.emit();
    } catch (err) {
      run.fatal ??= err;
      run.generation.abort(err);
    } finally {
      queue.close();
    }
  })();

  const worker = async () => {
    for (;;) {
      if (run.stopping) return;
      const row = await queue.take();
      if (!row || run.stopping) return;
      const ok = await processRow(row);
      consecutiveFailures = ok ? 0 : consecutiveFailures + 1;
      if (consecutiveFailures >= options.maxConsecutiveRowFailures && run.fatal === undefined) {
        run.fatal = new VisenError(
          'too_many_failures',
          `Visen stopped after ${consecutiveFailures} rows failed one after another. Last problem: ${record.error ?? 'unknown'}`,
        );
        run.generation.abort(run.fatal);
      }
    }
  };

  /** One row: fill, generate, write. True when written; false when it failed (the run goes on). */
  async function processRow(row: PageInfo): Promise<boolean> {
    let text: string;
    try {
      const titles = await lookUpRelationTitles(row, relationProperties);
      const prompt = fillTemplate(request.prompt, binding, (property) => cellText(row.properties[property], titles));
      text = await generateText(ctx.openai, {
        model: record.model,
        system: into !== undefined ? SYSTEM_PROMPTS.property : SYSTEM_PROMPTS.rowPage,
        prompt,
        signal: run.generation.signal,
        attempts: options.generationAttempts,
        backoffMs: options.backoffMs,
        logger,
        maxChars: into !== undefined ? PROPERTY_MAX_CHARS : undefined,
      });
      // Cancelled (or stopped) while the answer came in: nothing of this row is written; it stays to do.
      if (run.generation.signal.aborted) return true;
      if (text.trim() === '') throw new VisenError('empty_answer', 'The model returned an empty answer for this row.');
      if (into !== undefined && text.length > PROPERTY_MAX_CHARS) {
        throw new VisenError(
          'too_long',
          `The answer for this row is longer than a Notion text property holds (${PROPERTY_MAX_CHARS.toLocaleString('en-US')} characters). Write into the row's page instead.`,
        );
      }
    } catch (err) {
      // Stopped (cancel, restart, or another row's fatal error) before anything was written: the row stays to do.
      // The abort closed the row's model stream, so nothing more of its answer arrives.
      if (run.generation.signal.aborted && !isFatalOpenAi(err)) return true;
      if (isFatalOpenAi(err) || isFatalNotion(err)) {
        run.fatal ??= err;
        run.generation.abort(err);
        return true;
      }
      await rowFailed(row, err);
      return false;
    }
    try {
      await writeRow(row, text);
      return true;
    } catch (err) {
      if (isFatalNotion(err)) {
        run.fatal ??= err;
        run.generation.abort(err);
      }
      await rowFailed(row, err);
      return false;
    }
  }

  async function writeRow(row: PageInfo, text: string): Promise<void> {
    // Listed first, then the marker: a crash in between leaves a listed row without a marker, which resume
    // drops (its write had not started), and never a marker no record points to.
    const marker: RowMarker = { rowId: row.id, text, since: new Date().toISOString() };
    record.inFlight.push(row.id);
    await run.save();
    await store.setMarker(record.runId, marker);
    try {
      await writeText(ctx, row.id, text, into);
    } catch (err) {
      record.inFlight = record.inFlight.filter((id) => id !== row.id);
      await store.deleteMarker(record.runId, row.id);
      throw err;
    }
    await rowWritten(row.id, row.title || 'Untitled', row.url);
  }

  async function rowWritten(rowId: string, title: string, url: string): Promise<void> {
    await store.recordWritten(record.user, record.connection.id, rowId, record.runId);
    written.set(rowId, record.runId);
    record.inFlight = record.inFlight.filter((id) => id !== rowId);
    record.done += 1;
    run.addWritten(title, url);
    await run.save();
    await store.deleteMarker(record.runId, rowId);
    run.emit();
  }

  async function rowFailed(row: PageInfo, err: unknown): Promise<void> {
    logger.warn({ err: describeForLog(err), runId: record.runId, rowId: row.id }, 'a row failed');
    record.failed += 1;
    record.failedRowIds.push(row.id);
    record.error = `“${row.title || 'Untitled'}”: ${userMessageFor(err)}`;
    await run.save();
    run.emit();
  }

  async function lookUpRelationTitles(row: PageInfo, properties: readonly string[]): Promise<Map<string, string>> {
    if (properties.length === 0) return relationTitles;
    for (const id of relationIdsOf(row.properties, properties, options.relationTitlesPerCell)) {
      if (relationTitles.has(id)) continue;
      try {
        relationTitles.set(id, (await notion.retrievePage(id)).title);
      } catch (err) {
        // A related page the integration cannot see: the prompt gets the other titles.
        if (!(err instanceof NotionError)) throw err;
        relationTitles.set(id, '');
      }
    }
    return relationTitles;
  }

  const workers = Array.from({ length: Math.max(1, options.rowConcurrency) }, () => worker());
  await Promise.all([producer, ...workers]);

  if (run.fatal !== undefined) throw run.fatal;
  if (run.cancelRequested) return 'cancelled';
  if (run.stopRequested && !(queryFinished && queue.size === 0 && record.done + record.failed >= (record.total ?? Infinity))) return 'interrupted';
  return 'complete';
}

/** Writes one row's text: into the property (a replacement, safe to repeat) or at the end of its page. */
async function writeText(ctx: RunContext, rowId: string, text: string, into: string | undefined, afterId?: string): Promise<void> {
  const { notion } = ctx;
  const options = writeOptions(ctx);
  if (into !== undefined) {
    await idempotentWrite(() => notion.updatePageProperties(rowId, { [into]: richTextValue(text) }), options);
    return;
  }
  try {
    await appendChecked(notion, rowId, await markdownToBlocksInTurns(text), { ...options, afterId });
  } catch (err) {
    if (err instanceof AppendError) {
      // Part of the text landed: take it out again, so the row is either whole or untouched.
      await removeWrittenBlocks(notion, err.landedIds, options).catch((cleanupError: unknown) =>
        ctx.logger.warn({ err: describeForLog(cleanupError), rowId }, 'could not take out a partly written row'),
      );
      throw err.original;
    }
    throw err;
  }
}

/**
 * Rows whose write may have started before a restart: checked in Notion, and finished from the stored text
 * (never generated again), so each is written exactly once.
 */
async function resolveInFlight(ctx: RunContext, written: Map<string, string>, into: string | undefined): Promise<void> {
  const { run, notion, store, logger } = ctx;
  const record = run.record;
  const options = writeOptions(ctx);
  for (const rowId of [...record.inFlight]) {
    const marker = await store.getMarker(record.runId, rowId);
    if (marker && written.get(rowId) !== record.runId) {
      try {
        if (into !== undefined) {
          const row = await idempotentWrite(() => notion.retrievePage(rowId), options);
          const current = row.properties[into]?.plainText ?? '';
          if (current.trim() !== marker.text.trim()) await writeText(ctx, rowId, marker.text, into);
        } else {
          const blocks = await markdownToBlocksInTurns(marker.text);
          const children = await idempotentWrite(() => notion.listChildren(rowId), options);
          const landed = landedTail(children, blocks);
          if (landed.length < blocks.length) {
            logger.info({ runId: record.runId, rowId, landed: landed.length, of: blocks.length }, 'resuming a row whose write was interrupted');
            await appendChecked(notion, rowId, blocks.slice(landed.length), { ...options, afterId: landed.at(-1) });
          }
        }
        await store.recordWritten(record.user, record.connection.id, rowId, record.runId);
        written.set(rowId, record.runId);
      } catch (err) {
        if (isFatalNotion(err)) throw err;
        logger.warn({ err: describeForLog(err), runId: record.runId, rowId }, 'an interrupted row could not be finished');
        record.failed += 1;
        record.failedRowIds.push(rowId);
        record.error = userMessageFor(err);
      }
    }
    record.inFlight = record.inFlight.filter((id) => id !== rowId);
    await run.save();
    await store.deleteMarker(record.runId, rowId);
  }
}
