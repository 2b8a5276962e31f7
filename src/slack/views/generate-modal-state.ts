import { GenerateIds } from '../listeners/generate/ids.js';
import { EMPTY_VALUES, type GenerateModalModel, type GenerateModalValues, type OutputKind, READ_PAGE_VALUE } from './generate-modal.js';
import { decodeModalMetadata } from './generate-modal-metadata.js';
import { NEW_OPTIONS_VALUE } from './generate-modal-outputs.js';
import { ONLY_EMPTY_VALUE, PREVIEW_VALUE } from './generate-modal-rows.js';
import { readRunChoice } from './generate-modal-run.js';

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
  const chosen = get(GenerateIds.intoSelectBlock, GenerateIds.intoAction);
  const typed = get(GenerateIds.intoTextBlock, GenerateIds.intoAction)?.value;
  const into = chosen?.selected_options
    ? chosen.selected_options.flatMap((o) => (o.value ? [o.value] : []))
    : [chosen?.selected_option?.value ?? typed ?? ''].filter((name) => name !== '');
  const newOptionsState = get(GenerateIds.newOptionsBlock, GenerateIds.newOptionsAction);
  const onlyEmptyState = get(GenerateIds.onlyEmptyBlock, GenerateIds.onlyEmptyAction);
  const readPageState = get(GenerateIds.readPageBlock, GenerateIds.readPageAction);

  return {
    targetUrl: get(GenerateIds.targetBlock, GenerateIds.targetAction)?.value ?? '',
    promptParts: promptParts.length > 0 ? promptParts : [...EMPTY_VALUES.promptParts],
    output,
    into,
    newOptions: (newOptionsState?.selected_options ?? []).some((o) => o.value === NEW_OPTIONS_VALUE),
    onlyEmpty: onlyEmptyState ? (onlyEmptyState.selected_options ?? []).some((o) => o.value === ONLY_EMPTY_VALUE) : EMPTY_VALUES.onlyEmpty,
    readPage: readPageState ? (readPageState.selected_options ?? []).some((o) => o.value === READ_PAGE_VALUE) : EMPTY_VALUES.readPage,
    limit: get(GenerateIds.limitBlock, GenerateIds.limitAction)?.value ?? '',
    preview: (get(GenerateIds.previewBlock, GenerateIds.previewAction)?.selected_options ?? []).some((o) => o.value === PREVIEW_VALUE),
    previewRows: get(GenerateIds.previewRowsBlock, GenerateIds.previewRowsAction)?.value ?? '',
    connectionName: get(GenerateIds.connectionNameBlock, GenerateIds.connectionNameAction)?.value ?? '',
    run: readRunChoice(get(GenerateIds.runBlock, GenerateIds.runAction)?.selected_option?.value),
    schedule: get(GenerateIds.scheduleBlock, GenerateIds.scheduleAction)?.value ?? '',
  };
}
