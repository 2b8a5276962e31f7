// Databases and data sources (API 2025-09-03 and later: a database holds one or more data sources; schemas and
// rows belong to data sources). https://developers.notion.com/guides/get-started/upgrade-guide-2025-09-03
// https://developers.notion.com/reference/database-create (initial_data_source.properties),
// /reference/retrieve-a-data-source, /reference/update-a-data-source, /reference/query-a-data-source.
import { bodyInvalid, inTrashError, notFound, shouldBe, validationError } from '../errors.js';
import { compileFilter, compileSorts, paginate } from '../query.js';
import type { DatabaseRecord, DataSourceRecord } from '../records.js';
import { plainText, richTextFromRequest, richTextOf } from '../rich-text.js';
import { applySchemaUpdate, schemaFromRequest } from '../schema.js';
import { databaseObject, dataSourceObject, pageObject } from '../serialize.js';
import { listedProperties } from '../version-rules.js';
import { bodyId, iconFromRequest, isObject, pathId, type Route, type RouteContext } from './route.js';

export const dataSourceRoutes: Route[] = [
  { method: 'GET', template: '/v1/databases/{database_id}', handle: (ctx) => databaseObject(ctx.ws, visibleDatabase(ctx)) },
  { method: 'POST', template: '/v1/databases', write: true, handle: createDatabase },
  { method: 'PATCH', template: '/v1/databases/{database_id}', write: true, handle: updateDatabase },
  { method: 'GET', template: '/v1/data_sources/{data_source_id}', handle: (ctx) => dataSourceObject(ctx.ws, visibleDataSource(ctx)) },
  { method: 'PATCH', template: '/v1/data_sources/{data_source_id}', write: true, handle: updateDataSource },
  { method: 'POST', template: '/v1/data_sources/{data_source_id}/query', handle: queryDataSource },
];

function visibleDatabase(ctx: RouteContext): DatabaseRecord {
  const id = pathId(ctx, 'database_id');
  const database = ctx.ws.visible(id, ['database'], ctx.integration.secret);
  if (!database) throw notFound('database', id);
  return database;
}

function visibleDataSource(ctx: RouteContext): DataSourceRecord {
  const id = pathId(ctx, 'data_source_id');
  const dataSource = ctx.ws.visible(id, ['data_source'], ctx.integration.secret);
  if (!dataSource) throw notFound('data_source', id);
  return dataSource;
}

/** Databases created through the API live under a page; the new data source is named after the database. */
function createDatabase(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const parent = body.parent;
  if (!isObject(parent) || !('page_id' in parent)) {
    if (isObject(parent) && 'workspace' in parent) {
      throw validationError("Internal integrations aren't owned by a single user, so creating workspace-level private pages is not supported.");
    }
    throw bodyInvalid(shouldBe('body.parent', 'an object with type "page_id" and page_id', parent));
  }
  const pageId = bodyId(parent.page_id, 'body.parent.page_id');
  const page = ws.visible(pageId, ['page'], integration.secret);
  if (!page) throw notFound('page', pageId);
  if (ws.isInTrash(page)) throw inTrashError();
  const title = richTextFromRequest(body.title ?? [], 'body.title');
  const initial = body.initial_data_source ?? { properties: { Name: { title: {} } } };
  if (!isObject(initial)) throw bodyInvalid(shouldBe('body.initial_data_source', 'an object', initial));
  const schema = schemaFromRequest(initial.properties, 'body.initial_data_source.properties');
  const database = ws.createDatabase({
    parent: { type: 'page', id: pageId },
    title,
    description: richTextFromRequest(body.description ?? [], 'body.description'),
    isInline: body.is_inline === true,
    icon: iconFromRequest(body.icon),
    dataSources: [{ title: richTextOf(plainText(title)), schema }],
    by: integration.botId,
  });
  return databaseObject(ws, database);
}

function updateDatabase(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const database = visibleDatabase(ctx);
  if (body.in_trash === false) database.inTrash = false;
  if (ws.isInTrash(database) && (body.title !== undefined || body.description !== undefined)) throw inTrashError();
  if (body.title !== undefined) database.title = richTextFromRequest(body.title, 'body.title');
  if (body.description !== undefined) database.description = richTextFromRequest(body.description, 'body.description');
  if (body.icon !== undefined) database.icon = iconFromRequest(body.icon);
  if (typeof body.is_inline === 'boolean') database.isInline = body.is_inline;
  if (body.in_trash === true) database.inTrash = true;
  ws.touch(database, integration.botId);
  return databaseObject(ws, database);
}

function updateDataSource(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const dataSource = visibleDataSource(ctx);
  if (body.in_trash === false) dataSource.inTrash = false;
  if (ws.isInTrash(dataSource) && (body.title !== undefined || body.properties !== undefined)) throw inTrashError();
  const title = body.title !== undefined ? richTextFromRequest(body.title, 'body.title') : dataSource.title;
  const schema = body.properties !== undefined ? applySchemaUpdate(dataSource.schema, body.properties, 'body.properties') : dataSource.schema;
  dataSource.title = title;
  dataSource.schema = schema;
  if (body.in_trash === true) dataSource.inTrash = true;
  ws.touch(dataSource, integration.botId);
  return dataSourceObject(ws, dataSource);
}

/** Trashed rows are left out unless `in_trash: true` asks for them; each row carries the properties `listedProperties` keeps. */
function queryDataSource(ctx: RouteContext): unknown {
  const { ws, body } = ctx;
  const dataSource = visibleDataSource(ctx);
  const matches = compileFilter(body.filter, dataSource.schema);
  const compare = compileSorts(body.sorts, dataSource.schema);
  const wantTrashed = body.in_trash === true;
  const rows = dataSource.rowIds
    .map((id) => ws.get(id))
    .filter((row) => row?.kind === 'page')
    .filter((row) => row.inTrash === wantTrashed && matches(row))
    .sort(compare);
  const capped = rows.slice(0, ctx.queryResultLimit);
  const page = paginate(capped, (row) => row.id, body.start_cursor, body.page_size, 'body');
  const wanted = ctx.query.getAll('filter_properties');
  const results = page.results.map((row) => {
    const object = pageObject(ws, row, ctx.version);
    object.properties = listedProperties(object.properties as Record<string, { id: string; type: string }>, wanted, ctx.version);
    return object;
  });
  const response: Record<string, unknown> = {
    object: 'list',
    results,
    next_cursor: page.next_cursor,
    has_more: page.has_more,
    type: 'page_or_data_source',
    page_or_data_source: {},
  };
  if (rows.length > capped.length) response.request_status = { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' };
  return response;
}
