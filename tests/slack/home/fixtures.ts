import type { HomeView } from '@slack/types';
import type { HomeListItem, HomeModel, HomeRun } from '../../../src/services/home/types.js';
import type { SettingsSummary } from '../../../src/services/settings/types.js';
import { DEFAULT_HOME_PREFERENCES } from '../../../src/services/home/types.js';

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
export function homeViewProblems(view: HomeView): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const blocks = view.blocks as AnyBlock[];
  check(view.type === 'home', 'type is home');
  check(blocks.length > 0, 'at least one block');
  check(blocks.length <= 100, `at most 100 blocks (has ${blocks.length})`);
  const blockIds = blocks.map((b) => b.block_id).filter(Boolean);
  check(new Set(blockIds).size === blockIds.length, 'block ids unique');
  for (const id of blockIds) check(id.length <= 255, `block id ${id} <= 255`);

  const text = (t: AnyBlock | undefined, max: number, where: string) => {
    if (!t) return;
    check(typeof t.text === 'string' && t.text.length > 0, `${where}: text not empty`);
    check(t.text.length <= max, `${where}: text <= ${max} (has ${t.text.length})`);
  };
  const confirm = (c: AnyBlock | undefined, where: string) => {
    if (!c) return;
    text(c.title, 100, `${where} confirm title`);
    text(c.text, 300, `${where} confirm text`);
    text(c.confirm, 30, `${where} confirm button`);
    text(c.deny, 30, `${where} deny button`);
  };
  const element = (e: AnyBlock, where: string) => {
    check(!e.action_id || e.action_id.length <= 255, `${where}: action id <= 255`);
    if (e.type === 'button') {
      text(e.text, 75, `${where} button`);
      check(e.value === undefined || e.value.length <= 2000, `${where}: button value <= 2000`);
      if (e.url !== undefined) {
        check(e.url.length <= 3000, `${where}: url <= 3000`);
        check(/^https?:\/\//.test(e.url), `${where}: url is http(s)`);
      }
      confirm(e.confirm, where);
    }
    if (e.type === 'static_select') {
      check(e.options.length >= 1 && e.options.length <= 100, `${where}: 1..100 options`);
      for (const o of e.options) {
        text(o.text, 75, `${where} option`);
        check(o.value.length <= 150, `${where}: option value <= 150`);
      }
      if (e.initial_option) check(e.options.some((o: AnyBlock) => JSON.stringify(o) === JSON.stringify(e.initial_option)), `${where}: initial_option is one of the options`);
      text(e.placeholder, 150, `${where} placeholder`);
    }
  };

  blocks.forEach((b, i) => {
    const where = `block ${i} (${b.type} ${b.block_id ?? ''})`;
    switch (b.type) {
      case 'header':
        check(b.text.type === 'plain_text', `${where}: plain text`);
        text(b.text, 150, where);
        break;
      case 'section':
        check(b.text !== undefined || b.fields !== undefined, `${where}: text or fields`);
        text(b.text, 3000, where);
        if (b.fields) {
          check(b.fields.length <= 10, `${where}: <= 10 fields`);
          for (const f of b.fields) text(f, 2000, `${where} field`);
        }
        if (b.accessory) element(b.accessory, where);
        break;
      case 'context':
        check(b.elements.length >= 1 && b.elements.length <= 10, `${where}: 1..10 elements`);
        for (const e of b.elements) text(e, 3000, where);
        break;
      case 'actions': {
        check(b.elements.length >= 1 && b.elements.length <= 25, `${where}: 1..25 elements`);
        const ids = b.elements.map((e: AnyBlock) => e.action_id);
        check(new Set(ids).size === ids.length, `${where}: action ids unique in the block`);
        for (const e of b.elements) element(e, where);
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${where}: unexpected block type`);
    }
  });
  // In mrkdwn, `<` opens a link, mention or date: only our own links and dates may appear.
  for (const m of mrkdwnText(view).matchAll(/<[^>]*>?/g)) {
    check(/^<(https?:\/\/[^|>\s]+\|[^>]+>|!date\^\d+\^[^|>]+\|[^>]+>)$/.test(m[0]), `mrkdwn has only our links and dates (found ${m[0].slice(0, 60)})`);
  }
  check(JSON.stringify(view).length < 250_000, 'view payload reasonably small');
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
