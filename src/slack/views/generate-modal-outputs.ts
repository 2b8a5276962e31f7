import type { KnownBlock, PlainTextOption } from '@slack/types';
import { BODY_OUTPUT, TYPE_WORDS } from '../../services/generation/outputs/kinds.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { inputBlock, option, selectableValues, WITH_EMOJI } from './blocks.js';
import type { DescribedTarget } from './generate-modal-metadata.js';
import { oneLine, SLACK_LIMITS, truncate } from './text.js';

/**
 * The generate modal's output properties for a described database: every property a run can write into, and each
 * row's page body, several at once (a multi_static_select: at most 100 options of at most 75 characters,
 * https://docs.slack.dev/reference/block-kit/block-elements/multi-select-menu-element), and "new options" when a
 * select or multi-select is among them. Chosen together they are the command's `--into … --into …`.
 */

/** The option value of each row's page body (the command's `--into @body`). */
export const BODY_OPTION_VALUE = BODY_OUTPUT;
/** The value of the "new options" checkbox option. */
export const NEW_OPTIONS_VALUE = 'new_options';

export function outputPropertyBlocks(target: DescribedTarget, into: readonly string[], newOptions: boolean): KnownBlock[] {
  // Only names that fit an option value (a cut value would not read back as the property offered), once each.
  const offered = new Set(selectableValues((target.writableProperties ?? []).map((p) => p.name)));
  const writable = (target.writableProperties ?? []).filter((p) => offered.delete(p.name)).slice(0, SLACK_LIMITS.selectOptions - 1);
  const options = [option('Page body', BODY_OPTION_VALUE, { description: 'Each row’s page', ...WITH_EMOJI }), ...writable.map(propertyOption)];
  const initial = options.filter((o) => into.includes(o.value ?? ''));
  const blocks: KnownBlock[] = [
    inputBlock({
      blockId: GenerateIds.intoSelectBlock,
      optional: true,
      label: 'Properties for the result',
      hint: 'Used when “Into properties” is chosen above. Pick one or several: each row is then one answer of all of them.',
      element: {
        type: 'multi_static_select',
        action_id: GenerateIds.intoAction,
        placeholder: { type: 'plain_text', text: 'Choose properties', emoji: true },
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
      ...WITH_EMOJI,
    }),
  ];
  if (writable.some((p) => p.type === 'select' || p.type === 'multi_select')) blocks.push(newOptionsBlock(newOptions));
  return blocks;
}

function newOptionsBlock(newOptions: boolean): KnownBlock {
  const allow = option('Allow new options', NEW_OPTIONS_VALUE, {
    description: 'Select and multi-select values may be new options (like --new-options)',
    ...WITH_EMOJI,
  });
  return inputBlock({
    blockId: GenerateIds.newOptionsBlock,
    optional: true,
    label: 'Select options',
    element: { type: 'checkboxes', action_id: GenerateIds.newOptionsAction, options: [allow], ...(newOptions ? { initial_options: [allow] } : {}) },
    ...WITH_EMOJI,
  });
}

/** `Name · type`, the name cut so the type always shows within the option's 75 characters. */
function propertyOption(property: { readonly name: string; readonly type: string }): PlainTextOption {
  const type = TYPE_WORDS[property.type] ?? property.type;
  const room = SLACK_LIMITS.optionText - type.length - 3;
  return option(`${truncate(oneLine(property.name) || property.name, room)} · ${type}`, property.name, WITH_EMOJI);
}
