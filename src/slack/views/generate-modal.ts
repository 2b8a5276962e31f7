import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { MAX_PROMPT_CHARS } from '../../services/generation/limits.js';
import type { OutputChoice } from '../../services/generation/types.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { actions, button, context, inputBlock, modalTexts, option, textInput, WITH_EMOJI } from './blocks.js';
import { type DescribedTarget, encodeModalMetadata } from './generate-modal-metadata.js';
import { rowBlocks } from './generate-modal-rows.js';
import { escapeMrkdwn, isHighSurrogate, oneLine, SLACK_LIMITS, truncate } from './text.js';

/**
 * The `/visen generate` modal (and the Home tab's "New generation"). Pure: values in, view out.
 * Its state parser is `generate-modal-state.ts`, beside it; its database part is `generate-modal-rows.ts`, and
 * what it carries between updates is `generate-modal-metadata.ts`.
 *
 * Long prompts: Slack caps a plain_text_input at 3,000 characters, and Visen takes prompts of up to MAX_PROMPT_CHARS.
 * The modal therefore splits the prompt over up to three boxes ("Add a box" adds one); on submit they are
 * joined with a line break. An initial prompt longer than one box (Run again, a prompt from the Home tab) is
 * split at line breaks (else spaces) so it fits; beyond three boxes it is cut and a notice says so.
 */
export type OutputKind = Exclude<OutputChoice['kind'], 'properties' | 'new-row'>;

export interface GenerateModalValues {
  readonly targetUrl: string;
  /** One to three boxes; see above. */
  readonly promptParts: readonly string[];
  /** Undefined: the default for the kind (append for a page, each row's page body for a database). */
  readonly output: OutputKind | undefined;
  /** Databases, "Into properties": the properties chosen (`@body`: each row's page body). */
  readonly into: readonly string[];
  /** Databases: select and multi-select values may be new options (`--new-options`). */
  readonly newOptions: boolean;
  readonly onlyEmpty: boolean;
  /** Pages: give the model the page as the document the prompt is about (unticked: like --no-context). */
  readonly readPage: boolean;
  /** As typed ('' for none); checked on submit. */
  readonly limit: string;
  /** Databases: show the first rows before writing any (like --preview). */
  readonly preview: boolean;
  /** The rows to preview, as typed ('' for the default); checked on submit. */
  readonly previewRows: string;
  readonly connectionName: string;
}

type TargetKind = DescribedTarget['kind'];

export interface GenerateModalModel {
  readonly values: GenerateModalValues;
  readonly target?: DescribedTarget | undefined;
  /** Why the target could not be used (bad link, not shared with the integration, ...). */
  readonly targetError?: string | undefined;
  /** A one-off note at the top (e.g. an initial prompt was cut to fit). */
  readonly notice?: string | undefined;
}

export const PROMPT_BOX_CHARS = SLACK_LIMITS.plainTextInputMaxLength;
export const MAX_PROMPT_BOXES = GenerateIds.promptBlocks.length;
export const MODAL_TITLE = 'Generate with Visen';
const TARGET_URL_MAX = 2000;
const CONNECTION_NAME_MAX = 200;

export const EMPTY_VALUES: GenerateModalValues = {
  targetUrl: '',
  promptParts: [''],
  output: undefined,
  into: [],
  newOptions: false,
  onlyEmpty: true,
  readPage: true,
  limit: '',
  preview: false,
  previewRows: '',
  connectionName: '',
};

const OUTPUT_LABELS: Record<OutputKind, { text: string; description: string }> = {
  append: { text: 'Append to the page', description: 'Page: adds the result at the end of the page' },
  'new-page': { text: 'New child page', description: 'Page: creates a page inside it, titled from the result' },
  'page-body': { text: "Each row's page body", description: 'Database: writes into the page of each row' },
  property: { text: 'Into properties', description: 'Database: fills the properties chosen below' },
};

export function outputKindsFor(target: DescribedTarget | undefined): OutputKind[] {
  if (!target) return ['append', 'new-page', 'page-body', 'property'];
  if (target.kind === 'Page') return ['append', 'new-page'];
  const writable = target.writableProperties ?? [];
  return writable.length > 0 || target.richTextPropertyNames.length > 0 ? ['page-body', 'property'] : ['page-body'];
}

/** The description applies only while the URL box still holds the URL it describes. */
export function currentTarget(model: Pick<GenerateModalModel, 'target' | 'values'>): DescribedTarget | undefined {
  const t = model.target;
  return t && t.source.trim() === model.values.targetUrl.trim() ? t : undefined;
}

export function buildGenerateModal(model: GenerateModalModel): ModalView {
  const target = currentTarget(model);
  const kind = target?.kind;
  const blocks: KnownBlock[] = [];
  if (model.notice) blocks.push(context(`:information_source: ${escapeMrkdwn(model.notice)}`, { blockId: GenerateIds.noticeBlock }));
  blocks.push(...targetBlocks(model.values.targetUrl, target, model.targetError), ...promptBlocks(normaliseParts(model.values.promptParts), kind));
  blocks.push(outputBlock(target, model.values.output));
  if (kind !== 'Database') blocks.push(readPageBlock(model.values.readPage));
  if (kind !== 'Page') blocks.push(...rowBlocks(kind === 'Database' ? target : undefined, model.values));
  blocks.push(connectionNameBlock(model.values.connectionName));
  return {
    type: 'modal',
    callback_id: GenerateIds.modalCallback,
    ...modalTexts({ title: MODAL_TITLE, submit: 'Generate', close: 'Cancel', ...WITH_EMOJI }),
    private_metadata: encodeModalMetadata({ target: model.target, targetError: model.targetError }),
    blocks,
  };
}

/** The link box (Enter asks Visen to describe it), then what it is, or why it cannot be used. */
function targetBlocks(targetUrl: string, target: DescribedTarget | undefined, targetError: string | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = [
    inputBlock({
      blockId: GenerateIds.targetBlock,
      dispatchAction: true,
      label: 'Notion page or database link',
      hint: 'In Notion: ••• → Copy link. Press Enter after pasting it to see what Visen can fill.',
      element: textInput(GenerateIds.targetAction, {
        placeholder: 'https://www.notion.so/…',
        maxLength: TARGET_URL_MAX,
        dispatchOnEnter: true,
        initialValue: targetUrl,
        ...WITH_EMOJI,
      }),
      ...WITH_EMOJI,
    }),
  ];
  if (targetError && !target) {
    blocks.push(context(`:warning: ${escapeMrkdwn(targetError)}`, { blockId: GenerateIds.targetStatusBlock }));
  } else if (target) {
    const icon = target.kind === 'Page' ? ':page_facing_up: Page' : ':card_index_dividers: Database';
    const title = escapeMrkdwn(truncate(oneLine(target.title) || 'Untitled', 200));
    blocks.push(context(`${icon}: *${title}*`, { blockId: GenerateIds.targetStatusBlock }));
  }
  return blocks;
}

/** One input per prompt box, and "Add a box" while there is room for another. */
function promptBlocks(parts: readonly string[], kind: TargetKind | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = parts.map((part, index) => promptBox(part, index, kind));
  if (parts.length < MAX_PROMPT_BOXES) {
    const more = button('Need more room? Add a box', GenerateIds.promptMoreAction, { value: String(parts.length + 1), ...WITH_EMOJI });
    blocks.push(actions([more], { blockId: GenerateIds.promptMoreBlock }));
  }
  return blocks;
}

/** The first box is required and explains itself; the others continue it. */
function promptBox(part: string, index: number, kind: TargetKind | undefined): KnownBlock {
  const first = index === 0;
  const label = first ? (kind === 'Database' ? 'Prompt template' : 'Prompt') : `Prompt, continued (box ${index + 1} of ${MAX_PROMPT_BOXES})`;
  const placeholder = kind === 'Database' ? 'Write a two-line summary of {{Name}}.' : 'Write a project kickoff checklist.';
  return inputBlock({
    blockId: GenerateIds.promptBlocks[index] ?? GenerateIds.promptBlocks[0],
    optional: !first,
    label,
    hint: first ? promptHint(kind) : undefined,
    element: textInput(GenerateIds.promptAction, {
      multiline: true,
      maxLength: PROMPT_BOX_CHARS,
      placeholder: first ? placeholder : undefined,
      initialValue: part,
      ...WITH_EMOJI,
    }),
    ...WITH_EMOJI,
  });
}

/** Where the result goes: the choices the target allows, its default chosen once the target is known. */
function outputBlock(target: DescribedTarget | undefined, chosen: OutputKind | undefined): KnownBlock {
  const kind = target?.kind;
  const kinds = outputKindsFor(target);
  const output = chosen && kinds.includes(chosen) ? chosen : kind === 'Page' ? 'append' : kind === 'Database' ? 'page-body' : undefined;
  return inputBlock({
    blockId: GenerateIds.outputBlock,
    optional: true,
    label: 'Where the result goes',
    hint: kind ? undefined : 'Left empty: appended to a page, or into each row’s page body for a database.',
    element: {
      type: 'radio_buttons',
      action_id: GenerateIds.outputAction,
      options: kinds.map(outputOption),
      ...(output ? { initial_option: outputOption(output) } : {}),
    },
    ...WITH_EMOJI,
  });
}

/** The value of the "Read the page first" checkbox option. */
export const READ_PAGE_VALUE = 'read_page';

function readPageBlock(readPage: boolean): KnownBlock {
  const read = option('Read the page first', READ_PAGE_VALUE, {
    description: 'The model sees the page (for a new page, its parent). Unticked: like --no-context',
    ...WITH_EMOJI,
  });
  return inputBlock({
    blockId: GenerateIds.readPageBlock,
    optional: true,
    label: 'Page content (pages)',
    element: { type: 'checkboxes', action_id: GenerateIds.readPageAction, options: [read], ...(readPage ? { initial_options: [read] } : {}) },
    ...WITH_EMOJI,
  });
}

function connectionNameBlock(connectionName: string): KnownBlock {
  return inputBlock({
    blockId: GenerateIds.connectionNameBlock,
    optional: true,
    label: 'Connection name',
    hint: 'How this run is listed in your connections database; a name is made up if you leave it empty.',
    element: textInput(GenerateIds.connectionNameAction, { maxLength: CONNECTION_NAME_MAX, initialValue: connectionName, ...WITH_EMOJI }),
    ...WITH_EMOJI,
  });
}

// --- prompt boxes ----------------------------------------------------------------------------------------

/**
 * Splits a prompt into boxes of at most PROMPT_BOX_CHARS, at a line break (else a space) in the last half
 * of a box; that character is dropped, because joinPromptParts puts a line break back between boxes.
 * `cut` is true when more than MAX_PROMPT_BOXES boxes would be needed and the end was dropped.
 */
export function splitPrompt(prompt: string): { parts: string[]; cut: boolean } {
  const parts: string[] = [];
  let rest = prompt;
  while (rest.length > PROMPT_BOX_CHARS && parts.length < MAX_PROMPT_BOXES - 1) {
    const window = rest.slice(0, PROMPT_BOX_CHARS);
    let at = window.lastIndexOf('\n');
    if (at < PROMPT_BOX_CHARS / 2) at = window.lastIndexOf(' ');
    if (at >= PROMPT_BOX_CHARS / 2) {
      parts.push(rest.slice(0, at));
      rest = rest.slice(at + 1);
    } else {
      const end = fullBoxEnd(rest);
      parts.push(rest.slice(0, end));
      rest = rest.slice(end);
    }
  }
  const cut = rest.length > PROMPT_BOX_CHARS;
  parts.push(cut ? rest.slice(0, fullBoxEnd(rest)) : rest);
  return { parts, cut };
}

/** Where a full box of `text` ends: never between the halves of a surrogate pair (an emoji). */
function fullBoxEnd(text: string): number {
  return isHighSurrogate(text.charCodeAt(PROMPT_BOX_CHARS - 1)) ? PROMPT_BOX_CHARS - 1 : PROMPT_BOX_CHARS;
}

/** The boxes back into one prompt: empty boxes are left out, the others joined with a line break. */
export function joinPromptParts(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('\n');
}

function normaliseParts(parts: readonly string[]): string[] {
  const list = parts.length === 0 ? [''] : parts.slice(0, MAX_PROMPT_BOXES);
  return list.map((p) => (p.length > PROMPT_BOX_CHARS ? truncate(p, PROMPT_BOX_CHARS) : p));
}

function promptHint(kind: TargetKind | undefined): string {
  const what =
    kind === 'Database'
      ? 'Use {{Property}} to fill in each row’s values.'
      : kind === 'Page'
        ? 'What should Visen write? Markdown comes out as proper Notion formatting.'
        : 'For a database, use {{Property}} to fill in each row’s values.';
  return `${what} Up to ${PROMPT_BOX_CHARS.toLocaleString('en-US')} characters per box and ${MAX_PROMPT_CHARS.toLocaleString('en-US')} in all; longer prompts need several runs.`;
}

// --- small helpers ----------------------------------------------------------------------------------------

function outputOption(kind: OutputKind): PlainTextOption {
  const l = OUTPUT_LABELS[kind];
  return option(l.text, kind, { description: l.description, ...WITH_EMOJI });
}
