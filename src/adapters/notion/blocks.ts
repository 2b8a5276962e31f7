/**
 * Blocks as we send them to Notion: the request shapes of https://developers.notion.com/reference/block, for the
 * block types Visen writes. Children travel inside the type object (`paragraph.children`), to any depth here;
 * `splitForAppend` (append-batches.ts) cuts a tree into requests Notion accepts (two levels of nesting, 100
 * children per array, 1000 blocks per request). The SDK's `BlockObjectRequest` type stops at two levels, which is
 * why these are our own types; a batch from `splitForAppend` is a valid `BlockObjectRequest[]`.
 */
import type { CodeBlockObjectResponse } from '@notionhq/client';

export type Annotation = 'bold' | 'italic' | 'strikethrough' | 'underline' | 'code';
export type Annotations = Partial<Record<Annotation, boolean>>;

/** A rich text item of type text. `link` and `annotations` are present only when set. */
export interface TextRichText {
  readonly type: 'text';
  readonly text: { readonly content: string; readonly link?: { readonly url: string } };
  readonly annotations?: Annotations;
}

/**
 * An inline equation (https://developers.notion.com/reference/rich-text#equation): `expression` is LaTeX, at most
 * 1000 characters (https://developers.notion.com/reference/request-limits).
 */
export interface EquationRichText {
  readonly type: 'equation';
  readonly equation: { readonly expression: string };
  readonly annotations?: Annotations;
}

/** The rich text items Visen writes: text, and inline equations. */
export type RichTextItem = TextRichText | EquationRichText;

/** Notion's list of code block languages. */
export type CodeLanguage = CodeBlockObjectResponse['code']['language'];

export interface TextBody {
  readonly rich_text: RichTextItem[];
  readonly children?: NotionBlock[];
}

export type TextBlockType = 'paragraph' | 'heading_1' | 'heading_2' | 'heading_3' | 'bulleted_list_item' | 'numbered_list_item' | 'quote' | 'toggle';

type TextBlock<T extends TextBlockType> = { readonly object: 'block'; readonly type: T } & { readonly [K in T]: TextBody };

export type NotionBlock =
  | TextBlock<'paragraph'>
  | TextBlock<'heading_1'>
  | TextBlock<'heading_2'>
  | TextBlock<'heading_3'>
  | TextBlock<'bulleted_list_item'>
  | TextBlock<'numbered_list_item'>
  | TextBlock<'quote'>
  | TextBlock<'toggle'>
  | { readonly object: 'block'; readonly type: 'to_do'; readonly to_do: TextBody & { readonly checked: boolean } }
  | { readonly object: 'block'; readonly type: 'code'; readonly code: { readonly rich_text: RichTextItem[]; readonly language: CodeLanguage } }
  | { readonly object: 'block'; readonly type: 'divider'; readonly divider: Record<string, never> }
  | { readonly object: 'block'; readonly type: 'equation'; readonly equation: { readonly expression: string } }
  | {
      readonly object: 'block';
      readonly type: 'table';
      readonly table: {
        readonly table_width: number;
        readonly has_column_header: boolean;
        readonly has_row_header: boolean;
        readonly children?: NotionBlock[];
      };
    }
  | { readonly object: 'block'; readonly type: 'table_row'; readonly table_row: { readonly cells: RichTextItem[][] } }
  | {
      readonly object: 'block';
      readonly type: 'image';
      readonly image: { readonly type: 'external'; readonly external: { readonly url: string }; readonly caption?: RichTextItem[] };
    };

export type NotionBlockType = NotionBlock['type'];

/** Blocks Notion cannot create without their children in the same request (the SDK's table request type requires `children`: its rows). */
const NEEDS_CHILDREN: ReadonlySet<NotionBlockType> = new Set(['table']);

type Body = { children?: NotionBlock[]; rich_text?: RichTextItem[] } & Record<string, unknown>;

function bodyOf(block: NotionBlock): Body {
  return (block as unknown as Record<string, Body>)[block.type]!;
}

export function childrenOf(block: NotionBlock): readonly NotionBlock[] {
  return bodyOf(block).children ?? [];
}

/** A copy of the block with exactly these children (none when empty). */
export function withChildren(block: NotionBlock, children: readonly NotionBlock[]): NotionBlock {
  const { children: _dropped, ...rest } = bodyOf(block);
  const body = children.length > 0 ? { ...rest, children: [...children] } : rest;
  return { ...block, [block.type]: body } as NotionBlock;
}

export function needsChildren(block: NotionBlock): boolean {
  return NEEDS_CHILDREN.has(block.type);
}

export function richTextOf(block: NotionBlock): readonly RichTextItem[] {
  return bodyOf(block).rich_text ?? [];
}

export function plainTextOf(
  items: readonly { readonly text?: { readonly content?: string }; readonly equation?: { readonly expression?: string }; readonly plain_text?: string }[],
): string {
  return items.map((item) => item.plain_text ?? item.text?.content ?? item.equation?.expression ?? '').join('');
}

/** What a block shows, as far as recognising it again needs. `BlockInfo` (a listed block) is one. */
export interface BlockContent {
  readonly type: string;
  /** Plain text of its rich text; a table row's cells joined by ` | `; an image's URL; a child page's title. */
  readonly text: string;
  /** To-dos only: ticked or not. */
  readonly checked?: boolean;
}

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The content of a block's JSON, as we send it or as Notion returns it (read defensively: a partial object gives empty values). */
export function blockContent(block: unknown): BlockContent {
  const json = isJson(block) ? block : {};
  const type = typeof json.type === 'string' ? json.type : '';
  const body = isJson(json[type]) ? (json[type] as Json) : {};
  const text = visibleText(type, body);
  return type === 'to_do' ? { type, text, checked: body.checked === true } : { type, text };
}

function visibleText(type: string, body: Json): string {
  if (Array.isArray(body.rich_text)) return plainTextOf(body.rich_text as RichTextItem[]);
  if (type === 'child_page' || type === 'child_database') return typeof body.title === 'string' ? body.title : '';
  if (type === 'table_row')
    return (Array.isArray(body.cells) ? body.cells : []).map((cell) => plainTextOf(Array.isArray(cell) ? (cell as RichTextItem[]) : [])).join(' | ');
  if (isJson(body.external)) return typeof body.external.url === 'string' ? body.external.url : '';
  if (type === 'equation') return typeof body.expression === 'string' ? body.expression : '';
  return typeof body.url === 'string' ? body.url : '';
}

/**
 * The one rule for "is this block one we wrote?", used wherever a write whose outcome is unknown (or that a
 * restart cut short) is checked before it is repeated. It compares what survives the round trip through Notion:
 * the type and the visible text with runs of whitespace made one space (ids, annotations, colours and the
 * splitting of rich text may change; a difference in spacing alone must not hide our own block). A table row
 * compares by its cells, an image by its URL, a to-do by its checked state too (the same words ticked and
 * unticked are different content); a table by its type, its rows being its children.
 */
export function contentSignature(content: BlockContent): string {
  const text = content.text.replace(/\s+/g, ' ').trim();
  return content.type === 'to_do' ? `to_do:${content.checked ? 'x' : ' '}:${text}` : `${content.type}:${text}`;
}

/** The signature (see `contentSignature`) of a block we send. */
export function blockSignature(block: NotionBlock): string {
  return contentSignature(blockContent(block));
}

/** UTF-8 bytes of the block without its children, as it will appear in the JSON body. */
export function ownBytes(block: NotionBlock): number {
  return Buffer.byteLength(JSON.stringify(withChildren(block, [])), 'utf8');
}
