/**
 * Slack's Block Kit limits (tests/support/block-kit-limits.ts: the Slack stand-in's checker, written independently of
 * the builders' own constants), and the state Slack submits for an untouched modal.
 */
export { messageLimitProblems, modalLimitProblems } from '../../support/block-kit-limits.js';

type Json = Record<string, unknown>;

/**
 * What Slack would send back for a view nobody touched: every input's initial value as `state.values`.
 * Used for builder -> parser round trips.
 */
export function stateOf(view: Json): { state: { values: Record<string, Record<string, any>> }; private_metadata: string } {
  const values: Record<string, Record<string, any>> = {};
  for (const b of view.blocks as Json[]) {
    if (b.type !== 'input') continue;
    const e = b.element as Json;
    const actionId = e.action_id as string;
    let v: Json;
    switch (e.type) {
      case 'plain_text_input':
      case 'number_input':
        v = { type: e.type, value: (e.initial_value as string | undefined) ?? null };
        break;
      case 'radio_buttons':
      case 'static_select':
        v = { type: e.type, selected_option: (e.initial_option as Json | undefined) ?? null };
        break;
      case 'checkboxes':
      case 'multi_static_select':
        v = { type: e.type, selected_options: (e.initial_options as Json[] | undefined) ?? [] };
        break;
      default:
        throw new Error(`no state for ${String(e.type)}`);
    }
    values[b.block_id as string] = { [actionId]: v };
  }
  return { state: { values }, private_metadata: view.private_metadata as string };
}
