// Identifiers and URLs shaped like Notion's.
import { randomBytes, randomUUID } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const newId = (): string => randomUUID();

/** Notion accepts ids with or without dashes and always answers with the dashed form. */
export function normalizeId(raw: string): string | undefined {
  if (!UUID_PATTERN.test(raw)) return undefined;
  const hex = raw.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const compactId = (id: string): string => id.replace(/-/g, '');

/** `https://www.notion.so/<Title-slug>-<32 hex>`, as Notion builds page URLs. */
export function pageUrl(title: string, id: string): string {
  const slug = title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${compactId(id)}`;
}

export const objectUrl = (id: string): string => `https://www.notion.so/${compactId(id)}`;

export function randomText(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return text;
}

/** Internal integration secrets start with `ntn_`. */
export const newSecret = (): string => `ntn_${randomText(40)}`;

/** Property ids are short opaque strings; the title property's id is always "title". */
export const newPropertyId = (): string => randomText(4);

/** Notion reports created/last-edited times rounded down to the minute. */
export function notionTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}
