import { markdownToBlocksInTurns, richTextValue } from '../../adapters/notion/index.js';
import { describeForLog, userMessageFor } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';
import { AppendError, appendChecked, idempotentWrite, isFatalNotion, removeWrittenBlocks, writeOptions } from './notion-writes.js';
import { writeTypedRow } from './outputs/row-write.js';
import type { RowMarker } from './run-store.js';

/** What a row's write holds: its text, and for a typed row its property values (see RowMarker). */
export type RowAnswer = Pick<RowMarker, 'text' | 'properties'>;

/** Writes one row's answer: a typed row's values in one page update (plus the body), or its text. */
export async function writeRowAnswer(ctx: RunContext, rowId: string, answer: RowAnswer, into: string | undefined): Promise<void> {
  if (answer.properties === undefined) return writeRowText(ctx, rowId, answer.text, into);
  await writeTypedRow(ctx, rowId, { properties: answer.properties, body: answer.text }, (c, m) => writeRowText(c, m.rowId, m.text, undefined));
}

/** Writes one row's text: into the property (a replacement, safe to repeat) or at the end of its page. */
export async function writeRowText(ctx: RunContext, rowId: string, text: string, into: string | undefined): Promise<void> {
  const { notion } = ctx;
  const options = writeOptions(ctx);
  if (into !== undefined) {
    await idempotentWrite(() => notion.updatePageProperties(rowId, { [into]: richTextValue(text) }), options);
    return;
  }
  try {
    await appendChecked(notion, rowId, await markdownToBlocksInTurns(text), options);
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
export async function resolveInFlight(ctx: RunContext, written: Map<string, string>, into: string | undefined): Promise<void> {
  const { run, store } = ctx;
  const record = run.record;
  for (const rowId of [...record.inFlight]) {
    const marker = await store.getMarker(record.runId, rowId);
    if (marker && written.get(rowId) !== record.runId) await finishInFlightRow(ctx, marker, written, into);
    record.inFlight = record.inFlight.filter((id) => id !== rowId);
    await run.save();
    await store.deleteMarker(record.runId, rowId);
  }
}

/** Writes what of an interrupted row's text is missing; a row that cannot be finished counts as failed. */
async function finishInFlightRow(ctx: RunContext, marker: RowMarker, written: Map<string, string>, into: string | undefined): Promise<void> {
  const { run, store, logger } = ctx;
  const record = run.record;
  try {
    // A typed row's values are written again (a replacement, safe to repeat), then what of its body is missing.
    if (marker.properties !== undefined) await writeTypedRow(ctx, marker.rowId, { properties: marker.properties, body: marker.text }, finishPageWrite);
    else if (into !== undefined) await finishPropertyWrite(ctx, marker, into);
    else await finishPageWrite(ctx, marker);
    await store.recordWritten(record.user, record.connection.id, marker.rowId, record.runId);
    written.set(marker.rowId, record.runId);
  } catch (err) {
    if (isFatalNotion(err)) throw err;
    logger.warn({ err: describeForLog(err), rowId: marker.rowId }, 'an interrupted row could not be finished');
    record.failed += 1;
    record.failedRowIds.push(marker.rowId);
    record.error = userMessageFor(err);
  }
}

/** The property already holds the text, or it is written again (a replacement, safe to repeat). */
async function finishPropertyWrite(ctx: RunContext, marker: RowMarker, into: string): Promise<void> {
  const row = await idempotentWrite(() => ctx.notion.retrievePage(marker.rowId), writeOptions(ctx));
  const current = row.properties[into]?.plainText ?? '';
  if (current.trim() !== marker.text.trim()) await writeRowText(ctx, marker.rowId, marker.text, into);
}

/** The page already ends with (some of) the text's blocks: only the rest is appended. */
async function finishPageWrite(ctx: RunContext, marker: Pick<RowMarker, 'rowId' | 'text'>): Promise<void> {
  const { notion, logger } = ctx;
  const blocks = await markdownToBlocksInTurns(marker.text);
  const children = await idempotentWrite(() => notion.listChildren(marker.rowId), writeOptions(ctx));
  const landed = landedTail(children, blocks);
  if (landed.length < blocks.length) {
    logger.info({ rowId: marker.rowId, landed: landed.length, of: blocks.length }, 'resuming a row whose write was interrupted');
    await appendChecked(notion, marker.rowId, blocks.slice(landed.length), { ...writeOptions(ctx), afterId: landed.at(-1) });
  }
}
