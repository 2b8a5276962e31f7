import type { DataSourceSchema } from '../../adapters/notion/index.js';
import { UserInputError } from '../../errors.js';
import { OutputValue } from '../connections/schema.js';
import type { ConnectionType } from '../connections/types.js';
import type { OutputChoice } from './types.js';

export function outputLabel(output: OutputChoice): string {
  switch (output.kind) {
    case 'append':
      return OutputValue.appendToPage;
    case 'new-page':
      return OutputValue.newPage;
    case 'page-body':
      return OutputValue.pageBody;
    case 'property':
      return OutputValue.property(output.property);
  }
}

/** The Output value of a saved connection -> the choice (for running it again). */
export function parseOutputLabel(label: string, type: ConnectionType): OutputChoice {
  const text = label.trim();
  if (text === OutputValue.appendToPage) return { kind: 'append' };
  if (text === OutputValue.newPage) return { kind: 'new-page' };
  if (text === OutputValue.pageBody) return { kind: 'page-body' };
  const property = /^Property:\s*(.+)$/s.exec(text)?.[1]?.trim();
  if (property) return { kind: 'property', property };
  return type === 'Database' ? { kind: 'page-body' } : { kind: 'append' };
}

/** The output a request gets on this kind of target, checked against the database's properties. */
export function checkOutput(kind: ConnectionType, requested: OutputChoice | undefined, schema: DataSourceSchema | undefined): OutputChoice {
  if (kind === 'Page') {
    const output = requested ?? { kind: 'append' };
    if (output.kind === 'append' || output.kind === 'new-page') return output;
    throw new UserInputError(
      output.kind === 'property'
        ? '`--into` works only with a database: the link you gave is a page. Give a database link, or leave `--into` out to append to the page.'
        : 'That link is a page, not a database: the result is appended to the page (or use `--new-page`).',
      'output',
    );
  }
  const output = requested ?? { kind: 'page-body' };
  if (output.kind === 'new-page' || output.kind === 'append') {
    throw new UserInputError(
      'That link is a database: each row gets its own result (in the row’s page, or with `--into "<property>"` in a text property). `--new-page` works only with a page link.',
      'output',
    );
  }
  if (output.kind === 'page-body') return output;
  const properties = schema?.properties ?? {};
  const richText = Object.entries(properties)
    .filter(([, p]) => p.type === 'rich_text')
    .map(([name]) => name);
  const name = output.property.trim();
  const property = properties[name] ? name : Object.keys(properties).find((p) => p.toLowerCase() === name.toLowerCase());
  const available =
    richText.length > 0
      ? `Its text properties: ${richText.map((p) => `\`${p}\``).join(', ')}.`
      : 'It has no text properties; add one in Notion, or leave `--into` out to write into each row’s page.';
  if (!property) throw new UserInputError(`The database has no property \`${name}\`. ${available}`, 'output');
  if (properties[property]!.type !== 'rich_text') {
    throw new UserInputError(`\`${property}\` is not a text property, so Visen cannot write into it. ${available}`, 'output');
  }
  return { kind: 'property', property };
}
