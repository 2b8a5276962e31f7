import type { SectionBlock } from '@slack/types';
import type { AutomationSummary } from '../../services/automations/types.js';
import { notionWebLink } from '../../services/home/list.js';
import { AutomationAction, AutomationBlock } from '../listeners/automations/ids.js';
import { button, section } from './blocks.js';
import { inlineCode, inlineText, mrkdwnLink, notionUrlLabel, plural, slackDate } from './text.js';

/**
 * One automatic connection as the Home tab, `/visen automations` and the direct messages show it: what it does,
 * when it runs next, how its last run went, and a Pause or Resume button. Pure: everything shown that came from
 * Notion or a user is escaped and cut here.
 */

/** The block for one automation: its text and, beside it, Pause (running) or Resume (paused). */
export function automationBlock(automation: AutomationSummary, n: number): SectionBlock {
  return { ...section(automationText(automation), { blockId: AutomationBlock.item(n) }), accessory: pauseOrResumeButton(automation) };
}

/** Pause or Resume; the value is the connection's id, and the service checks the clicking user owns it. */
export function pauseOrResumeButton(automation: AutomationSummary) {
  return automation.paused
    ? button('Resume', AutomationAction.resume, { value: automation.connectionId, style: 'primary', emoji: true })
    : button('Pause', AutomationAction.pause, { value: automation.connectionId, emoji: true });
}

export function automationText(automation: AutomationSummary): string {
  const lines = [
    `*${automationName(automation)}*  ·  ${triggerText(automation)} → ${targetLink(automation)}`,
    `${stateText(automation)}  ·  ${lastRunText(automation)}`,
  ];
  if (automation.paused && automation.pausedReason) lines.push(`>${inlineText(automation.pausedReason, 600)}`);
  else if (automation.lastRun?.error) lines.push(`>${inlineText(automation.lastRun.error, 600)}`);
  return lines.join('\n');
}

/** The connection's name, linked to its row in Notion. */
export function automationName(automation: Pick<AutomationSummary, 'connectionName' | 'connectionUrl'>): string {
  return mrkdwnLink(notionWebLink(automation.connectionUrl), automation.connectionName || 'Untitled connection', 150);
}

export function targetLink(automation: Pick<AutomationSummary, 'targetUrl'>): string {
  return mrkdwnLink(notionWebLink(automation.targetUrl), notionUrlLabel(automation.targetUrl, 'Notion target'), 80);
}

/** `:eyes: Watches for new and changed rows`, or `:alarm_clock: \`daily 09:00\` (Europe/Paris)`. */
export function triggerText(automation: Pick<AutomationSummary, 'trigger' | 'schedule' | 'timeZone'>): string {
  if (automation.trigger === 'Watch') return ':eyes: Watches for new and changed rows';
  const zone = automation.timeZone ? ` (${inlineText(automation.timeZone, 60)})` : '';
  return `:alarm_clock: Runs ${inlineCode(automation.schedule ?? '', 100) || 'on a schedule'}${zone}`;
}

function stateText(automation: AutomationSummary): string {
  if (automation.paused) return automation.pausedReason ? ':double_vertical_bar: *Paused by Visen*' : ':double_vertical_bar: *Paused*';
  return automation.nextRun ? `Next run ${slackDate(automation.nextRun)}` : 'Next run soon';
}

function lastRunText(automation: AutomationSummary): string {
  const last = automation.lastRun;
  if (!last) return 'not run yet';
  const outcome = last.failed > 0 ? `${plural(last.written, 'item')} written, ${plural(last.failed, 'failure')}` : `${plural(last.written, 'item')} written`;
  return `last run ${slackDate(last.at)}: ${outcome}`;
}
