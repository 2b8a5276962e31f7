import { UserInputError } from '../../errors.js';

/**
 * Placeholders in a database prompt template:
 * - `{{Property name}}`: the row's value of that property. Spacing inside the braces is forgiven (`{{ Name }}`), and a
 *   name that matches no property exactly is matched ignoring case and runs of spaces, when that match is unique.
 * - reserved ones: `{{@content}}` (the row's page as Markdown), `{{@row}}` (every property as `Name: value` lines),
 *   `{{@url}}` (the row's Notion link);
 * - one step through a relation: `{{Client.Industry}}`, the `Industry` of each page related through `Client`.
 * A property's own name always wins: `{{v1.2}}` reads a property named `v1.2` if there is one, and a property named
 * `@url` would be read as itself.
 */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

export const RESERVED_PLACEHOLDERS = ['content', 'row', 'url'] as const;
export type ReservedPlaceholder = (typeof RESERVED_PLACEHOLDERS)[number];

/** What one placeholder reads. `target` of a related reading is as typed until `bindRelatedReadings` resolves it. */
export type PlaceholderReading =
  | { readonly kind: 'property'; readonly property: string }
  | { readonly kind: 'reserved'; readonly name: ReservedPlaceholder }
  | { readonly kind: 'related'; readonly relation: string; readonly target: string };

/** Placeholder name (trimmed, as typed) -> what it reads. */
export type PlaceholderBinding = ReadonlyMap<string, PlaceholderReading>;

/** The properties of the database, by name: their type tells a relation from the rest. */
export type PropertyTypes = Readonly<Record<string, { readonly type: string }>>;

/** The distinct placeholder names in a template, trimmed, in order of first use. */
export function placeholderNames(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Binds every placeholder to what it reads, or throws a UserInputError naming each unknown placeholder and listing
 * what exists. Relation readings are bound to the relation only; `bindRelatedReadings` checks their target property
 * against the related database. Called before anything is generated.
 */
export function bindPlaceholders(template: string, properties: PropertyTypes): PlaceholderBinding {
  const names = Object.keys(properties);
  const binding = new Map<string, PlaceholderReading>();
  const unknown: string[] = [];
  let empty = false;
  for (const name of placeholderNames(template)) {
    if (name === '') {
      empty = true;
      continue;
    }
    const reading = readingOf(name, properties, names);
    if (reading === undefined) unknown.push(name);
    else binding.set(name, reading);
  }
  if (empty || unknown.length > 0) throw unknownPlaceholders(empty, unknown, names);
  return binding;
}

function readingOf(name: string, properties: PropertyTypes, names: readonly string[]): PlaceholderReading | undefined {
  const property = matchName(name, names);
  if (property !== undefined) return { kind: 'property', property };
  if (name.startsWith('@')) {
    const reserved = RESERVED_PLACEHOLDERS.find((r) => r === loose(name.slice(1)));
    return reserved === undefined ? undefined : { kind: 'reserved', name: reserved };
  }
  // Every dot may end the relation's name (`{{Q1.5 Client.Industry}}`): the first that names a relation is used.
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const relation = matchName(name.slice(0, dot), names);
    const target = name.slice(dot + 1).trim();
    if (relation !== undefined && properties[relation]?.type === 'relation' && target !== '') return { kind: 'related', relation, target };
  }
  return undefined;
}

function unknownPlaceholders(empty: boolean, unknown: readonly string[], names: readonly string[]): UserInputError {
  const problems = [
    ...(empty ? ['The prompt has an empty placeholder `{{}}`.'] : []),
    ...(unknown.length > 0
      ? [
          `${unknown.length === 1 ? 'This placeholder names' : 'These placeholders name'} no property of the database: ${unknown.map((n) => `\`{{${n}}}\``).join(', ')}.`,
        ]
      : []),
  ];
  return new UserInputError(
    `${problems.join(' ')} Use \`{{Property name}}\` with one of the database's properties: ${names.map((p) => `\`${p}\``).join(', ') || '(none)'}; \`{{Relation.Property}}\` for a property of related pages; or \`{{@content}}\`, \`{{@row}}\`, \`{{@url}}\`. Nothing was generated.`,
    'prompt',
  );
}

/**
 * Resolves each relation reading's target against the properties of the database the relation points to
 * (`relatedNames`: relation -> that database's title and property names), or throws a UserInputError naming each
 * unknown one. A relation missing from `relatedNames` is one whose database Visen cannot read.
 */
export function bindRelatedReadings(
  binding: PlaceholderBinding,
  relatedNames: ReadonlyMap<string, { readonly title: string; readonly names: readonly string[] }>,
): PlaceholderBinding {
  const bound = new Map(binding);
  const problems: string[] = [];
  for (const [placeholder, reading] of binding) {
    if (reading.kind !== 'related') continue;
    const related = relatedNames.get(reading.relation);
    const target = related ? matchName(reading.target, related.names) : undefined;
    if (target !== undefined) bound.set(placeholder, { ...reading, target });
    else if (!related) {
      problems.push(
        `\`{{${placeholder}}}\`: Visen cannot read the database that \`${reading.relation}\` relates to. Connect your integration to that database in Notion (••• → Connections).`,
      );
    } else {
      problems.push(
        `\`{{${placeholder}}}\` names no property of the related database “${related.title || 'Untitled'}”, whose properties are: ${related.names.map((n) => `\`${n}\``).join(', ') || '(none)'}.`,
      );
    }
  }
  if (problems.length > 0) throw new UserInputError(`${problems.join(' ')} Nothing was generated.`, 'prompt');
  return bound;
}

const loose = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

function matchName(name: string, names: readonly string[]): string | undefined {
  if (names.includes(name)) return name;
  const candidates = names.filter((p) => loose(p) === loose(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The template with each placeholder replaced by what it reads for one row. */
export function fillTemplate(template: string, binding: PlaceholderBinding, readingText: (reading: PlaceholderReading) => string): string {
  return template.replace(PLACEHOLDER, (placeholder, inner: string) => {
    const reading = binding.get(inner.trim());
    return reading === undefined ? placeholder : readingText(reading);
  });
}
