import type { RunContext } from '../active-run.js';
import { idempotentWrite, writeOptions } from '../notion-writes.js';
import type { RowMarker } from '../run-store.js';
import type { TypedRowWrite } from './writes.js';

/** The page body's part of a row (appended, checked as a page-body row is). */
type BodyWriter = (ctx: RunContext, marker: Pick<RowMarker, 'rowId' | 'text'>) => Promise<void>;

/**
 * A typed row: every property value in ONE page update (`PATCH /v1/pages/{id}`, a replacement, so repeating it
 * after a restart is safe; https://developers.notion.com/reference/patch-page), then the page body, if any.
 */
export async function writeTypedRow(ctx: RunContext, rowId: string, write: TypedRowWrite, writeBody: BodyWriter): Promise<void> {
  if (Object.keys(write.properties).length > 0) {
    await idempotentWrite(() => ctx.notion.updatePageProperties(rowId, write.properties), writeOptions(ctx));
  }
  if (write.body.trim() !== '') await writeBody(ctx, { rowId, text: write.body });
}
