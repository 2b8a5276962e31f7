import type { AutomationRecord } from './store.js';
import type { AutomationSummary } from './types.js';

/** An automation as the Home tab and `/visen automations` show it. `nextPoll`: a watch's next poll (epoch ms). */
export function summaryOf(record: AutomationRecord, nextPoll: number | undefined): AutomationSummary {
  const nextRun = record.paused
    ? undefined
    : record.trigger === 'Schedule'
      ? record.nextRun
      : nextPoll !== undefined
        ? new Date(nextPoll).toISOString()
        : undefined;
  return {
    connectionId: record.id,
    connectionName: record.connectionName,
    connectionUrl: record.connectionUrl,
    targetUrl: record.targetUrl,
    trigger: record.trigger,
    ...(record.trigger === 'Schedule' ? { schedule: record.schedule, timeZone: record.timeZone } : {}),
    paused: record.paused,
    ...(record.paused && record.pausedBy !== 'user' && record.pausedReason ? { pausedReason: record.pausedReason } : {}),
    ...(nextRun !== undefined ? { nextRun } : {}),
    ...(record.lastRun ? { lastRun: record.lastRun } : {}),
  };
}
