import type { HomeView } from '@slack/types';
import type { HomeListItem, HomeModel, HomeRun } from '../../../src/services/home/types.js';
import { DEFAULT_HOME_PREFERENCES } from '../../../src/services/home/types.js';
import type { SettingsSummary } from '../../../src/services/settings/types.js';
import { homeLimitProblems } from '../../support/block-kit-limits.js';

export const SET_UP: SettingsSummary = {
  configured: true,
  notionSecretLast4: 'x9Qa',
  integrationName: 'Visen (Ana)',
  openaiKeyLast4: 'k7Zp',
  openaiBaseUrl: undefined,
  model: 'gpt-5-mini',
  connections: {
    databaseId: '11111111-2222-3333-4444-555555555555',
    dataSourceId: '66666666-7777-8888-9999-000000000000',
    url: 'https://www.notion.so/acme/Visen-connections-11111111222233334444555555555555',
    title: 'Visen connections',
  },
};

export const NOT_SET_UP: SettingsSummary = {
  configured: false,
  notionSecretLast4: undefined,
  integrationName: undefined,
  openaiKeyLast4: undefined,
  openaiBaseUrl: undefined,
  model: 'gpt-5-mini',
  connections: undefined,
};

export function connectionId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `aaaaaaaa-bbbb-4ccc-8ddd-${hex}`;
}

export function connection(n: number, overrides: Partial<HomeListItem> = {}): HomeListItem {
  const id = connectionId(n);
  return {
    id,
    url: `https://www.notion.so/acme/Connection-${n}-${id.replace(/-/g, '')}`,
    name: `Connection ${n}`,
    type: n % 2 === 0 ? 'Database' : 'Page',
    target: `https://www.notion.so/acme/Target-page-${n}-${'c'.repeat(20)}${n.toString(16).padStart(12, '0')}`,
    output: n % 2 === 0 ? 'Page body' : 'Append to page',
    status: 'Succeeded',
    lastRun: new Date(Date.UTC(2026, 2, 11, 12, 0, 0) - n * 3_600_000).toISOString(),
    runs: n,
    items: n * 2,
    lastError: undefined,
    activeRun: undefined,
    ...overrides,
  };
}

export function run(overrides: Partial<HomeRun> = {}): HomeRun {
  return {
    runId: 'run-1',
    connectionId: connectionId(2),
    connectionName: 'Connection 2',
    targetKind: 'Database',
    targetUrl: 'https://www.notion.so/acme/Reading-list-dddddddddddddddddddddddddddddddd',
    targetTitle: 'Reading list',
    state: 'running',
    total: 40,
    done: 12,
    skipped: 2,
    failed: 1,
    ...overrides,
  };
}

export function model(overrides: Partial<HomeModel> = {}): HomeModel {
  return {
    settings: SET_UP,
    preferences: DEFAULT_HOME_PREFERENCES,
    connections: { items: [connection(1), connection(2)], total: 2, fetchedAt: '2026-03-11T12:30:00.000Z', stale: false },
    activeRuns: [],
    fault: undefined,
    ...overrides,
  };
}

export function listOf(count: number): HomeModel['connections'] {
  const items = Array.from({ length: count }, (_, i) => connection(i + 1));
  return { items, total: count, fetchedAt: '2026-03-11T12:30:00.000Z', stale: false };
}

type AnyBlock = Record<string, any>;

/**
 * Every Slack limit a Home view can break, checked on a built view; returns the problems (empty when fine).
 * Sources: https://docs.slack.dev/reference/block-kit/blocks and .../block-elements, .../composition-objects.
 */
/**
 * Slack's limits (the shared checker), plus what the Home tab promises on top: never empty, link buttons only to
 * http(s), no empty actions or contexts, and in mrkdwn no `<` but our own links and dates.
 */
export function homeViewProblems(view: HomeView): string[] {
  const problems = homeLimitProblems(view);
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const blocks = view.blocks as AnyBlock[];
  check(view.type === 'home', 'type is home');
  check(blocks.length > 0, 'at least one block');
  blocks.forEach((b, i) => {
    const where = `block ${i} (${b.type} ${b.block_id ?? ''})`;
    if (b.type === 'actions' || b.type === 'context') check(b.elements.length >= 1, `${where}: at least one element`);
    const elements: AnyBlock[] = [...(b.type === 'actions' ? b.elements : []), ...(b.accessory ? [b.accessory] : [])];
    for (const e of elements) {
      if (e.url !== undefined) check(/^https?:\/\//.test(e.url), `${where}: url is http(s)`);
      if (e.type === 'static_select') check(e.options.length >= 1, `${where}: at least one option`);
    }
  });
  // In mrkdwn, `<` opens a link, mention or date: only our own links and dates may appear.
  for (const m of mrkdwnText(view).matchAll(/<[^>]*>?/g)) {
    check(/^<(https?:\/\/[^|>\s]+\|[^>]+>|!date\^\d+\^[^|>]+\|[^>]+>)$/.test(m[0]), `mrkdwn has only our links and dates (found ${m[0].slice(0, 60)})`);
  }
  return problems;
}

/** All mrkdwn and plain texts of a view, joined (for "does it say X" checks). */
export function allText(view: HomeView): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as AnyBlock;
      if (typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(view.blocks);
  return out.join('\n');
}

/** Only the mrkdwn texts (plain_text is shown literally by Slack: a `<!channel>` there is harmless). */
export function mrkdwnText(view: HomeView): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as AnyBlock;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(view.blocks);
  return out.join('\n');
}

export function actionIds(view: HomeView): string[] {
  return (view.blocks as AnyBlock[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: AnyBlock) => e.action_id));
}

export function buttonsWithAction(view: HomeView, actionId: string): AnyBlock[] {
  return (view.blocks as AnyBlock[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements.filter((e: AnyBlock) => e.action_id === actionId));
}
