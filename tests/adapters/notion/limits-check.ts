// Checks a request's blocks against Notion's documented limits (https://developers.notion.com/reference/request-limits,
// https://developers.notion.com/reference/patch-block-children); returns one message per problem.
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';

type Json = Record<string, any>;

export function limitProblems(blocks: readonly NotionBlock[]): string[] {
  const problems: string[] = [];
  let elements = 0;
  const visitRichText = (items: unknown, path: string) => {
    if (!Array.isArray(items)) return;
    if (items.length > 100) problems.push(`${path}: ${items.length} rich text items`);
    items.forEach((item: Json, i) => {
      if ((item.text?.content?.length ?? 0) > 2000) problems.push(`${path}[${i}]: content ${item.text.content.length} chars`);
      if ((item.text?.link?.url?.length ?? 0) > 2000) problems.push(`${path}[${i}]: link ${item.text.link.url.length} chars`);
    });
  };
  const visit = (list: readonly Json[], level: number, path: string) => {
    if (level > 3) problems.push(`${path}: nested ${level - 1} levels`);
    if (list.length > 100) problems.push(`${path}: ${list.length} children`);
    elements += list.length;
    list.forEach((block, i) => {
      const body = block[block.type] ?? {};
      visitRichText(body.rich_text, `${path}[${i}].rich_text`);
      visitRichText(body.caption, `${path}[${i}].caption`);
      if (Array.isArray(body.cells)) body.cells.forEach((cell: unknown, c: number) => visitRichText(cell, `${path}[${i}].cells[${c}]`));
      if (Array.isArray(body.children)) visit(body.children, level + 1, `${path}[${i}].children`);
    });
  };
  visit(blocks as unknown as Json[], 1, 'children');
  if (elements > 1000) problems.push(`${elements} block elements`);
  const bytes = Buffer.byteLength(JSON.stringify({ children: blocks }), 'utf8');
  if (bytes > 500_000) problems.push(`${bytes} bytes`);
  return problems;
}

/** Plain text of every block, depth first (for comparing conversions). */
export function allText(blocks: readonly NotionBlock[]): string {
  const out: string[] = [];
  const visit = (list: readonly Json[]) => {
    for (const block of list) {
      const body = block[block.type] ?? {};
      if (Array.isArray(body.rich_text)) out.push(body.rich_text.map((item: Json) => item.text?.content ?? item.equation?.expression ?? '').join(''));
      if (Array.isArray(body.cells))
        out.push(body.cells.map((cell: Json[]) => cell.map((item) => item.text?.content ?? item.equation?.expression ?? '').join('')).join('|'));
      if (Array.isArray(body.children)) visit(body.children);
    }
  };
  visit(blocks as unknown as Json[]);
  return out.join('\n');
}
