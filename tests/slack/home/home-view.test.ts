import { describe, expect, it } from 'vitest';
import type { HomeFaultCode } from '../../../src/services/home/types.js';
import { FILTER_ALL, HomeAction } from '../../../src/slack/listeners/home/ids.js';
import { buildFaultOnlyView, buildHomeView } from '../../../src/slack/views/home.js';
import { HOME_PAGE_SIZE, pageOf } from '../../../src/slack/views/home-list.js';
import { buildOnboardingView } from '../../../src/slack/views/home-onboarding.js';
import { runProgressText } from '../../../src/slack/views/home-runs.js';
import { parseConnectionId, parsePageChoice, parseSortChoice, parseStatusChoice, parseTypeChoice } from '../../../src/slack/views/home-state.js';
import {
  actionIds,
  allText,
  buttonsWithAction,
  connection,
  connectionId,
  homeViewProblems,
  listOf,
  model,
  mrkdwnText,
  NOT_SET_UP,
  run,
  SET_UP,
} from './fixtures.js';

const FAULT_AT = '2026-03-11T12:31:00.000Z';

describe('Home view: onboarding (not set up)', () => {
  const view = buildHomeView(model({ settings: NOT_SET_UP, connections: undefined }));

  it('matches the snapshot', () => {
    expect(view).toMatchSnapshot();
  });

  it('stays within Slack limits', () => {
    expect(homeViewProblems(view)).toEqual([]);
  });

  it('says what Visen does, the three things it needs, and every step', () => {
    const text = allText(view);
    expect(text).toContain('Visen writes AI content straight into your own Notion workspace');
    expect(text).toContain('Notion integration secret');
    expect(text).toContain('OpenAI API key');
    expect(text).toContain('connections database');
    expect(text).toContain('https://www.notion.so/profile/integrations');
    expect(text).toContain('*Duplicate*');
    expect(text).toContain('*Let Visen create it*');
    // Connecting: open the database, •••, Connections, choose the integration, confirm.
    expect(text).toMatch(/Open the database in Notion[\s\S]*`•••` at the top right[\s\S]*\*Connections\*[\s\S]*integration by name[\s\S]*Confirm/);
  });

  it('has a button that opens the settings modal', () => {
    expect(actionIds(view)).toContain(HomeAction.openSettings);
    expect(buttonsWithAction(view, HomeAction.openSettings)[0]?.style).toBe('primary');
  });

  it('shows a saved-but-unusable settings problem', () => {
    const problem = buildOnboardingView({ ...NOT_SET_UP, problem: 'Your saved secrets cannot be decrypted <anymore>. Run /visen settings again.' });
    expect(allText(problem)).toContain(':warning: *Your saved settings cannot be used*');
    expect(allText(problem)).toContain('&lt;anymore&gt;');
    expect(homeViewProblems(problem)).toEqual([]);
  });
});

describe('Home view: set up', () => {
  const withRun = model({
    connections: {
      items: [
        connection(2, { status: 'Running', activeRun: run() }),
        connection(1),
        connection(3, { status: 'Failed', lastError: 'OpenAI rejected the key. Open /visen settings and paste a current key.' }),
        connection(4, { status: 'Ready', lastRun: undefined, runs: 0, items: 0 }),
      ],
      total: 4,
      fetchedAt: '2026-03-11T12:30:00.000Z',
      stale: false,
    },
    activeRuns: [run()],
  });
  const view = buildHomeView(withRun, { refreshing: true });

  it('matches the snapshot', () => {
    expect(view).toMatchSnapshot();
  });

  it('stays within Slack limits', () => {
    expect(homeViewProblems(view)).toEqual([]);
  });

  it('shows the settings part: database, key ending, model; never a secret', () => {
    const text = allText(view);
    expect(text).toContain('<https://www.notion.so/acme/Visen-connections-11111111222233334444555555555555|Visen connections>');
    expect(text).toContain('*Visen (Ana)*');
    expect(text).toContain('secret ending in `x9Qa`');
    expect(text).toContain('key saved, ending in `k7Zp`');
    expect(text).toContain('*Default model:* `gpt-5-mini`');
  });

  it('has Settings, New generation and Refresh, and sort/filter selects with their initial options', () => {
    expect(actionIds(view)).toEqual(
      expect.arrayContaining([
        HomeAction.openSettings,
        HomeAction.newGeneration,
        HomeAction.refresh,
        HomeAction.sort,
        HomeAction.filterType,
        HomeAction.filterStatus,
      ]),
    );
    const controls = (view.blocks as any[]).find((b) => b.block_id === 'home_list_controls');
    expect(controls.elements.map((e: any) => e.initial_option.value)).toEqual(['last_run', FILTER_ALL, FILTER_ALL]);
  });

  it('lists each connection: name, type, target link, status, last run, runs, items, last error', () => {
    const text = allText(view);
    expect(text).toContain(`*<${connection(1).url}|Connection 1>*  ·  Page → <${connection(1).target}|Target page 1>`);
    expect(text).toContain(':white_check_mark: Succeeded');
    expect(text).toMatch(/last run <!date\^\d+\^\{date_short_pretty\} at \{time\}\|2026-03-11 11:00 UTC>/);
    expect(text).toContain('1 run');
    expect(text).toContain('2 pages written last time');
    expect(text).toContain(':x: Failed');
    expect(text).toContain('>OpenAI rejected the key. Open /visen settings and paste a current key.');
    expect(text).toContain(':white_circle: Ready  ·  last run never  ·  0 runs');
  });

  it('shows the progress of a running one, in the list and under In progress', () => {
    const text = allText(view);
    expect(text).toContain(':hourglass_flowing_sand: Running: 12 of 40 rows done · 2 skipped · 1 failed');
    expect(text).toContain('*In progress*');
    expect(text).toContain('refreshing…');
  });

  it('gives each connection Run again, Open in Notion (row and target) and Delete with a confirmation', () => {
    const runAgain = buttonsWithAction(view, HomeAction.runAgain);
    // Not offered while the connection is running.
    expect(runAgain.map((b) => b.value)).toEqual([connectionId(1), connectionId(3), connectionId(4)]);
    expect(runAgain[0]?.confirm).toBeDefined();
    const rows = buttonsWithAction(view, HomeAction.openRow);
    expect(rows.map((b) => b.url)).toEqual(withRun.connections!.items.map((c) => c.url));
    const targets = buttonsWithAction(view, HomeAction.openTarget);
    expect(targets.map((b) => b.url)).toEqual(withRun.connections!.items.map((c) => c.target));
    const deletes = buttonsWithAction(view, HomeAction.delete);
    expect(deletes).toHaveLength(4);
    for (const d of deletes) {
      expect(d.style).toBe('danger');
      expect(d.confirm.title.text).toBe('Delete this connection?');
      expect(d.confirm.confirm.text).toBe('Delete');
      expect(d.confirm.deny.text).toBe('Cancel');
      expect(d.confirm.text.text).toContain('Notion’s trash');
    }
  });

  it('shows a notice above the list', () => {
    const noticed = buildHomeView(withRun, { notice: { kind: 'success', text: 'Moved “A <b>” to Notion’s trash.' } });
    expect(allText(noticed)).toContain(':white_check_mark: Moved “A &lt;b&gt;” to Notion’s trash.');
    expect(homeViewProblems(noticed)).toEqual([]);
  });

  it('shows a custom OpenAI endpoint', () => {
    const custom = buildHomeView(model({ settings: { ...SET_UP, openaiBaseUrl: 'http://localhost:11434/v1' } }));
    expect(allText(custom)).toContain('endpoint `http://localhost:11434/v1`');
  });

  it('says it is reading when the list was never read', () => {
    const loading = buildHomeView(model({ connections: undefined }));
    expect(allText(loading)).toContain('Reading your connections from Notion…');
    expect(homeViewProblems(loading)).toEqual([]);
  });
});

describe('Home view: empty states', () => {
  it('no connections at all: says what a connection is and how to make one', () => {
    const view = buildHomeView(model({ connections: listOf(0) }));
    expect(view).toMatchSnapshot();
    expect(homeViewProblems(view)).toEqual([]);
    const text = allText(view);
    expect(text).toContain('*No connections yet.*');
    expect(text).toContain('*New generation*');
    expect(text).toContain('`/visen generate &lt;Notion page URL&gt; &lt;prompt&gt;`');
    // No sort/filter controls over nothing.
    expect(actionIds(view)).not.toContain(HomeAction.sort);
  });

  it('nothing matches the filters: says so and offers Show all', () => {
    const view = buildHomeView(model({ preferences: { sort: 'name', type: 'Page', status: 'Failed', page: 1 }, connections: { ...listOf(3)!, items: [] } }));
    expect(homeViewProblems(view)).toEqual([]);
    expect(allText(view)).toContain('None of your 3 connections has type *Page* and status *Failed*.');
    expect(actionIds(view)).toContain(HomeAction.clearFilters);
    const controls = (view.blocks as any[]).find((b) => b.block_id === 'home_list_controls');
    expect(controls.elements.map((e: any) => e.initial_option.value)).toEqual(['name', 'Page', 'Failed']);
  });
});

describe('Home view: warnings', () => {
  const codes: HomeFaultCode[] = [
    'notion_unauthorized',
    'connections_database_missing',
    'notion_unreachable',
    'notion_busy',
    'notion_rejected',
    'store_busy',
    'store_unavailable',
    'unexpected',
  ];

  for (const code of codes) {
    it(`${code}: keeps the settings part and says what to do`, () => {
      const view = buildHomeView(
        model({ connections: undefined, fault: { code, detail: 'Notion says the property “Status” is not a select.', at: FAULT_AT } }),
      );
      expect(homeViewProblems(view)).toEqual([]);
      const text = allText(view);
      expect(text).toContain('*Notion:* linked to');
      expect(text).toContain(':warning: *');
      expect(text).toMatch(/Refresh|Settings|settings/);
      expect(actionIds(view)).toEqual(expect.arrayContaining([HomeAction.openSettings, HomeAction.refresh]));
      expect(view).toMatchSnapshot();
    });
  }

  it('revoked secret: points at the integrations page and Settings', () => {
    const text = allText(buildHomeView(model({ connections: undefined, fault: { code: 'notion_unauthorized', detail: undefined, at: FAULT_AT } })));
    expect(text).toContain('Notion no longer accepts your integration secret');
    expect(text).toContain('https://www.notion.so/profile/integrations');
    expect(text).toContain('*Settings* above');
  });

  it('database not shared: the exact steps to connect it', () => {
    const text = allText(buildHomeView(model({ connections: undefined, fault: { code: 'connections_database_missing', detail: undefined, at: FAULT_AT } })));
    expect(text).toContain('open the database in Notion, click `•••` at the top right, choose *Connections*, find *Visen (Ana)* and confirm');
  });

  it('Notion unreachable with a stale list: shows the list as it was, marked', () => {
    const stale = { ...listOf(2)!, stale: true };
    const view = buildHomeView(model({ connections: stale, fault: { code: 'notion_unreachable', detail: undefined, at: FAULT_AT } }));
    const text = allText(view);
    expect(text).toContain('Notion could not be reached');
    expect(text).toContain('Below is the list as it was <!date^');
    expect(text).toContain('Connection 1');
    expect(homeViewProblems(view)).toEqual([]);
  });

  it('local store failed before the settings could be read: a warning and Refresh, never an empty view', () => {
    const view = buildHomeView(model({ settings: undefined, connections: undefined, fault: { code: 'store_busy', detail: undefined, at: FAULT_AT } }));
    expect(view).toMatchSnapshot();
    expect(homeViewProblems(view)).toEqual([]);
    expect(allText(view)).toContain('Visen’s local data is busy');
    expect(actionIds(view)).toEqual([HomeAction.refresh]);
    expect(homeViewProblems(buildFaultOnlyView(undefined))).toEqual([]);
  });
});

describe('Home view: paging through 150 connections', () => {
  const list = listOf(150)!;
  const pages = Math.ceil(150 / HOME_PAGE_SIZE);

  it('every page stays within 100 blocks and Slack limits, with the worst-case extras on', () => {
    for (let page = 1; page <= pages; page++) {
      const view = buildHomeView(
        model({
          connections: list,
          preferences: { sort: 'last_run', type: undefined, status: undefined, page },
          activeRuns: [run()],
          fault: { code: 'notion_unreachable', detail: undefined, at: FAULT_AT },
        }),
        { notice: { kind: 'info', text: 'x'.repeat(5000) }, refreshing: true },
      );
      expect(homeViewProblems(view), `page ${page}`).toEqual([]);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
    }
  });

  it('shows every connection exactly once across the pages, with Previous/Next where they make sense', () => {
    const seen: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const view = buildHomeView(model({ connections: list, preferences: { sort: 'last_run', type: undefined, status: undefined, page } }));
      seen.push(...buttonsWithAction(view, HomeAction.delete).map((b) => b.value));
      const next = buttonsWithAction(view, HomeAction.pageNext);
      const previous = buttonsWithAction(view, HomeAction.pagePrevious);
      expect(next.map((b) => b.value)).toEqual(page < pages ? [String(page + 1)] : []);
      expect(previous.map((b) => b.value)).toEqual(page > 1 ? [String(page - 1)] : []);
      expect(allText(view)).toContain(`Page ${page} of ${pages}`);
    }
    expect(seen).toEqual(list.items.map((c) => c.id));
    expect(new Set(seen).size).toBe(150);
  });

  it('a page past the end shows the last page (the list shrank since)', () => {
    const view = buildHomeView(model({ connections: list, preferences: { sort: 'last_run', type: undefined, status: undefined, page: 99 } }));
    expect(allText(view)).toContain(`Page ${pages} of ${pages}`);
    expect(pageOf(150, 99)).toEqual({ page: pages, pageCount: pages, start: (pages - 1) * HOME_PAGE_SIZE, end: 150 });
    expect(pageOf(0, 3)).toEqual({ page: 1, pageCount: 1, start: 0, end: 0 });
  });

  it('the first page matches the snapshot', () => {
    expect(buildHomeView(model({ connections: list }))).toMatchSnapshot();
  });

  it('one page of connections has no paging controls', () => {
    const view = buildHomeView(model({ connections: listOf(HOME_PAGE_SIZE) }));
    expect(actionIds(view)).not.toContain(HomeAction.pageNext);
    expect(homeViewProblems(view)).toEqual([]);
  });
});

describe('Home view: long and hostile text', () => {
  const long = 'Ω'.repeat(4000);
  const hostile = connection(7, {
    name: `<!channel> *bold* & <https://evil.example|click> ${long}`,
    lastError: `Failed: ${'e'.repeat(9000)}`,
    status: 'Failed',
    output: `Property: ${'p'.repeat(3000)}`,
    target: 'javascript:alert(1)',
    url: `https://www.notion.so/${'a'.repeat(3100)}`,
  });
  const view = buildHomeView(
    model({
      settings: { ...SET_UP, integrationName: '`x`'.repeat(400), model: 'm'.repeat(5000), connections: { ...SET_UP.connections!, title: 't|>'.repeat(900) } },
      connections: { items: [hostile, connection(8, { name: '😀'.repeat(2000) })], total: 2, fetchedAt: '2026-03-11T12:30:00.000Z', stale: false },
      activeRuns: Array.from({ length: 20 }, (_, i) => run({ runId: `r${i}`, connectionName: 'n'.repeat(500), targetTitle: 'T'.repeat(500) })),
    }),
    { notice: { kind: 'error', text: 'n'.repeat(10_000) } },
  );

  it('is cut to Slack limits with an ellipsis, never silently', () => {
    expect(homeViewProblems(view)).toEqual([]);
    const text = allText(view);
    expect(text).toContain('…');
    expect(text).toContain('…and 12 more runs');
  });

  it('escapes what a user or Notion wrote, and links only http(s) URLs that fit', () => {
    const text = mrkdwnText(view);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<https://evil.example|');
    expect(text).not.toContain('javascript:');
    expect(buttonsWithAction(view, HomeAction.openTarget).map((b) => b.value)).toEqual([connectionId(8)]);
    // A row URL longer than Slack allows in a button is not offered rather than refused by Slack.
    expect(buttonsWithAction(view, HomeAction.openRow).map((b) => b.value)).toEqual([connectionId(8)]);
  });

  it('never leaves half an emoji behind', () => {
    const text = allText(view);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(text)).toBe(false);
  });
});

describe('Home view: state parsers', () => {
  it('reads sort, filters, pages and connection ids, refusing anything else', () => {
    expect(parseSortChoice('name')).toBe('name');
    expect(parseSortChoice('last_run')).toBe('last_run');
    expect(parseSortChoice('DROP TABLE')).toBeUndefined();
    expect(parseTypeChoice(FILTER_ALL)).toEqual({ ok: true, value: undefined });
    expect(parseTypeChoice('Database')).toEqual({ ok: true, value: 'Database' });
    expect(parseTypeChoice('database')).toEqual({ ok: false });
    expect(parseStatusChoice('Failed')).toEqual({ ok: true, value: 'Failed' });
    expect(parseStatusChoice(FILTER_ALL)).toEqual({ ok: true, value: undefined });
    expect(parseStatusChoice('Exploded')).toEqual({ ok: false });
    expect(parsePageChoice('3')).toBe(3);
    expect(parsePageChoice('0')).toBeUndefined();
    expect(parsePageChoice('-1')).toBeUndefined();
    expect(parsePageChoice('1e3')).toBeUndefined();
    expect(parseConnectionId(connectionId(1))).toBe(connectionId(1));
    expect(parseConnectionId('11111111222233334444555555555555')).toBe('11111111222233334444555555555555');
    expect(parseConnectionId('../../etc')).toBeUndefined();
  });

  it('round-trips: every value the view emits parses back', () => {
    const view = buildHomeView(model({ connections: listOf(60), preferences: { sort: 'name', type: 'Database', status: 'Ready', page: 2 } }));
    for (const b of view.blocks as any[]) {
      if (b.type !== 'actions') continue;
      for (const e of b.elements) {
        if (e.action_id === HomeAction.sort) for (const o of e.options) expect(parseSortChoice(o.value)).toBe(o.value);
        if (e.action_id === HomeAction.filterType) for (const o of e.options) expect(parseTypeChoice(o.value).ok).toBe(true);
        if (e.action_id === HomeAction.filterStatus) for (const o of e.options) expect(parseStatusChoice(o.value).ok).toBe(true);
        if (e.action_id === HomeAction.pageNext || e.action_id === HomeAction.pagePrevious) expect(parsePageChoice(e.value)).toBeDefined();
        if (e.action_id === HomeAction.runAgain || e.action_id === HomeAction.delete) expect(parseConnectionId(e.value)).toBe(e.value);
      }
    }
  });
});

describe('runProgressText', () => {
  it('words a run by its state and target', () => {
    expect(runProgressText(run({ state: 'starting' }))).toBe('starting…');
    expect(runProgressText(run({ skipped: 0, failed: 0 }))).toBe('12 of 40 rows done');
    expect(runProgressText(run({ total: undefined, done: 1, skipped: 0, failed: 0 }))).toBe('1 row done');
    expect(runProgressText(run({ targetKind: 'Page', total: 1, done: 0, skipped: 0, failed: 0 }))).toBe('writing…');
  });
});
