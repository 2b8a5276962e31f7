import type { DataSourceSchema } from '../../../adapters/notion/index.js';
import { UserInputError } from '../../../errors.js';
import type { OutputChoice } from '../types.js';
import { BODY_OUTPUT, isWritableType, typeWord } from './kinds.js';

/** Outputs per run: more than a few dozen properties in one answer is no longer one sensible request. */
export const MAX_OUTPUTS = 25;

/**
 * `--into` names (one or several, `@body` for the page body) checked against the database's properties, as the
 * run will write them:
 * - `@body` alone is the page body, and one text property alone (without `--new-options`) the plain-text output,
 *   exactly as before typed outputs existed;
 * - anything else is a typed run: one JSON answer per row (see outputs/answer-schema.ts).
 * Unknown names and read-only types are refused here, before anything runs, all in one message.
 */
export function checkDatabaseOutputs(names: readonly string[], newOptions: boolean, schema: DataSourceSchema | undefined): OutputChoice {
  const properties = schema?.properties ?? {};
  const outputs = resolveOutputs(names, schema);
  if (outputs.length > MAX_OUTPUTS)
    throw new UserInputError(`Give at most ${MAX_OUTPUTS} outputs with \`--into\`; this run names ${outputs.length}.`, 'output');
  if (newOptions && !outputs.some((o) => properties[o]?.type === 'select' || properties[o]?.type === 'multi_select')) {
    throw new UserInputError(
      '`--new-options` lets a select or multi-select property gain options; none of the `--into` properties is one (status options cannot be created through Notion’s API).',
      'output',
    );
  }
  if (outputs.length === 1 && outputs[0] === BODY_OUTPUT) return { kind: 'page-body' };
  if (outputs.length === 1 && !newOptions && properties[outputs[0]!]?.type === 'rich_text') return { kind: 'property', property: outputs[0]! };
  return { kind: 'properties', outputs, ...(newOptions ? { newOptions: true } : {}) };
}

/** Each name as the schema spells it (matched as typed, else ignoring case), once; unknown and read-only ones refused together. */
function resolveOutputs(names: readonly string[], schema: DataSourceSchema | undefined): string[] {
  const properties = schema?.properties ?? {};
  const resolved: string[] = [];
  const unknown: string[] = [];
  const readOnly: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    const property =
      name.toLowerCase() === BODY_OUTPUT ? BODY_OUTPUT : properties[name] ? name : Object.keys(properties).find((p) => p.toLowerCase() === name.toLowerCase());
    const type = property === undefined || property === BODY_OUTPUT ? undefined : properties[property]!.type;
    if (property === undefined) unknown.push(name);
    else if (type !== undefined && !isWritableType(type)) readOnly.push(`\`${property}\` (${typeWord(type)})`);
    else resolved.push(property);
  }
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`The database has no property ${unknown.map((n) => `\`${n}\``).join(', ')}.`);
  if (readOnly.length > 0) {
    problems.push(`Visen cannot write into ${readOnly.join(', ')}: Notion computes such values, or Visen does not fill that type.`);
  }
  if (problems.length > 0) throw new UserInputError(`${problems.join(' ')} ${writableList(schema)}`, 'output');
  return [...new Set(resolved)];
}

/** The properties a run could write into, for messages. */
export function writableList(schema: DataSourceSchema | undefined): string {
  const names = Object.entries(schema?.properties ?? {})
    .filter(([, p]) => isWritableType(p.type))
    .map(([name, p]) => `\`${name}\` (${typeWord(p.type)})`);
  const list = names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
  return `It can write into ${list || 'no property'}, and each row’s page body (\`--into @body\`).`;
}
