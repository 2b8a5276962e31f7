import type { Button, KnownBlock } from '@slack/types';
import type { ConnectionStatus } from '../../services/connections/types.js';
import { notionWebLink } from '../../services/home/list.js';
import type { HomeListItem } from '../../services/home/types.js';
import { HomeAction, HomeBlock } from '../listeners/home/ids.js';
import { actions, button, confirmDialog, section, WITH_EMOJI } from './blocks.js';

import { runProgressText } from './home-runs.js';
import { inlineText, mrkdwnLink, notionUrlLabel, plural, safeUrl, slackDate, truncate } from './text.js';

/** One connection of the Home tab's list: a section with its state, and its buttons. */

const STATUS_EMOJI: Record<ConnectionStatus, string> = {
  Ready: ':white_circle:',
  Running: ':hourglass_flowing_sand:',
  Succeeded: ':white_check_mark:',
  Failed: ':x:',
  Cancelled: ':no_entry_sign:',
};

/** `n` is the connection's position on the page, which makes its block ids unique in the view. */
export function connectionBlocks(item: HomeListItem, n: number): KnownBlock[] {
  return [section(connectionText(item), { blockId: HomeBlock.connection(n) }), actions(connectionButtons(item), { blockId: HomeBlock.connectionActions(n) })];
}

function connectionText(item: HomeListItem): string {
  const typeWord = typeWordOf(item);
  // Links from a row go only into Notion: anyone with edit access to a shared database can type a Target.
  const name = mrkdwnLink(notionWebLink(item.url), item.name || 'Untitled connection', 150);
  const target = mrkdwnLink(notionWebLink(item.target), notionUrlLabel(item.target, `Notion ${typeWord.toLowerCase()}`), 80);
  const unit = item.type === 'Database' ? 'row' : 'page';
  const facts = [`last run ${slackDate(item.lastRun)}`, plural(item.runs, 'run'), `${plural(item.items, unit)} written last time`];
  const lines = [`*${name}*  ·  ${typeWord} → ${target}`, `${statusText(item)}  ·  ${facts.join('  ·  ')}`];
  if (item.output) lines.push(`Output: ${inlineText(item.output, 120)}`);
  if (item.status === 'Failed' && !item.activeRun && item.lastError) lines.push(`>${inlineText(item.lastError, 1_000)}`);
  return lines.join('\n');
}

function statusText(item: HomeListItem): string {
  if (item.activeRun) return `${STATUS_EMOJI.Running} Running: ${runProgressText(item.activeRun)}`;
  return item.status ? `${STATUS_EMOJI[item.status]} ${item.status}` : ':grey_question: No status';
}

function typeWordOf(item: HomeListItem): 'Database' | 'Page' {
  return item.type === 'Database' ? 'Database' : 'Page';
}

/** Run again (not while it runs), the links into Notion that are safe to open, and Delete. */
function connectionButtons(item: HomeListItem): Button[] {
  const name = truncate(item.name || 'Untitled connection', 80);
  const rowUrl = safeUrl(notionWebLink(item.url));
  const targetUrl = safeUrl(notionWebLink(item.target));
  const elements: Button[] = [];
  if (!item.activeRun) {
    const confirm = confirmDialog({
      title: 'Run this connection again?',
      text: `Visen runs “${name}” again with the same target, prompt and output, and sends its progress in a direct message.`,
      confirm: 'Run again',
      deny: 'Cancel',
    });
    elements.push(button('Run again', HomeAction.runAgain, { value: item.id, confirm, ...WITH_EMOJI }));
  }
  if (rowUrl) elements.push(button('Open in Notion', HomeAction.openRow, { url: rowUrl, value: item.id, ...WITH_EMOJI }));
  if (targetUrl) elements.push(button(`Open ${typeWordOf(item).toLowerCase()}`, HomeAction.openTarget, { url: targetUrl, value: item.id, ...WITH_EMOJI }));
  const confirmDelete = confirmDialog({
    title: 'Delete this connection?',
    text: `“${name}” moves to Notion’s trash, where you can restore it. Its target and what was written there stay as they are.`,
    confirm: 'Delete',
    deny: 'Cancel',
    style: 'danger',
  });
  elements.push(button('Delete', HomeAction.delete, { value: item.id, style: 'danger', confirm: confirmDelete, ...WITH_EMOJI }));
  return elements;
}
