import type { PageInfo, PropertyValue, PropertyWrites } from '../../adapters/notion/index.js';
import { dateValue, formatNotionId, numberValue, parseNotionUrl, richTextValue, selectValue, titleValue, urlValue } from '../../adapters/notion/index.js';
import { clip } from '../text.js';
import { CONNECTIONS_SCHEMA, ConnectionsProperty as P } from './schema.js';
import { CONNECTION_STATUSES, type ConnectionRecord, type ConnectionSpec, type ConnectionStatus, type RunOutcome } from './types.js';

/** `Last error` holds a short message: one rich-text item is plenty. */
export const LAST_ERROR_MAX_CHARS = 1_000;
/** Notion allows 100 rich-text items of 2000 characters in a text property. */
const RICH_TEXT_MAX_CHARS = 100 * 2_000;

/**
 * The properties a connection row is read with: every property of the schema, so one added to CONNECTIONS_SCHEMA
 * is read too. Queries and page reads ask Notion for exactly these (`filter_properties`; from API 2026-12-01 a
 * query returns only the title otherwise).
 */
export const CONNECTION_ROW_PROPERTIES: readonly string[] = CONNECTIONS_SCHEMA.map((definition) => definition.name);

/** A row of the connections database as plain values. */
export function toConnectionRecord(page: PageInfo): ConnectionRecord {
  const p = page.properties;
  const type = selectName(p[P.type]);
  const status = selectName(p[P.status]);
  return {
    id: page.id,
    url: page.url,
    name: text(p[P.name]),
    type: type === 'Database' ? 'Database' : 'Page',
    target: urlText(p[P.target]),
    prompt: text(p[P.prompt]),
    output: text(p[P.output]),
    model: text(p[P.model]),
    slackUser: text(p[P.slackUser]),
    status: (CONNECTION_STATUSES as readonly string[]).includes(status) ? (status as ConnectionStatus) : undefined,
    lastRun: dateStart(p[P.lastRun]),
    runs: number(p[P.runs]),
    items: number(p[P.items]),
    lastError: text(p[P.lastError]) || undefined,
    source: urlText(p[P.source]) || undefined,
  };
}

/** Every property of a new row: the run begins, so Status is Running and nothing has run yet. */
export function newRowProperties(slackUser: string, spec: ConnectionSpec): PropertyWrites {
  return {
    [P.name]: titleValue(spec.name),
    [P.type]: selectValue(spec.type),
    [P.target]: urlValue(spec.target),
    [P.prompt]: richTextValue(clip(spec.prompt, RICH_TEXT_MAX_CHARS)),
    [P.output]: richTextValue(spec.output),
    [P.model]: richTextValue(spec.model),
    [P.slackUser]: richTextValue(slackUser),
    [P.status]: selectValue('Running'),
    [P.runs]: numberValue(0),
    [P.items]: numberValue(0),
    [P.lastError]: richTextValue(''),
    ...(spec.source ? { [P.source]: urlValue(spec.source) } : {}),
  };
}

/** An existing row when a run begins. */
export function beginRunProperties(spec: ConnectionSpec): PropertyWrites {
  return {
    [P.status]: selectValue('Running'),
    [P.model]: richTextValue(spec.model),
    [P.type]: selectValue(spec.type),
    ...(spec.rename ? { [P.name]: titleValue(spec.name) } : {}),
  };
}

export function finishRunProperties(outcome: RunOutcome): PropertyWrites {
  return {
    [P.status]: selectValue(outcome.status),
    [P.lastRun]: dateValue(outcome.finishedAt),
    [P.runs]: numberValue(outcome.runs),
    [P.items]: numberValue(outcome.items),
    [P.lastError]: richTextValue(clip(outcome.error ?? '', LAST_ERROR_MAX_CHARS)),
  };
}

/** The same user, target, prompt and output is the same connection. */
export function isSameConnection(record: ConnectionRecord, spec: ConnectionSpec): boolean {
  return (
    record.type === spec.type &&
    targetIdOf(record.target) === formatNotionId(spec.targetId) &&
    sameText(record.prompt, clip(spec.prompt, RICH_TEXT_MAX_CHARS)) &&
    sameText(record.output, spec.output) &&
    (record.source ?? '') === (spec.source ?? '')
  );
}

export function targetIdOf(target: string): string | undefined {
  const parsed = parseNotionUrl(target);
  return parsed.ok ? parsed.id : undefined;
}

/** Notion keeps text as written apart from line endings; compare the way it stores it. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  return norm(a) === norm(b);
}

const text = (v: PropertyValue | undefined): string => v?.plainText ?? '';

function selectName(v: PropertyValue | undefined): string {
  return v && (v.type === 'select' || v.type === 'status') ? (v.name ?? '') : '';
}

function urlText(v: PropertyValue | undefined): string {
  return v && v.type === 'url' ? (v.value ?? '') : (v?.plainText ?? '');
}

function dateStart(v: PropertyValue | undefined): string | undefined {
  return v && v.type === 'date' ? (v.start ?? undefined) : undefined;
}

function number(v: PropertyValue | undefined): number {
  return v && v.type === 'number' && typeof v.number === 'number' ? v.number : 0;
}
