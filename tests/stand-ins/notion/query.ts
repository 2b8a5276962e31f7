// Filtering, sorting and pagination for POST /v1/data_sources/{id}/query.
// Filters: https://developers.notion.com/reference/filter-data-source-entries (compound filters nest up to two
// levels; a rich_text condition also applies to title, url, email and phone_number properties).
// Sorts: https://developers.notion.com/reference/sort-data-source-entries
// Pagination: https://developers.notion.com/reference/intro#pagination (page_size at most 100, default 100).
// Result cap: https://developers.notion.com/guides/data-apis/query-large-data-sources ("A single data source query
// returns at most 10,000 results ... has_more comes back false and the response carries a request_status that
// marks the result as incomplete").
// Case rules for text conditions are not documented; here `equals` is exact and `contains`/`starts_with`/
// `ends_with` ignore case.
import { bodyInvalid, shouldBe, validationError } from './errors.js';
import { normalizeId, notionTimestamp } from './ids.js';
import type { PageRecord, SchemaProperty } from './records.js';
import { plainText, type RichText } from './rich-text.js';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

const TEXT_TYPES = new Set(['title', 'rich_text', 'url', 'email', 'phone_number']);
const MAX_COMPOUND_DEPTH = 2;

type Predicate = (page: PageRecord) => boolean;

export function compileFilter(filter: unknown, schema: SchemaProperty[], path = 'body.filter', depth = 0): Predicate {
  if (filter === undefined) return () => true;
  if (!isObject(filter)) throw bodyInvalid(shouldBe(path, 'an object', filter));
  for (const compound of ['and', 'or'] as const) {
    if (!(compound in filter)) continue;
    if (depth >= MAX_COMPOUND_DEPTH) throw validationError(`${path}.${compound}: compound filters can be nested at most ${MAX_COMPOUND_DEPTH} levels deep.`);
    const parts = filter[compound];
    if (!Array.isArray(parts)) throw bodyInvalid(shouldBe(`${path}.${compound}`, 'an array', parts));
    const predicates = parts.map((part, i) => compileFilter(part, schema, `${path}.${compound}[${i}]`, depth + 1));
    return compound === 'and' ? (page) => predicates.every((p) => p(page)) : (page) => predicates.some((p) => p(page));
  }
  if (filter.timestamp === 'created_time' || filter.timestamp === 'last_edited_time') {
    const field = filter.timestamp === 'created_time' ? 'createdMs' : 'lastEditedMs';
    const test = dateCondition(filter[filter.timestamp], `${path}.${filter.timestamp}`);
    // Compared as Notion shows them: rounded down to the minute.
    return (page) => test(notionTimestamp(page[field]));
  }
  if (typeof filter.property !== 'string') throw bodyInvalid(shouldBe(`${path}.property`, 'a string', filter.property));
  const property = schema.find((candidate) => candidate.name === filter.property || candidate.id === filter.property);
  if (!property) throw validationError(`Could not find property with name or id: ${filter.property}`);
  const conditionType = Object.keys(filter).find((key) => key !== 'property' && key !== 'type');
  if (!conditionType || !conditionApplies(conditionType, property.type)) {
    throw validationError(`The filter for ${property.name} uses ${conditionType ?? 'no condition'}, which does not apply to a ${property.type} property.`);
  }
  const condition = filter[conditionType];
  const conditionPath = `${path}.${conditionType}`;
  const storedValue = (page: PageRecord) => {
    const stored = page.values.get(property.id);
    return stored && stored.type === property.type ? stored.value : undefined;
  };
  if (TEXT_TYPES.has(property.type)) {
    const test = textCondition(condition, conditionPath);
    return (page) => test(textOf(storedValue(page)));
  }
  if (property.type === 'select' || property.type === 'status') {
    const test = textCondition(condition, conditionPath);
    return (page) => test((storedValue(page) as { name?: string } | null | undefined)?.name ?? '');
  }
  if (property.type === 'multi_select') {
    return multiSelectCondition(condition, conditionPath, (page) => ((storedValue(page) as Array<{ name: string }>) ?? []).map((o) => o.name));
  }
  if (property.type === 'checkbox') {
    if (!isObject(condition) || typeof (condition.equals ?? condition.does_not_equal) !== 'boolean') {
      throw bodyInvalid(shouldBe(`${conditionPath}.equals`, 'a boolean', condition?.equals));
    }
    return (page) => (storedValue(page) === true) === ('equals' in condition ? condition.equals : !condition.does_not_equal);
  }
  if (property.type === 'number') return numberCondition(condition, conditionPath, (page) => storedValue(page) as number | null | undefined);
  if (property.type === 'date') {
    const test = dateCondition(condition, conditionPath);
    return (page) => test((storedValue(page) as { start?: string } | null | undefined)?.start);
  }
  throw validationError(`Filtering on ${property.type} properties is not supported by the Notion stand-in.`);
}

function conditionApplies(conditionType: string, propertyType: string): boolean {
  if (TEXT_TYPES.has(propertyType)) return TEXT_TYPES.has(conditionType);
  return conditionType === propertyType;
}

const textOf = (value: unknown): string => {
  if (Array.isArray(value)) return plainText(value as RichText[]);
  return typeof value === 'string' ? value : '';
};

function textCondition(condition: unknown, path: string): (text: string) => boolean {
  if (!isObject(condition)) throw bodyInvalid(shouldBe(path, 'an object', condition));
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  const lower = typeof operand === 'string' ? operand.toLowerCase() : '';
  switch (operator) {
    case 'equals':
      return (text) => text === operand;
    case 'does_not_equal':
      return (text) => text !== operand;
    case 'contains':
      return (text) => text.toLowerCase().includes(lower);
    case 'does_not_contain':
      return (text) => !text.toLowerCase().includes(lower);
    case 'starts_with':
      return (text) => text.toLowerCase().startsWith(lower);
    case 'ends_with':
      return (text) => text.toLowerCase().endsWith(lower);
    case 'is_empty':
      return (text) => text === '';
    case 'is_not_empty':
      return (text) => text !== '';
    default:
      throw bodyInvalid(
        shouldBe(path, 'an object with one of: equals, does_not_equal, contains, does_not_contain, starts_with, ends_with, is_empty, is_not_empty', condition),
      );
  }
}

function multiSelectCondition(condition: unknown, path: string, namesOf: (page: PageRecord) => string[]): Predicate {
  if (!isObject(condition)) throw bodyInvalid(shouldBe(path, 'an object', condition));
  if ('contains' in condition) return (page) => namesOf(page).includes(condition.contains);
  if ('does_not_contain' in condition) return (page) => !namesOf(page).includes(condition.does_not_contain);
  if ('is_empty' in condition) return (page) => namesOf(page).length === 0;
  if ('is_not_empty' in condition) return (page) => namesOf(page).length > 0;
  throw bodyInvalid(shouldBe(path, 'an object with one of: contains, does_not_contain, is_empty, is_not_empty', condition));
}

function numberCondition(condition: unknown, path: string, storedValue: (page: PageRecord) => number | null | undefined): Predicate {
  if (!isObject(condition)) throw bodyInvalid(shouldBe(path, 'an object', condition));
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  const tests: Record<string, (n: number) => boolean> = {
    equals: (n) => n === operand,
    does_not_equal: (n) => n !== operand,
    greater_than: (n) => n > operand,
    less_than: (n) => n < operand,
    greater_than_or_equal_to: (n) => n >= operand,
    less_than_or_equal_to: (n) => n <= operand,
  };
  if (operator === 'is_empty') return (page) => storedValue(page) == null;
  if (operator === 'is_not_empty') return (page) => storedValue(page) != null;
  const test = operator ? tests[operator] : undefined;
  if (!test) throw bodyInvalid(shouldBe(path, `an object with one of: ${Object.keys(tests).join(', ')}, is_empty, is_not_empty`, condition));
  return (page) => {
    const value = storedValue(page);
    return value != null && test(value);
  };
}

/** Dates compare as ISO strings (date-only values compare by their day). */
function dateCondition(condition: unknown, path: string): (iso: string | undefined) => boolean {
  if (!isObject(condition)) throw bodyInvalid(shouldBe(path, 'an object', condition));
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  const day = (iso: string) => iso.slice(0, operand?.length ?? iso.length);
  switch (operator) {
    case 'equals':
      return (iso) => iso !== undefined && day(iso) === operand;
    case 'before':
      return (iso) => iso !== undefined && day(iso) < operand;
    case 'after':
      return (iso) => iso !== undefined && day(iso) > operand;
    case 'on_or_before':
      return (iso) => iso !== undefined && day(iso) <= operand;
    case 'on_or_after':
      return (iso) => iso !== undefined && day(iso) >= operand;
    case 'is_empty':
      return (iso) => iso === undefined;
    case 'is_not_empty':
      return (iso) => iso !== undefined;
    default:
      throw bodyInvalid(shouldBe(path, 'an object with one of: equals, before, after, on_or_before, on_or_after, is_empty, is_not_empty', condition));
  }
}

type Comparator = (a: PageRecord, b: PageRecord) => number;

/** Without sorts, rows come back in creation order (Notion does not document a default order). */
export function compileSorts(sorts: unknown, schema: SchemaProperty[]): Comparator {
  const creationOrder: Comparator = (a, b) => a.createdMs - b.createdMs;
  if (sorts === undefined) return creationOrder;
  if (!Array.isArray(sorts)) throw bodyInvalid(shouldBe('body.sorts', 'an array', sorts));
  const comparators = sorts.map((sort, index): Comparator => {
    const path = `body.sorts[${index}]`;
    if (!isObject(sort) || (sort.direction !== 'ascending' && sort.direction !== 'descending')) {
      throw bodyInvalid(shouldBe(`${path}.direction`, '"ascending" or "descending"', isObject(sort) ? sort.direction : sort));
    }
    const sign = sort.direction === 'ascending' ? 1 : -1;
    if (sort.timestamp === 'created_time') return (a, b) => sign * (a.createdMs - b.createdMs);
    if (sort.timestamp === 'last_edited_time') return (a, b) => sign * (a.lastEditedMs - b.lastEditedMs);
    const property = schema.find((candidate) => candidate.name === sort.property || candidate.id === sort.property);
    if (!property) throw validationError(`Could not find sort property with name or id: ${sort.property}`);
    const key = sortKey(property);
    // Empty values go last in both directions, as in the Notion app.
    return (a, b) => {
      const [x, y] = [key(a), key(b)];
      if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
      return sign * (x < y ? -1 : x > y ? 1 : 0);
    };
  });
  return (a, b) => {
    for (const compare of comparators) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return creationOrder(a, b);
  };
}

function sortKey(property: SchemaProperty): (page: PageRecord) => string | number | undefined {
  return (page) => {
    const stored = page.values.get(property.id);
    if (!stored || stored.type !== property.type || stored.value == null) return undefined;
    const value = stored.value as any;
    if (Array.isArray(value)) return value.length ? (TEXT_TYPES.has(property.type) ? plainText(value).toLowerCase() : value.length) : undefined;
    if (typeof value === 'object') return value.start ?? value.name;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return typeof value === 'string' ? value.toLowerCase() : value;
  };
}

export interface PageOfResults<T> {
  results: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/** Cursor = id of the first item of the next page. */
export function paginate<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  startCursor: unknown,
  pageSize: unknown,
  where: 'body' | 'query',
): PageOfResults<T> {
  const size = pageSize === undefined ? 100 : Number(pageSize);
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw bodyInvalid(`${where}.page_size should be an integer between 1 and 100, instead was \`${String(pageSize)}\`.`);
  }
  let start = 0;
  if (startCursor !== undefined && startCursor !== null) {
    const cursor = typeof startCursor === 'string' ? normalizeId(startCursor) : undefined;
    start = cursor ? items.findIndex((item) => idOf(item) === cursor) : -1;
    if (start < 0) throw validationError(`start_cursor provided is invalid: ${String(startCursor)}`);
  }
  const results = items.slice(start, start + size);
  const next = items[start + size];
  return { results, next_cursor: next ? idOf(next) : null, has_more: next !== undefined };
}
