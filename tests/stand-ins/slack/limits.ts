// Slack's documented Block Kit, view and message limits, checked on everything the app sends. A problem is reported
// the way Slack reports it in `response_metadata.messages`: `[ERROR] <what> [json-pointer:<where>]`.
import type { AnyObject } from './types.js';

export const LIMITS = {
  // https://docs.slack.dev/reference/block-kit/blocks : "up to 50 blocks in each message, and 100 blocks in modals or Home tabs"
  messageBlocks: 50,
  viewBlocks: 100,
  // https://docs.slack.dev/reference/views/modal-views : title, submit and close "max length of 24 characters";
  // private_metadata "max length of 3000 characters"; callback_id "max length of 255 characters".
  // https://docs.slack.dev/reference/views/home-tab-views : the same private_metadata and callback_id limits.
  modalButtonText: 24,
  privateMetadata: 3000,
  callbackId: 255,
  // https://docs.slack.dev/reference/methods/views.open : external_id "max length of 255 characters";
  // `view_too_large`: "the provided view is greater than 250kb".
  externalId: 255,
  viewBytes: 250 * 1024,
  // https://docs.slack.dev/reference/block-kit/blocks/section-block : text 1..3000, fields <= 10 items of <= 2000,
  // block_id <= 255 (every block: "Maximum length for this field is 255 characters").
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  blockId: 255,
  // https://docs.slack.dev/reference/block-kit/blocks/header-block : text "Maximum length for the text in this field is 150 characters".
  headerText: 150,
  // https://docs.slack.dev/reference/block-kit/blocks/context-block : "Maximum number of items is 10".
  contextElements: 10,
  // https://docs.slack.dev/reference/block-kit/blocks/actions-block : "There is a maximum of 25 elements in each action block".
  actionsElements: 25,
  // https://docs.slack.dev/reference/block-kit/blocks/input-block : label and hint "maximum length ... 2000 characters".
  inputLabel: 2000,
  // https://docs.slack.dev/reference/block-kit/blocks/markdown-block : "cumulative limit of 12,000 characters".
  markdownText: 12_000,
  // https://docs.slack.dev/reference/block-kit/blocks/image-block : alt_text and title 2000, image_url 3000.
  imageAltText: 2000,
  url: 3000,
  // https://docs.slack.dev/reference/block-kit/block-elements/button-element : text 75, value 2000, url 3000, action_id 255.
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  // https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element : min_length and max_length
  // "Maximum value is 3000"; https://docs.slack.dev/reference/block-kit/composition-objects/text-object used as
  // placeholder: "Maximum length ... 150 characters" (select menus, inputs).
  textInputLength: 3000,
  placeholder: 150,
  // https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element : options and option_groups "Maximum number ... 100".
  selectOptions: 100,
  // https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element : "Maximum number of options is 5".
  overflowOptions: 5,
  // https://docs.slack.dev/reference/block-kit/block-elements/radio-button-group-element and .../checkboxes-element : 10 options.
  radioOptions: 10,
  // https://docs.slack.dev/reference/block-kit/composition-objects/option-object : text 75, value 150, description 75.
  optionText: 75,
  optionValue: 150,
  // https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object : title 100, text 300,
  // confirm and deny button texts 30.
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  // https://docs.slack.dev/reference/methods/chat.postMessage : "truncate messages containing more than 40,000
  // characters"; the text should stay "fewer than 4,000 characters" (a recommendation, reported as a warning).
  messageText: 40_000,
  messageTextRecommended: 4_000,
} as const;

/** Block types Slack documents (https://docs.slack.dev/reference/block-kit/blocks). */
const KNOWN_BLOCK_TYPES = new Set(['actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'table', 'video']);

const problem = (what: string, pointer: string) => `[ERROR] ${what} [json-pointer:${pointer}]`;

class ProblemList {
  readonly items: string[] = [];
  add(what: string, pointer: string): void {
    this.items.push(problem(what, pointer));
  }
  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }
  maxItems(value: unknown, max: number, pointer: string): void {
    if (Array.isArray(value) && value.length > max) this.add(`must be less than ${max + 1} items`, pointer);
  }
  /** A text object; `plainOnly` where Slack accepts only `plain_text`. */
  text(value: unknown, max: number, pointer: string, o: { plainOnly?: boolean; required?: boolean } = {}): void {
    if (value === undefined || value === null) {
      if (o.required) this.add('missing required field: text object', pointer);
      return;
    }
    if (typeof value !== 'object') {
      this.add('must be a text object', pointer);
      return;
    }
    const textObject = value as AnyObject;
    if (o.plainOnly && textObject.type !== 'plain_text') this.add('must be a plain_text text object', `${pointer}/type`);
    else if (textObject.type !== 'plain_text' && textObject.type !== 'mrkdwn') this.add('must be plain_text or mrkdwn', `${pointer}/type`);
    if (typeof textObject.text !== 'string') this.add('missing required field: text', `${pointer}/text`);
    else if (textObject.text.length === 0) this.add('must be more than 0 characters', `${pointer}/text`);
    this.maxLength(textObject.text, max, `${pointer}/text`);
  }
}

/** Problems with a modal or Home tab view (`view.type` decides), at `pointer` (Slack uses `/view`). */
export function viewProblems(view: unknown, pointer = '/view'): string[] {
  const list = new ProblemList();
  if (!view || typeof view !== 'object') {
    list.add('must be a view object', pointer);
    return list.items;
  }
  const v = view as AnyObject;
  if (v.type !== 'modal' && v.type !== 'home') list.add('view type must be modal or home', `${pointer}/type`);
  if (v.type === 'modal') {
    list.text(v.title, LIMITS.modalButtonText, `${pointer}/title`, { plainOnly: true, required: true });
    if (v.submit !== undefined) list.text(v.submit, LIMITS.modalButtonText, `${pointer}/submit`, { plainOnly: true });
    if (v.close !== undefined) list.text(v.close, LIMITS.modalButtonText, `${pointer}/close`, { plainOnly: true });
    // Modal views: "submit is required when an input block is within the blocks array".
    const hasInput = Array.isArray(v.blocks) && v.blocks.some((b: AnyObject) => b?.type === 'input');
    if (hasInput && v.submit === undefined) list.add('missing required field: submit (the view has input blocks)', `${pointer}/submit`);
  }
  list.maxLength(v.private_metadata, LIMITS.privateMetadata, `${pointer}/private_metadata`);
  list.maxLength(v.callback_id, LIMITS.callbackId, `${pointer}/callback_id`);
  list.maxLength(v.external_id, LIMITS.externalId, `${pointer}/external_id`);
  if (!Array.isArray(v.blocks)) list.add('missing required field: blocks', `${pointer}/blocks`);
  else {
    list.maxItems(v.blocks, LIMITS.viewBlocks, `${pointer}/blocks`);
    list.items.push(...blocksProblems(v.blocks, `${pointer}/blocks`));
  }
  if (Buffer.byteLength(JSON.stringify(v)) > LIMITS.viewBytes) list.add('view_too_large: the view is greater than 250kb', pointer);
  return list.items;
}

export interface MessageCheck {
  /** The Web API error Slack answers with, when there is one. */
  error?: 'msg_too_long' | 'invalid_blocks' | 'no_text';
  problems: string[];
  /** Within the limits but against Slack's recommendation. */
  warnings: string[];
}

/** Problems with a message (`text` + `blocks`), as chat.postMessage, chat.update, response_url and acks carry it. */
export function messageProblems(message: { text?: unknown; blocks?: unknown }, o: { requireContent?: boolean } = {}): MessageCheck {
  const check: MessageCheck = { problems: [], warnings: [] };
  const text = typeof message.text === 'string' ? message.text : undefined;
  if (o.requireContent !== false && !text && !(Array.isArray(message.blocks) && message.blocks.length > 0)) {
    return { error: 'no_text', problems: [problem('missing required field: text or blocks', '/text')], warnings: [] };
  }
  if (text && text.length > LIMITS.messageText) {
    check.error = 'msg_too_long';
    check.problems.push(problem(`must be less than ${LIMITS.messageText + 1} characters`, '/text'));
  } else if (text && text.length > LIMITS.messageTextRecommended) {
    check.warnings.push(`text has ${text.length} characters; Slack recommends fewer than ${LIMITS.messageTextRecommended}`);
  }
  if (message.blocks !== undefined) {
    const list = new ProblemList();
    if (!Array.isArray(message.blocks)) list.add('must be an array', '/blocks');
    else {
      list.maxItems(message.blocks, LIMITS.messageBlocks, '/blocks');
      list.items.push(...blocksProblems(message.blocks, '/blocks'));
    }
    if (list.items.length > 0) {
      check.error ??= 'invalid_blocks';
      check.problems.push(...list.items);
    }
  }
  return check;
}

/** Problems with an array of blocks at `pointer`. block_ids must be unique among the blocks. */
export function blocksProblems(blocks: AnyObject[], pointer: string): string[] {
  const list = new ProblemList();
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!block || typeof block !== 'object') {
      list.add('must be a block object', at);
      return;
    }
    if (!KNOWN_BLOCK_TYPES.has(block.type)) list.add(`unknown block type ${JSON.stringify(block.type)}`, `${at}/type`);
    if (block.block_id !== undefined) {
      list.maxLength(block.block_id, LIMITS.blockId, `${at}/block_id`);
      if (blockIds.has(block.block_id)) list.add(`duplicate block_id ${JSON.stringify(block.block_id)}`, `${at}/block_id`);
      blockIds.add(block.block_id);
    }
    checkBlock(list, block, at);
  });
  return list.items;
}

function checkBlock(list: ProblemList, block: AnyObject, at: string): void {
  // action_id "Should be unique among all other action_ids in the containing block" (button-element page).
  const actionIds = new Set<string>();
  const element = (value: AnyObject, where: string) => checkElement(list, value, where, actionIds);
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) list.add('missing required field: text or fields', at);
      if (block.text !== undefined) list.text(block.text, LIMITS.sectionText, `${at}/text`);
      if (block.fields !== undefined) {
        list.maxItems(block.fields, LIMITS.sectionFields, `${at}/fields`);
        (Array.isArray(block.fields) ? block.fields : []).forEach((field: unknown, i: number) =>
          list.text(field, LIMITS.sectionFieldText, `${at}/fields/${i}`, { required: true }),
        );
      }
      if (block.accessory) element(block.accessory, `${at}/accessory`);
      break;
    case 'header':
      list.text(block.text, LIMITS.headerText, `${at}/text`, { plainOnly: true, required: true });
      break;
    case 'context':
      if (!Array.isArray(block.elements)) list.add('missing required field: elements', `${at}/elements`);
      list.maxItems(block.elements, LIMITS.contextElements, `${at}/elements`);
      (Array.isArray(block.elements) ? block.elements : []).forEach((item: AnyObject, i: number) => {
        if (item?.type === 'plain_text' || item?.type === 'mrkdwn') list.text(item, LIMITS.sectionText, `${at}/elements/${i}`);
        else if (item?.type === 'image') list.maxLength(item.alt_text, LIMITS.imageAltText, `${at}/elements/${i}/alt_text`);
      });
      break;
    case 'actions':
      if (!Array.isArray(block.elements)) list.add('missing required field: elements', `${at}/elements`);
      list.maxItems(block.elements, LIMITS.actionsElements, `${at}/elements`);
      (Array.isArray(block.elements) ? block.elements : []).forEach((item: AnyObject, i: number) => element(item, `${at}/elements/${i}`));
      break;
    case 'input':
      list.text(block.label, LIMITS.inputLabel, `${at}/label`, { plainOnly: true, required: true });
      if (block.hint !== undefined) list.text(block.hint, LIMITS.inputLabel, `${at}/hint`, { plainOnly: true });
      if (!block.element) list.add('missing required field: element', `${at}/element`);
      else element(block.element, `${at}/element`);
      break;
    case 'markdown':
      if (typeof block.text !== 'string') list.add('missing required field: text', `${at}/text`);
      list.maxLength(block.text, LIMITS.markdownText, `${at}/text`);
      break;
    case 'image':
      list.maxLength(block.alt_text, LIMITS.imageAltText, `${at}/alt_text`);
      list.maxLength(block.image_url, LIMITS.url, `${at}/image_url`);
      if (block.title !== undefined) list.text(block.title, LIMITS.imageAltText, `${at}/title`, { plainOnly: true });
      break;
    default:
      break;
  }
}

const OPTION_LIMITS: Record<string, number> = {
  static_select: LIMITS.selectOptions,
  multi_static_select: LIMITS.selectOptions,
  overflow: LIMITS.overflowOptions,
  radio_buttons: LIMITS.radioOptions,
  checkboxes: LIMITS.radioOptions,
};

function checkElement(list: ProblemList, element: AnyObject, at: string, actionIds: Set<string>): void {
  if (!element || typeof element !== 'object') {
    list.add('must be an element object', at);
    return;
  }
  if (element.action_id !== undefined) {
    list.maxLength(element.action_id, LIMITS.actionId, `${at}/action_id`);
    if (actionIds.has(element.action_id)) list.add(`duplicate action_id ${JSON.stringify(element.action_id)} in the block`, `${at}/action_id`);
    actionIds.add(element.action_id);
  }
  if (element.placeholder !== undefined) list.text(element.placeholder, LIMITS.placeholder, `${at}/placeholder`, { plainOnly: true });
  if (element.confirm !== undefined) {
    const c = element.confirm as AnyObject;
    list.text(c?.title, LIMITS.confirmTitle, `${at}/confirm/title`, { plainOnly: true, required: true });
    list.text(c?.text, LIMITS.confirmText, `${at}/confirm/text`, { required: true });
    list.text(c?.confirm, LIMITS.confirmButton, `${at}/confirm/confirm`, { plainOnly: true, required: true });
    list.text(c?.deny, LIMITS.confirmButton, `${at}/confirm/deny`, { plainOnly: true, required: true });
  }
  switch (element.type) {
    case 'button':
      list.text(element.text, LIMITS.buttonText, `${at}/text`, { plainOnly: true, required: true });
      list.maxLength(element.value, LIMITS.buttonValue, `${at}/value`);
      list.maxLength(element.url, LIMITS.url, `${at}/url`);
      break;
    case 'plain_text_input': {
      const max = element.max_length;
      if (typeof max === 'number' && max > LIMITS.textInputLength) list.add(`must be less than ${LIMITS.textInputLength + 1}`, `${at}/max_length`);
      if (typeof element.min_length === 'number' && element.min_length > LIMITS.textInputLength) {
        list.add(`must be less than ${LIMITS.textInputLength + 1}`, `${at}/min_length`);
      }
      // An initial value longer than the input accepts could never be submitted.
      list.maxLength(element.initial_value, typeof max === 'number' ? Math.min(max, LIMITS.textInputLength) : LIMITS.textInputLength, `${at}/initial_value`);
      break;
    }
    default:
      break;
  }
  const optionLimit = OPTION_LIMITS[element.type];
  if (optionLimit !== undefined || element.options !== undefined || element.option_groups !== undefined) {
    list.maxItems(element.options, optionLimit ?? LIMITS.selectOptions, `${at}/options`);
    list.maxItems(element.option_groups, LIMITS.selectOptions, `${at}/option_groups`);
    const options: Array<[AnyObject, string]> = [];
    (Array.isArray(element.options) ? element.options : []).forEach((o: AnyObject, i: number) => options.push([o, `${at}/options/${i}`]));
    (Array.isArray(element.option_groups) ? element.option_groups : []).forEach((group: AnyObject, g: number) =>
      (Array.isArray(group?.options) ? group.options : []).forEach((o: AnyObject, i: number) => options.push([o, `${at}/option_groups/${g}/options/${i}`])),
    );
    for (const [option, where] of options) {
      list.text(option?.text, LIMITS.optionText, `${where}/text`, { required: true });
      list.maxLength(option?.value, LIMITS.optionValue, `${where}/value`);
      if (option?.description !== undefined) list.text(option.description, LIMITS.optionText, `${where}/description`, { plainOnly: true });
    }
    // Slack refuses an initial option that is not exactly one of the options.
    const initial = [element.initial_option, ...(Array.isArray(element.initial_options) ? element.initial_options : [])].filter(Boolean);
    for (const chosen of initial) {
      if (!options.some(([o]) => JSON.stringify(o) === JSON.stringify(chosen))) list.add('initial option is not one of the options', `${at}/initial_option`);
    }
  }
}
