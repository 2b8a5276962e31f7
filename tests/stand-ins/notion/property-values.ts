// Page property values: validation of request values against the data source schema, and the typed values
// Notion returns. https://developers.notion.com/reference/page-property-values
import { bodyInvalid, shouldBe, validationError } from './errors.js';
import { normalizeId } from './ids.js';
import type { PageRecord, SchemaProperty, StoredValue } from './records.js';
import { richTextFromRequest } from './rich-text.js';
import { COMPUTED_TYPES, newOption, type SelectOption } from './schema.js';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema of a page whose parent is a page: only a title. */
export const PAGE_TITLE_SCHEMA: SchemaProperty[] = [{ id: 'title', name: 'title', type: 'title', config: {} }];

/**
 * Validates `properties` of a create/update request and returns stored values by property id.
 * Keys may be property names or ids. Unknown select options are added to the schema, as Notion does.
 */
export function valuesFromRequest(schema: SchemaProperty[], properties: unknown, path = 'body.properties'): Map<string, StoredValue> {
  if (!isObject(properties)) throw bodyInvalid(shouldBe(path, 'an object', properties));
  const values = new Map<string, StoredValue>();
  for (const [key, raw] of Object.entries(properties)) {
    const property = schema.find((candidate) => candidate.name === key || candidate.id === key);
    if (!property) throw validationError(`${key} is not a property that exists.`);
    if (COMPUTED_TYPES.has(property.type)) throw validationError(`${property.name} is a ${property.type} property and cannot be set.`);
    if (!isObject(raw) || !(property.type in raw)) {
      throw validationError(`${property.name} is expected to be ${property.type}.`);
    }
    const value = valueFromRequest(property, raw[property.type], `${path}.${key}.${property.type}`);
    values.set(property.id, { type: property.type, value });
  }
  return values;
}

function valueFromRequest(property: SchemaProperty, raw: unknown, path: string): unknown {
  switch (property.type) {
    case 'title':
    case 'rich_text':
      return richTextFromRequest(raw, path);
    case 'number':
      return expect(raw, path, 'a number or null', raw === null || typeof raw === 'number');
    case 'checkbox':
      return expect(raw, path, 'a boolean', typeof raw === 'boolean');
    case 'url':
    case 'email':
    case 'phone_number':
      expect(raw, path, 'a string or null', raw === null || typeof raw === 'string');
      return withinLength(raw as string | null, property.type === 'url' ? 2000 : 200, path);
    case 'select':
    case 'status':
      return raw === null ? null : optionFor(property, raw, path);
    case 'multi_select':
      if (!Array.isArray(raw)) throw bodyInvalid(shouldBe(path, 'an array', raw));
      return atMost100(raw, path).map((option, index) => optionFor(property, option, `${path}[${index}]`));
    case 'date':
      return raw === null ? null : dateValue(raw, path);
    case 'people':
      return idList(raw, path).map((id) => ({ object: 'user', id }));
    case 'relation':
      return atMost100(idList(raw, path), path).map((id) => ({ id }));
    default:
      return raw;
  }
}

/**
 * "Limits for property values" (https://developers.notion.com/reference/request-limits): any URL at most 2000
 * characters, any email or phone number at most 200, any multi-select or relation at most 100 entries.
 */
function withinLength(raw: string | null, max: number, path: string): string | null {
  if (raw !== null && raw.length > max) throw validationError(`${path}.length should be ≤ \`${max}\`, instead was \`${raw.length}\`.`);
  return raw;
}

function atMost100<T>(items: T[], path: string): T[] {
  if (items.length > 100) throw validationError(`${path}.length should be ≤ \`100\`, instead was \`${items.length}\`.`);
  return items;
}

function expect(raw: unknown, path: string, expectation: string, ok: boolean): unknown {
  if (!ok) throw bodyInvalid(shouldBe(path, expectation, raw));
  return raw;
}

function optionFor(property: SchemaProperty, raw: unknown, path: string): Omit<SelectOption, 'description'> {
  if (!isObject(raw)) throw bodyInvalid(shouldBe(path, 'an object', raw));
  const options = property.config.options as SelectOption[];
  let option = options.find((candidate) => candidate.id === raw.id || candidate.name === raw.name);
  if (!option) {
    // Status options must exist already; select options are created on the fly, "If the select option doesn't
    // exist, it will be created" (https://developers.notion.com/reference/page-property-values#select). A name with a
    // comma is refused (newOption), as Notion does.
    if (property.type === 'status' || typeof raw.name !== 'string') {
      throw validationError(`Invalid ${property.type} option for ${property.name}: ${JSON.stringify(raw.name ?? raw.id)}.`);
    }
    option = newOption(raw.name, raw.color);
    options.push(option);
  }
  return { id: option.id, name: option.name, color: option.color };
}

function dateValue(raw: unknown, path: string): unknown {
  if (!isObject(raw) || typeof raw.start !== 'string' || Number.isNaN(Date.parse(raw.start))) {
    throw bodyInvalid(shouldBe(`${path}.start`, 'an ISO 8601 date string', isObject(raw) ? raw.start : raw));
  }
  return { start: raw.start, end: typeof raw.end === 'string' ? raw.end : null, time_zone: raw.time_zone ?? null };
}

function idList(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw bodyInvalid(shouldBe(path, 'an array', raw));
  return raw.map((item, index) => {
    const id = isObject(item) && typeof item.id === 'string' ? normalizeId(item.id) : undefined;
    if (!id) throw bodyInvalid(shouldBe(`${path}[${index}].id`, 'a valid uuid', isObject(item) ? item.id : item));
    return id;
  });
}

/** What a value needs from outside the page: its timestamps as Notion writes them, and users as the version shows them. */
export interface ValueContext {
  created: string;
  edited: string;
  user(id: string): Record<string, unknown>;
}

/** The value shown for a property; empty values when unset or when the property's type changed since. */
export function valueResponse(property: SchemaProperty, page: PageRecord, context: ValueContext): unknown {
  switch (property.type) {
    case 'created_time':
      return context.created;
    case 'last_edited_time':
      return context.edited;
    case 'created_by':
      return context.user(page.createdBy);
    case 'last_edited_by':
      return context.user(page.lastEditedBy);
    case 'people': {
      const stored = page.values.get(property.id);
      const people = stored?.type === 'people' && Array.isArray(stored.value) ? (stored.value as Array<{ id: string }>) : [];
      return people.map((person) => context.user(person.id));
    }
    case 'unique_id':
      return { prefix: property.config.prefix ?? null, number: page.uniqueNumber };
    case 'formula':
      return { type: 'string', string: null };
    case 'rollup':
      return { type: 'array', array: [], function: 'show_original' };
  }
  const stored = page.values.get(property.id);
  return stored && stored.type === property.type ? structuredClone(stored.value) : emptyValue(property.type);
}

export function emptyValue(type: string): unknown {
  switch (type) {
    case 'title':
    case 'rich_text':
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
      return [];
    case 'checkbox':
      return false;
    default:
      return null;
  }
}
