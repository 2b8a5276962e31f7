import type { BlockInfo, NotionBlock } from '../../adapters/notion/index.js';

/**
 * Recognising our own blocks among a page's children, to check a write that a restart interrupted (or whose
 * outcome is unknown) before repeating it. Blocks compare by type and visible text, what survives the round
 * trip through Notion (ids, annotations and colours may not).
 */
export function sentFingerprint(block: NotionBlock): string {
  const body = (block as unknown as Record<string, Record<string, unknown>>)[block.type] ?? {};
  let text = '';
  if (Array.isArray(body.rich_text)) text = plain(body.rich_text);
  else if (block.type === 'table_row') text = (body.cells as unknown[][]).map((cell) => plain(cell)).join(' | ');
  else if (block.type === 'image') text = String((body.external as { url?: string } | undefined)?.url ?? '');
  return `${block.type}:${normalise(text)}`;
}

export function foundFingerprint(block: BlockInfo): string {
  return `${block.type}:${normalise(block.text)}`;
}

function plain(items: unknown[]): string {
  return items
    .map((item) => {
      const i = item as { plain_text?: string; text?: { content?: string } };
      return i.plain_text ?? i.text?.content ?? '';
    })
    .join('');
}

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
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
  const wanted = expected.map(sentFingerprint);
  for (let k = Math.min(wanted.length, candidates.length); k > 0; k--) {
    const tail = candidates.slice(candidates.length - k);
    if (tail.every((child, i) => foundFingerprint(child) === wanted[i])) return tail.map((c) => c.id);
  }
  return [];
}
