import { GenerateIds } from '../listeners/generate/ids.js';
import {
  type DescribedTarget,
  EMPTY_VALUES,
  type GenerateModalMetadata,
  type GenerateModalModel,
  type GenerateModalValues,
  ONLY_EMPTY_VALUE,
  type OutputKind,
} from './generate-modal.js';

/**
 * The state parser of `generate-modal.ts`: a view as Slack sends it back (in `view_submission` and in
 * `block_actions` from the modal) to the model it was built from plus what the user typed. Pure.
 */
export interface ViewStateValue {
  readonly type?: string;
  readonly value?: string | null;
  readonly selected_option?: { readonly value?: string } | null;
  readonly selected_options?: ReadonlyArray<{ readonly value?: string }> | null;
}

export interface ModalViewLike {
  readonly state?: { readonly values?: Readonly<Record<string, Readonly<Record<string, ViewStateValue>>>> };
  readonly private_metadata?: string;
}

const OUTPUT_KINDS: readonly OutputKind[] = ['append', 'new-page', 'page-body', 'property'];

export function readGenerateModal(view: ModalViewLike): GenerateModalModel {
  const meta = decodeModalMetadata(view.private_metadata);
  return { values: readValues(view), target: meta.target, targetError: meta.targetError };
}

export function readValues(view: ModalViewLike): GenerateModalValues {
  const values = view.state?.values ?? {};
  const get = (block: string, action: string): ViewStateValue | undefined => values[block]?.[action];

  const promptParts: string[] = [];
  for (const block of GenerateIds.promptBlocks) {
    const v = get(block, GenerateIds.promptAction);
    if (!v) break;
    promptParts.push(v.value ?? '');
  }

  const outputValue = get(GenerateIds.outputBlock, GenerateIds.outputAction)?.selected_option?.value;
  const output = OUTPUT_KINDS.find((k) => k === outputValue);
  const into =
    get(GenerateIds.intoSelectBlock, GenerateIds.intoAction)?.selected_option?.value ??
    get(GenerateIds.intoTextBlock, GenerateIds.intoAction)?.value ??
    undefined;
  const onlyEmptyState = get(GenerateIds.onlyEmptyBlock, GenerateIds.onlyEmptyAction);

  return {
    targetUrl: get(GenerateIds.targetBlock, GenerateIds.targetAction)?.value ?? '',
    promptParts: promptParts.length > 0 ? promptParts : [...EMPTY_VALUES.promptParts],
    output,
    into: into === null || into === '' ? undefined : into,
    onlyEmpty: onlyEmptyState ? (onlyEmptyState.selected_options ?? []).some((o) => o.value === ONLY_EMPTY_VALUE) : EMPTY_VALUES.onlyEmpty,
    limit: get(GenerateIds.limitBlock, GenerateIds.limitAction)?.value ?? '',
    connectionName: get(GenerateIds.connectionNameBlock, GenerateIds.connectionNameAction)?.value ?? '',
  };
}

/** Never throws: metadata that is missing or not ours reads as "nothing described yet". */
export function decodeModalMetadata(text: string | undefined): GenerateModalMetadata {
  const none: GenerateModalMetadata = { target: undefined, targetError: undefined };
  if (!text) return none;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return none;
  }
  if (typeof json !== 'object' || json === null) return none;
  const j = json as { v?: unknown; e?: unknown; t?: { k?: unknown; ti?: unknown; u?: unknown; s?: unknown; p?: unknown; r?: unknown } };
  if (j.v !== 1) return none;
  const targetError = typeof j.e === 'string' && j.e ? j.e : undefined;
  const t = j.t;
  let target: DescribedTarget | undefined;
  if (t && (t.k === 'P' || t.k === 'D') && typeof t.ti === 'string' && typeof t.u === 'string' && typeof t.s === 'string') {
    target = {
      kind: t.k === 'P' ? 'Page' : 'Database',
      title: t.ti,
      url: t.u,
      source: t.s,
      propertyNames: strings(t.p),
      richTextPropertyNames: strings(t.r),
    };
  }
  return { target, targetError };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
