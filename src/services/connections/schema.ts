/**
 * The connections database: the one place that says which properties it has (names, types and select
 * options exactly as the README's table of the connections database gives them). The settings feature checks a user's database
 * against it and creates "Visen connections" from it; the generate and Home features read and write rows by
 * these names.
 */

export const CONNECTIONS_DATABASE_TITLE = 'Visen connections';

/** The property types the schema uses, in Notion's own words. */
export type ConnectionsPropertyType = 'title' | 'select' | 'url' | 'rich_text' | 'date' | 'number';

export interface ConnectionsPropertyDefinition {
  readonly name: string;
  readonly type: ConnectionsPropertyType;
  /** Select properties: the options, in order. */
  readonly options?: readonly string[];
  /** What the property holds, as the README's table says it (shown when a property is missing). */
  readonly holds: string;
}

/** Property names, so callers never spell one by hand. */
export const ConnectionsProperty = {
  name: 'Name',
  type: 'Type',
  target: 'Target',
  prompt: 'Prompt',
  output: 'Output',
  model: 'Model',
  slackUser: 'Slack user',
  status: 'Status',
  lastRun: 'Last run',
  runs: 'Runs',
  items: 'Items',
  lastError: 'Last error',
  tokens: 'Tokens',
  source: 'Source',
} as const;

export const CONNECTION_TYPE_OPTIONS = ['Page', 'Database'] as const;
export const CONNECTION_STATUS_OPTIONS = ['Ready', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;

/**
 * Values of the `Output` property. `New page` is for page runs that create a child page (`--new-page`), so that
 * running the connection again does the same thing.
 */
export const OutputValue = {
  appendToPage: 'Append to page',
  newPage: 'New page',
  pageBody: 'Page body',
  /** A new row of the database, filled from a Slack thread (Send to Notion). */
  newRow: 'New row',
  property: (name: string) => `Property: ${name}`,
  /**
   * Typed outputs: the `--into` names as a JSON array (`@body` is the page body), so any property name reads back
   * exactly; `--new-options` is said after it.
   */
  properties: (outputs: readonly string[], newOptions: boolean) => `Properties: ${JSON.stringify(outputs)}${newOptions ? NEW_OPTIONS_SUFFIX : ''}`,
  parseProperties(label: string): { outputs: string[]; newOptions: boolean } | undefined {
    const match = /^Properties:\s*(\[.*\])(\s*\(new options allowed\))?\s*$/s.exec(label.trim());
    if (!match) return undefined;
    try {
      const outputs: unknown = JSON.parse(match[1]!);
      if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => typeof o === 'string' && o.trim() !== '')) return undefined;
      return { outputs: outputs as string[], newOptions: match[2] !== undefined };
    } catch {
      return undefined;
    }
  },
} as const;

const NEW_OPTIONS_SUFFIX = ' (new options allowed)';

export const CONNECTIONS_SCHEMA: readonly ConnectionsPropertyDefinition[] = [
  { name: ConnectionsProperty.name, type: 'title', holds: "the connection's name" },
  { name: ConnectionsProperty.type, type: 'select', options: CONNECTION_TYPE_OPTIONS, holds: 'what the target is' },
  { name: ConnectionsProperty.target, type: 'url', holds: 'the Notion URL of the target page or database' },
  { name: ConnectionsProperty.prompt, type: 'rich_text', holds: 'the prompt or prompt template' },
  { name: ConnectionsProperty.output, type: 'rich_text', holds: 'where results go' },
  { name: ConnectionsProperty.model, type: 'rich_text', holds: 'the model used' },
  { name: ConnectionsProperty.slackUser, type: 'rich_text', holds: 'the Slack team and user that own it' },
  { name: ConnectionsProperty.status, type: 'select', options: CONNECTION_STATUS_OPTIONS, holds: 'state of the last run' },
  { name: ConnectionsProperty.lastRun, type: 'date', holds: 'when it last ran' },
  { name: ConnectionsProperty.runs, type: 'number', holds: 'how many times it ran' },
  { name: ConnectionsProperty.items, type: 'number', holds: 'pages or rows written by the last run' },
  { name: ConnectionsProperty.lastError, type: 'rich_text', holds: 'a short message when the last run failed' },
  { name: ConnectionsProperty.tokens, type: 'number', holds: 'prompt + completion tokens of the last run (empty: not reported)' },
  { name: ConnectionsProperty.source, type: 'url', holds: 'the Slack thread the content is made from (Send to Notion); empty otherwise' },
];

/** How Notion's property types read in its own interface, for messages to users. */
const TYPE_LABELS: Record<string, string> = {
  title: 'Title',
  select: 'Select',
  multi_select: 'Multi-select',
  status: 'Status',
  url: 'URL',
  rich_text: 'Text',
  date: 'Date',
  number: 'Number',
  checkbox: 'Checkbox',
  email: 'Email',
  phone_number: 'Phone',
  people: 'Person',
  files: 'Files & media',
  relation: 'Relation',
  rollup: 'Rollup',
  formula: 'Formula',
  created_time: 'Created time',
  created_by: 'Created by',
  last_edited_time: 'Last edited time',
  last_edited_by: 'Last edited by',
  unique_id: 'ID',
  button: 'Button',
  place: 'Place',
  location: 'Location',
  verification: 'Verification',
};

export function propertyTypeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type;
}

/** `Select: Ready, Running, …` or `Number`: a property's type (and options) in messages. */
export function describeType(def: ConnectionsPropertyDefinition): string {
  return `${propertyTypeLabel(def.type)}${def.options ? ` with options ${def.options.join(', ')}` : ''}`;
}

/** `Status (Select: Ready, Running, …)`: how a property of the schema is named in messages. */
export function describeDefinition(def: ConnectionsPropertyDefinition): string {
  const options = def.options ? `: ${def.options.join(', ')}` : '';
  return `${def.name} (${propertyTypeLabel(def.type)}${options})`;
}

export interface MistypedProperty {
  readonly name: string;
  readonly expected: ConnectionsPropertyType;
  readonly actual: string;
}

export interface SchemaCheck {
  /** Properties of the schema the data source lacks. */
  readonly missing: readonly ConnectionsPropertyDefinition[];
  /** Properties with the right name and the wrong type. */
  readonly mistyped: readonly MistypedProperty[];
  /**
   * When `Name` is missing: the data source's title property under another name (every data source has
   * exactly one title property, so adding `Name` means renaming this one).
   */
  readonly titlePropertyToRename: string | undefined;
}

/** Property name -> Notion type, as a data source describes its properties. */
export type PropertyTypes = Readonly<Record<string, string>>;

/**
 * Compares a data source's properties with the schema. Names match exactly (Notion property names are
 * case-sensitive, and other features address them by these names). Extra properties are fine.
 */
export function checkConnectionsSchema(properties: PropertyTypes): SchemaCheck {
  const missing: ConnectionsPropertyDefinition[] = [];
  const mistyped: MistypedProperty[] = [];
  for (const def of CONNECTIONS_SCHEMA) {
    const actual = properties[def.name];
    if (actual === undefined) missing.push(def);
    else if (actual !== def.type) mistyped.push({ name: def.name, expected: def.type, actual });
  }
  const nameMissing = missing.some((d) => d.name === ConnectionsProperty.name);
  const otherTitle = nameMissing ? Object.entries(properties).find(([, type]) => type === 'title')?.[0] : undefined;
  return { missing, mistyped, titlePropertyToRename: otherTitle };
}

export function schemaMatches(check: SchemaCheck): boolean {
  return check.missing.length === 0 && check.mistyped.length === 0;
}

/**
 * Notion's property configuration for one definition, as `POST /v1/databases` (initial_data_source.properties)
 * and `PATCH /v1/data_sources/{id}` (properties) take it.
 * https://developers.notion.com/reference/property-object
 */
export function notionPropertyConfig(def: ConnectionsPropertyDefinition): Record<string, unknown> {
  switch (def.type) {
    case 'select':
      return { select: { options: (def.options ?? []).map((name) => ({ name })) } };
    case 'number':
      return { number: { format: 'number' } };
    default:
      return { [def.type]: {} };
  }
}

/** The whole schema as Notion property configurations, keyed by name (for creating the database). */
export function connectionsPropertiesConfig(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(CONNECTIONS_SCHEMA.map((def) => [def.name, notionPropertyConfig(def)]));
}

/**
 * The update that adds what a check found missing. `Name` is added by renaming the existing title property
 * (a data source has exactly one). Mistyped properties are left alone: changing a type can lose data, so
 * the user decides.
 */
export function missingPropertiesUpdate(check: SchemaCheck): Record<string, Record<string, unknown>> {
  const update: Record<string, Record<string, unknown>> = {};
  for (const def of check.missing) {
    if (def.type === 'title') {
      if (check.titlePropertyToRename !== undefined) update[check.titlePropertyToRename] = { name: def.name };
      continue;
    }
    update[def.name] = notionPropertyConfig(def);
  }
  return update;
}
