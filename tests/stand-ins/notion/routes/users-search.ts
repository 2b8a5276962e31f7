// GET /v1/users/me (https://developers.notion.com/reference/get-self) and POST /v1/search
// (https://developers.notion.com/reference/post-search; since 2025-09-03 the object filter takes "page" or
// "data_source", not "database").
import { bodyInvalid, shouldBe } from '../errors.js';
import { paginate } from '../query.js';
import type { DataSourceRecord, PageRecord } from '../records.js';
import { dataSourceObject, pageObject } from '../serialize.js';
import { listedProperties } from '../version-rules.js';
import { isObject, type Route, type RouteContext } from './route.js';

export const userAndSearchRoutes: Route[] = [
  { method: 'GET', template: '/v1/users/me', handle: botUser },
  { method: 'POST', template: '/v1/search', handle: search },
];

function botUser({ integration }: RouteContext): unknown {
  return {
    object: 'user',
    id: integration.botId,
    name: integration.name,
    avatar_url: null,
    type: 'bot',
    bot: {
      owner: { type: 'workspace', workspace: true },
      workspace_name: integration.workspaceName,
      workspace_id: integration.workspaceId,
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

function search(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const filter = body.filter;
  if (filter !== undefined && (!isObject(filter) || (filter.property === 'object' && !['page', 'data_source'].includes(filter.value)))) {
    throw bodyInvalid(shouldBe('body.filter.value', '"page" or "data_source"', isObject(filter) ? filter.value : filter));
  }
  const wantedKind = isObject(filter) && filter.property === 'object' ? filter.value : undefined;
  const wantTrashed = isObject(filter) && filter.in_trash === true;
  const text = typeof body.query === 'string' ? body.query.toLowerCase() : '';
  const found = [...ws.records.values()].filter(
    (record): record is PageRecord | DataSourceRecord =>
      (record.kind === 'page' || record.kind === 'data_source') &&
      (wantedKind === undefined || record.kind === wantedKind) &&
      ws.isInTrash(record) === wantTrashed &&
      ws.isSharedWith(record, integration.secret) &&
      ws.titleOf(record).toLowerCase().includes(text),
  );
  const descending = !(isObject(body.sort) && body.sort.direction === 'ascending');
  found.sort((a, b) => (descending ? b.lastEditedMs - a.lastEditedMs : a.lastEditedMs - b.lastEditedMs));
  const page = paginate(found, (record) => record.id, body.start_cursor, body.page_size, 'body');
  // Pages carry the properties `filter_properties` names; under 2026-12-01 without it only the title (the
  // upgrade guide's "Request only the page properties you read").
  const wanted = ctx.query.getAll('filter_properties');
  const results = page.results.map((record) => {
    if (record.kind !== 'page') return dataSourceObject(ws, record);
    const object = pageObject(ws, record, ctx.version);
    object.properties = listedProperties(object.properties as Record<string, { id: string; type: string }>, wanted, ctx.version);
    return object;
  });
  return { object: 'list', results, next_cursor: page.next_cursor, has_more: page.has_more, type: 'page_or_data_source', page_or_data_source: {} };
}
