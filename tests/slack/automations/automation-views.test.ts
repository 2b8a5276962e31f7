/** The automations' views: the Home section, the `/visen automations` message and the direct messages. */
import { describe, expect, it } from 'vitest';
import { AutomationAction, AutomationBlock } from '../../../src/slack/listeners/automations/ids.js';
import {
  buildAutomationCreatedMessage,
  buildPausedNoticeMessage,
  buildRunNoticeMessage,
  type FoldedRuns,
} from '../../../src/slack/views/automation-notices.js';
import { buildAutomationsListMessage } from '../../../src/slack/views/automations-list.js';
import { buildHomeView } from '../../../src/slack/views/home.js';
import { messageLimitProblems } from '../../support/block-kit-limits.js';
import { allText, homeViewProblems, listOf, model, run } from '../home/fixtures.js';
import { automation, HOSTILE, OWNER } from './fixtures.js';

type Json = Record<string, any>;
const json = (v: unknown) => JSON.stringify(v);
const blockIds = (blocks: Json[]) => blocks.map((b) => b.block_id);

function folded(overrides: Partial<FoldedRuns> = {}): FoldedRuns {
  return {
    automation: automation(1),
    runs: 1,
    firstStartedAt: '2026-03-02T08:00:00.000Z',
    lastFinishedAt: '2026-03-02T08:00:30.000Z',
    written: 2,
    failed: 0,
    writtenLinks: [
      { title: 'About glaciers', url: 'https://www.notion.so/acme/About-glaciers-0123456789abcdef0123456789abcdef' },
      { title: 'About tides', url: 'https://www.notion.so/acme/About-tides-0123456789abcdef0123456789abcdee' },
    ],
    failures: [],
    lateFor: [],
    ...overrides,
  };
}

describe('the Home tab’s "Automatic connections"', () => {
  it('lists each with trigger, schedule and time zone, next run, last result and Pause or Resume (snapshot)', () => {
    const items = [
      automation(1),
      automation(2),
      automation(3, { paused: true, nextRun: undefined }),
      automation(4, { paused: true, pausedReason: 'The last 5 runs failed: the model key was refused.' }),
    ];
    const view = buildHomeView(model(), { automations: { items } });
    expect(homeViewProblems(view)).toEqual([]);
    const section = (view.blocks as Json[]).filter((b) => String(b.block_id).startsWith('auto_'));
    expect(section).toMatchSnapshot();
    const text = allText(view);
    expect(text).toContain('Automatic connections (4)');
    expect(text).toContain('Watches for new and changed rows');
    expect(text).toContain('Runs `weekdays 09:00` (Europe/Paris)');
    expect(text).toMatch(/Next run <!date\^\d+\^\{date_short_pretty\} at \{time\}\|2026-03-02 08:00 UTC>/);
    expect(text).toContain('last run <!date^');
    expect(text).toContain(':double_vertical_bar: *Paused by Visen*');
    expect(text).toContain('The last 5 runs failed');
    const accessories = section.filter((b) => b.accessory).map((b) => [b.accessory.action_id, b.accessory.value]);
    expect(accessories).toEqual([
      [AutomationAction.pause, items[0]!.connectionId],
      [AutomationAction.pause, items[1]!.connectionId],
      [AutomationAction.resume, items[2]!.connectionId],
      [AutomationAction.resume, items[3]!.connectionId],
    ]);
  });

  it('says how to make one when there are none, and that they could not be read when they could not', () => {
    expect(allText(buildHomeView(model(), { automations: { items: [] } }))).toMatch(/Automatic connections \(0\)[\s\S]*None yet\. Add `--watch`/);
    expect(allText(buildHomeView(model(), { automations: { unreadable: true } }))).toContain('could not read your automatic connections');
    expect(allText(buildHomeView(model(), {}))).not.toContain('Automatic connections');
  });

  it('shows at most 10 and points to /visen automations for the rest', () => {
    const view = buildHomeView(model(), { automations: { items: Array.from({ length: 14 }, (_, i) => automation(i + 1)) } });
    expect((view.blocks as Json[]).filter((b) => String(b.block_id).startsWith('auto_item_'))).toHaveLength(10);
    expect(allText(view)).toContain('…and 4 more: `/visen automations` lists them all.');
  });

  it('stays within 100 blocks and Slack’s limits beside a full page of connections, with hostile names', () => {
    const items = Array.from({ length: 40 }, (_, i) =>
      automation(i + 1, { connectionName: HOSTILE, pausedReason: HOSTILE, paused: i % 3 === 0, schedule: HOSTILE, timeZone: HOSTILE }),
    );
    const view = buildHomeView(
      model({ connections: listOf(200), activeRuns: [run()], fault: { code: 'notion_unreachable', detail: undefined, at: '2026-03-02T08:00:00.000Z' } }),
      {
        notice: { kind: 'info', text: 'x'.repeat(5000) },
        refreshing: true,
        automations: { items },
      },
    );
    expect(homeViewProblems(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(json(view)).not.toContain('<!channel>');
    expect(json(view)).not.toContain('<https://evil.example|click>');
  });
});

describe('/visen automations', () => {
  it('lists them with their buttons (snapshot)', () => {
    const message = buildAutomationsListMessage([automation(1), automation(2, { paused: true })]);
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('You have 2 automatic connections.');
  });

  it('shows the outcome of a Pause on top, escaped', () => {
    const message = buildAutomationsListMessage([automation(1, { paused: true })], 'Paused “<!here>”: it will not run until you resume it.');
    expect(blockIds(message.blocks as Json[])[0]).toBe(AutomationBlock.listNotice);
    expect(json(message)).not.toContain('<!here>');
    expect(json(message)).toContain('&lt;!here&gt;');
  });

  it('says how to make one when there are none', () => {
    expect(buildAutomationsListMessage([]).blocks[0]).toMatchObject({
      text: { text: expect.stringMatching(/^You have no automatic connections\. Add `--watch`/) },
    });
  });

  it('stays within a message’s 50 blocks with many, saying how many are not shown', () => {
    const message = buildAutomationsListMessage(
      Array.from({ length: 120 }, (_, i) => automation(i + 1, { connectionName: HOSTILE })),
      HOSTILE,
    );
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(json(message.blocks.at(-1))).toMatch(/…and 73 more, not shown here\./);
  });
});

describe('the direct messages', () => {
  it('confirm a new automation with its trigger, next run and Pause (snapshot)', () => {
    const message = buildAutomationCreatedMessage(automation(2));
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });

  it('carry the time zone note when the schedule runs in UTC', () => {
    const message = buildAutomationCreatedMessage(
      automation(2, { timeZone: 'UTC' }),
      'Visen could not read your time zone: reinstall. Until then, your schedule runs in UTC.',
    );
    expect(blockIds(message.blocks as Json[])).toContain(AutomationBlock.createdNote);
    expect(message.text).toContain('runs in UTC');
  });

  it('report a run: rows written with links (snapshot)', () => {
    const message = buildRunNoticeMessage(folded());
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('Automation 1: 2 rows written.');
  });

  it('report folded runs, failures with reasons and the slots a schedule ran late for', () => {
    const message = buildRunNoticeMessage(
      folded({
        automation: automation(2),
        runs: 3,
        written: 25,
        failed: 2,
        failures: [
          { title: 'Row A', reason: 'The model did not answer in time.' },
          { title: 'Row B', reason: 'Notion refused the value.' },
        ],
        lateFor: ['2026-03-02T08:00:00.000Z'],
      }),
    );
    const text = json(message);
    expect(message.text).toBe('Automation 2: 25 items written, 2 failures in 3 automatic runs.');
    expect(text).toContain('…and 23 more');
    expect(text).toContain('*Row A*: The model did not answer in time.');
    expect(text).toMatch(/Ran late for <!date\^\d+\^/);
  });

  it('stay within Slack’s limits and escape everything from Notion', () => {
    const links = Array.from({ length: 40 }, (_, i) => ({ title: HOSTILE, url: `https://www.notion.so/acme/${i}|<!channel>` }));
    const failures = Array.from({ length: 40 }, () => ({ title: HOSTILE, reason: HOSTILE }));
    const message = buildRunNoticeMessage(
      folded({ automation: automation(1, { connectionName: HOSTILE }), runs: 9, written: 400, failed: 40, writtenLinks: links, failures, lateFor: ['x', 'y'] }),
    );
    expect(messageLimitProblems(message)).toEqual([]);
    expect(json(message)).not.toContain('<!channel>');
    expect(json(message)).not.toContain('<https://evil.example|click>');
  });

  it('say once that Visen paused all of a user’s automations after a revoked secret (snapshot)', () => {
    const message = buildPausedNoticeMessage({
      kind: 'paused',
      owner: OWNER,
      automations: [automation(1, { paused: true, pausedReason: 'Notion no longer accepts your integration secret.' }), automation(2, { paused: true })],
      cause: 'credentials',
      reason: 'Notion no longer accepts your integration secret.',
    });
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('Visen paused your 2 automatic connections: Notion no longer accepts your integration secret.');
    expect(json(message)).toContain(AutomationAction.resume);
  });

  it('say which automation paused itself after 5 failures, within limits with many', () => {
    const message = buildPausedNoticeMessage({
      kind: 'paused',
      owner: OWNER,
      automations: Array.from({ length: 80 }, (_, i) => automation(i, { paused: true, connectionName: HOSTILE })),
      cause: 'failures',
      reason: HOSTILE,
    });
    expect(messageLimitProblems(message)).toEqual([]);
    expect(message.text).toMatch(/^Visen paused 80 automatic connections after 5 failed runs in a row: &lt;!channel&gt;/);
  });
});
