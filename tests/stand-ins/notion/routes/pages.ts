// Pages: https://developers.notion.com/reference/post-page, /reference/retrieve-a-page,
// /reference/patch-page, /reference/retrieve-a-page-property, and the page Markdown endpoints (2026-03-11).
import { validateBlockTree } from '../blocks.js';
import { bodyInvalid, inTrashError, notFound, shouldBe, validationError } from '../errors.js';
import { notionTimestamp } from '../ids.js';
import { blocksToMarkdown, markdownToBlocks, pageMarkdownResponse } from '../markdown.js';
import { valueResponse, valuesFromRequest } from '../property-values.js';
import type { PageRecord, ParentRef } from '../records.js';
import { pageObject } from '../serialize.js';
import { userObject } from '../users.js';
import type { InsertPosition } from '../workspace.js';
import { bodyId, iconFromRequest, isObject, pathId, type Route, type RouteContext } from './route.js';

export const pageRoutes: Route[] = [
  { method: 'POST', template: '/v1/pages', write: true, handle: createPage },
  { method: 'GET', template: '/v1/pages/{page_id}', handle: retrievePage },
  { method: 'PATCH', template: '/v1/pages/{page_id}', write: true, handle: updatePage },
  { method: 'GET', template: '/v1/pages/{page_id}/properties/{property_id}', handle: pageProperty },
  { method: 'GET', template: '/v1/pages/{page_id}/markdown', handle: readMarkdown },
  { method: 'PATCH', template: '/v1/pages/{page_id}/markdown', write: true, handle: updateMarkdown },
];

function visiblePage(ctx: RouteContext): PageRecord {
  const id = pathId(ctx, 'page_id');
  const page = ctx.ws.visible(id, ['page'], ctx.integration.secret);
  if (!page) throw notFound('page', id);
  return page;
}

function createPage(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const parent = resolvePageParent(ctx);
  if (body.children !== undefined && body.markdown !== undefined) {
    throw validationError('body failed validation: provide either children or markdown, not both.');
  }
  const children = body.markdown !== undefined ? markdownBlocks(body.markdown) : (body.children ?? []);
  if (!Array.isArray(children)) throw bodyInvalid(shouldBe('body.children', 'an array', children));
  validateBlockTree(children, 'body.children');
  const values = valuesFromRequest(ws.schemaForParent(parent), body.properties ?? {});
  const page = ws.createPage({
    parent,
    values,
    icon: iconFromRequest(body.icon),
    cover: body.cover ?? null,
    by: integration.botId,
    position: pagePosition(body.position),
  });
  if (children.length > 0) ws.insertBlocks(page, children, 'body.children', { type: 'end' }, integration.botId);
  return pageObject(ws, page, ctx.version);
}

/** Every property, or those whose ids `filter_properties` names (https://developers.notion.com/reference/retrieve-a-page). */
function retrievePage(ctx: RouteContext): unknown {
  const object = pageObject(ctx.ws, visiblePage(ctx), ctx.version);
  const wanted = ctx.query.getAll('filter_properties');
  if (wanted.length > 0) {
    const properties = object.properties as Record<string, { id: string }>;
    object.properties = Object.fromEntries(Object.entries(properties).filter(([, value]) => wanted.includes(value.id)));
  }
  return object;
}

/** Rows go under a data source (`data_source_id`); `database_id` works only for a single-source database. */
function resolvePageParent(ctx: RouteContext): ParentRef {
  const { ws, body, integration } = ctx;
  const parent = body.parent;
  if (!isObject(parent)) throw bodyInvalid(shouldBe('body.parent', 'defined', parent));
  const secret = integration.secret;
  if ('page_id' in parent) {
    const id = bodyId(parent.page_id, 'body.parent.page_id');
    const page = ws.visible(id, ['page'], secret);
    if (!page) throw notFound('page', id);
    if (ws.isInTrash(page)) throw inTrashError();
    return { type: 'page', id };
  }
  if ('data_source_id' in parent) {
    const id = bodyId(parent.data_source_id, 'body.parent.data_source_id');
    const dataSource = ws.visible(id, ['data_source'], secret);
    if (!dataSource) throw notFound('data_source', id);
    if (ws.isInTrash(dataSource)) throw inTrashError();
    return { type: 'data_source', id };
  }
  if ('database_id' in parent) {
    const id = bodyId(parent.database_id, 'body.parent.database_id');
    const database = ws.visible(id, ['database'], secret);
    if (!database) throw notFound('database', id);
    if (database.dataSourceIds.length !== 1) {
      throw validationError(`Database ${id} has ${database.dataSourceIds.length} data sources; use a data_source_id parent.`);
    }
    if (ws.isInTrash(database)) throw inTrashError();
    return { type: 'data_source', id: database.dataSourceIds[0]! };
  }
  if ('workspace' in parent) {
    throw validationError("Internal integrations aren't owned by a single user, so creating workspace-level private pages is not supported.");
  }
  throw bodyInvalid(shouldBe('body.parent', 'an object with page_id, data_source_id or database_id', parent));
}

function pagePosition(position: unknown): InsertPosition {
  if (position === undefined) return { type: 'end' };
  if (isObject(position) && position.type === 'page_start') return { type: 'start' };
  if (isObject(position) && position.type === 'page_end') return { type: 'end' };
  if (isObject(position) && position.type === 'after_block') {
    return { type: 'after', id: bodyId(position.after_block?.id, 'body.position.after_block.id') };
  }
  throw bodyInvalid(shouldBe('body.position', 'one of: page_start, page_end, after_block', position));
}

function updatePage(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const page = visiblePage(ctx);
  if (body.in_trash !== undefined && typeof body.in_trash !== 'boolean') throw bodyInvalid(shouldBe('body.in_trash', 'a boolean', body.in_trash));
  if (body.in_trash === false) page.inTrash = false;
  const changesContent = ['properties', 'icon', 'cover'].some((key) => body[key] !== undefined);
  if (changesContent && ws.isInTrash(page)) throw inTrashError();
  const values = body.properties !== undefined ? valuesFromRequest(ws.schemaOf(page), body.properties) : new Map();
  for (const [id, value] of values) page.values.set(id, value);
  if (body.icon !== undefined) page.icon = iconFromRequest(body.icon);
  if (body.cover !== undefined) page.cover = body.cover;
  if (body.in_trash === true) page.inTrash = true;
  ws.touch(page, integration.botId);
  return pageObject(ws, page, ctx.version);
}

function pageProperty(ctx: RouteContext): unknown {
  const page = visiblePage(ctx);
  const key = ctx.params.property_id ?? '';
  const property = ctx.ws.schemaOf(page).find((candidate) => candidate.id === key || candidate.name === key);
  if (!property) throw validationError(`Could not find property with ID: ${key}`);
  const context = {
    created: notionTimestamp(page.createdMs),
    edited: notionTimestamp(page.lastEditedMs),
    user: (id: string) => userObject(ctx.ws, id, ctx.version),
  };
  const value = valueResponse(property, page, context);
  // Title, rich text, people and relation come back as a paginated list of property items.
  if (['title', 'rich_text', 'people', 'relation'].includes(property.type)) {
    const results = (value as unknown[]).map((item) => ({ object: 'property_item', id: property.id, type: property.type, [property.type]: item }));
    return {
      object: 'list',
      results,
      next_cursor: null,
      has_more: false,
      type: 'property_item',
      property_item: { id: property.id, next_url: null, type: property.type, [property.type]: {} },
    };
  }
  return { object: 'property_item', id: property.id, type: property.type, [property.type]: value };
}

function markdownBlocks(markdown: unknown): unknown[] {
  if (typeof markdown !== 'string') throw bodyInvalid(shouldBe('body.markdown', 'a string', markdown));
  return markdownToBlocks(markdown);
}

/** A page, or a block a truncated answer listed in `unknown_block_ids` (the endpoint accepts those ids too). */
function readMarkdown(ctx: RouteContext): unknown {
  const id = pathId(ctx, 'page_id');
  const record = ctx.ws.visible(id, ['page', 'block'], ctx.integration.secret);
  if (!record) throw notFound('page', id);
  return pageMarkdownResponse(ctx.ws, record, ctx.markdownBlockLimit);
}

/** `replace_content`, `insert_content` (start/end) and `update_content` (find and replace). */
function updateMarkdown(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const page = visiblePage(ctx);
  if (ws.isInTrash(page)) throw inTrashError();
  const operation = body[body.type];
  if (!isObject(operation)) throw bodyInvalid(shouldBe(`body.${String(body.type)}`, 'defined', operation));
  const replaceAll = (markdown: string) => {
    const blocks = markdownToBlocks(markdown);
    validateBlockTree(blocks, 'body.markdown');
    for (const child of ws.childrenOf(page)) if (child.kind === 'block') child.inTrash = true;
    ws.insertBlocks(page, blocks, 'body.markdown', { type: 'end' }, integration.botId);
  };
  switch (body.type) {
    case 'replace_content':
      replaceAll(String(operation.new_str ?? ''));
      break;
    case 'insert_content': {
      if (operation.after !== undefined) throw validationError('insert_content.after is not supported by the Notion stand-in; use position.');
      const blocks = markdownToBlocks(String(operation.content ?? ''));
      validateBlockTree(blocks, 'body.insert_content.content');
      const position: InsertPosition = operation.position?.type === 'start' ? { type: 'start' } : { type: 'end' };
      ws.insertBlocks(page, blocks, 'body.insert_content.content', position, integration.botId);
      break;
    }
    case 'update_content': {
      let markdown = blocksToMarkdown(ws, page);
      for (const [i, update] of (operation.content_updates ?? []).entries()) {
        if (!markdown.includes(update.old_str)) throw validationError(`body.update_content.content_updates[${i}].old_str was not found in the page.`);
        markdown = update.replace_all_matches ? markdown.split(update.old_str).join(update.new_str) : markdown.replace(update.old_str, update.new_str);
      }
      replaceAll(markdown);
      break;
    }
    default:
      throw bodyInvalid(shouldBe('body.type', 'one of: replace_content, insert_content, update_content', body.type));
  }
  return pageMarkdownResponse(ws, page, ctx.markdownBlockLimit);
}
