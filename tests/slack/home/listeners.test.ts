import type { HomeView } from '@slack/types';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { NotionError } from '../../../src/errors.js';
import type { ProgressListener, RunProgress } from '../../../src/services/generation/types.js';
import { DEFAULT_HOME_PREFERENCES, type HomeModel, type HomePreferences, type HomeService } from '../../../src/services/home/types.js';
import type { SlackDeps } from '../../../src/slack/deps.js';
import type { ListenerRegistry } from '../../../src/slack/listener-router.js';
import { HomeAction } from '../../../src/slack/listeners/home/ids.js';
import { type HomeCollaborators, registerHomeListeners } from '../../../src/slack/listeners/home/index.js';
import { allText, connection, connectionId, listOf, model, NOT_SET_UP } from './fixtures.js';

const silent = pino({ level: 'silent' });
const ANA = { teamId: 'T1', userId: 'U1' };

type Handler = (args: Record<string, unknown>) => Promise<void>;

/** Just enough of the listener registry: the handlers it registers, and a client whose views.publish is recorded. */
function fakeApp(options: { failPublish?: (n: number) => unknown } = {}) {
  const events = new Map<string, Handler>();
  const actions = new Map<string, Handler>();
  const published: Array<{ user_id: string; view: HomeView }> = [];
  const calls: string[] = [];
  let attempts = 0;
  const client = {
    views: {
      publish: async (args: { user_id: string; view: HomeView }) => {
        attempts += 1;
        calls.push('views.publish');
        const failure = options.failPublish?.(attempts);
        if (failure) throw failure;
        published.push(args);
        return { ok: true };
      },
    },
  };
  const app = {
    client,
    event: (name: string, fn: Handler) => events.set(name, fn),
    action: (id: string, fn: Handler) => actions.set(id, fn),
  } as unknown as ListenerRegistry;
  return { app, events, actions, published, calls, client };
}

/** A Home service whose answers and timing the test controls, recording every call. */
function fakeHome(calls: string[], initial: HomeModel = model()) {
  let current = initial;
  let prefs: HomePreferences = DEFAULT_HOME_PREFERENCES;
  let refreshGate: Promise<void> | undefined;
  let trashFault: unknown;
  const service: HomeService = {
    cached: async () => {
      calls.push('home.cached');
      return { ...current, preferences: prefs };
    },
    refresh: async () => {
      calls.push('home.refresh');
      if (refreshGate) await refreshGate;
      return current;
    },
    preferences: async () => prefs,
    updatePreferences: async (_u, change) => {
      calls.push(`home.updatePreferences ${JSON.stringify(change)}`);
      prefs = { ...prefs, ...change };
      return prefs;
    },
    trashConnection: async (_u, id) => {
      calls.push(`home.trashConnection ${id}`);
      if (trashFault) throw trashFault;
      return connection(1);
    },
    cachedConnection: async () => connection(1),
    forgetUser: async () => undefined,
  };
  return {
    service,
    set: (m: HomeModel) => (current = m),
    gateRefresh: () => {
      let open!: () => void;
      refreshGate = new Promise<void>((r) => (open = r));
      return () => {
        refreshGate = undefined;
        open();
      };
    },
    failTrash: (err: unknown) => (trashFault = err),
  };
}

function setup(options: { failPublish?: (n: number) => unknown; collaborators?: Partial<HomeCollaborators>; liveIntervalMs?: number } = {}) {
  const slack = fakeApp(options);
  const home = fakeHome(slack.calls);
  const subscribers: ProgressListener[] = [];
  const deps = {
    services: {
      home: home.service,
      generation: { subscribe: (l: ProgressListener) => (subscribers.push(l), () => undefined) },
      settings: { onChange: () => () => undefined },
      connections: {},
      automations: { subscribe: () => () => undefined, list: async () => [] },
    },
    logger: silent,
    allowedUsers: undefined,
    defaultModel: 'gpt-5-mini',
  } as unknown as SlackDeps;
  const collaborators: HomeCollaborators = {
    openSettingsModal: async (_c, triggerId) => void slack.calls.push(`openSettingsModal ${triggerId}`),
    openGenerateModal: async (_c, triggerId) => void slack.calls.push(`openGenerateModal ${triggerId}`),
    rerun: async (_c, _u, id) => (slack.calls.push(`rerun ${id}`), true),
    ...options.collaborators,
  };
  const publisher = registerHomeListeners(slack.app, deps, { collaborators, liveIntervalMs: options.liveIntervalMs ?? 200 });
  const act = async (actionId: string, action: Record<string, unknown> = {}) => {
    const handler = slack.actions.get(actionId);
    if (!handler) throw new Error(`no handler for ${actionId}`);
    await handler({
      ack: async () => void slack.calls.push('ack'),
      body: { type: 'block_actions', user: { id: ANA.userId, team_id: ANA.teamId }, team: { id: ANA.teamId }, trigger_id: 'trigger-1', view: { type: 'home' } },
      action: { action_id: actionId, ...action },
      client: slack.client,
    });
    await publisher.idle(ANA);
  };
  const open = async (tab = 'home') => {
    await slack.events.get('app_home_opened')!({
      event: { type: 'app_home_opened', user: ANA.userId, tab, channel: 'D1', event_ts: '1' },
      body: { team_id: ANA.teamId },
    });
    await publisher.idle(ANA);
  };
  return { ...slack, home, subscribers, publisher, act, open };
}

function progress(overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    runId: 'r1',
    user: ANA,
    connectionId: connectionId(1),
    connectionName: 'Connection 1',
    targetKind: 'Database',
    targetUrl: 'https://www.notion.so/t',
    targetTitle: 'T',
    state: 'running',
    total: 10,
    done: 1,
    skipped: 0,
    failed: 0,
    written: [],
    error: undefined,
    resumed: false,
    startedAt: '2026-03-11T12:00:00.000Z',
    updatedAt: '2026-03-11T12:00:00.000Z',
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('app_home_opened', () => {
  it('publishes the cached view at once, then the one read from Notion', async () => {
    const t = setup();
    const release = t.home.gateRefresh();
    const opening = t.events.get('app_home_opened')!({ event: { type: 'app_home_opened', user: 'U1', tab: 'home' }, body: { team_id: 'T1' } });
    await sleep(20);
    // The refresh is still waiting on Notion, and the cached view is already out (marked refreshing).
    expect(t.published).toHaveLength(1);
    expect(allText(t.published[0]!.view)).toContain('refreshing…');
    release();
    await opening;
    await t.publisher.idle(ANA);
    expect(t.published).toHaveLength(2);
    expect(allText(t.published[1]!.view)).not.toContain('refreshing…');
    expect(t.published.every((p) => p.user_id === 'U1')).toBe(true);
  });

  it('ignores the Messages tab', async () => {
    const t = setup();
    await t.open('messages');
    expect(t.published).toEqual([]);
  });

  it('the onboarding view for a user not set up', async () => {
    const t = setup();
    t.home.set(model({ settings: NOT_SET_UP, connections: undefined }));
    await t.open();
    expect(allText(t.published.at(-1)!.view)).toContain('Welcome to Visen');
  });

  it('a failed publish is logged, never thrown; a refused view is replaced by a plain one', async () => {
    const invalid = Object.assign(new Error('An API error occurred: invalid_blocks'), { data: { ok: false, error: 'invalid_blocks' } });
    const t = setup({ failPublish: (n) => (n === 1 ? invalid : n === 3 ? new Error('socket hang up') : undefined) });
    await expect(t.open()).resolves.toBeUndefined();
    expect(t.published.length).toBeGreaterThanOrEqual(1);
    expect(allText(t.published[0]!.view)).toContain('Something went wrong');
  });
});

describe('Home actions', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    [HomeAction.openSettings, {}],
    [HomeAction.newGeneration, {}],
    [HomeAction.refresh, {}],
    [HomeAction.sort, { selected_option: { value: 'name' } }],
    [HomeAction.filterType, { selected_option: { value: 'Page' } }],
    [HomeAction.filterStatus, { selected_option: { value: 'all' } }],
    [HomeAction.clearFilters, {}],
    [HomeAction.pageNext, { value: '2' }],
    [HomeAction.pagePrevious, { value: '1' }],
    [HomeAction.runAgain, { value: connectionId(1) }],
    [HomeAction.delete, { value: connectionId(1) }],
    [HomeAction.openRow, { value: connectionId(1) }],
    [HomeAction.openTarget, { value: connectionId(1) }],
    [HomeAction.openLink, {}],
  ];
  for (const [actionId, action] of cases) {
    it(`${actionId}: acks before anything else`, async () => {
      const t = setup();
      await t.act(actionId, action);
      expect(t.calls[0]).toBe('ack');
      expect(t.calls.filter((c) => c === 'ack')).toHaveLength(1);
    });
  }

  it('settings and new generation open the other features’ modals with the trigger id', async () => {
    const t = setup();
    await t.act(HomeAction.openSettings);
    await t.act(HomeAction.newGeneration);
    expect(t.calls).toContain('openSettingsModal trigger-1');
    expect(t.calls).toContain('openGenerateModal trigger-1');
  });

  it('a modal that did not open is said on the Home tab', async () => {
    const t = setup({ collaborators: { openSettingsModal: async () => Promise.reject(new Error('expired_trigger_id')) } });
    await t.act(HomeAction.openSettings);
    expect(allText(t.published.at(-1)!.view)).toContain('Visen could not open the settings.');
  });

  it('sort, filters and pages are remembered and re-rendered without Notion', async () => {
    const t = setup();
    t.home.set(model({ connections: listOf(60) }));
    await t.act(HomeAction.sort, { selected_option: { value: 'name' } });
    await t.act(HomeAction.filterStatus, { selected_option: { value: 'Failed' } });
    await t.act(HomeAction.filterType, { selected_option: { value: 'not-a-type' } });
    await t.act(HomeAction.pageNext, { value: '3' });
    expect(t.calls.filter((c) => c.startsWith('home.updatePreferences'))).toEqual([
      'home.updatePreferences {"sort":"name"}',
      'home.updatePreferences {"status":"Failed"}',
      'home.updatePreferences {"page":3}',
    ]);
    expect(t.calls).not.toContain('home.refresh');
    const last = t.published.at(-1)!.view;
    expect(allText(last)).toContain('Page 3 of 3');
  });

  it('delete: trashes, says so, and re-renders from Notion', async () => {
    const t = setup();
    await t.act(HomeAction.delete, { value: connectionId(1) });
    expect(t.calls).toContain(`home.trashConnection ${connectionId(1)}`);
    expect(t.calls.indexOf('home.refresh')).toBeGreaterThan(t.calls.indexOf(`home.trashConnection ${connectionId(1)}`));
    expect(allText(t.published.at(-1)!.view)).toContain('Moved “Connection 1” to Notion’s trash.');
  });

  it('delete that Notion refuses: the reason on the tab', async () => {
    const t = setup();
    t.home.failTrash(new NotionError('unauthorized', 'Notion rejected your integration secret. Open Settings and paste the current one.'));
    await t.act(HomeAction.delete, { value: connectionId(1) });
    expect(allText(t.published.at(-1)!.view)).toContain('Could not delete “Connection 1”: Notion rejected your integration secret.');
  });

  it('a value that is not a connection id does nothing', async () => {
    const t = setup();
    await t.act(HomeAction.delete, { value: 'T2:U9' });
    await t.act(HomeAction.runAgain, { value: '' });
    expect(t.calls.filter((c) => c !== 'ack')).toEqual([]);
  });

  it('run again: starts it and says where the progress goes; a refusal is said too', async () => {
    const t = setup();
    await t.act(HomeAction.runAgain, { value: connectionId(1) });
    expect(t.calls).toContain(`rerun ${connectionId(1)}`);
    expect(allText(t.published.at(-1)!.view)).toContain('“Connection 1” is running again.');

    const refused = setup({ collaborators: { rerun: async () => false } });
    await refused.act(HomeAction.runAgain, { value: connectionId(1) });
    expect(allText(refused.published.at(-1)!.view)).toContain('“Connection 1” did not start. Your direct messages with Visen say why');
  });
});

describe('live progress', () => {
  it('re-publishes at most once per interval for a user who opened the tab; a finished run refreshes', async () => {
    const t = setup({ liveIntervalMs: 200 });
    await t.open();
    const afterOpen = t.published.length;
    for (let i = 0; i < 20; i++) {
      t.subscribers[0]!(progress({ done: i }));
      await sleep(10);
    }
    await sleep(250);
    await t.publisher.idle(ANA);
    const live = t.published.length - afterOpen;
    // ~400 ms of updates at one per 200 ms: the first at once, then at most one per interval.
    expect(live).toBeGreaterThanOrEqual(2);
    expect(live).toBeLessThanOrEqual(4);

    const refreshesBefore = t.calls.filter((c) => c === 'home.refresh').length;
    t.subscribers[0]!(progress({ state: 'succeeded', done: 10 }));
    await sleep(20);
    await t.publisher.idle(ANA);
    expect(t.calls.filter((c) => c === 'home.refresh').length).toBe(refreshesBefore + 1);
    t.publisher.close();
  });

  it('nothing for users who did not open their Home tab, nor for another user’s runs', async () => {
    const t = setup();
    t.subscribers[0]!(progress());
    await t.open();
    const count = t.published.length;
    t.subscribers[0]!(progress({ user: { teamId: 'T1', userId: 'U2' } }));
    await sleep(20);
    expect(t.published.length).toBe(count);
    expect(t.published.every((p) => p.user_id === 'U1')).toBe(true);
  });
});
