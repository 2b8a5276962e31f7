import type { KnownBlock, PlainTextOption } from '@slack/types';
import { DEFAULT_PREVIEW_ROWS, MAX_PREVIEW_ROWS } from '../../services/generation/limits.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { context, inputBlock, option, selectableValues, staticSelect, textInput, WITH_EMOJI } from './blocks.js';
import type { DescribedTarget } from './generate-modal-metadata.js';
import { outputPropertyBlocks } from './generate-modal-outputs.js';
import { escapeMrkdwn, oneLine, SLACK_LIMITS } from './text.js';

/**
 * The database part of the generate modal: which text property takes the result, the placeholders a
 * template can use, and which rows (only those without output, at most how many). Shown for a database,
 * and for a link not described yet (it may be one); never for a page.
 */

/** The value of the "Only rows without output yet" checkbox option. */
export const ONLY_EMPTY_VALUE = 'only_empty';
/** The value of the "Preview first" checkbox option. */
export const PREVIEW_VALUE = 'preview_first';

const PROPERTY_NAME_MAX = 500;
const LIMIT_MAX = 10_000;

/** The choices of this part, as typed or chosen. */
export interface RowChoices {
  /** The output properties chosen (`@body` for the page body); typed before the link is described: one name. */
  readonly into: readonly string[];
  /** Select and multi-select values may be new options (`--new-options`). */
  readonly newOptions: boolean;
  readonly onlyEmpty: boolean;
  /** As typed ('' for none); checked on submit. */
  readonly limit: string;
  readonly preview: boolean;
  /** As typed ('' for the default); checked on submit. */
  readonly previewRows: string;
}

/** `target` is the described database, or undefined while the link is not described yet. */
export function rowBlocks(target: DescribedTarget | undefined, choices: RowChoices): KnownBlock[] {
  const blocks: KnownBlock[] = target ? describedDatabaseBlocks(target, choices) : [intoTextBlock(choices.into[0])];
  blocks.push(onlyEmptyBlock(choices.onlyEmpty), limitBlock(choices.limit), ...previewBlocks(choices.preview, choices.previewRows));
  return blocks;
}

/**
 * The properties the result may go into (every writable one, several at once; metadata of a view built before typed
 * outputs knows only the text properties: a select of those), and the placeholders its template can use.
 */
function describedDatabaseBlocks(target: DescribedTarget, choices: RowChoices): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const into = choices.into[0];
  const rich = selectableValues(target.richTextPropertyNames);
  if ((target.writableProperties ?? []).length > 0) {
    blocks.push(...outputPropertyBlocks(target, choices.into, choices.newOptions));
  } else if (rich.length > 0) {
    const selected = into !== undefined && rich.includes(into) ? into : undefined;
    blocks.push(
      inputBlock({
        blockId: GenerateIds.intoSelectBlock,
        optional: true,
        label: 'Text property for the result',
        hint: 'Used when “Into properties” is chosen above.',
        element: staticSelect(GenerateIds.intoAction, {
          placeholder: 'Choose a property',
          options: rich.map(propertyOption),
          initial: selected !== undefined ? propertyOption(selected) : undefined,
          ...WITH_EMOJI,
        }),
        ...WITH_EMOJI,
      }),
    );
  }
  blocks.push(context(placeholdersText(target), { blockId: GenerateIds.placeholdersBlock }));
  return blocks;
}

/** Before the link is described, the property is typed. */
function intoTextBlock(into: string | undefined): KnownBlock {
  return inputBlock({
    blockId: GenerateIds.intoTextBlock,
    optional: true,
    label: 'Property for the result (databases)',
    hint: 'Used with “Into properties”. Press Enter in the link box to choose from a list, several at once.',
    element: textInput(GenerateIds.intoAction, { maxLength: PROPERTY_NAME_MAX, placeholder: 'Summary', initialValue: into, ...WITH_EMOJI }),
    ...WITH_EMOJI,
  });
}

function onlyEmptyBlock(onlyEmpty: boolean): KnownBlock {
  const only = option('Only rows without output yet', ONLY_EMPTY_VALUE, { description: 'Unticked: every row again (like --all)', ...WITH_EMOJI });
  return inputBlock({
    blockId: GenerateIds.onlyEmptyBlock,
    optional: true,
    label: 'Rows (databases)',
    element: { type: 'checkboxes', action_id: GenerateIds.onlyEmptyAction, options: [only], ...(onlyEmpty ? { initial_options: [only] } : {}) },
    ...WITH_EMOJI,
  });
}

function limitBlock(limit: string): KnownBlock {
  const typed = limit.trim();
  return inputBlock({
    blockId: GenerateIds.limitBlock,
    optional: true,
    label: 'At most this many rows (databases)',
    hint: `Leave empty to do every row (up to ${LIMIT_MAX.toLocaleString('en-US')}).`,
    element: {
      type: 'number_input',
      action_id: GenerateIds.limitAction,
      is_decimal_allowed: false,
      min_value: '1',
      max_value: String(LIMIT_MAX),
      ...(/^\d{1,6}$/.test(typed) ? { initial_value: typed } : {}),
    },
    ...WITH_EMOJI,
  });
}

/** "Preview first" and how many rows (like `--preview N`): nothing is written until the user confirms. */
function previewBlocks(preview: boolean, rows: string): KnownBlock[] {
  const first = option('Preview first', PREVIEW_VALUE, {
    description: 'Generate the first rows without writing them; you confirm or cancel',
    ...WITH_EMOJI,
  });
  const typed = rows.trim();
  return [
    inputBlock({
      blockId: GenerateIds.previewBlock,
      optional: true,
      label: 'Preview (databases)',
      hint: 'A run of more than 500 rows always shows a preview of 3 rows first.',
      element: { type: 'checkboxes', action_id: GenerateIds.previewAction, options: [first], ...(preview ? { initial_options: [first] } : {}) },
      ...WITH_EMOJI,
    }),
    inputBlock({
      blockId: GenerateIds.previewRowsBlock,
      optional: true,
      label: 'Rows to preview',
      hint: `1 to ${MAX_PREVIEW_ROWS}; leave empty for ${DEFAULT_PREVIEW_ROWS}.`,
      element: {
        type: 'number_input',
        action_id: GenerateIds.previewRowsAction,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: String(MAX_PREVIEW_ROWS),
        ...(/^\d{1,2}$/.test(typed) ? { initial_value: typed } : {}),
      },
      ...WITH_EMOJI,
    }),
  ];
}

/** The reserved placeholders every database template may use (services/generation/template.ts). */
const RESERVED_HINT = 'Also `{{@content}}` (the row’s page), `{{@row}}` (every property), `{{@url}}` (the row’s link).';
/** Most of the hint the relation readings may take; the properties have the rest of Slack's 3,000 characters. */
const RELATION_HINT_CHARS = 900;

function placeholdersText(target: DescribedTarget): string {
  const names = target.propertyNames;
  const relations = target.relationReadings ?? [];
  const noRichText = target.richTextPropertyNames.length === 0 ? ' This database has no text properties, so results go into each row’s page body.' : '';
  const relationPart = relations.length > 0 ? ` Through a relation: ${placeholderList(relations, RELATION_HINT_CHARS)}.` : '';
  const propertyBudget = SLACK_LIMITS.contextText - RESERVED_HINT.length - relationPart.length - noRichText.length - 60;
  const properties =
    names.length > 0 ? `Placeholders you can use: ${placeholderList(names, propertyBudget)}.` : 'This database has no properties to use as placeholders.';
  return `${properties} ${RESERVED_HINT}${relationPart}${noRichText}`;
}

/** `{{name}}` items (escaped: the names come from Notion) within `budget` characters, then how many were left out. */
function placeholderList(names: readonly string[], budget: number): string {
  const items: string[] = [];
  let length = 0;
  for (const name of names) {
    const item = `\`{{${escapeMrkdwn(name.replace(/`/g, 'ˋ'))}}}\``;
    if (length + item.length + 20 > budget) break;
    items.push(item);
    length += item.length + 2;
  }
  const more = names.length - items.length;
  return `${items.join(', ')}${more > 0 ? ` …and ${more} more` : ''}`;
}

function propertyOption(name: string): PlainTextOption {
  return option(oneLine(name) || name, name, WITH_EMOJI);
}
