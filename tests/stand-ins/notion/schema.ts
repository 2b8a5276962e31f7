// Data source schemas ("properties" of a data source), as created by POST /v1/databases
// (initial_data_source.properties) and changed by PATCH /v1/data_sources/{id}.
// https://developers.notion.com/reference/property-object
// https://developers.notion.com/reference/update-a-data-source
import { bodyInvalid, shouldBe, validationError } from './errors.js';
import { newId, newPropertyId } from './ids.js';
import type { SchemaProperty } from './records.js';

export const PROPERTY_TYPES = [
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'checkbox',
  'url',
  'email',
  'phone_number',
  'formula',
  'relation',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'place',
  'verification',
] as const;

/** Property types whose values Notion computes; requests cannot set them. */
export const COMPUTED_TYPES = new Set([
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'verification',
]);

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A property config names its type either in `type` or as its single type key (`{ "rich_text": {} }`). */
export function typeOfConfig(config: Record<string, unknown>): string | undefined {
  if (typeof config.type === 'string') return (PROPERTY_TYPES as readonly string[]).includes(config.type) ? config.type : undefined;
  return PROPERTY_TYPES.find((type) => type in config);
}

/** Builds a full schema from `properties` of a create request. Exactly one title property is required. */
export function schemaFromRequest(properties: unknown, path: string): SchemaProperty[] {
  if (!isObject(properties)) throw bodyInvalid(shouldBe(path, 'an object', properties));
  const schema = Object.entries(properties).map(([name, config]) => newProperty(name, config, `${path}.${name}`));
  const titles = schema.filter((property) => property.type === 'title').length;
  if (titles !== 1) throw validationError(`Data sources must have exactly one title property; the request has ${titles}.`);
  return schema;
}

function newProperty(name: string, config: unknown, path: string): SchemaProperty {
  if (!isObject(config)) throw bodyInvalid(shouldBe(path, 'an object', config));
  const type = typeOfConfig(config);
  if (!type) throw bodyInvalid(shouldBe(path, `a property schema with one of: ${PROPERTY_TYPES.join(', ')}`, config));
  if (!name.trim()) throw validationError('Property names cannot be empty.');
  const id = type === 'title' ? 'title' : newPropertyId();
  const description = typeof config.description === 'string' && config.description !== '' ? config.description : null;
  return { id, name, type, config: normalizeConfig(type, config[type], `${path}.${type}`), description };
}

/**
 * PATCH semantics: a key names an existing property (by name or id) or a new one; `null` removes it;
 * `{ name }` renames it; a type config changes or sets its type.
 */
export function applySchemaUpdate(schema: SchemaProperty[], updates: unknown, path: string): SchemaProperty[] {
  if (!isObject(updates)) throw bodyInvalid(shouldBe(path, 'an object', updates));
  let next = schema.map((property) => ({ ...property }));
  for (const [key, update] of Object.entries(updates)) {
    const existing = next.find((property) => property.id === key || property.name === key);
    const propertyPath = `${path}.${key}`;
    if (update === null) {
      if (!existing) throw validationError(`${key} is not a property that exists.`);
      if (existing.type === 'title') throw validationError('Cannot delete the title property.');
      next = next.filter((property) => property !== existing);
      continue;
    }
    if (!isObject(update)) throw bodyInvalid(shouldBe(propertyPath, 'an object or null', update));
    if (!existing) {
      next.push(newProperty(typeof update.name === 'string' ? update.name : key, update, propertyPath));
      continue;
    }
    if (typeof update.name === 'string') existing.name = update.name;
    const type = typeOfConfig(update);
    if (type) {
      if (type === 'title' && existing.type !== 'title') throw validationError('A data source can have only one title property.');
      existing.config = normalizeConfig(type, update[type], `${propertyPath}.${type}`, existing.type === type ? existing.config : undefined);
      existing.type = type;
    }
  }
  const names = new Set<string>();
  for (const property of next) {
    if (names.has(property.name)) throw validationError(`Property names must be unique; "${property.name}" is used twice.`);
    names.add(property.name);
  }
  return next;
}

function normalizeConfig(type: string, raw: unknown, path: string, previous?: Record<string, unknown>): Record<string, unknown> {
  const config = isObject(raw) ? raw : {};
  switch (type) {
    case 'select':
    case 'multi_select':
      return { options: normalizeOptions(config.options ?? previous?.options ?? [], `${path}.options`) };
    case 'status':
      return defaultStatusConfig();
    case 'number':
      return { format: typeof config.format === 'string' ? config.format : 'number' };
    case 'formula':
      return { expression: typeof config.expression === 'string' ? config.expression : '' };
    case 'unique_id':
      return { prefix: typeof config.prefix === 'string' ? config.prefix : null };
    case 'relation':
      return {
        data_source_id: config.data_source_id,
        database_id: config.database_id ?? null,
        type: 'single_property',
        single_property: {},
      };
    default:
      return {};
  }
}

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description: string | null;
}

function normalizeOptions(options: unknown, path: string): SelectOption[] {
  if (!Array.isArray(options)) throw bodyInvalid(shouldBe(path, 'an array', options));
  return options.map((option, index) => {
    if (!isObject(option) || typeof option.name !== 'string') {
      throw bodyInvalid(shouldBe(`${path}[${index}].name`, 'a string', isObject(option) ? option.name : option));
    }
    return newOption(option.name, option.color, option.id, option.description);
  });
}

/** Select option names cannot contain commas in Notion. */
export function newOption(name: string, color?: unknown, id?: unknown, description?: unknown): SelectOption {
  if (name.includes(',')) throw validationError(`Invalid select option, commas not allowed: ${name}`);
  return {
    id: typeof id === 'string' ? id : newId(),
    name,
    color: typeof color === 'string' ? color : 'default',
    description: typeof description === 'string' ? description : null,
  };
}

function defaultStatusConfig(): Record<string, unknown> {
  const notStarted = newOption('Not started', 'default');
  const inProgress = newOption('In progress', 'blue');
  const done = newOption('Done', 'green');
  return {
    options: [notStarted, inProgress, done],
    groups: [
      { id: newId(), name: 'To-do', color: 'gray', option_ids: [notStarted.id] },
      { id: newId(), name: 'In progress', color: 'blue', option_ids: [inProgress.id] },
      { id: newId(), name: 'Complete', color: 'green', option_ids: [done.id] },
    ],
  };
}

/** The schema as Notion returns it: keyed by name, each with id, name, type, description and its config. */
export function schemaResponse(schema: readonly SchemaProperty[]): Record<string, unknown> {
  return Object.fromEntries(
    schema.map((property) => [
      property.name,
      { id: property.id, name: property.name, description: property.description ?? null, type: property.type, [property.type]: property.config },
    ]),
  );
}
