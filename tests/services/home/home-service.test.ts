import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../src/adapters/store.js';
import { NotionError, StoreError } from '../../../src/errors.js';
import type { ConnectionQuery, ConnectionRecord } from '../../../src/services/connections/types.js';
import type { RunProgress } from '../../../src/services/generation/types.js';
import { createHomeService, HOME_PREFERENCES_NAMESPACE, HOME_VIEW_NAMESPACE, type HomeServiceDeps } from '../../../src/services/home/index.js';
import { sortConnections } from '../../../src/services/home/list.js';
import type { SettingsSummary, UserSettings } from '../../../src/services/settings/types.js';
import { type UserRef, userKey } from '../../../src/users.js';

const silent = pino({ level: 'silent' });
const opened: LocalStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const ANA: UserRef = { teamId: 'T1', userId: 'U_ANA' };
const BEN: UserRef = { teamId: 'T1', userId: 'UXANA' }; // differs from ANA only where SQL LIKE's `_` matches anything
const ana: UserRef = { teamId: 'T1', userId: 'u_ana' }; // differs only in case

const DB = { databaseId: 'db-1', dataSourceId: 'ds-1', url: 'https://www.notion.so/acme/db1', title: 'Visen connections' };

function settingsOf(user: UserRef, databaseId = DB.databaseId): UserSettings {
  return {
    notionSecret: `ntn_secret_of_${user.userId}`,
    openaiKey: 'sk-test-key-000000',
    openaiBaseUrl: undefined,
    model: 'gpt-5-mini',
    connections: { ...DB, databaseId },
    integrationName: 'Visen',
    savedAt: '2026-03-11T00:00:00.000Z',
  };
}

function summaryOf(settings: UserSettings | undefined): SettingsSummary {
  return {
    configured: settings !== undefined,
    notionSecretLast4: settings ? settings.notionSecret.slice(-4) : undefined,
    integrationName: settings?.integrationName,
    openaiKeyLast4: settings ? settings.openaiKey.slice(-4) : undefined,
    openaiBaseUrl: undefined,
    model: 'gpt-5-mini',
    connections: settings?.connections,
  };
}

function row(n: number, owner: UserRef, overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    id: `row-${owner.userId}-${n}`,
    url: `https://www.notion.so/row-${n}`,
    name: `Connection ${n}`,
    type: n % 2 ? 'Page' : 'Database',
    target: `https://www.notion.so/target-${n}`,
    prompt: 'p'.repeat(10_000),
    output: 'Append to page',
    model: 'gpt-5-mini',
    slackUser: userKey(owner),
    status: 'Succeeded',
    lastRun: new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString(),
    runs: 1,
    items: 1,
    lastError: undefined,
    ...overrides,
  };
}

interface World {
  store: LocalStore;
  settings: Map<string, UserSettings>;
  rows: ConnectionRecord[];
  listFault: unknown;
  listCalls: Array<{ user: UserRef; query: ConnectionQuery }>;
  trashed: string[];
  runs: RunProgress[];
  listGate: Promise<void> | undefined;
  deps: HomeServiceDeps;
}

async function world(): Promise<World> {
  const store = await openLocalStore(join(mkdtempSync(join(tmpdir(), 'visen-home-')), 'data'), silent);
  opened.push(store);
  const w: World = {
    store,
    settings: new Map(),
    rows: [],
    listFault: undefined,
    listCalls: [],
    trashed: [],
    runs: [],
    listGate: undefined,
    deps: undefined as unknown as HomeServiceDeps,
  };
  w.deps = {
    store,
    logger: silent,
    now: () => new Date('2026-03-11T12:00:00.000Z'),
    settings: {
      load: async (user) => w.settings.get(userKey(user)),
      summary: async (user) => summaryOf(w.settings.get(userKey(user))),
    },
    connections: {
      list: async (user, settings, query) => {
        w.listCalls.push({ user, query });
        const rows = w.rows.slice(); // as Notion holds them when the query starts
        if (w.listGate) await w.listGate;
        if (w.listFault) throw w.listFault;
        expect(settings.notionSecret).toBe(`ntn_secret_of_${user.userId}`);
        // A sloppy service that returns everyone's rows: the Home service must still show only the user's.
        return rows;
      },
      trash: async (user, _settings, id) => {
        if (!w.rows.some((r) => r.id === id && r.slackUser === userKey(user)))
          throw new NotionError('object_not_found', 'That connection is gone from your connections database.');
        w.trashed.push(id);
        w.rows = w.rows.filter((r) => r.id !== id);
      },
    },
    generation: { runsInProgress: async (user) => w.runs.filter((r) => userKey(r.user) === userKey(user)) },
  };
  return w;
}

function progress(user: UserRef, overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    runId: 'run-1',
    user,
    connectionId: undefined,
    connectionName: 'New one',
    targetKind: 'Database',
    targetUrl: 'https://www.notion.so/t',
    targetTitle: 'T',
    state: 'running',
    total: 10,
    done: 3,
    skipped: 0,
    failed: 0,
    written: [],
    error: undefined,
    resumed: false,
    startedAt: '2026-03-11T11:59:00.000Z',
    updatedAt: '2026-03-11T12:00:00.000Z',
    ...overrides,
  };
}

describe('Home service: preferences', () => {
  it('defaults, remembers per user under the exact key, and goes back to page 1 when the list changes', async () => {
    const w = await world();
    const home = createHomeService(w.deps);
    expect(await home.preferences(ANA)).toEqual({ sort: 'last_run', type: undefined, status: undefined, page: 1 });

    await home.updatePreferences(ANA, { page: 3 });
    expect(await home.preferences(ANA)).toMatchObject({ page: 3 });
    await home.updatePreferences(ANA, { sort: 'name' });
    expect(await home.preferences(ANA)).toEqual({ sort: 'name', type: undefined, status: undefined, page: 1 });
    await home.updatePreferences(ANA, { page: 2 });
    await home.updatePreferences(ANA, { type: 'Page', status: 'Failed' });
    expect(await home.preferences(ANA)).toEqual({ sort: 'name', type: 'Page', status: 'Failed', page: 1 });
    await home.updatePreferences(ANA, { type: undefined });
    expect(await home.preferences(ANA)).toMatchObject({ type: undefined, status: 'Failed' });

    expect(await w.store.get(HOME_PREFERENCES_NAMESPACE, 'T1:U_ANA')).toMatchObject({ sort: 'name', status: 'Failed' });
    expect(await home.preferences(BEN)).toMatchObject({ sort: 'last_run', status: undefined });
    expect(await home.preferences(ana)).toMatchObject({ sort: 'last_run' });
  });

  it('ignores damaged stored preferences field by field', async () => {
    const w = await world();
    await w.store.set(HOME_PREFERENCES_NAMESPACE, 'T1:U_ANA', { sort: 'chaos', type: 'Database', status: 42, page: -4 });
    const home = createHomeService(w.deps);
    expect(await home.preferences(ANA)).toEqual({ sort: 'last_run', type: 'Database', status: undefined, page: 1 });
  });
});

describe('Home service: cache and refresh', () => {
  it('not set up: the onboarding model, and Notion is never asked', async () => {
    const w = await world();
    const home = createHomeService(w.deps);
    const model = await home.refresh(ANA);
    expect(model.settings?.configured).toBe(false);
    expect(model.connections).toBeUndefined();
    expect(model.fault).toBeUndefined();
    expect(w.listCalls).toEqual([]);
  });

  it('caches what it read (only the user’s rows, without prompts) and serves it at once after', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA), row(2, BEN), row(3, ANA, { lastRun: undefined, status: 'Ready' }), row(4, ana)];
    const home = createHomeService(w.deps);

    const before = await home.cached(ANA);
    expect(before.settings?.configured).toBe(true);
    expect(before.connections).toBeUndefined();

    const fresh = await home.refresh(ANA);
    expect(fresh.fault).toBeUndefined();
    expect(fresh.connections?.items.map((c) => c.id)).toEqual(['row-U_ANA-1', 'row-U_ANA-3']);
    expect(fresh.connections?.total).toBe(2);
    expect(fresh.connections?.fetchedAt).toBe('2026-03-11T12:00:00.000Z');
    expect(w.listCalls).toEqual([{ user: ANA, query: { sort: 'last_run' } }]);

    const stored = await w.store.get<{ connections: object[] }>(HOME_VIEW_NAMESPACE, 'T1:U_ANA');
    expect(stored?.connections).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain('ppppp');
    expect(JSON.stringify(stored)).not.toContain('ntn_');

    w.rows = [];
    const cached = await home.cached(ANA);
    expect(cached.connections?.items.map((c) => c.id)).toEqual(['row-U_ANA-1', 'row-U_ANA-3']);
    expect(w.listCalls).toHaveLength(1);
  });

  it('sorts and filters locally, so a change of preferences needs no Notion call', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [
      row(1, ANA, { name: 'beta', type: 'Page', status: 'Failed' }),
      row(2, ANA, { name: 'Alpha', type: 'Database', status: 'Succeeded' }),
      row(3, ANA, { name: 'gamma', type: 'Database', status: 'Failed', lastRun: undefined }),
      row(4, ANA, { name: 'item 10', type: 'Page', status: 'Ready' }),
      row(5, ANA, { name: 'item 9', type: 'Page', status: 'Ready' }),
    ];
    const home = createHomeService(w.deps);
    await home.refresh(ANA);
    expect((await home.cached(ANA)).connections?.items.map((c) => c.name)).toEqual(['item 9', 'item 10', 'Alpha', 'beta', 'gamma']);
    await home.updatePreferences(ANA, { sort: 'name' });
    expect((await home.cached(ANA)).connections?.items.map((c) => c.name)).toEqual(['Alpha', 'beta', 'gamma', 'item 9', 'item 10']);
    await home.updatePreferences(ANA, { status: 'Failed' });
    expect((await home.cached(ANA)).connections?.items.map((c) => c.name)).toEqual(['beta', 'gamma']);
    await home.updatePreferences(ANA, { type: 'Database' });
    const filtered = (await home.cached(ANA)).connections;
    expect(filtered?.items.map((c) => c.name)).toEqual(['gamma']);
    expect(filtered?.total).toBe(5);
    expect(w.listCalls).toHaveLength(1);
  });

  it('never shows a list read from another connections database', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA)];
    const home = createHomeService(w.deps);
    await home.refresh(ANA);
    w.settings.set(userKey(ANA), settingsOf(ANA, 'db-2'));
    expect((await home.cached(ANA)).connections).toBeUndefined();
  });

  it('merges the runs in progress into the list and the model', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA, { status: 'Running' }), row(2, ANA)];
    w.runs = [
      progress(ANA, { connectionId: 'row-U_ANA-1' }),
      progress(ANA, { runId: 'run-2', state: 'starting', startedAt: '2026-03-11T11:59:30.000Z' }),
      progress(BEN, { runId: 'run-b' }),
      progress(ANA, { runId: 'run-old', state: 'succeeded' }),
    ];
    const home = createHomeService(w.deps);
    const model = await home.refresh(ANA);
    expect(model.activeRuns.map((r) => r.runId)).toEqual(['run-2', 'run-1']);
    expect(model.connections?.items.find((c) => c.id === 'row-U_ANA-1')?.activeRun?.runId).toBe('run-1');
    expect(model.connections?.items.find((c) => c.id === 'row-U_ANA-2')?.activeRun).toBeUndefined();
  });
});

describe('Home service: faults', () => {
  it('a revoked secret: the settings part and the fault, no list; the next cached view says so too', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA)];
    const home = createHomeService(w.deps);
    await home.refresh(ANA);
    w.listFault = new NotionError('unauthorized', 'Notion rejected the integration secret.', { status: 401 });
    const model = await home.refresh(ANA);
    expect(model.settings?.configured).toBe(true);
    expect(model.fault).toMatchObject({ code: 'notion_unauthorized' });
    expect(model.connections).toBeUndefined();
    expect((await home.cached(ANA)).fault).toMatchObject({ code: 'notion_unauthorized' });

    w.listFault = undefined;
    const back = await home.refresh(ANA);
    expect(back.fault).toBeUndefined();
    expect((await home.cached(ANA)).fault).toBeUndefined();
  });

  it('Notion unreachable: the last list, marked stale, with the fault', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA)];
    const home = createHomeService(w.deps);
    await home.refresh(ANA);
    w.listFault = new NotionError('unavailable', 'Notion is not answering.', { status: 503 });
    const model = await home.refresh(ANA);
    expect(model.fault).toMatchObject({ code: 'notion_unreachable' });
    expect(model.connections?.stale).toBe(true);
    expect(model.connections?.items.map((c) => c.id)).toEqual(['row-U_ANA-1']);
  });

  it('maps each kind of failure', async () => {
    const cases: Array<[unknown, string]> = [
      [new NotionError('object_not_found', 'x'), 'connections_database_missing'],
      [new NotionError('restricted_resource', 'x'), 'connections_database_missing'],
      [new NotionError('rate_limited', 'x'), 'notion_busy'],
      [new NotionError('timeout', 'x'), 'notion_unreachable'],
      [new NotionError('validation_error', 'Property Status is missing.'), 'notion_rejected'],
      [new StoreError('locked', 'busy'), 'store_busy'],
      [new Error('boom'), 'unexpected'],
    ];
    for (const [err, code] of cases) {
      const w = await world();
      w.settings.set(userKey(ANA), settingsOf(ANA));
      w.listFault = err;
      const model = await createHomeService(w.deps).refresh(ANA);
      expect(model.fault?.code, String(err)).toBe(code);
      expect(model.settings?.configured).toBe(true);
    }
  });

  it('the local store failing: a fault model, never a throw', async () => {
    const w = await world();
    const home = createHomeService({
      ...w.deps,
      settings: {
        summary: async () => {
          throw new StoreError('locked', 'busy');
        },
        load: async () => undefined,
      },
    });
    const cached = await home.cached(ANA);
    expect(cached.settings).toBeUndefined();
    expect(cached.fault?.code).toBe('store_busy');
    const fresh = await home.refresh(ANA);
    expect(fresh.fault?.code).toBe('store_busy');
  });
});

describe('Home service: concurrent refreshes', () => {
  it('share one read, and a refresh asked during a read gets one more after it', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA)];
    let open!: () => void;
    w.listGate = new Promise<void>((resolve) => (open = resolve));
    const home = createHomeService(w.deps);
    const first = home.refresh(ANA);
    await new Promise((r) => setTimeout(r, 20));
    const second = home.refresh(ANA);
    const third = home.refresh(ANA);
    expect(w.listCalls).toHaveLength(1);
    w.rows = [row(1, ANA), row(2, ANA)];
    open();
    w.listGate = undefined;
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(a.connections?.items).toHaveLength(1);
    expect(b.connections?.items).toHaveLength(2);
    expect(c).toBe(b);
    expect(w.listCalls).toHaveLength(2);
    // And a later one reads again.
    await home.refresh(ANA);
    expect(w.listCalls).toHaveLength(3);
  });
});

describe('Home service: delete and forget', () => {
  it('trashes the user’s row and drops it from the cache; refuses others’', async () => {
    const w = await world();
    w.settings.set(userKey(ANA), settingsOf(ANA));
    w.rows = [row(1, ANA), row(2, ANA), row(1, BEN)];
    const home = createHomeService(w.deps);
    await home.refresh(ANA);
    const trashed = await home.trashConnection(ANA, 'row-U_ANA-1');
    expect(trashed?.name).toBe('Connection 1');
    expect(w.trashed).toEqual(['row-U_ANA-1']);
    expect((await home.cached(ANA)).connections?.items.map((c) => c.id)).toEqual(['row-U_ANA-2']);
    await expect(home.trashConnection(ANA, 'row-UXANA-1')).rejects.toMatchObject({ code: 'object_not_found' });
    expect(w.rows.some((r) => r.id === 'row-UXANA-1')).toBe(true);
  });

  it('without settings: a clear error, nothing trashed', async () => {
    const w = await world();
    const home = createHomeService(w.deps);
    await expect(home.trashConnection(ANA, 'row-U_ANA-1')).rejects.toMatchObject({ userMessage: expect.stringContaining('/visen settings') });
  });

  it('forgetUser deletes exactly this user’s keys (not one differing in case or by a LIKE wildcard)', async () => {
    const w = await world();
    for (const u of [ANA, BEN, ana]) {
      w.settings.set(userKey(u), settingsOf(u));
      w.rows.push(row(1, u));
    }
    const home = createHomeService(w.deps);
    for (const u of [ANA, BEN, ana]) {
      await home.updatePreferences(u, { sort: 'name' });
      await home.refresh(u);
    }
    await home.forgetUser(ANA);
    expect(await w.store.get(HOME_PREFERENCES_NAMESPACE, 'T1:U_ANA')).toBeUndefined();
    expect(await w.store.get(HOME_VIEW_NAMESPACE, 'T1:U_ANA')).toBeUndefined();
    for (const u of [BEN, ana]) {
      expect(await w.store.get(HOME_PREFERENCES_NAMESPACE, userKey(u))).toBeDefined();
      expect(await w.store.get(HOME_VIEW_NAMESPACE, userKey(u))).toBeDefined();
      expect((await home.preferences(u)).sort).toBe('name');
    }
    expect(await home.preferences(ANA)).toMatchObject({ sort: 'last_run' });
  });
});

describe('sortConnections', () => {
  it('newest run first, never-run last, ties by name then id', () => {
    const c = (id: string, name: string, lastRun?: string) => ({ id, name, lastRun }) as never;
    const sorted = sortConnections(
      [c('a', 'b', undefined), c('b', 'a', '2026-01-01'), c('c', 'z', '2026-02-01'), c('d', 'a', undefined), c('e', 'a', '2026-01-01')],
      'last_run',
    );
    expect(sorted.map((x: { id: string }) => x.id)).toEqual(['c', 'b', 'e', 'd', 'a']);
  });
});
