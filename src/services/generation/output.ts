import type { DataSourceSchema } from '../../adapters/notion/index.js';
import { UserInputError } from '../../errors.js';
import { OutputValue } from '../connections/schema.js';
import type { ConnectionType } from '../connections/types.js';
import { checkDatabaseOutputs } from './outputs/check.js';
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
    case 'properties':
      return OutputValue.properties(output.outputs, output.newOptions === true);
    case 'new-row':
      return OutputValue.newRow;
  }
}

/** The Output value of a saved connection -> the choice (for running it again). */
export function parseOutputLabel(label: string, type: ConnectionType): OutputChoice {
  const text = label.trim();
  if (text === OutputValue.appendToPage) return { kind: 'append' };
  if (text === OutputValue.newPage) return { kind: 'new-page' };
  if (text === OutputValue.pageBody) return { kind: 'page-body' };
  if (text === OutputValue.newRow) return { kind: 'new-row' };
  const property = /^Property:\s*(.+)$/s.exec(text)?.[1]?.trim();
  if (property) return { kind: 'property', property };
  const several = OutputValue.parseProperties(text);
  if (several) return { kind: 'properties', outputs: several.outputs, ...(several.newOptions ? { newOptions: true } : {}) };
  return type === 'Database' ? { kind: 'page-body' } : { kind: 'append' };
}

/** The output a request gets on this kind of target, checked against the database's properties. */
export function checkOutput(kind: ConnectionType, requested: OutputChoice | undefined, schema: DataSourceSchema | undefined): OutputChoice {
  if (kind === 'Page') {
    const output = requested ?? { kind: 'append' };
    if (output.kind === 'append' || output.kind === 'new-page') return output;
    throw new UserInputError(
      output.kind === 'new-row'
        ? 'That link is a page, not a database: a new row needs the link of a database. Give a database link, or choose to append to the page.'
        : output.kind === 'property' || output.kind === 'properties'
          ? '`--into` works only with a database: the link you gave is a page. Give a database link, or leave `--into` out to append to the page.'
          : 'That link is a page, not a database: the result is appended to the page (or use `--new-page`).',
      'output',
    );
  }
  const output = requested ?? { kind: 'page-body' };
  if (output.kind === 'new-row') return output;
  if (output.kind === 'new-page' || output.kind === 'append') {
    throw new UserInputError(
      'That link is a database: each row gets its own result (in the row’s page, or with `--into "<property>"` in a text property). `--new-page` works only with a page link.',
      'output',
    );
  }
  if (output.kind === 'page-body') return output;
  const names = output.kind === 'property' ? [output.property] : output.outputs;
  return checkDatabaseOutputs(names, output.kind === 'properties' && output.newOptions === true, schema);
}
