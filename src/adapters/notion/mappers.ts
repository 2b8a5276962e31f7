/**
 * Notion's response objects (API 2026-12-01) -> our plain types. Shapes: https://developers.notion.com/reference/page,
 * /reference/database (a container of data sources since 2025-09-03), /reference/data-source, /reference/block.
 * `in_trash` replaces `archived` in 2026-03-11 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11).
 * Read defensively: a partial object (only `object` and `id`, which Notion returns when the integration lacks
 * read access) maps to empty values instead of crashing.
 */
import { blockContent } from './blocks.js';
import { richTextPlain, toPropertyValue } from './property-values.js';
import type { BlockInfo, DatabaseInfo, DataSourceSchema, PageInfo, ParentType, PropertySchema, PropertyValue } from './types.js';
import { notionObjectUrl } from './urls.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asString = (v: unknown): string => (typeof v === 'string' ? v : '');
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function toDatabaseInfo(response: unknown): DatabaseInfo {
  const db = isObject(response) ? response : {};
  const id = asString(db.id);
  return {
    id,
    url: asString(db.url) || notionObjectUrl(id),
    title: richTextPlain(db.title),
    description: richTextPlain(db.description),
    dataSources: asArray(db.data_sources).flatMap((ds) => (isObject(ds) && typeof ds.id === 'string' ? [{ id: ds.id, name: asString(ds.name) }] : [])),
  };
}

export function toDataSourceSchema(response: unknown): DataSourceSchema {
  const ds = isObject(response) ? response : {};
  const parent = isObject(ds.parent) ? ds.parent : {};
  const properties: Record<string, PropertySchema> = {};
  const propertyTypes: Record<string, string> = {};
  for (const [name, config] of Object.entries(isObject(ds.properties) ? ds.properties : {})) {
    if (!isObject(config)) continue;
    const type = asString(config.type);
    const inner = config[type];
    const options =
      isObject(inner) && Array.isArray(inner.options) ? inner.options.map((o) => (isObject(o) ? asString(o.name) : '')).filter(Boolean) : undefined;
    const description = asString(config.description).trim();
    const related = type === 'relation' && isObject(inner) ? asString(inner.data_source_id) : '';
    properties[name] = {
      id: asString(config.id),
      type,
      ...(options ? { options } : {}),
      ...(description ? { description } : {}),
      ...(related ? { relatedDataSourceId: related } : {}),
    };
    propertyTypes[name] = type;
  }
  const title = richTextPlain(ds.title);
  return { id: asString(ds.id), databaseId: asString(parent.database_id), title, name: title, properties, propertyTypes };
}

export function toPageInfo(response: unknown): PageInfo {
  const page = isObject(response) ? response : {};
  const id = asString(page.id);
  const properties: Record<string, PropertyValue> = {};
  let title = '';
  for (const [name, value] of Object.entries(isObject(page.properties) ? page.properties : {})) {
    const simplified = toPropertyValue(value);
    properties[name] = simplified;
    if (simplified.type === 'title' && title === '') title = simplified.plainText;
  }
  return {
    id,
    url: asString(page.url) || notionObjectUrl(id),
    title,
    inTrash: page.in_trash === true,
    parent: toParent(page.parent),
    properties,
    createdTime: asString(page.created_time),
    lastEditedTime: asString(page.last_edited_time),
    createdBy: isObject(page.created_by) ? asString(page.created_by.id) : '',
  };
}

export function toBlockInfo(response: unknown): BlockInfo {
  const block = isObject(response) ? response : {};
  return {
    id: asString(block.id),
    ...blockContent(block),
    hasChildren: block.has_children === true,
    inTrash: block.in_trash === true,
    createdTime: asString(block.created_time),
  };
}

function toParent(parent: unknown): PageInfo['parent'] {
  if (!isObject(parent)) return { type: 'workspace' };
  const map: Record<string, [ParentType, string | undefined]> = {
    page_id: ['page', asString(parent.page_id)],
    data_source_id: ['data_source', asString(parent.data_source_id)],
    database_id: ['database', asString(parent.database_id)],
    block_id: ['block', asString(parent.block_id)],
    workspace: ['workspace', undefined],
  };
  const found = map[asString(parent.type)];
  if (!found) return { type: 'workspace' };
  const [type, id] = found;
  return id ? { type, id } : { type };
}
