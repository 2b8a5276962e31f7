import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { OutputChoice } from '../../services/generation/types.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { escapeMrkdwn, oneLine, SLACK_LIMITS, truncate, truncateMrkdwn } from './text.js';

/**
 * The `/visen generate` modal (and the Home tab's "New generation"). Pure: values in, view out.
 * Its state parser is `generate-modal-state.ts`, beside it.
 *
 * Long prompts: Slack caps a plain_text_input at 3,000 characters, and Visen takes prompts of up to 8,000.
 * The modal therefore splits the prompt over up to three boxes ("Add a box" adds one); on submit they are
 * joined with a line break. An initial prompt longer than one box (Run again, a prompt from the Home tab) is
 * split at line breaks (else spaces) so it fits; beyond three boxes it is cut and a notice says so.
 */
export type OutputKind = OutputChoice['kind'];

export interface GenerateModalValues {
  readonly targetUrl: string;
  /** One to three boxes; see above. */
  readonly promptParts: readonly string[];
  /** Undefined: the default for the kind (append for a page, each row's page body for a database). */
  readonly output: OutputKind | undefined;
  readonly into: string | undefined;
  readonly onlyEmpty: boolean;
  /** As typed ('' for none); checked on submit. */
  readonly limit: string;
  readonly connectionName: string;
}

/** What the service said about the target, and which URL (as typed) it describes. */
export interface DescribedTarget {
  readonly kind: 'Page' | 'Database';
  readonly title: string;
  readonly url: string;
  readonly source: string;
  readonly propertyNames: readonly string[];
  readonly richTextPropertyNames: readonly string[];
}

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
const PROPERTY_NAME_MAX = 500;
const CONNECTION_NAME_MAX = 200;
const LIMIT_MAX = 10_000;

export const EMPTY_VALUES: GenerateModalValues = {
  targetUrl: '',
  promptParts: [''],
  output: undefined,
  into: undefined,
  onlyEmpty: true,
  limit: '',
  connectionName: '',
};

const OUTPUT_LABELS: Record<OutputKind, { text: string; description: string }> = {
  append: { text: 'Append to the page', description: 'Page: adds the result at the end of the page' },
  'new-page': { text: 'New child page', description: 'Page: creates a page inside it, titled from the result' },
  'page-body': { text: "Each row's page body", description: 'Database: writes into the page of each row' },
  property: { text: 'Into a text property', description: 'Database: fills the property chosen below' },
};

export function outputKindsFor(target: DescribedTarget | undefined): OutputKind[] {
  if (!target) return ['append', 'new-page', 'page-body', 'property'];
  if (target.kind === 'Page') return ['append', 'new-page'];
  return target.richTextPropertyNames.length > 0 ? ['page-body', 'property'] : ['page-body'];
}

/** The description applies only while the URL box still holds the URL it describes. */
export function currentTarget(model: Pick<GenerateModalModel, 'target' | 'values'>): DescribedTarget | undefined {
  const t = model.target;
  return t && t.source.trim() === model.values.targetUrl.trim() ? t : undefined;
}

export function buildGenerateModal(model: GenerateModalModel): ModalView {
  const values = model.values;
  const target = currentTarget(model);
  const kind = target?.kind;
  const parts = normaliseParts(values.promptParts);
  const blocks: KnownBlock[] = [];

  if (model.notice) blocks.push(contextBlock(GenerateIds.noticeBlock, `:information_source: ${escapeMrkdwn(model.notice)}`));

  blocks.push({
    type: 'input',
    block_id: GenerateIds.targetBlock,
    dispatch_action: true,
    label: plain('Notion page or database link'),
    hint: plain('In Notion: ••• → Copy link. Press Enter after pasting it to see what Visen can fill.'),
    element: {
      type: 'plain_text_input',
      action_id: GenerateIds.targetAction,
      placeholder: plain('https://www.notion.so/…'),
      max_length: TARGET_URL_MAX,
      dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      ...(values.targetUrl ? { initial_value: truncate(values.targetUrl, TARGET_URL_MAX) } : {}),
    },
  });
  if (model.targetError && !target) {
    blocks.push(contextBlock(GenerateIds.targetStatusBlock, `:warning: ${escapeMrkdwn(model.targetError)}`));
  } else if (target) {
    const icon = target.kind === 'Page' ? ':page_facing_up: Page' : ':card_index_dividers: Database';
    blocks.push(contextBlock(GenerateIds.targetStatusBlock, `${icon}: *${escapeMrkdwn(truncate(oneLine(target.title) || 'Untitled', 200))}*`));
  }

  parts.forEach((part, index) => {
    const blockId = GenerateIds.promptBlocks[index] ?? GenerateIds.promptBlocks[0];
    const first = index === 0;
    const label = first ? (kind === 'Database' ? 'Prompt template' : 'Prompt') : `Prompt, continued (box ${index + 1} of ${MAX_PROMPT_BOXES})`;
    blocks.push({
      type: 'input',
      block_id: blockId,
      optional: !first,
      label: plain(label),
      ...(first ? { hint: plain(promptHint(kind)) } : {}),
      element: {
        type: 'plain_text_input',
        action_id: GenerateIds.promptAction,
        multiline: true,
        max_length: PROMPT_BOX_CHARS,
        ...(first ? { placeholder: plain(kind === 'Database' ? 'Write a two-line summary of {{Name}}.' : 'Write a project kickoff checklist.') } : {}),
        ...(part ? { initial_value: part } : {}),
      },
    });
  });
  if (parts.length < MAX_PROMPT_BOXES) {
    blocks.push({
      type: 'actions',
      block_id: GenerateIds.promptMoreBlock,
      elements: [{ type: 'button', action_id: GenerateIds.promptMoreAction, text: plain('Need more room? Add a box'), value: String(parts.length + 1) }],
    });
  }

  const kinds = outputKindsFor(target);
  const output = values.output && kinds.includes(values.output) ? values.output : kind === 'Page' ? 'append' : kind === 'Database' ? 'page-body' : undefined;
  const options = kinds.map((k) => radioOption(k));
  blocks.push({
    type: 'input',
    block_id: GenerateIds.outputBlock,
    optional: true,
    label: plain('Where the result goes'),
    ...(kind ? {} : { hint: plain('Left empty: appended to a page, or into each row’s page body for a database.') }),
    element: {
      type: 'radio_buttons',
      action_id: GenerateIds.outputAction,
      options,
      ...(output ? { initial_option: radioOption(output) } : {}),
    },
  });

  if (kind !== 'Page') {
    if (target && kind === 'Database') {
      const rich = selectableNames(target.richTextPropertyNames);
      if (rich.length > 0) {
        const selected = values.into !== undefined && rich.includes(values.into) ? values.into : undefined;
        blocks.push({
          type: 'input',
          block_id: GenerateIds.intoSelectBlock,
          optional: true,
          label: plain('Text property for the result'),
          hint: plain('Used when “Into a text property” is chosen above.'),
          element: {
            type: 'static_select',
            action_id: GenerateIds.intoAction,
            placeholder: plain('Choose a property'),
            options: rich.map(selectOption),
            ...(selected !== undefined ? { initial_option: selectOption(selected) } : {}),
          },
        });
      }
      blocks.push(contextBlock(GenerateIds.placeholdersBlock, placeholdersText(target)));
    } else {
      blocks.push({
        type: 'input',
        block_id: GenerateIds.intoTextBlock,
        optional: true,
        label: plain('Text property for the result (databases)'),
        hint: plain('Used with “Into a text property”. Press Enter in the link box to choose from a list.'),
        element: {
          type: 'plain_text_input',
          action_id: GenerateIds.intoAction,
          max_length: PROPERTY_NAME_MAX,
          placeholder: plain('Summary'),
          ...(values.into ? { initial_value: truncate(values.into, PROPERTY_NAME_MAX) } : {}),
        },
      });
    }
    blocks.push({
      type: 'input',
      block_id: GenerateIds.onlyEmptyBlock,
      optional: true,
      label: plain('Rows (databases)'),
      element: {
        type: 'checkboxes',
        action_id: GenerateIds.onlyEmptyAction,
        options: [onlyEmptyOption()],
        ...(values.onlyEmpty ? { initial_options: [onlyEmptyOption()] } : {}),
      },
    });
    const limit = values.limit.trim();
    blocks.push({
      type: 'input',
      block_id: GenerateIds.limitBlock,
      optional: true,
      label: plain('At most this many rows (databases)'),
      hint: plain(`Leave empty to do every row (up to ${LIMIT_MAX.toLocaleString('en-US')}).`),
      element: {
        type: 'number_input',
        action_id: GenerateIds.limitAction,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: String(LIMIT_MAX),
        ...(/^\d{1,6}$/.test(limit) ? { initial_value: limit } : {}),
      },
    });
  }

  blocks.push({
    type: 'input',
    block_id: GenerateIds.connectionNameBlock,
    optional: true,
    label: plain('Connection name'),
    hint: plain('How this run is listed in your connections database; a name is made up if you leave it empty.'),
    element: {
      type: 'plain_text_input',
      action_id: GenerateIds.connectionNameAction,
      max_length: CONNECTION_NAME_MAX,
      ...(values.connectionName ? { initial_value: truncate(values.connectionName, CONNECTION_NAME_MAX) } : {}),
    },
  });

  return {
    type: 'modal',
    callback_id: GenerateIds.modalCallback,
    title: plain(MODAL_TITLE),
    submit: plain('Generate'),
    close: plain('Cancel'),
    private_metadata: encodeModalMetadata({ target: model.target, targetError: model.targetError }),
    blocks,
  };
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
      const end = isHighSurrogate(rest.charCodeAt(PROMPT_BOX_CHARS - 1)) ? PROMPT_BOX_CHARS - 1 : PROMPT_BOX_CHARS;
      parts.push(rest.slice(0, end));
      rest = rest.slice(end);
    }
  }
  const cut = rest.length > PROMPT_BOX_CHARS;
  parts.push(cut ? rest.slice(0, isHighSurrogate(rest.charCodeAt(PROMPT_BOX_CHARS - 1)) ? PROMPT_BOX_CHARS - 1 : PROMPT_BOX_CHARS) : rest);
  return { parts, cut };
}

/** The boxes back into one prompt: empty boxes are left out, the others joined with a line break. */
export function joinPromptParts(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('\n');
}

function normaliseParts(parts: readonly string[]): string[] {
  const list = parts.length === 0 ? [''] : parts.slice(0, MAX_PROMPT_BOXES);
  return list.map((p) => (p.length > PROMPT_BOX_CHARS ? truncate(p, PROMPT_BOX_CHARS) : p));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function promptHint(kind: 'Page' | 'Database' | undefined): string {
  const what =
    kind === 'Database'
      ? 'Use {{Property}} to fill in each row’s values.'
      : kind === 'Page'
        ? 'What should Visen write? Markdown comes out as proper Notion formatting.'
        : 'For a database, use {{Property}} to fill in each row’s values.';
  return `${what} Up to 3,000 characters per box and 8,000 in all; longer prompts need several runs.`;
}

// --- metadata: what the next update or the submission needs to know ---------------------------------------

export interface GenerateModalMetadata {
  readonly target: DescribedTarget | undefined;
  readonly targetError: string | undefined;
}

interface MetadataJson {
  v: 1;
  t?: { k: 'P' | 'D'; ti: string; u: string; s: string; p: string[]; r: string[] };
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
      r: selectableNames(t.richTextPropertyNames),
      p: t.propertyNames.slice(0, 200).map((n) => truncate(n, 100)),
    };
  }
  let text = JSON.stringify(json);
  while (text.length > SLACK_LIMITS.privateMetadata && json.t && (json.t.p.length > 0 || json.t.r.length > 0)) {
    if (json.t.p.length > 0) json.t.p = json.t.p.slice(0, Math.floor(json.t.p.length / 2));
    else json.t.r = json.t.r.slice(0, Math.floor(json.t.r.length / 2));
    text = JSON.stringify(json);
  }
  return text.length <= SLACK_LIMITS.privateMetadata ? text : JSON.stringify({ v: 1 });
}

// --- small helpers ----------------------------------------------------------------------------------------

/** Names usable as static_select values (Slack: at most 150 characters, 100 options). */
function selectableNames(names: readonly string[]): string[] {
  return [...new Set(names)].filter((n) => n.length > 0 && n.length <= SLACK_LIMITS.optionValue).slice(0, SLACK_LIMITS.selectOptions);
}

function placeholdersText(target: DescribedTarget): string {
  const names = target.propertyNames;
  if (names.length === 0) return 'This database has no properties to use as placeholders.';
  const head = 'Placeholders you can use: ';
  const items: string[] = [];
  let length = head.length;
  for (const name of names) {
    const item = `\`{{${escapeMrkdwn(name.replace(/`/g, 'ˋ'))}}}\``;
    if (length + item.length + 40 > SLACK_LIMITS.contextText) break;
    items.push(item);
    length += item.length + 2;
  }
  const more = names.length - items.length;
  const noRichText = target.richTextPropertyNames.length === 0 ? ' This database has no text properties, so results go into each row’s page body.' : '';
  return `${head}${items.join(', ')}${more > 0 ? ` …and ${more} more` : ''}.${noRichText}`;
}

function radioOption(kind: OutputKind) {
  const l = OUTPUT_LABELS[kind];
  return { text: plain(l.text), value: kind, description: plain(l.description) };
}

function selectOption(name: string): PlainTextOption {
  return { text: plain(truncate(oneLine(name) || name, SLACK_LIMITS.optionText)), value: name };
}

export const ONLY_EMPTY_VALUE = 'only_empty';

function onlyEmptyOption() {
  return {
    text: plain('Only rows without output yet'),
    value: ONLY_EMPTY_VALUE,
    description: plain('Unticked: every row again (like --all)'),
  };
}

function contextBlock(blockId: string, text: string): KnownBlock {
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.contextText) }] };
}

function plain(text: string) {
  return { type: 'plain_text' as const, text, emoji: true };
}
