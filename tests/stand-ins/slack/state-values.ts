// Builds `view.state.values` the way Slack sends it in view_submission and block_actions payloads
// (https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload): one entry per input block,
// keyed by block_id then action_id, including inputs the user left empty (value null / no selection).
import type { AnyObject, StateValueInput, StateValues, StateValuesInput } from './types.js';

/** The state Slack would report for `blocks` after the user typed or selected `given`; throws on unknown inputs. */
export function buildStateValues(blocks: AnyObject[], given: StateValuesInput = {}): StateValues {
  const values: StateValues = {};
  const inputs = blocks.filter((b) => b?.type === 'input' && b.element);
  const known = new Set(inputs.map((b) => `${b.block_id}/${b.element.action_id}`));
  for (const [blockId, actions] of Object.entries(given)) {
    for (const actionId of Object.keys(actions)) {
      if (!known.has(`${blockId}/${actionId}`)) {
        const available = [...known].join(', ') || 'none';
        throw new Error(`Slack stand-in: the view has no input block ${blockId} with action ${actionId} (inputs: ${available})`);
      }
    }
  }
  for (const block of inputs) {
    const element = block.element as AnyObject;
    const entry = given[block.block_id]?.[element.action_id];
    (values[block.block_id] ??= {})[element.action_id] = elementState(element, entry);
  }
  return values;
}

function elementState(element: AnyObject, given: StateValueInput | undefined): AnyObject {
  const type = element.type as string;
  if (given && typeof given === 'object' && !Array.isArray(given)) return { type, ...given };
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: given == null ? null : findOption(element, String(given)) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: toList(given).map((value) => findOption(element, value)) };
    case 'users_select':
      return { type, selected_user: given ?? null };
    case 'multi_users_select':
      return { type, selected_users: toList(given) };
    case 'conversations_select':
      return { type, selected_conversation: given ?? null };
    case 'channels_select':
      return { type, selected_channel: given ?? null };
    case 'datepicker':
      return { type, selected_date: given ?? null };
    case 'timepicker':
      return { type, selected_time: given ?? null };
    default:
      // plain_text_input, number_input, email_text_input, url_text_input, ...
      return { type, value: given === undefined ? (element.initial_value ?? null) : given };
  }
}

function toList(given: StateValueInput | undefined): string[] {
  if (given == null) return [];
  return Array.isArray(given) ? given.map(String) : [String(given)];
}

/** The option object with `value` among the element's options or option groups. */
export function findOption(element: AnyObject, value: string): AnyObject {
  const options: AnyObject[] = [...(element.options ?? []), ...((element.option_groups ?? []) as AnyObject[]).flatMap((group) => group.options ?? [])];
  const option = options.find((o) => o.value === value);
  if (!option && element.type !== 'external_select' && element.type !== 'multi_external_select') {
    throw new Error(`Slack stand-in: element ${element.action_id} has no option with value ${JSON.stringify(value)}`);
  }
  return option ?? { text: { type: 'plain_text', text: value }, value };
}
