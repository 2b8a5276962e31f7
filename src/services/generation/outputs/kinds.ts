/**
 * The property types a database run can write (`--into`), and the page body. Every other type is refused when
 * a run starts: Notion computes formula, rollup, created/edited time and by, unique id, button and verification
 * values itself (https://developers.notion.com/reference/page-property-values: "cannot be updated"), and Visen
 * does not choose people or files.
 */
export const WRITABLE_TYPES = [
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'checkbox',
  'url',
  'email',
  'phone_number',
  'relation',
] as const;

export type WritableType = (typeof WRITABLE_TYPES)[number];

/** The output name for each row's page body, next to property names (`--into @body`). */
export const BODY_OUTPUT = '@body';

export function isWritableType(type: string): type is WritableType {
  return (WRITABLE_TYPES as readonly string[]).includes(type);
}

/** How Notion's interface names each type, for messages. */
export const TYPE_WORDS: Readonly<Record<string, string>> = {
  title: 'title',
  rich_text: 'text',
  number: 'number',
  select: 'select',
  multi_select: 'multi-select',
  status: 'status',
  date: 'date',
  checkbox: 'checkbox',
  url: 'URL',
  email: 'email',
  phone_number: 'phone',
  relation: 'relation',
  formula: 'formula',
  rollup: 'rollup',
  created_time: 'created time',
  created_by: 'created by',
  last_edited_time: 'last edited time',
  last_edited_by: 'last edited by',
  unique_id: 'ID',
  button: 'button',
  verification: 'verification',
  people: 'person',
  files: 'files & media',
};

export function typeWord(type: string): string {
  return TYPE_WORDS[type] ?? type.replace(/_/g, ' ');
}
