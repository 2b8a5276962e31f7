// Blocks: https://developers.notion.com/reference/retrieve-a-block, /reference/update-a-block,
// /reference/delete-a-block, /reference/get-block-children, /reference/patch-block-children.
// Append in 2026-03-11 places blocks with `position`: { type: 'end' } (default), { type: 'start' } or
// { type: 'after_block', after_block: { id } }; it answers with the new first-level blocks.
import { CHILDLESS_BLOCKS, parseBlockRequest, validateBlockTree } from '../blocks.js';
import { bodyInvalid, inTrashError, notFound, shouldBe, validationError } from '../errors.js';
import { paginate } from '../query.js';
import type { AnyRecord, ContainerRecord } from '../records.js';
import { blockObject } from '../serialize.js';
import type { InsertPosition } from '../workspace.js';
import { bodyId, isObject, listResponse, pathId, type Route, type RouteContext } from './route.js';

export const blockRoutes: Route[] = [
  { method: 'GET', template: '/v1/blocks/{block_id}', handle: (ctx) => blockObject(ctx.ws, visibleBlock(ctx)) },
  { method: 'PATCH', template: '/v1/blocks/{block_id}', write: true, handle: updateBlock },
  { method: 'DELETE', template: '/v1/blocks/{block_id}', handle: deleteBlock },
  { method: 'GET', template: '/v1/blocks/{block_id}/children', handle: listChildren },
  { method: 'PATCH', template: '/v1/blocks/{block_id}/children', write: true, handle: appendChildren },
];

/** Pages and databases are blocks too (`child_page`, `child_database`). */
function visibleBlock(ctx: RouteContext): Exclude<AnyRecord, { kind: 'data_source' }> {
  const id = pathId(ctx, 'block_id');
  const record = ctx.ws.visible(id, ['block', 'page', 'database'], ctx.integration.secret);
  if (!record) throw notFound('block', id);
  return record;
}

function visibleContainer(ctx: RouteContext): ContainerRecord {
  const record = visibleBlock(ctx);
  if (record.kind === 'database') throw validationError(`Block ${record.id} is a database; add rows to one of its data sources instead.`);
  return record;
}

function listChildren(ctx: RouteContext): unknown {
  const container = visibleContainer(ctx);
  const children = ctx.ws.childrenOf(container);
  const page = paginate(children, (child) => child.id, ctx.query.get('start_cursor') ?? undefined, ctx.query.get('page_size') ?? undefined, 'query');
  return listResponse('block', { ...page, results: page.results.map((child) => blockObject(ctx.ws, child)) });
}

function appendChildren(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const container = visibleContainer(ctx);
  if (ws.isInTrash(container)) throw inTrashError();
  if (container.kind === 'block' && CHILDLESS_BLOCKS.has(container.type)) {
    throw validationError(`Block type ${container.type} does not support children.`);
  }
  if (!Array.isArray(body.children)) throw bodyInvalid(shouldBe('body.children', 'an array', body.children));
  const position = appendPosition(body.position, container);
  validateBlockTree(body.children, 'body.children');
  const created = ws.insertBlocks(container, body.children, 'body.children', position, integration.botId);
  return listResponse('block', { results: created.map((block) => blockObject(ws, block)), next_cursor: null, has_more: false });
}

function appendPosition(position: unknown, container: ContainerRecord): InsertPosition {
  if (position === undefined) return { type: 'end' };
  if (isObject(position) && (position.type === 'start' || position.type === 'end')) return { type: position.type };
  if (isObject(position) && position.type === 'after_block') {
    const id = bodyId(position.after_block?.id, 'body.position.after_block.id');
    if (!container.childIds.includes(id)) throw validationError(`Block ${id} is not a child of ${container.id}.`);
    return { type: 'after', id };
  }
  throw bodyInvalid(shouldBe('body.position', 'an object with type "start", "end" or "after_block"', position));
}

function updateBlock(ctx: RouteContext): unknown {
  const { ws, body, integration } = ctx;
  const record = visibleBlock(ctx);
  if (body.in_trash === false) record.inTrash = false;
  if (record.kind === 'block' && body[record.type] !== undefined) {
    if (ws.isInTrash(record)) throw inTrashError();
    record.content = parseBlockRequest({ [record.type]: body[record.type] }, 'body').content;
  }
  if (body.in_trash === true) record.inTrash = true;
  ws.touch(record, integration.botId);
  return blockObject(ws, record);
}

/** Deleting moves the block (or page) to the trash. */
function deleteBlock(ctx: RouteContext): unknown {
  const record = visibleBlock(ctx);
  if (record.inTrash) throw inTrashError();
  record.inTrash = true;
  ctx.ws.touch(record, ctx.integration.botId);
  return blockObject(ctx.ws, record);
}
