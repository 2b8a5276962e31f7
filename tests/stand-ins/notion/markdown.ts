// A small subset of Notion's enhanced Markdown, for POST /v1/pages `markdown` and the page Markdown endpoints
// (GET/PATCH /v1/pages/{id}/markdown, API 2026-03-11). Format reference:
// https://developers.notion.com/guides/data-apis/enhanced-markdown
// Supported: headings 1-4, paragraphs, bulleted/numbered/to-do items (tab-indented children), quotes, fenced code,
// dividers, and inline **bold**, *italic*, `code` and [links](url). Anything else is kept as paragraph text.
import type { AnyRecord, BlockRecord, ContainerRecord } from './records.js';
import type { RichText } from './rich-text.js';
import type { Workspace } from './workspace.js';

type BlockRequest = Record<string, any>;

export function markdownToBlocks(markdown: string): BlockRequest[] {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const blocks: BlockRequest[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(.*)$/.exec(line);
    if (fence) {
      const code: string[] = [];
      while (i + 1 < lines.length && !lines[i + 1]!.startsWith('```')) code.push(lines[++i]!);
      i++;
      blocks.push({ type: 'code', code: { rich_text: plain(code.join('\n')), language: fence[1]?.trim() || 'plain text' } });
      continue;
    }
    if (line.startsWith('\t') && blocks.length > 0) {
      const parent = blocks[blocks.length - 1]!;
      const body = parent[parent.type];
      body.children = [...(body.children ?? []), ...markdownToBlocks(line.slice(1))];
      continue;
    }
    const block = lineToBlock(line);
    if (block) blocks.push(block);
  }
  return blocks;
}

function lineToBlock(line: string): BlockRequest | undefined {
  if (line.trim() === '') return undefined;
  let match: RegExpExecArray | null;
  if ((match = /^(#{1,6})\s+(.*)$/.exec(line))) {
    const type = `heading_${Math.min(match[1]!.length, 4)}`;
    return { type, [type]: { rich_text: inline(match[2]!) } };
  }
  if (/^(-{3,}|\*{3,})$/.test(line.trim())) return { type: 'divider', divider: {} };
  if ((match = /^[-*]\s+\[( |x)\]\s*(.*)$/i.exec(line))) {
    return { type: 'to_do', to_do: { rich_text: inline(match[2]!), checked: match[1]!.toLowerCase() === 'x' } };
  }
  if ((match = /^[-*+]\s+(.*)$/.exec(line))) return { type: 'bulleted_list_item', bulleted_list_item: { rich_text: inline(match[1]!) } };
  if ((match = /^\d+[.)]\s+(.*)$/.exec(line))) return { type: 'numbered_list_item', numbered_list_item: { rich_text: inline(match[1]!) } };
  if ((match = /^>\s?(.*)$/.exec(line))) return { type: 'quote', quote: { rich_text: inline(match[1]!) } };
  return { type: 'paragraph', paragraph: { rich_text: inline(line) } };
}

/** Plain text as rich text request items, split at the 2000-character limit. */
function plain(text: string, annotations: Record<string, boolean> = {}, url?: string): unknown[] {
  const chunks = text.length === 0 ? [''] : (text.match(/[\s\S]{1,2000}/g) ?? []);
  return chunks.map((content) => ({ type: 'text', text: { content, link: url ? { url } : null }, annotations }));
}

/** Inline **bold**, *italic*, `code` and [text](url) -> rich text request items. */
function inline(text: string): unknown[] {
  const items: unknown[] = [];
  const pattern = /\*\*([^*]+)\*\*|\*([^*]+)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index! > last) items.push(...plain(text.slice(last, match.index)));
    if (match[1] !== undefined) items.push(...plain(match[1], { bold: true }));
    else if (match[2] !== undefined) items.push(...plain(match[2], { italic: true }));
    else if (match[3] !== undefined) items.push(...plain(match[3], { code: true }));
    else items.push(...plain(match[4]!, {}, match[5]));
    last = match.index! + match[0].length;
  }
  if (last < text.length) items.push(...plain(text.slice(last)));
  return items;
}

export function blocksToMarkdown(ws: Workspace, container: ContainerRecord, indent = ''): string {
  return ws
    .childrenOf(container)
    .map((child) => recordToMarkdown(ws, child, indent))
    .join('\n');
}

function recordToMarkdown(ws: Workspace, record: AnyRecord, indent: string): string {
  if (record.kind === 'page') return `${indent}<page url="https://www.notion.so/${record.id.replace(/-/g, '')}">${ws.titleOf(record)}</page>`;
  if (record.kind !== 'block') return `${indent}<database>${ws.titleOf(record)}</database>`;
  const line = `${indent}${blockLine(record)}`;
  const children = ws.childrenOf(record).length > 0 ? `\n${blocksToMarkdown(ws, record, `${indent}\t`)}` : '';
  return line + children;
}

function blockLine(block: BlockRecord): string {
  const content = block.content as { rich_text?: RichText[]; checked?: boolean; language?: string };
  const text = richTextToMarkdown(content.rich_text ?? []);
  switch (block.type) {
    case 'heading_1':
      return `# ${text}`;
    case 'heading_2':
      return `## ${text}`;
    case 'heading_3':
      return `### ${text}`;
    case 'heading_4':
      return `#### ${text}`;
    case 'bulleted_list_item':
      return `- ${text}`;
    case 'numbered_list_item':
      return `1. ${text}`;
    case 'to_do':
      return `- [${content.checked ? 'x' : ' '}] ${text}`;
    case 'quote':
      return `> ${text}`;
    case 'divider':
      return '---';
    case 'code':
      return `\`\`\`${content.language ?? ''}\n${(content.rich_text ?? []).map((r) => r.plain_text).join('')}\n\`\`\``;
    default:
      return text;
  }
}

function richTextToMarkdown(items: readonly RichText[]): string {
  return items
    .map((item) => {
      let text = item.plain_text;
      if (item.annotations.code) text = `\`${text}\``;
      if (item.annotations.bold) text = `**${text}**`;
      if (item.annotations.italic) text = `*${text}*`;
      return item.href ? `[${text}](${item.href})` : text;
    })
    .join('');
}

/**
 * GET /v1/pages/{id}/markdown (https://developers.notion.com/reference/retrieve-page-markdown): a page (or, for the
 * ids a truncated answer listed, a block and its subtree) as Markdown. A very large page is truncated: `truncated`
 * is true and the top-level blocks left out are listed in `unknown_block_ids`, each shown in the Markdown as an
 * `<unknown>` tag, so a client can fetch those subtrees with the same endpoint. The stand-in cuts after `blockLimit`
 * rendered blocks (descendants counted), at a top-level block boundary.
 */
export function pageMarkdownResponse(ws: Workspace, record: ContainerRecord, blockLimit: number) {
  const parts: string[] = [];
  const unknown: string[] = [];
  let rendered = 0;
  const tops = record.kind === 'block' ? [record as AnyRecord] : ws.childrenOf(record);
  for (const top of tops) {
    const size = countBlocks(ws, top);
    if (unknown.length > 0 || (rendered + size > blockLimit && rendered > 0)) {
      unknown.push(top.id);
      parts.push(`<unknown url="https://www.notion.so/${top.id.replace(/-/g, '')}" alt="${top.kind === 'block' ? top.type : top.kind}"/>`);
      continue;
    }
    rendered += size;
    parts.push(recordToMarkdown(ws, top, ''));
  }
  return { object: 'page_markdown', id: record.id, markdown: parts.join('\n'), truncated: unknown.length > 0, unknown_block_ids: unknown };
}

function countBlocks(ws: Workspace, record: AnyRecord): number {
  if (record.kind !== 'block') return 1;
  return 1 + ws.childrenOf(record).reduce((sum, child) => sum + countBlocks(ws, child), 0);
}
