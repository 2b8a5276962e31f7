/**
 * Explicit checks of Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit/), written out
 * here independently of the builders' own constants, so a builder cannot pass by sharing a wrong number.
 */
type Json = Record<string, unknown>;

export function messageLimitProblems(message: { text: string; blocks: unknown[] }): string[] {
  const problems: string[] = [];
  if (message.blocks.length > 50) problems.push(`message has ${message.blocks.length} blocks (max 50)`);
  if (message.text.length > 40_000) problems.push('message text over 40,000');
  message.blocks.forEach((b, i) => problems.push(...blockProblems(b as Json, `blocks[${i}]`)));
  return problems;
}

export function modalLimitProblems(view: Json): string[] {
  const problems: string[] = [];
  const blocks = view.blocks as Json[];
  if (blocks.length > 100) problems.push(`modal has ${blocks.length} blocks (max 100)`);
  for (const key of ['title', 'submit', 'close'] as const) {
    const t = (view[key] as Json | undefined)?.text as string | undefined;
    if (t !== undefined && t.length > 24) problems.push(`${key} "${t}" over 24`);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push('private_metadata over 3000');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) problems.push('callback_id over 255');
  const ids = new Set<string>();
  blocks.forEach((b, i) => {
    const id = b.block_id as string | undefined;
    if (id) {
      if (ids.has(id)) problems.push(`duplicate block_id ${id}`);
      ids.add(id);
    }
    problems.push(...blockProblems(b, `blocks[${i}]`));
  });
  return problems;
}

function blockProblems(b: Json, at: string): string[] {
  const p: string[] = [];
  if (typeof b.block_id === 'string' && b.block_id.length > 255) p.push(`${at} block_id over 255`);
  switch (b.type) {
    case 'section': {
      const text = (b.text as Json).text as string;
      if (text.length > 3000) p.push(`${at} section text ${text.length} over 3000`);
      break;
    }
    case 'context': {
      const elements = b.elements as Json[];
      if (elements.length > 10) p.push(`${at} context has ${elements.length} elements`);
      elements.forEach((e) => {
        if (((e.text as string) ?? '').length > 3000) p.push(`${at} context text over 3000`);
      });
      break;
    }
    case 'actions': {
      const elements = b.elements as Json[];
      if (elements.length > 25) p.push(`${at} actions over 25 elements`);
      elements.forEach((e) => p.push(...elementProblems(e, at)));
      break;
    }
    case 'input': {
      const label = (b.label as Json).text as string;
      if (label.length > 2000) p.push(`${at} label over 2000`);
      const hint = (b.hint as Json | undefined)?.text as string | undefined;
      if (hint && hint.length > 2000) p.push(`${at} hint over 2000`);
      p.push(...elementProblems(b.element as Json, at));
      break;
    }
    default:
      p.push(`${at} unexpected block type ${String(b.type)}`);
  }
  return p;
}

function elementProblems(e: Json, at: string): string[] {
  const p: string[] = [];
  if (typeof e.action_id === 'string' && e.action_id.length > 255) p.push(`${at} action_id over 255`);
  const placeholder = (e.placeholder as Json | undefined)?.text as string | undefined;
  if (placeholder && placeholder.length > 150) p.push(`${at} placeholder over 150`);
  switch (e.type) {
    case 'button': {
      const text = (e.text as Json).text as string;
      if (text.length > 75) p.push(`${at} button text over 75`);
      if (typeof e.value === 'string' && e.value.length > 2000) p.push(`${at} button value over 2000`);
      const confirm = e.confirm as Json | undefined;
      if (confirm) {
        if (((confirm.title as Json).text as string).length > 100) p.push(`${at} confirm title over 100`);
        if (((confirm.text as Json).text as string).length > 300) p.push(`${at} confirm text over 300`);
        if (((confirm.confirm as Json).text as string).length > 30) p.push(`${at} confirm button over 30`);
        if (((confirm.deny as Json).text as string).length > 30) p.push(`${at} deny button over 30`);
      }
      break;
    }
    case 'plain_text_input': {
      const max = e.max_length as number | undefined;
      if (max !== undefined && max > 3000) p.push(`${at} max_length ${max} over 3000`);
      const initial = e.initial_value as string | undefined;
      if (initial !== undefined && initial.length > (max ?? 3000)) p.push(`${at} initial_value longer than max_length`);
      break;
    }
    case 'static_select':
    case 'radio_buttons':
    case 'checkboxes': {
      const options = e.options as Json[];
      const max = e.type === 'static_select' ? 100 : 10;
      if (options.length > max) p.push(`${at} ${String(e.type)} has ${options.length} options (max ${max})`);
      for (const o of options) {
        if (((o.text as Json).text as string).length > 75) p.push(`${at} option text over 75`);
        if ((o.value as string).length > 150) p.push(`${at} option value over 150`);
      }
      const initial = [e.initial_option, ...((e.initial_options as Json[] | undefined) ?? [])].filter(Boolean) as Json[];
      for (const i of initial) {
        if (!options.some((o) => JSON.stringify(o) === JSON.stringify(i))) p.push(`${at} initial option not among the options`);
      }
      break;
    }
    case 'number_input':
      break;
    default:
      p.push(`${at} unexpected element type ${String(e.type)}`);
  }
  return p;
}

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
        v = { type: e.type, selected_options: (e.initial_options as Json[] | undefined) ?? [] };
        break;
      default:
        throw new Error(`no state for ${String(e.type)}`);
    }
    values[b.block_id as string] = { [actionId]: v };
  }
  return { state: { values }, private_metadata: view.private_metadata as string };
}
