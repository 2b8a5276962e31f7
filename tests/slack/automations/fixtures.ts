import type { AutomationRunReport, AutomationSummary } from '../../../src/services/automations/types.js';

export const OWNER = { teamId: 'T1', userId: 'U0ANA' };

export function automation(n: number, overrides: Partial<AutomationSummary> = {}): AutomationSummary {
  const id = `aaaaaaaa-bbbb-4ccc-8ddd-${n.toString(16).padStart(12, '0')}`;
  return {
    connectionId: id,
    connectionName: `Automation ${n}`,
    connectionUrl: `https://www.notion.so/acme/Automation-${n}-${id.replace(/-/g, '')}`,
    targetUrl: `https://www.notion.so/acme/Leads-${'d'.repeat(20)}${n.toString(16).padStart(12, '0')}`,
    trigger: n % 2 === 0 ? 'Schedule' : 'Watch',
    ...(n % 2 === 0 ? { schedule: 'weekdays 09:00', timeZone: 'Europe/Paris' } : {}),
    paused: false,
    nextRun: '2026-03-02T08:00:00.000Z',
    lastRun: { at: '2026-03-01T08:00:00.000Z', written: 3, failed: 0 },
    ...overrides,
  };
}

/** Names, reasons and titles as hostile as Notion lets them be. */
export const HOSTILE = `<!channel> *bold* \`code\` <https://evil.example|click> & ${'x'.repeat(4000)}`;

export function report(overrides: Partial<AutomationRunReport> = {}): AutomationRunReport {
  return {
    owner: OWNER,
    automation: automation(1),
    startedAt: '2026-03-02T08:00:00.000Z',
    finishedAt: '2026-03-02T08:00:30.000Z',
    written: 1,
    failed: 0,
    writtenLinks: [{ title: 'About glaciers', url: 'https://www.notion.so/acme/About-glaciers-0123456789abcdef0123456789abcdef' }],
    failures: [],
    ...overrides,
  };
}
