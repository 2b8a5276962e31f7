import { pagePlainText } from '../../adapters/notion/index.js';
import { clip } from '../text.js';
import { PREVIEW_VALUE_CHARS } from './limits.js';
import type { OutputPlan } from './outputs/plan.js';
import type { RowAnswer } from './row-writes.js';
import type { PreviewRow } from './types.js';

/** The output a row's answer goes into: a text property, the page body, or typed outputs (one JSON answer). */
export type PreviewTarget = { readonly into: string | undefined; readonly plan?: OutputPlan | undefined };

/** A held row's answer as the preview shows it: each output's value as plain text, bounded. */
export function previewRowOf(row: { title: string; url: string }, answer: RowAnswer, target: PreviewTarget): PreviewRow {
  return {
    title: row.title || 'Untitled',
    url: row.url,
    values: proposedValues(answer, target).map(({ name, value }) => ({ name, value: clip(value, PREVIEW_VALUE_CHARS) })),
  };
}

function proposedValues(answer: RowAnswer, { into, plan }: PreviewTarget): Array<{ name: string; value: string }> {
  if (answer.properties === undefined || !plan) return [{ name: into ?? '@body', value: answer.text }];
  return plan.specs.map((spec) => {
    if (spec.type === 'body') return { name: spec.name, value: answer.text };
    const write = answer.properties?.[spec.name] ?? {};
    if (spec.type === 'relation') return { name: spec.name, value: relationTitles(write, spec.pageIds) };
    // The write has Notion's request shape (`{ select: {...} }`); with its type it reads as a page's value does.
    return { name: spec.name, value: pagePlainText({ type: spec.type, ...write }) };
  });
}

function relationTitles(write: Readonly<Record<string, unknown>>, pageIds: ReadonlyMap<string, string> | undefined): string {
  const ids = Array.isArray(write.relation) ? write.relation.map((r: { id?: unknown }) => r.id) : [];
  const titles = [...(pageIds ?? new Map<string, string>()).entries()].filter(([, id]) => ids.includes(id)).map(([title]) => title);
  return titles.join(', ');
}
