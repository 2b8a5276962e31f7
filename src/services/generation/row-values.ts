import type { PropertyValue } from '../../adapters/notion/index.js';

/**
 * A row's property value as the text a prompt sees. The adapter already renders most types as plain text
 * (numbers, options, dates, checkboxes as Yes/No, people by name); relations are shown by the titles of the
 * related pages, which the caller looks up (where cheap), instead of by their ids.
 */
export function cellText(value: PropertyValue | undefined, relationTitles: ReadonlyMap<string, string> = new Map()): string {
  if (!value) return '';
  if (value.type === 'relation') {
    return value.ids
      .map((id) => relationTitles.get(id))
      .filter((title): title is string => Boolean(title))
      .join(', ');
  }
  return value.plainText;
}

/**
 * The properties a database run reads from each row, by name (the adapter asks Notion for these and the title):
 * every property a placeholder names (relations among them), and the output properties when only empty rows are
 * filled, since a row's own value decides whether it is skipped.
 */
export function propertiesReadPerRow(
  binding: ReadonlyMap<string, string>,
  into: string | readonly string[] | undefined,
  onlyEmpty: boolean | undefined,
): string[] {
  const outputs = into === undefined ? [] : typeof into === 'string' ? [into] : into;
  return [...new Set([...binding.values(), ...(onlyEmpty ? outputs : [])])];
}

/** Related page ids of the given properties of a row (for looking up their titles). */
export function relationIdsOf(properties: Readonly<Record<string, PropertyValue>>, names: Iterable<string>, perCell: number): string[] {
  const ids: string[] = [];
  for (const name of names) {
    const value = properties[name];
    if (value?.type === 'relation') ids.push(...value.ids.slice(0, perCell));
  }
  return [...new Set(ids)];
}
