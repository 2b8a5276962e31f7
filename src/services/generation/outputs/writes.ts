import {
  checkboxValue,
  dateValue,
  emailValue,
  multiSelectValue,
  numberValue,
  type PropertyWrites,
  phoneNumberValue,
  relationValue,
  richTextValue,
  selectValue,
  statusValue,
  titleValue,
  urlValue,
} from '../../../adapters/notion/index.js';
import type { OutputPlan, OutputSpec } from './plan.js';

/** What one row gets from its checked answer: the property values (one page update) and the page body's Markdown ('' for none). */
export interface TypedRowWrite {
  readonly properties: PropertyWrites;
  readonly body: string;
}

/** The checked answer as Notion's page property values (https://developers.notion.com/reference/page-property-values). */
export function writesOf(plan: OutputPlan, values: Readonly<Record<string, unknown>>): TypedRowWrite {
  const properties: Record<string, Readonly<Record<string, unknown>>> = {};
  let body = '';
  for (const spec of plan.specs) {
    const value = values[spec.name];
    if (spec.type === 'body') body = typeof value === 'string' ? value : '';
    else properties[spec.name] = propertyValue(spec, value);
  }
  return { properties, body };
}

function propertyValue(spec: OutputSpec, value: unknown): Readonly<Record<string, unknown>> {
  const text = typeof value === 'string' ? value : '';
  const names = Array.isArray(value) ? [...new Set(value.filter((v): v is string => typeof v === 'string'))] : [];
  switch (spec.type) {
    case 'title':
      return titleValue(text);
    case 'rich_text':
      return richTextValue(text);
    case 'number':
      return numberValue(typeof value === 'number' ? value : null);
    case 'checkbox':
      return checkboxValue(value === true);
    case 'date':
      return dateValue(typeof value === 'string' ? value : null);
    case 'url':
      return urlValue(typeof value === 'string' ? value : null);
    case 'email':
      return emailValue(typeof value === 'string' ? value : null);
    case 'phone_number':
      return phoneNumberValue(typeof value === 'string' ? value : null);
    case 'select':
      return selectValue(text);
    case 'status':
      return statusValue(text);
    case 'multi_select':
      return multiSelectValue(names);
    case 'relation':
      return relationValue(names.flatMap((title) => spec.pageIds?.get(title) ?? []));
    case 'body':
      return {};
  }
}
