/**
 * Test helpers for the settings feature's views: the `state.values` Slack would submit for a modal whose inputs
 * hold their initial values. Slack's limits are checked with tests/support/block-kit-limits.ts.
 */
export { messageLimitProblems, modalLimitProblems } from '../../support/block-kit-limits.js';

import type { ModalView } from '@slack/types';
import type { ViewStateValues } from '../../../src/slack/views/settings-modal-state.js';

type AnyObject = Record<string, any>;

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
