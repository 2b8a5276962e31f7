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
export interface RichTextItem {
  readonly type: 'text';
  readonly text: { readonly content: string; readonly link?: { readonly url: string } };
  readonly annotations?: Annotations;
}

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

export function plainTextOf(items: readonly { readonly text?: { readonly content?: string }; readonly plain_text?: string }[]): string {
  return items.map((item) => item.plain_text ?? item.text?.content ?? '').join('');
}

/**
 * What a block says, to recognise it again among a page's blocks: type plus text (or URL, or table shape).
 * Works on our request blocks and on Notion's response blocks alike.
 */
export function blockSignature(block: { readonly type: string } & Record<string, unknown>): string {
  const body = (block[block.type] ?? {}) as Record<string, unknown>;
  const text = Array.isArray(body.rich_text) ? plainTextOf(body.rich_text as RichTextItem[]) : '';
  switch (block.type) {
    case 'image': {
      const external = body.external as { url?: string } | undefined;
      return `image:${external?.url ?? ''}`;
    }
    case 'table':
      return `table:${String(body.table_width)}`;
    case 'table_row':
      return `table_row:${(Array.isArray(body.cells) ? (body.cells as RichTextItem[][]) : []).map((cell) => plainTextOf(cell)).join('|')}`;
    case 'to_do':
      return `to_do:${body.checked === true ? 'x' : ' '}:${text}`;
    default:
      return `${block.type}:${text}`;
  }
}

/** UTF-8 bytes of the block without its children, as it will appear in the JSON body. */
export function ownBytes(block: NotionBlock): number {
  return Buffer.byteLength(JSON.stringify(withChildren(block, [])), 'utf8');
}
