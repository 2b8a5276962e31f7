import type { NotionWorkspace, PageInfo } from '../../adapters/notion/index.js';
import { NotionError } from '../../errors.js';
import type { RunRequest } from './run-store.js';

/** Past this many chosen rows, one query of the rows edited since is cheaper than reading each row. */
const CHOSEN_ROWS_READ_ONE_BY_ONE = 25;

/**
 * The rows a run was given (an automation's added or changed rows): read one by one when few, else by one query of
 * the rows edited since `rowsEditedSince` (100 rows a request) keeping the chosen ones. Rows gone since are passed over.
 */
export async function* chosenRows(notion: NotionWorkspace, dataSourceId: string, request: RunRequest, properties: readonly string[]): AsyncGenerator<PageInfo> {
  const chosen = new Set(request.rows);
  if (request.rowsEditedSince !== undefined && chosen.size > CHOSEN_ROWS_READ_ONE_BY_ONE) {
    const filter = { timestamp: 'last_edited_time', last_edited_time: { on_or_after: request.rowsEditedSince } };
    for await (const row of notion.queryDataSource(dataSourceId, { properties, filter })) if (chosen.delete(row.id)) yield row;
  }
  for (const rowId of chosen) {
    try {
      yield await notion.retrievePage(rowId, { select: { dataSourceId, properties } });
    } catch (err) {
      if (!(err instanceof NotionError && err.code === 'object_not_found')) throw err;
    }
  }
}
