// Block requests -> stored block content. https://developers.notion.com/reference/block
// Children of a block travel inside its type object (`paragraph.children`), and are split off here.
import { bodyInvalid, shouldBe } from './errors.js';
import { richTextFromRequest } from './rich-text.js';

const TEXT_BLOCKS = new Set([
  'paragraph',
  'bulleted_list_item',
  'numbered_list_item',
  'quote',
  'toggle',
  'to_do',
  'callout',
  'template',
  'heading_1',
  'heading_2',
  'heading_3',
  'heading_4',
]);

const MEDIA_BLOCKS = new Set(['image', 'video', 'pdf', 'file', 'audio']);

const OTHER_BLOCKS = new Set([
  'code',
  'divider',
  'breadcrumb',
  'table_of_contents',
  'bookmark',
  'embed',
  'equation',
  'table',
  'table_row',
  'column_list',
  'column',
  'link_to_page',
  'synced_block',
]);

/** Block types that Notion refuses children for. */
export const CHILDLESS_BLOCKS = new Set([
  'code',
  'divider',
  'breadcrumb',
  'table_of_contents',
  'bookmark',
  'embed',
  'equation',
  'image',
  'video',
  'pdf',
  'file',
  'audio',
  'link_to_page',
  'child_page',
  'child_database',
]);

export const CREATABLE_BLOCK_TYPES = [...TEXT_BLOCKS, ...MEDIA_BLOCKS, ...OTHER_BLOCKS];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParsedBlock {
  type: string;
  content: Record<string, unknown>;
  children: unknown[];
  childrenPath: string;
}

export function parseBlockRequest(raw: unknown, path: string): ParsedBlock {
  if (!isObject(raw)) throw bodyInvalid(shouldBe(path, 'an object', raw));
  const type = typeof raw.type === 'string' ? raw.type : CREATABLE_BLOCK_TYPES.find((candidate) => candidate in raw);
  if (!type || !CREATABLE_BLOCK_TYPES.includes(type)) {
    throw bodyInvalid(shouldBe(`${path}.type`, `one of: ${CREATABLE_BLOCK_TYPES.join(', ')}`, raw.type ?? type));
  }
  const body = raw[type];
  if (!isObject(body)) throw bodyInvalid(shouldBe(`${path}.${type}`, 'defined', body));
  const { children, ...rest } = body;
  if (children !== undefined && !Array.isArray(children)) {
    throw bodyInvalid(shouldBe(`${path}.${type}.children`, 'an array', children));
  }
  return {
    type,
    content: contentFor(type, rest, `${path}.${type}`),
    children: children ?? [],
    childrenPath: `${path}.${type}.children`,
  };
}

function contentFor(type: string, body: Record<string, any>, path: string): Record<string, unknown> {
  const caption = () => richTextFromRequest(body.caption ?? [], `${path}.caption`);
  if (TEXT_BLOCKS.has(type)) {
    const content: Record<string, unknown> = {
      rich_text: richTextFromRequest(body.rich_text, `${path}.rich_text`),
      color: typeof body.color === 'string' ? body.color : 'default',
    };
    if (type === 'to_do') content.checked = body.checked === true;
    if (type.startsWith('heading_')) content.is_toggleable = body.is_toggleable === true;
    if (type === 'callout') content.icon = body.icon ?? null;
    return content;
  }
  if (MEDIA_BLOCKS.has(type)) {
    const url = body.external?.url;
    if (typeof url !== 'string') throw bodyInvalid(shouldBe(`${path}.external.url`, 'a string', url));
    return { type: 'external', external: { url }, caption: caption() };
  }
  switch (type) {
    case 'code':
      return {
        rich_text: richTextFromRequest(body.rich_text, `${path}.rich_text`),
        caption: caption(),
        language: typeof body.language === 'string' ? body.language : 'plain text',
      };
    case 'bookmark':
    case 'embed':
      if (typeof body.url !== 'string') throw bodyInvalid(shouldBe(`${path}.url`, 'a string', body.url));
      return { url: body.url, caption: caption() };
    case 'equation':
      if (typeof body.expression !== 'string') throw bodyInvalid(shouldBe(`${path}.expression`, 'a string', body.expression));
      return { expression: body.expression };
    case 'table_of_contents':
      return { color: typeof body.color === 'string' ? body.color : 'default' };
    case 'table':
      return {
        table_width: body.table_width,
        has_column_header: body.has_column_header === true,
        has_row_header: body.has_row_header === true,
      };
    case 'table_row':
      if (!Array.isArray(body.cells)) throw bodyInvalid(shouldBe(`${path}.cells`, 'an array', body.cells));
      return { cells: body.cells.map((cell: unknown, i: number) => richTextFromRequest(cell, `${path}.cells[${i}]`)) };
    default:
      return structuredClone(body);
  }
}

/** Parses a whole request tree without storing anything, so a bad block deep down leaves no partial write. */
export function validateBlockTree(requests: unknown[], path: string): void {
  requests.forEach((request, index) => {
    const block = parseBlockRequest(request, `${path}[${index}]`);
    validateBlockTree(block.children, block.childrenPath);
  });
}
