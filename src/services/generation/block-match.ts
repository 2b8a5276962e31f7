import { type BlockInfo, blockSignature, contentSignature, type NotionBlock } from '../../adapters/notion/index.js';

/**
 * Recognising our own blocks among a page's children, to check a write that a restart interrupted (or whose
 * outcome is unknown) before repeating it. The rule of what makes two blocks the same is the Notion adapter's
 * (`contentSignature`), one for the whole app.
 *
 * How many of `expected` (in order, from the first) sit at the very end of `children`, after `afterId` when
 * given (blocks up to it are never ours). Returns those children's ids. Fewer than all means the write
 * landed in part (one of several append requests).
 */
export function landedTail(children: readonly BlockInfo[], expected: readonly NotionBlock[], afterId?: string): string[] {
  let start = 0;
  if (afterId !== undefined) {
    const at = children.findIndex((c) => c.id === afterId);
    if (at >= 0) start = at + 1;
  }
  const candidates = children.slice(start).filter((c) => !c.inTrash);
  const wanted = expected.map(blockSignature);
  for (let k = Math.min(wanted.length, candidates.length); k > 0; k--) {
    const tail = candidates.slice(candidates.length - k);
    if (tail.every((child, i) => contentSignature(child) === wanted[i])) return tail.map((c) => c.id);
  }
  return [];
}
