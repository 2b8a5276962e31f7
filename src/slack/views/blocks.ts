/**
 * The Block Kit primitives every view builder uses: one meaning and one argument order each, and each cuts
 * its texts to the Slack limits cited in `text.ts`, so no builder can send a block Slack would refuse.
 *
 * `emoji` is an explicit option, never a default: Slack turns `:shortcode:` into an emoji in a plain_text
 * object only when it is set, and each view keeps the choice it has always made.
 */
import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextInput,
  PlainTextOption,
  SectionBlock,
  StaticSelect,
} from '@slack/types';
import { SLACK_LIMITS, truncate, truncateMrkdwn } from './text.js';

/** A message: its notification fallback (`text`) and its blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export interface EmojiOption {
  /** Sets `emoji: true` on the plain_text objects this builds. */
  readonly emoji?: boolean;
}

/** For the views whose plain_text objects turn `:shortcode:` into emoji (the Home tab, the generate modal). */
export const WITH_EMOJI = { emoji: true } as const;

export interface BlockIdOption {
  readonly blockId?: string | undefined;
}

function plainText(text: string, max: number, options: EmojiOption = {}): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), ...(options.emoji ? { emoji: true } : {}) };
}

function mrkdwnText(text: string, max: number): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(text, max) };
}

export function section(text: string, options: BlockIdOption = {}): SectionBlock {
  return { type: 'section', ...blockId(options), text: mrkdwnText(text, SLACK_LIMITS.sectionText) };
}

/** A context block of mrkdwn texts: one element per text. */
export function context(texts: string | readonly string[], options: BlockIdOption = {}): ContextBlock {
  const list = typeof texts === 'string' ? [texts] : texts;
  return {
    type: 'context',
    ...blockId(options),
    elements: list.slice(0, SLACK_LIMITS.contextElements).map((text) => mrkdwnText(text, SLACK_LIMITS.contextText)),
  };
}

export function header(text: string, options: BlockIdOption & EmojiOption = {}): HeaderBlock {
  return { type: 'header', ...blockId(options), text: plainText(text, SLACK_LIMITS.headerText, options) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export function actions(elements: ActionsBlock['elements'], options: BlockIdOption = {}): ActionsBlock {
  return { type: 'actions', ...blockId(options), elements: elements.slice(0, SLACK_LIMITS.actionsElements) };
}

export interface ButtonOptions extends EmojiOption {
  readonly value?: string | undefined;
  /** Already checked with `safeUrl`: a URL is never cut, a cut one would lead somewhere else. */
  readonly url?: string | undefined;
  readonly style?: 'primary' | 'danger' | undefined;
  readonly confirm?: ConfirmationDialog | undefined;
}

export function button(text: string, actionId: string, options: ButtonOptions = {}): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: plainText(text, SLACK_LIMITS.buttonText, options),
    ...(options.value !== undefined ? { value: truncate(options.value, SLACK_LIMITS.buttonValue) } : {}),
    ...(options.url ? { url: options.url } : {}),
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

export interface ConfirmDialogTexts {
  readonly title: string;
  readonly text: string;
  readonly confirm: string;
  readonly deny: string;
  readonly style?: 'danger' | undefined;
}

export function confirmDialog(texts: ConfirmDialogTexts): ConfirmationDialog {
  return {
    title: plainText(texts.title, SLACK_LIMITS.confirmTitle),
    text: plainText(texts.text, SLACK_LIMITS.confirmText),
    confirm: plainText(texts.confirm, SLACK_LIMITS.confirmButton),
    deny: plainText(texts.deny, SLACK_LIMITS.confirmButton),
    ...(texts.style ? { style: texts.style } : {}),
  };
}

export interface OptionOptions extends EmojiOption {
  readonly description?: string | undefined;
}

/**
 * An option of a select, radio buttons or checkboxes. The value is the caller's to keep within
 * `SLACK_LIMITS.optionValue`: a cut value would no longer read back as what was offered.
 */
export function option(text: string, value: string, options: OptionOptions = {}): PlainTextOption {
  return {
    text: plainText(text, SLACK_LIMITS.optionText, options),
    value,
    // The option object page gives a description the same 75 characters as the text.
    ...(options.description !== undefined ? { description: plainText(options.description, SLACK_LIMITS.optionText, options) } : {}),
  };
}

/** Names usable as static_select option values (Slack: at most 150 characters, 100 options), without repeats. */
export function selectableValues(names: readonly string[]): string[] {
  return [...new Set(names)].filter((n) => n.length > 0 && n.length <= SLACK_LIMITS.optionValue).slice(0, SLACK_LIMITS.selectOptions);
}

export interface StaticSelectOptions extends EmojiOption {
  readonly placeholder: string;
  readonly options: readonly PlainTextOption[];
  readonly initial?: PlainTextOption | undefined;
}

/** `emoji` applies to the placeholder; each option carries its own. */
export function staticSelect(actionId: string, select: StaticSelectOptions): StaticSelect {
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plainText(select.placeholder, SLACK_LIMITS.placeholder, select),
    options: select.options.slice(0, SLACK_LIMITS.selectOptions),
    ...(select.initial ? { initial_option: select.initial } : {}),
  };
}

export interface TextInputOptions extends EmojiOption {
  readonly placeholder?: string | undefined;
  readonly maxLength?: number | undefined;
  readonly multiline?: boolean | undefined;
  /** Sent only when not empty; cut to `maxLength` (else Slack's own maximum). */
  readonly initialValue?: string | undefined;
  /** Sends a block action when the user presses Enter. */
  readonly dispatchOnEnter?: boolean | undefined;
}

export function textInput(actionId: string, input: TextInputOptions = {}): PlainTextInput {
  const max = input.maxLength ?? SLACK_LIMITS.plainTextInputMaxLength;
  return {
    type: 'plain_text_input',
    action_id: actionId,
    ...(input.multiline ? { multiline: true } : {}),
    ...(input.placeholder !== undefined ? { placeholder: plainText(input.placeholder, SLACK_LIMITS.placeholder, input) } : {}),
    ...(input.maxLength !== undefined ? { max_length: input.maxLength } : {}),
    ...(input.dispatchOnEnter ? { dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } } : {}),
    ...(input.initialValue ? { initial_value: truncate(input.initialValue, max) } : {}),
  };
}

export interface InputBlockOptions extends EmojiOption {
  readonly blockId: string;
  readonly label: string;
  readonly element: InputBlock['element'];
  readonly hint?: string | undefined;
  /** Left out of the block when undefined (Slack's default: required). */
  readonly optional?: boolean | undefined;
  readonly dispatchAction?: boolean | undefined;
}

export function inputBlock(input: InputBlockOptions): InputBlock {
  return {
    type: 'input',
    block_id: input.blockId,
    ...(input.dispatchAction ? { dispatch_action: true } : {}),
    ...(input.optional !== undefined ? { optional: input.optional } : {}),
    label: plainText(input.label, SLACK_LIMITS.inputLabel, input),
    ...(input.hint !== undefined ? { hint: plainText(input.hint, SLACK_LIMITS.inputHint, input) } : {}),
    element: input.element,
  };
}

export interface ModalTexts extends EmojiOption {
  readonly title: string;
  readonly submit?: string | undefined;
  readonly close: string;
}

/** A modal's title, submit and close texts, each within Slack's 24 characters. */
export function modalTexts(texts: ModalTexts): { title: PlainTextElement; submit?: PlainTextElement; close: PlainTextElement } {
  return {
    title: plainText(texts.title, SLACK_LIMITS.modalTitle, texts),
    ...(texts.submit !== undefined ? { submit: plainText(texts.submit, SLACK_LIMITS.modalButton, texts) } : {}),
    close: plainText(texts.close, SLACK_LIMITS.modalButton, texts),
  };
}

function blockId(options: BlockIdOption): { block_id?: string } {
  return options.blockId ? { block_id: options.blockId } : {};
}
