import { UserInputError } from '../../errors.js';

/**
 * `{{Property name}}` placeholders in a database prompt template. Spacing inside the braces is forgiven
 * (`{{ Name }}`, `{{Name  }}`), and a name that matches no property exactly is matched ignoring case and
 * runs of spaces, when that match is unique.
 */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The distinct placeholder names in a template, trimmed, in order of first use. */
export function placeholderNames(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Placeholder name -> the property it reads. */
export type PlaceholderBinding = ReadonlyMap<string, string>;

/**
 * Binds every placeholder to a property of the database, or throws a UserInputError naming each unknown
 * placeholder and listing the properties that exist. Called before anything is generated.
 */
export function bindPlaceholders(template: string, propertyNames: readonly string[]): PlaceholderBinding {
  const binding = new Map<string, string>();
  const unknown: string[] = [];
  let empty = false;
  for (const name of placeholderNames(template)) {
    if (name === '') {
      empty = true;
      continue;
    }
    const property = matchProperty(name, propertyNames);
    if (property === undefined) unknown.push(name);
    else binding.set(name, property);
  }
  if (empty || unknown.length > 0) {
    const problems = [
      ...(empty ? ['The prompt has an empty placeholder `{{}}`.'] : []),
      ...(unknown.length > 0
        ? [
            `${unknown.length === 1 ? 'This placeholder names' : 'These placeholders name'} no property of the database: ${unknown.map((n) => `\`{{${n}}}\``).join(', ')}.`,
          ]
        : []),
    ];
    throw new UserInputError(
      `${problems.join(' ')} Use \`{{Property name}}\` with one of the database's properties: ${propertyNames.map((p) => `\`${p}\``).join(', ') || '(none)'}. Nothing was generated.`,
      'prompt',
    );
  }
  return binding;
}

function matchProperty(name: string, propertyNames: readonly string[]): string | undefined {
  if (propertyNames.includes(name)) return name;
  const loose = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  const candidates = propertyNames.filter((p) => loose(p) === loose(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The template with each placeholder replaced by its property's text for one row (empty when the cell is). */
export function fillTemplate(template: string, binding: PlaceholderBinding, cellTextOf: (property: string) => string): string {
  return template.replace(PLACEHOLDER, (placeholder, inner: string) => {
    const property = binding.get(inner.trim());
    return property === undefined ? placeholder : cellTextOf(property);
  });
}
