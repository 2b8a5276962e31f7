// Records -> the JSON objects Notion returns in API versions 2026-03-11 and 2026-12-01 (users.ts has the difference
// inside page objects; version-rules.ts `listedProperties` the one of lists).
// `archived` is not returned: it was renamed to `in_trash` and removed in 2026-03-11
// (https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11).
// Object shapes: https://developers.notion.com/reference/page, /reference/database, /reference/data-source,
// /reference/block, and @notionhq/client's api-endpoints types.
import { compactId, notionTimestamp, objectUrl, pageUrl } from './ids.js';
import { valueResponse } from './property-values.js';
import type { AnyRecord, DatabaseRecord, DataSourceRecord, PageRecord, ParentRef } from './records.js';
import { schemaResponse } from './schema.js';
import { userObject } from './users.js';
import { NOTION_VERSION, type NotionVersion } from './version-rules.js';
import type { Workspace } from './workspace.js';

const user = (id: string) => ({ object: 'user', id });

function timestamps(record: AnyRecord) {
  return {
    created_time: notionTimestamp(record.createdMs),
    last_edited_time: notionTimestamp(record.lastEditedMs),
    created_by: user(record.createdBy),
    last_edited_by: user(record.lastEditedBy),
  };
}

export function parentResponse(ws: Workspace, parent: ParentRef): Record<string, unknown> {
  switch (parent.type) {
    case 'workspace':
      return { type: 'workspace', workspace: true };
    case 'page':
      return { type: 'page_id', page_id: parent.id };
    case 'block':
      return { type: 'block_id', block_id: parent.id };
    case 'database':
      return { type: 'database_id', database_id: parent.id };
    case 'data_source': {
      const dataSource = ws.get(parent.id) as DataSourceRecord;
      return { type: 'data_source_id', data_source_id: parent.id, database_id: dataSource.databaseId };
    }
  }
}

/** A page as `version` shows it (default: the version the app speaks). */
export function pageObject(ws: Workspace, page: PageRecord, version: NotionVersion = NOTION_VERSION): Record<string, unknown> {
  const times = timestamps(page);
  const stamp = { created: times.created_time, edited: times.last_edited_time, user: (id: string) => userObject(ws, id, version) };
  const properties = Object.fromEntries(
    ws.schemaOf(page).map((property) => {
      const value: Record<string, unknown> = { id: property.id, type: property.type, [property.type]: valueResponse(property, page, stamp) };
      if (property.type === 'relation') value.has_more = false;
      return [property.name, value];
    }),
  );
  return {
    object: 'page',
    id: page.id,
    ...times,
    cover: page.cover,
    icon: page.icon,
    parent: parentResponse(ws, page.parent),
    in_trash: page.inTrash,
    is_locked: false,
    properties,
    url: pageUrl(ws.titleOf(page), page.id),
    public_url: null,
  };
}

export function databaseObject(ws: Workspace, database: DatabaseRecord): Record<string, unknown> {
  return {
    object: 'database',
    id: database.id,
    title: structuredClone(database.title),
    description: structuredClone(database.description),
    parent: parentResponse(ws, database.parent),
    is_inline: database.isInline,
    in_trash: database.inTrash,
    is_locked: false,
    ...timestamps(database),
    data_sources: database.dataSourceIds.map((id) => ({ id, name: ws.titleOf(ws.get(id)!) })),
    icon: database.icon,
    cover: database.cover,
    url: objectUrl(database.id),
    public_url: null,
  };
}

export function dataSourceObject(ws: Workspace, dataSource: DataSourceRecord): Record<string, unknown> {
  const database = ws.get(dataSource.databaseId) as DatabaseRecord;
  return {
    object: 'data_source',
    id: dataSource.id,
    title: structuredClone(dataSource.title),
    description: [],
    parent: { type: 'database_id', database_id: database.id },
    database_parent: parentResponse(ws, database.parent),
    is_inline: database.isInline,
    in_trash: dataSource.inTrash,
    ...timestamps(dataSource),
    properties: structuredClone(schemaResponse(dataSource.schema)),
    icon: database.icon,
    cover: null,
    url: `https://www.notion.so/${compactId(database.id)}?v=${compactId(dataSource.id)}`,
    public_url: null,
  };
}

/** Any record as a block: child pages and child databases appear as `child_page` / `child_database` blocks. */
export function blockObject(ws: Workspace, record: AnyRecord): Record<string, unknown> {
  const common = { object: 'block', id: record.id, ...timestamps(record) };
  if (record.kind === 'page' || record.kind === 'database') {
    const type = record.kind === 'page' ? 'child_page' : 'child_database';
    return {
      ...common,
      parent: parentResponse(ws, record.parent),
      has_children: record.kind === 'page' && ws.childrenOf(record).length > 0,
      in_trash: record.inTrash,
      type,
      [type]: { title: ws.titleOf(record) },
    };
  }
  if (record.kind === 'data_source') throw new Error('data sources are not blocks');
  return {
    ...common,
    parent: parentResponse(ws, record.parent),
    has_children: ws.childrenOf(record).length > 0,
    in_trash: record.inTrash,
    type: record.type,
    [record.type]: structuredClone(record.content),
  };
}

/** For inspection by tests: a block with its descendants under a non-API `children` key. */
export function blockTree(ws: Workspace, record: AnyRecord, includeTrashed: boolean): Record<string, unknown> {
  const block = blockObject(ws, record);
  if (record.kind === 'block' || record.kind === 'page') {
    const children = ws.childrenOf(record, includeTrashed);
    if (record.kind === 'block' && children.length > 0) block.children = children.map((child) => blockTree(ws, child, includeTrashed));
  }
  return block;
}
