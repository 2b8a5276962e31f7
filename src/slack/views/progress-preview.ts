import type { KnownBlock } from '@slack/types';
import type { PreviewProgress, PreviewRow, RunProgress } from '../../services/generation/types.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { actions, button, context, section } from './blocks.js';
import { escapeMrkdwn, formatCount, mrkdwnLink, plural, SLACK_LIMITS, truncate } from './text.js';

/**
 * The progress message of a run whose preview waits for its owner: each previewed row's proposed values, the tokens
 * the preview used and the estimate for the whole run, with **Write these and run the rest** and **Cancel**. Pure.
 * Every value is Notion or model text: escaped, and cut so each row fits one section (3,000 characters).
 */
export function previewBlocks(p: RunProgress, preview: PreviewProgress, target: string, o: { buttonValue: string; notes: string[] }): KnownBlock[] {
  const blocks: KnownBlock[] = [section(previewHeadline(preview, target))];
  for (const row of preview.rows) blocks.push(section(rowText(row)));
  if (preview.rows.length === 0) blocks.push(section('No row could be previewed: the model’s answers for the first rows failed.'));
  blocks.push(section(costLine(preview)));
  if (p.error) blocks.push(section(`:warning: ${escapeMrkdwn(p.error)}`));
  blocks.push(context([...o.notes, PREVIEW_NOTE]));
  // Never a cut value: it would no longer name the run.
  const buttonValue = o.buttonValue;
  if (buttonValue.length <= SLACK_LIMITS.buttonValue) {
    blocks.push(
      actions(
        [
          button('Write these and run the rest', GenerateIds.previewConfirmAction, { style: 'primary', value: buttonValue }),
          button('Cancel', GenerateIds.previewCancelAction, { style: 'danger', value: buttonValue }),
        ],
        { blockId: GenerateIds.previewActionsBlock },
      ),
    );
  }
  return blocks;
}

/** The headline while a preview is being generated (nothing is written until the owner confirms). */
export function previewingHeadline(preview: PreviewProgress, target: string): string {
  return `:mag: Previewing the first ${plural(preview.size, 'row')} of ${target}: nothing is written until you confirm…`;
}

/** Plain words for the notification. */
export function previewFallback(preview: PreviewProgress, title: string): string {
  return `Preview of ${plural(preview.rows.length, 'row')} of ${title} is ready: nothing was written yet. Write them and run the rest, or cancel.`;
}

function previewHeadline(preview: PreviewProgress, target: string): string {
  const why =
    preview.reason === 'large'
      ? `This run would write ${formatCount(preview.rowsToDo)}${preview.atLeast ? ' or more' : ''} rows (more than 500), so Visen shows a sample first. `
      : '';
  return `:mag: Preview of ${target}: the first ${plural(preview.rows.length, 'row')}, nothing written yet. ${why}Check the values below, then write them (as shown, without asking the model again) and run the rest, or cancel.`;
}

/** Room for one row's values in a section, after its title line. */
const ROW_TEXT_BUDGET = SLACK_LIMITS.sectionText - 200;

function rowText(row: PreviewRow): string {
  const each = Math.max(40, Math.floor(ROW_TEXT_BUDGET / Math.max(1, row.values.length)) - 40);
  const lines = row.values.map(({ name, value }) => valueText(name, value, each));
  return [`*${mrkdwnLink(row.url, row.title || 'Untitled', 100)}*`, ...lines].join('\n');
}

/** `*Name*: value`, a multi-line value as a quote; cut before escaping (escaping can only lengthen it by a bounded amount). */
function valueText(name: string, value: string, max: number): string {
  const label = `*${escapeMrkdwn(truncate(name.replace(/\s+/g, ' '), 60))}*`;
  // An escaped `&` takes five characters: cutting to a fifth of the room keeps the worst case inside it.
  const cut = truncate(value.trim(), Math.max(20, Math.floor(max / (/[&<>]/.test(value) ? 5 : 1))));
  if (cut === '') return `${label}: _(empty)_`;
  if (!cut.includes('\n')) return `${label}: ${escapeMrkdwn(cut)}`;
  return `${label}:\n${cut
    .split('\n')
    .map((line) => `>${escapeMrkdwn(line)}`)
    .join('\n')}`;
}

function costLine(preview: PreviewProgress): string {
  const rows = `${formatCount(preview.rowsToDo)}${preview.atLeast ? '+' : ''} ${preview.rowsToDo === 1 && !preview.atLeast ? 'row' : 'rows'}`;
  if (preview.tokens === undefined) return `Tokens: not reported by the model server, so Visen cannot estimate the whole run (${rows} to write).`;
  const estimate =
    preview.estimatedTokens === undefined
      ? ''
      : ` The whole run: ${rows} × about ${formatCount(Math.round(preview.tokens / Math.max(1, preview.rows.length + preview.failed)))} a row ≈ *${formatCount(preview.estimatedTokens)}* tokens${preview.atLeast ? ' or more' : ''}.`;
  return `Tokens used by this preview: ${formatCount(preview.tokens)}.${estimate}`;
}

/** The note under a preview: what each button does. */
const PREVIEW_NOTE =
  'Write these: the previewed values are written exactly as shown, then the remaining rows are generated and written. Cancel: nothing is written.';
