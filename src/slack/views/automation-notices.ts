import type { KnownBlock } from '@slack/types';
import type { AutomationNotice, AutomationRunReport, AutomationSummary } from '../../services/automations/types.js';
import { AutomationBlock } from '../listeners/automations/ids.js';
import { automationBlock, automationName, pauseOrResumeButton, targetLink, triggerText } from './automation-summary.js';
import { context, type SlackMessage, section } from './blocks.js';
import { inlineText, mrkdwnLink, notificationText, oneLine, plural, slackDate } from './text.js';

/**
 * The direct messages of automations: "this connection is now automatic", one message per automatic run that wrote or
 * failed something (later runs of the same connection folded into it), and "Visen paused them". Pure builders.
 */

/** Links and failures shown in one message; the rest are counted. */
export const MAX_NOTICE_LINKS = 10;
export const MAX_NOTICE_FAILURES = 10;

/** Runs of one connection folded into one message: counts summed, links and failures newest last. */
export interface FoldedRuns extends Pick<AutomationRunReport, 'automation' | 'written' | 'failed' | 'writtenLinks' | 'failures'> {
  readonly runs: number;
  readonly firstStartedAt: string;
  readonly lastFinishedAt: string;
  /** The slots of scheduled runs that ran late, as the service gave them (ISO times). */
  readonly lateFor: readonly string[];
}

/** Sent when `--watch`, `--every` or the form's Run choice made a connection automatic. */
export function buildAutomationCreatedMessage(automation: AutomationSummary, timeZoneNote?: string): SlackMessage {
  const what =
    automation.trigger === 'Watch'
      ? 'Visen now fills its rows whenever they are added or changed, and tells you here what it wrote.'
      : `Next run ${slackDate(automation.nextRun)}; Visen tells you here what each run wrote.`;
  const blocks: KnownBlock[] = [
    section(`:white_check_mark: *${automationName(automation)}* is now automatic: ${triggerText(automation)} → ${targetLink(automation)}\n${what}`, {
      blockId: AutomationBlock.created,
    }),
  ];
  if (timeZoneNote) blocks.push(section(`:warning: ${inlineText(timeZoneNote, 1_000)}`, { blockId: AutomationBlock.createdNote }));
  blocks.push(automationBlock(automation, 0));
  const note = timeZoneNote ? ` ${timeZoneNote}` : '';
  return { text: notificationText(`${automation.connectionName || 'Your connection'} is now automatic.${note}`), blocks };
}

/** One message for the runs of a connection within the folding window. */
export function buildRunNoticeMessage(folded: FoldedRuns): SlackMessage {
  const a = folded.automation;
  const unit = a.trigger === 'Watch' ? 'row' : 'item';
  const outcome = [folded.written > 0 ? `${plural(folded.written, unit)} written` : '', folded.failed > 0 ? `${plural(folded.failed, 'failure')}` : '']
    .filter(Boolean)
    .join(', ');
  const runs = folded.runs > 1 ? ` in ${plural(folded.runs, 'automatic run')}` : '';
  const emoji = folded.failed > 0 ? ':warning:' : ':sparkles:';
  const summary = section(`${emoji} *${automationName(a)}*: ${outcome}${runs} → ${targetLink(a)}`, { blockId: AutomationBlock.runSummary });
  const blocks: KnownBlock[] = [{ ...summary, accessory: pauseOrResumeButton(a) }];
  if (folded.lateFor.length > 0) {
    blocks.push(context(`:hourglass: Ran late for ${folded.lateFor.map((slot) => slackDate(slot)).join(', ')} (Visen was not running then).`));
  }
  if (folded.writtenLinks.length > 0) blocks.push(section(linksText(folded), { blockId: AutomationBlock.runWritten }));
  if (folded.failures.length > 0) blocks.push(section(failuresText(folded), { blockId: AutomationBlock.runFailures }));
  blocks.push(
    context(`Last run ${slackDate(folded.lastFinishedAt)}. The Home tab and \`/visen automations\` list your automatic connections.`, {
      blockId: AutomationBlock.runFooter,
    }),
  );
  return { text: notificationText(`${oneLine(a.connectionName || 'Your connection')}: ${outcome}${runs}.`), blocks };
}

function linksText(folded: FoldedRuns): string {
  const shown = folded.writtenLinks.slice(-MAX_NOTICE_LINKS);
  const lines = shown.map((link) => `• ${mrkdwnLink(link.url, link.title || 'Untitled', 120)}`);
  const more = folded.written - shown.length;
  if (more > 0) lines.push(`…and ${plural(more, 'more')}`);
  return `*Written*\n${lines.join('\n')}`;
}

function failuresText(folded: FoldedRuns): string {
  const shown = folded.failures.slice(-MAX_NOTICE_FAILURES);
  const lines = shown.map((f) => `• *${inlineText(f.title || 'Untitled', 120)}*: ${inlineText(f.reason, 240)}`);
  const more = folded.failed - shown.length;
  if (more > 0) lines.push(`…and ${plural(more, 'more')}`);
  return `*Failed*\n${lines.join('\n')}`;
}

/** Visen paused one automation (5 failed runs in a row) or all of a user's (a revoked secret or key). */
export function buildPausedNoticeMessage(notice: Extract<AutomationNotice, { kind: 'paused' }>): SlackMessage {
  const count = notice.automations.length;
  const what =
    notice.cause === 'credentials'
      ? `Visen paused ${count === 1 ? 'your automatic connection' : `your ${plural(count, 'automatic connection')}`}`
      : `Visen paused ${count === 1 ? 'an automatic connection' : plural(count, 'automatic connection')} after 5 failed runs in a row`;
  const fix =
    notice.cause === 'credentials'
      ? 'Fix your settings with `/visen settings`, then press *Resume*.'
      : 'Fix the cause (its `Last error` in Notion says more), then press *Resume*.';
  const blocks: KnownBlock[] = [section(`:double_vertical_bar: *${what}.*\n>${inlineText(notice.reason, 1_000)}\n${fix}`, { blockId: AutomationBlock.paused })];
  const room = 50 - blocks.length - 1;
  blocks.push(...notice.automations.slice(0, room).map((a, i) => automationBlock(a, i)));
  if (count > room) blocks.push(context(`…and ${plural(count - room, 'more')}: \`/visen automations\` lists them all.`));
  return { text: notificationText(`${what}: ${oneLine(notice.reason)}`), blocks };
}
