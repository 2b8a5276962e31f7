/**
 * A tree of blocks -> append requests Notion accepts. From https://developers.notion.com/reference/patch-block-children
 * and https://developers.notion.com/reference/request-limits:
 *   - at most 100 blocks in any `children` array ("a limit of 100 block children");
 *   - "up to two levels of nesting in a single request": top-level blocks, their children and their grandchildren;
 *   - at most 1000 block elements and 500KB overall per request (payload limits on the request-limits page).
 *
 * What does not fit is held back as `deferred`: children to append to a block of this batch once Notion has created
 * it (its id is known only then). Only tails are held back (the children after the last one kept), so appending
 * them at the end of their parent keeps the document's order. A table, which Notion creates together with its
 * rows, is never placed where its rows would be too deep: it and the blocks after it are held back instead.
 */
import { childrenOf, type NotionBlock, needsChildren, ownBytes, withChildren } from './blocks.js';
import { NOTION_LIMITS } from './limits.js';

export interface DeferredChildren {
  /** Where the parent is: index in the batch's `blocks`, then index among that block's children, and so on. */
  readonly path: readonly number[];
  /** Blocks to append to that parent, in order (may be deep; they are split again when appended). */
  readonly children: readonly NotionBlock[];
}

export interface AppendBatch {
  /** One request's `children`: within every limit above. */
  readonly blocks: readonly NotionBlock[];
  readonly deferred: readonly DeferredChildren[];
}

/** Block levels in one request: the top level plus two levels of nesting. */
const MAX_LEVEL = 1 + NOTION_LIMITS.nestingLevels;
const MAX_CHILDREN = NOTION_LIMITS.childrenPerArray;
const MAX_ELEMENTS = NOTION_LIMITS.blockElementsPerRequest;
const MAX_BYTES = NOTION_LIMITS.payloadBytesBudget;

interface Budget {
  elements: number;
  bytes: number;
}

export function splitForAppend(blocks: readonly NotionBlock[]): AppendBatch[] {
  const batches: AppendBatch[] = [];
  let current: { blocks: NotionBlock[]; deferred: DeferredChildren[] } = { blocks: [], deferred: [] };
  let budget: Budget = { elements: MAX_ELEMENTS, bytes: MAX_BYTES };
  const flush = () => {
    if (current.blocks.length > 0) batches.push(current);
    current = { blocks: [], deferred: [] };
    budget = { elements: MAX_ELEMENTS, bytes: MAX_BYTES };
  };
  for (const block of blocks) {
    if (current.blocks.length >= MAX_CHILDREN || !fits(minimalCost(block), budget)) flush();
    const trimmed = trim(block, 1, budget);
    for (const deferred of trimmed.deferred) current.deferred.push({ path: [current.blocks.length, ...deferred.path], children: deferred.children });
    current.blocks.push(trimmed.block);
  }
  flush();
  return batches;
}

/** How many blocks a batch sends in all (for tests and logs). */
export function countBlocks(blocks: readonly NotionBlock[]): number {
  return blocks.reduce((sum, block) => sum + 1 + countBlocks(childrenOf(block)), 0);
}

/** The least a block needs in a request: itself, plus its first child when it cannot exist without children. */
function minimalCost(block: NotionBlock): Budget {
  const first = needsChildren(block) ? childrenOf(block)[0] : undefined;
  return first ? { elements: 2, bytes: ownBytes(block) + ownBytes(first) } : { elements: 1, bytes: ownBytes(block) };
}

const fits = (cost: Budget, budget: Budget) => cost.elements <= budget.elements && cost.bytes <= budget.bytes;

/**
 * The block at `level` with as many of its descendants as the rules and the budget allow; spends from `budget`.
 * The caller has checked that `minimalCost(block)` fits.
 */
function trim(block: NotionBlock, level: number, budget: Budget): { block: NotionBlock; deferred: DeferredChildren[] } {
  budget.elements -= 1;
  budget.bytes -= ownBytes(block);
  const children = childrenOf(block);
  if (children.length === 0) return { block, deferred: [] };
  if (level >= MAX_LEVEL) return { block: withChildren(block, []), deferred: [{ path: [], children }] };

  const kept: NotionBlock[] = [];
  const deferred: DeferredChildren[] = [];
  let index = 0;
  for (; index < children.length; index++) {
    const child = children[index]!;
    if (kept.length >= MAX_CHILDREN) break;
    // A child at the deepest level cannot bring children it needs (a table's rows) into this request.
    if (level + 1 >= MAX_LEVEL && needsChildren(child)) break;
    if (!fits(minimalCost(child), budget)) break;
    const trimmed = trim(child, level + 1, budget);
    for (const inner of trimmed.deferred) deferred.push({ path: [kept.length, ...inner.path], children: inner.children });
    kept.push(trimmed.block);
  }
  if (index < children.length) deferred.push({ path: [], children: children.slice(index) });
  return { block: withChildren(block, kept), deferred };
}
