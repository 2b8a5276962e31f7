/**
 * Page property values: builders for writes, and plain text for reads.
 *
 * Write shapes: https://developers.notion.com/reference/page-property-values. Limits
 * (https://developers.notion.com/reference/request-limits): rich text items of at most 2000 characters, at most 100
 * items per array, URLs at most 2000 characters.
 *
 * Reads are defensive: a value of a shape we do not know renders as '' rather than failing a whole run.
 */
import { NotionError } from '../../errors.js';
import type { TextRichText } from './blocks.js';
import { NOTION_LIMITS } from './limits.js';
import { plainRichText } from './rich-text.js';
import type { PropertyValue } from './types.js';

export function richTextValue(text: string): { rich_text: TextRichText[] } {
  return { rich_text: plainRichText(text) };
}

export function titleValue(text: string): { title: TextRichText[] } {
  return { title: plainRichText(text) };
}

/** A select option by name; '' clears the value. */
export function selectValue(name: string): { select: { name: string } | null } {
  const trimmed = name.trim();
  return { select: trimmed ? { name: trimmed } : null };
}

/** A status option by name (it must exist: the API cannot create status options); '' clears the value. */
export function statusValue(name: string): { status: { name: string } | null } {
  const trimmed = name.trim();
  return { status: trimmed ? { name: trimmed } : null };
}

/** Multi-select options by name; Notion creates a missing one (https://developers.notion.com/reference/page-property-values#multi-select). */
export function multiSelectValue(names: readonly string[]): { multi_select: Array<{ name: string }> } {
  return { multi_select: names.map((name) => ({ name: name.trim() })) };
}

/** Related pages by id (https://developers.notion.com/reference/page-property-values#relation). */
export function relationValue(ids: readonly string[]): { relation: Array<{ id: string }> } {
  return { relation: ids.map((id) => ({ id })) };
}

export function emailValue(email: string | null): { email: string | null } {
  return { email: email === null || email.trim() === '' ? null : email.trim() };
}

export function phoneNumberValue(phone: string | null): { phone_number: string | null } {
  return { phone_number: phone === null || phone.trim() === '' ? null : phone.trim() };
}

export function urlValue(url: string | null): { url: string | null } {
  if (url === null || url.trim() === '') return { url: null };
  if (url.length > NOTION_LIMITS.urlChars) {
    throw new NotionError('validation_error', `That link is longer than the ${NOTION_LIMITS.urlChars} characters Notion allows in a URL property.`);
  }
  return { url };
}

export function numberValue(value: number | null): { number: number | null } {
  return { number: value !== null && Number.isFinite(value) ? value : null };
}

export function checkboxValue(checked: boolean): { checkbox: boolean } {
  return { checkbox: checked };
}

/** A date (ISO 8601 string or Date); `end` makes it a range. */
export function dateValue(start: string | Date | null, end?: string | Date): { date: { start: string; end?: string } | null } {
  if (start === null) return { date: null };
  const iso = (value: string | Date) => (value instanceof Date ? value.toISOString() : value);
  return { date: end !== undefined ? { start: iso(start), end: iso(end) } : { start: iso(start) } };
}

// ---- reads ----

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Plain text of a rich text array from Notion (`plain_text`, or `text.content`). */
export function richTextPlain(value: unknown): string {
  return asArray(value)
    .map((item) => (isObject(item) ? asString(item.plain_text) || (isObject(item.text) ? asString(item.text.content) : '') : ''))
    .join('');
}

/**
 * Any page property value (`{ type, [type]: ... }`, as Notion returns it) as the text a prompt should see: titles and
 * text as written, numbers, option names, dates (`start to end`), checkboxes as Yes/No, people by name, relations
 * by page id, formulas and rollups by their result, unique ids as PREFIX-123.
 */
export function pagePlainText(property: unknown): string {
  if (!isObject(property)) return '';
  const type = asString(property.type);
  const inner = property[type];
  switch (type) {
    case 'title':
    case 'rich_text':
      return richTextPlain(inner);
    case 'number':
      return typeof inner === 'number' ? String(inner) : '';
    case 'select':
    case 'status':
      return isObject(inner) ? asString(inner.name) : '';
    case 'multi_select':
      return names(inner).join(', ');
    case 'date':
      return dateText(inner);
    case 'checkbox':
      return inner === true ? 'Yes' : 'No';
    case 'url':
    case 'email':
    case 'phone_number':
      return asString(inner);
    case 'people':
      return peopleNames(inner).join(', ');
    case 'created_by':
    case 'last_edited_by':
      return isObject(inner) ? userName(inner) : '';
    case 'created_time':
    case 'last_edited_time':
      return asString(inner);
    case 'relation':
      return relationIds(inner).join(', ');
    case 'formula':
      return formulaText(inner);
    case 'rollup':
      return rollupText(inner);
    case 'unique_id':
      return isObject(inner) && typeof inner.number === 'number' ? `${asString(inner.prefix) ? `${asString(inner.prefix)}-` : ''}${inner.number}` : '';
    case 'files':
      return names(inner).join(', ');
    case 'verification':
      return isObject(inner) ? asString(inner.state) : '';
    default:
      return '';
  }
}

/** Notion's value -> our simplified PropertyValue. */
export function toPropertyValue(property: unknown): PropertyValue {
  const plainText = pagePlainText(property);
  if (!isObject(property)) return { type: 'unknown', plainText };
  const type = asString(property.type);
  const inner = property[type];
  switch (type) {
    case 'title':
    case 'rich_text':
      return { type, plainText };
    case 'number':
      return { type, number: typeof inner === 'number' ? inner : null, plainText };
    case 'select':
    case 'status':
      return { type, name: isObject(inner) ? asString(inner.name) || null : null, plainText };
    case 'multi_select':
      return { type, names: names(inner), plainText };
    case 'date':
      return { type, start: isObject(inner) ? asString(inner.start) || null : null, end: isObject(inner) ? asString(inner.end) || null : null, plainText };
    case 'checkbox':
      return { type, checked: inner === true, plainText };
    case 'url':
    case 'email':
    case 'phone_number':
      return { type, value: asString(inner) || null, plainText };
    case 'people':
      return { type, names: peopleNames(inner), plainText };
    case 'relation':
      return { type, ids: relationIds(inner), plainText };
    case 'created_time':
    case 'last_edited_time':
      return { type, time: asString(inner), plainText };
    case 'formula':
    case 'rollup':
    case 'unique_id':
    case 'files':
    case 'created_by':
    case 'last_edited_by':
    case 'button':
    case 'verification':
      return { type, plainText };
    default:
      return { type: 'unknown', plainText };
  }
}

function names(value: unknown): string[] {
  return asArray(value)
    .map((item) => (isObject(item) ? asString(item.name) : ''))
    .filter(Boolean);
}

/**
 * A user's name as a prompt sees it. `name` is optional on a user (https://developers.notion.com/reference/user) and
 * from API 2026-12-01 may be null for a person ("Handle a null person name",
 * https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01): then the person's email where Notion
 * shows it, else a plain word, so a people value never silently drops someone.
 */
function userName(user: Json): string {
  const name = asString(user.name).trim();
  if (name) return name;
  const email = isObject(user.person) ? asString(user.person.email).trim() : '';
  if (email) return email;
  return user.type === 'bot' ? 'Unnamed integration' : 'Unnamed person';
}

function peopleNames(value: unknown): string[] {
  return asArray(value).flatMap((item) => (isObject(item) ? [userName(item)] : []));
}

function relationIds(value: unknown): string[] {
  return asArray(value).flatMap((item) => (isObject(item) && typeof item.id === 'string' ? [item.id] : []));
}

function dateText(inner: unknown): string {
  if (!isObject(inner)) return '';
  const start = asString(inner.start);
  const end = asString(inner.end);
  return end ? `${start} to ${end}` : start;
}

function formulaText(inner: unknown): string {
  if (!isObject(inner)) return '';
  switch (inner.type) {
    case 'string':
      return asString(inner.string);
    case 'number':
      return typeof inner.number === 'number' ? String(inner.number) : '';
    case 'boolean':
      return inner.boolean === true ? 'Yes' : inner.boolean === false ? 'No' : '';
    case 'date':
      return dateText(inner.date);
    default:
      return '';
  }
}

function rollupText(inner: unknown): string {
  if (!isObject(inner)) return '';
  switch (inner.type) {
    case 'number':
      return typeof inner.number === 'number' ? String(inner.number) : '';
    case 'date':
      return dateText(inner.date);
    case 'array':
      return asArray(inner.array)
        .map((item) => pagePlainText(item))
        .filter(Boolean)
        .join(', ');
    default:
      return '';
  }
}
