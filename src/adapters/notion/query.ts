/**
 * Every row of a data source query, across pages of results and past Notion's per-query cap.
 *
 * "A single data source query returns at most 10,000 results. That limit is per query, not per data source ...
 * once one reaches the limit, pagination stops. has_more comes back false and the response carries a
 * request_status that marks the result as incomplete." The documented way past it is to partition by created_time:
 * sort by created_time ascending and, when a query is cut off, start a fresh query (a new filter, so a new budget)
 * from the last row's created_time. https://developers.notion.com/guides/data-apis/query-large-data-sources
 *
 * Without caller sorts we use the SDK's `iterateAllDataSourceRows`, which does exactly that (and de-duplicates rows
 * on a window boundary). With caller sorts the created_time partition is impossible (it needs its own sort), so we
 * paginate with `iteratePaginatedAPI` and, if Notion says the result was cut off, fail after the rows read so far
 * with a clear message rather than silently returning part of the data. A filter with a top-level `or` cannot take
 * the extra created_time bound (Notion nests filters two levels at most), so it is paginated the same way.
 */
import { type Client, isFullPage, iterateAllDataSourceRows, iteratePaginatedAPI, type QueryDataSourceParameters } from '@notionhq/client';
import { NotionError } from '../../errors.js';
import { NOTION_LIMITS } from './limits.js';
import { toPageInfo } from './mappers.js';
import type { PageInfo, QueryOptions } from './types.js';

/** `filterProperties`: the property ids every row carries (see QueryOptions.properties and property-ids.ts). */
export function queryAllRows(
  client: Client,
  dataSourceId: string,
  options: Omit<QueryOptions, 'properties'>,
  filterProperties: readonly string[],
): AsyncGenerator<PageInfo> {
  const filter = options.filter as QueryDataSourceParameters['filter'];
  const args: QueryDataSourceParameters = {
    data_source_id: dataSourceId,
    page_size: Math.max(1, Math.min(NOTION_LIMITS.pageSize, options.pageSize ?? NOTION_LIMITS.pageSize)),
    filter_properties: [...filterProperties],
    ...(filter ? { filter } : {}),
    ...(options.sorts?.length ? { sorts: options.sorts as QueryDataSourceParameters['sorts'] } : {}),
  };
  const partitionable = !options.sorts?.length && !(filter && 'or' in filter);
  return partitionable ? partitionedRows(client, args) : paginatedRows(client, args);
}

/** By created_time windows (the SDK's helper), past the per-query cap. */
async function* partitionedRows(client: Client, args: QueryDataSourceParameters): AsyncGenerator<PageInfo> {
  const rows = iterateAllDataSourceRows(client, args as Parameters<typeof iterateAllDataSourceRows>[1]);
  try {
    for await (const row of rows) if (isFullPage(row)) yield toPageInfo(row);
  } catch (err) {
    // The helper cannot narrow a window when more rows than the cap share one created_time (Notion shows it to
    // the minute): only a filter can split them.
    if (err instanceof Error && !(err instanceof NotionError) && /cannot make progress/.test(err.message)) {
      throw new NotionError(
        'validation_error',
        `More than ${NOTION_LIMITS.queryResultCap.toLocaleString('en-US')} rows were created in the same minute, so Notion cannot list them all in one go. Narrow the rows with a filter.`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Page after page; a result Notion cut off at the cap fails after the rows read so far. */
async function* paginatedRows(client: Client, args: QueryDataSourceParameters): AsyncGenerator<PageInfo> {
  let incomplete = false;
  const listFn = async (pageArgs: QueryDataSourceParameters) => {
    const response = await client.dataSources.query(pageArgs);
    if (response.request_status?.type === 'incomplete') incomplete = true;
    return response;
  };
  for await (const row of iteratePaginatedAPI(listFn, args)) if (isFullPage(row)) yield toPageInfo(row);
  if (incomplete) {
    throw new NotionError(
      'validation_error',
      `More than ${NOTION_LIMITS.queryResultCap.toLocaleString('en-US')} rows match, and Notion returns at most that many for one sorted query. Narrow it with a filter.`,
    );
  }
}
