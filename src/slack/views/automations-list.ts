import type { KnownBlock } from '@slack/types';
import type { AutomationSummary } from '../../services/automations/types.js';
import { COMMAND } from '../ids.js';
import { AutomationBlock } from '../listeners/automations/ids.js';
import { automationBlock } from './automation-summary.js';
import { context, header, type SlackMessage, section, WITH_EMOJI } from './blocks.js';
import { escapeMrkdwn, formatCount, SLACK_LIMITS } from './text.js';

/**
 * The user's automatic connections: the Home tab's "Automatic connections" section and the `/visen automations`
 * message. Both list each one with its Pause or Resume button; both cut the list to fit Slack's block limits and
 * say how many more there are.
 */

/** What the Home tab knows of the user's automations: the list, or that it could not be read. */
export type HomeAutomations = { readonly items: readonly AutomationSummary[] } | { readonly unreadable: true };

const HOW_TO_START = `Add \`--watch\` (a database: fill rows as they are added or changed) or \`--every "daily 09:00"\` to \`${COMMAND} generate\`, or choose *Run* in its form.`;

/** The Home section: a header, up to `maxItems` automations (one block each), and a line for the rest. */
export function homeAutomationsBlocks(automations: HomeAutomations, maxItems: number): KnownBlock[] {
  if ('unreadable' in automations) {
    return [
      header('Automatic connections', { blockId: AutomationBlock.homeHeader, ...WITH_EMOJI }),
      section(':warning: Visen could not read your automatic connections just now. Press *Refresh* to try again.', { blockId: AutomationBlock.homeEmpty }),
    ];
  }
  const items = automations.items;
  const blocks: KnownBlock[] = [header(`Automatic connections (${formatCount(items.length)})`, { blockId: AutomationBlock.homeHeader, ...WITH_EMOJI })];
  if (items.length === 0) return [...blocks, context(`None yet. ${HOW_TO_START}`, { blockId: AutomationBlock.homeEmpty })];
  const shown = items.slice(0, Math.max(0, maxItems));
  blocks.push(...shown.map((a, i) => automationBlock(a, i)));
  if (items.length > shown.length) {
    blocks.push(
      context(`…and ${formatCount(items.length - shown.length)} more: \`${COMMAND} automations\` lists them all.`, { blockId: AutomationBlock.homeMore }),
    );
  }
  return blocks;
}

/** `/visen automations`: an ephemeral message listing them, with a notice of the last Pause or Resume on top. */
export function buildAutomationsListMessage(items: readonly AutomationSummary[], notice?: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(escapeMrkdwn(notice), { blockId: AutomationBlock.listNotice }));
  if (items.length === 0) {
    const text = `You have no automatic connections. ${HOW_TO_START}`;
    blocks.push(section(text, { blockId: AutomationBlock.listIntro }));
    return { text: notice ? `${escapeMrkdwn(notice)} You have no automatic connections.` : 'You have no automatic connections.', blocks };
  }
  const intro = `*Your automatic connections (${formatCount(items.length)})*: Pause stops one until you resume it; the Home tab shows them too.`;
  blocks.push(section(intro, { blockId: AutomationBlock.listIntro }));
  // One block each, within a message's 50 blocks, leaving room for the intro, the notice and the "more" line.
  const room = SLACK_LIMITS.messageBlocks - blocks.length - 1;
  const shown = items.slice(0, room);
  blocks.push(...shown.map((a, i) => automationBlock(a, i)));
  if (items.length > shown.length) {
    blocks.push(context(`…and ${formatCount(items.length - shown.length)} more, not shown here.`, { blockId: AutomationBlock.listMore }));
  }
  const summary = `You have ${formatCount(items.length)} automatic ${items.length === 1 ? 'connection' : 'connections'}.`;
  return { text: notice ? `${escapeMrkdwn(notice)} ${summary}` : summary, blocks };
}
