import type { TargetDescription } from '../../services/generation/types.js';
import { selectableValues } from './blocks.js';
import { SLACK_LIMITS, truncate } from './text.js';

/**
 * What the generate modal carries in `private_metadata` between its updates and to its submission: what the
 * service said about the target, or why the target could not be used. Encoder and decoder side by side.
 */

/** What the service said about the target, and which URL (as typed) it describes. */
export interface DescribedTarget extends TargetDescription {
  readonly source: string;
}

export interface GenerateModalMetadata {
  readonly target: DescribedTarget | undefined;
  readonly targetError: string | undefined;
}

interface MetadataJson {
  v: 1;
  /** `q`: relation readings (hint only); `w`: writable properties as [name, Notion type] (absent in metadata of views built before typed outputs). */
  t?: { k: 'P' | 'D'; ti: string; u: string; s: string; p: string[]; r: string[]; q?: string[]; w?: Array<[string, string]> };
  e?: string;
}

/** Always at most 3,000 characters (Slack's limit): long property lists are shortened first, then texts. */
export function encodeModalMetadata(meta: GenerateModalMetadata): string {
  const json: MetadataJson = { v: 1 };
  if (meta.targetError) json.e = truncate(meta.targetError, 600);
  if (meta.target) {
    const t = meta.target;
    json.t = {
      k: t.kind === 'Page' ? 'P' : 'D',
      ti: truncate(t.title, 200),
      u: t.url.length <= 600 ? t.url : '',
      s: t.source.length <= 600 ? t.source : '',
      r: selectableValues(t.richTextPropertyNames),
      p: t.propertyNames.slice(0, 200).map((n) => truncate(n, 100)),
      ...(t.relationReadings?.length ? { q: t.relationReadings.slice(0, 60).map((n) => truncate(n, 100)) } : {}),
    };
    const writable = writableForMetadata(t.writableProperties ?? []);
    if (writable.length > 0) json.t.w = writable;
  }
  let text = JSON.stringify(json);
  while (text.length > SLACK_LIMITS.privateMetadata && json.t && halveFirstList(json.t)) text = JSON.stringify(json);
  return text.length <= SLACK_LIMITS.privateMetadata ? text : JSON.stringify({ v: 1 });
}

/**
 * Halves the first list that still has entries (relation readings, only a hint, then placeholders, writable
 * properties, text properties); false when all are empty.
 */
function halveFirstList(t: NonNullable<MetadataJson['t']>): boolean {
  const half = <T>(list: T[]) => list.slice(0, Math.floor(list.length / 2));
  if (t.q && t.q.length > 0) t.q = half(t.q);
  else if (t.p.length > 0) t.p = half(t.p);
  else if (t.w && t.w.length > 0) t.w = half(t.w);
  else if (t.r.length > 0) t.r = half(t.r);
  else return false;
  return true;
}

/** Never throws: metadata that is missing or not ours reads as "nothing described yet". */
export function decodeModalMetadata(text: string | undefined): GenerateModalMetadata {
  const none: GenerateModalMetadata = { target: undefined, targetError: undefined };
  const j = parseJsonObject(text);
  if (j?.v !== 1) return none;
  const targetError = typeof j.e === 'string' && j.e ? j.e : undefined;
  return { target: decodeTarget(j.t), targetError };
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function decodeTarget(value: unknown): DescribedTarget | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as { k?: unknown; ti?: unknown; u?: unknown; s?: unknown; p?: unknown; r?: unknown; q?: unknown; w?: unknown };
  if (!(t.k === 'P' || t.k === 'D') || typeof t.ti !== 'string' || typeof t.u !== 'string' || typeof t.s !== 'string') return undefined;
  return {
    kind: t.k === 'P' ? 'Page' : 'Database',
    title: t.ti,
    url: t.u,
    source: t.s,
    propertyNames: strings(t.p),
    richTextPropertyNames: strings(t.r),
    ...(strings(t.q).length > 0 ? { relationReadings: strings(t.q) } : {}),
    ...(Array.isArray(t.w) ? { writableProperties: pairs(t.w) } : {}),
  };
}

/** Writable properties the output select can offer: names that fit an option value, at most one select's worth. */
function writableForMetadata(properties: ReadonlyArray<{ readonly name: string; readonly type: string }>): Array<[string, string]> {
  const names = new Set(selectableValues(properties.map((p) => p.name)));
  return properties.filter((p) => names.has(p.name)).map((p): [string, string] => [p.name, p.type.slice(0, 40)]);
}

function pairs(value: unknown): Array<{ name: string; type: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string' ? [{ name: item[0], type: item[1] }] : []));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
