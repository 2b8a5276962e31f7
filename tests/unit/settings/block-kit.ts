/**
 * Test helpers for the settings feature's views: Slack's documented limits, checked on a built view or
 * message, and the `state.values` Slack would submit for a modal whose inputs hold their initial values.
 * Limits: https://docs.slack.dev/reference/block-kit/blocks, .../block-elements, .../composition-objects,
 * https://docs.slack.dev/surfaces/modals (title 24, submit/close 24, private_metadata 3000, 100 blocks).
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ViewStateValues } from '../../../src/slack/views/settings-modal.js';

type AnyObject = Record<string, any>;

/** Every limit broken, as readable lines (empty when the view is within Slack's limits). */
export function modalLimitProblems(view: ModalView): string[] {
  const problems: string[] = [];
  if (view.title.text.length > 24) problems.push(`title has ${view.title.text.length} > 24 characters`);
  if (view.submit && view.submit.text.length > 24) problems.push('submit text > 24');
  if (view.close && view.close.text.length > 24) problems.push('close text > 24');
  if ((view.private_metadata ?? '').length > 3000) problems.push('private_metadata > 3000');
  if ((view.callback_id ?? '').length > 255) problems.push('callback_id > 255');
  if (view.blocks.length > 100) problems.push(`${view.blocks.length} blocks > 100`);
  problems.push(...blockProblems(view.blocks as KnownBlock[]));
  return problems;
}

export function messageLimitProblems(message: { text: string; blocks: KnownBlock[] }): string[] {
  const problems: string[] = [];
  if (message.blocks.length > 50) problems.push(`${message.blocks.length} blocks > 50`);
  if (message.text.length > 40_000) problems.push('text > 40000');
  problems.push(...blockProblems(message.blocks));
  return problems;
}

function blockProblems(blocks: KnownBlock[]): string[] {
  const problems: string[] = [];
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const [index, block] of (blocks as AnyObject[]).entries()) {
    const where = `block ${index} (${block.type}${block.block_id ? ` ${block.block_id}` : ''})`;
    if (block.block_id) {
      if (block.block_id.length > 255) problems.push(`${where}: block_id > 255`);
      if (blockIds.has(block.block_id)) problems.push(`${where}: duplicate block_id`);
      blockIds.add(block.block_id);
    }
    if (block.type === 'section') {
      if (block.text && block.text.text.length > 3000) problems.push(`${where}: text > 3000`);
      if (block.text && block.text.text.length === 0) problems.push(`${where}: empty text`);
      for (const field of block.fields ?? []) if (field.text.length > 2000) problems.push(`${where}: field > 2000`);
      if ((block.fields ?? []).length > 10) problems.push(`${where}: > 10 fields`);
    }
    if (block.type === 'context') {
      if (block.elements.length > 10) problems.push(`${where}: > 10 elements`);
      for (const element of block.elements) if (element.text !== undefined && element.text.length > 3000) problems.push(`${where}: element text > 3000`);
    }
    if (block.type === 'header' && block.text.text.length > 150) problems.push(`${where}: header > 150`);
    if (block.type === 'input') {
      if (block.label.text.length > 2000) problems.push(`${where}: label > 2000`);
      if (block.hint && block.hint.text.length > 2000) problems.push(`${where}: hint > 2000`);
      problems.push(...elementProblems(block.element, where, actionIds));
    }
    if (block.type === 'actions') {
      if (block.elements.length > 25) problems.push(`${where}: > 25 elements`);
      for (const element of block.elements) problems.push(...elementProblems(element, where, actionIds));
    }
  }
  return problems;
}

function elementProblems(element: AnyObject, where: string, actionIds: Set<string>): string[] {
  const problems: string[] = [];
  if (element.action_id) {
    if (element.action_id.length > 255) problems.push(`${where}: action_id > 255`);
    if (actionIds.has(element.action_id)) problems.push(`${where}: duplicate action_id ${element.action_id}`);
    actionIds.add(element.action_id);
  }
  if (element.type === 'button') {
    if (element.text.text.length > 75) problems.push(`${where}: button text > 75`);
    if ((element.value ?? '').length > 2000) problems.push(`${where}: button value > 2000`);
    if (element.url && element.url.length > 3000) problems.push(`${where}: button url > 3000`);
  }
  if (element.placeholder && element.placeholder.text.length > 150) problems.push(`${where}: placeholder > 150`);
  if (element.type === 'plain_text_input') {
    const max = element.max_length ?? 3000;
    if ((element.initial_value ?? '').length > max) problems.push(`${where}: initial_value > ${max}`);
  }
  for (const option of element.options ?? []) {
    if (option.text.text.length > 75) problems.push(`${where}: option text > 75`);
    if (option.description && option.description.text.length > 75) problems.push(`${where}: option description > 75`);
    if ((option.value ?? '').length > 150) problems.push(`${where}: option value > 150`);
  }
  return problems;
}

/** What Slack submits for this modal when the user changes nothing but `typed` (block id -> text). */
export function submittedState(view: ModalView, typed: Record<string, string> = {}): ViewStateValues {
  const values: Record<string, Record<string, AnyObject>> = {};
  for (const block of view.blocks as AnyObject[]) {
    if (block.type !== 'input') continue;
    const element = block.element;
    if (element.type === 'plain_text_input') {
      const value = typed[block.block_id] ?? element.initial_value ?? null;
      values[block.block_id] = { [element.action_id]: { type: 'plain_text_input', value } };
    } else if (element.type === 'checkboxes') {
      values[block.block_id] = { [element.action_id]: { type: 'checkboxes', selected_options: element.initial_options ?? [] } };
    }
  }
  return values;
}

/** Every string anywhere in a view or message, for "no secret here" checks. */
export function allText(value: unknown): string {
  return JSON.stringify(value);
}
