import type { WebClient } from '@slack/web-api';
import pino from 'pino';
import type {
  GenerationRequest,
  GenerationService,
  ProgressListener,
  RunProgress,
  StartedRun,
  TargetDescription,
} from '../../../src/services/generation/types.js';
import type { VisenServices } from '../../../src/services/index.js';
import type { SlackDeps } from '../../../src/slack/deps.js';
import type { UserRef } from '../../../src/users.js';

export const USER: UserRef = { teamId: 'T1', userId: 'U1' };
export const ID = '0123456789abcdef0123456789abcdef';
export const PAGE_URL = `https://www.notion.so/acme/Roadmap-${ID}`;
export const DB_URL = `https://www.notion.so/acme/${ID}`;

export function progress(overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    runId: 'run-1',
    user: USER,
    connectionId: 'conn-1',
    connectionName: 'Roadmap summaries',
    targetKind: 'Database',
    targetUrl: DB_URL,
    targetTitle: 'Roadmap',
    state: 'running',
    total: 250,
    done: 40,
    skipped: 3,
    failed: 1,
    written: [],
    error: undefined,
    resumed: false,
    startedAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:05.000Z',
    ...overrides,
  };
}

export const silentLogger = pino({ level: 'silent' });

/** A GenerationService as a plain object: each test sets what it needs; calls are recorded. */
export interface FakeGeneration extends GenerationService {
  calls: {
    start: Array<{ user: UserRef; request: GenerationRequest; notifyState: unknown }>;
    cancel: Array<{ user: UserRef; runId: string }>;
    describe: string[];
  };
  listeners: Map<string, ProgressListener>;
  startImpl: (user: UserRef, request: GenerationRequest, listener: ProgressListener, notifyState: unknown) => Promise<StartedRun>;
  describeImpl: (url: string) => Promise<TargetDescription>;
  cancelImpl: (user: UserRef, runId: string) => Promise<boolean>;
  resumeImpl: (listenerFor: (notifyState: unknown, progress: RunProgress) => ProgressListener) => Promise<RunProgress[]>;
}

export function fakeGeneration(): FakeGeneration {
  const fake: FakeGeneration = {
    calls: { start: [], cancel: [], describe: [] },
    listeners: new Map(),
    startImpl: async (user, _request, listener) => {
      const p = progress({ user, state: 'starting', total: undefined, done: 0, skipped: 0, failed: 0 });
      fake.listeners.set(p.runId, listener);
      return { runId: p.runId, progress: p };
    },
    describeImpl: async () => ({
      kind: 'Database',
      title: 'Roadmap',
      url: DB_URL,
      propertyNames: ['Name', 'Status', 'Summary'],
      richTextPropertyNames: ['Summary'],
    }),
    cancelImpl: async () => true,
    resumeImpl: async () => [],
    async start(user, request, listener, notifyState) {
      fake.calls.start.push({ user, request, notifyState });
      return fake.startImpl(user, request, listener, notifyState);
    },
    async rerun() {
      throw new Error('not used');
    },
    async cancel(user, runId) {
      fake.calls.cancel.push({ user, runId });
      return fake.cancelImpl(user, runId);
    },
    async describeTarget(_user, url) {
      fake.calls.describe.push(url);
      return fake.describeImpl(url);
    },
    confirmPreview: async () => 'not-waiting',
    cancelPreview: async () => 'not-waiting',
    activeRuns: () => [],
    runsInProgress: async () => [],
    subscribe: () => () => undefined,
    resumeInterrupted: (listenerFor) => fake.resumeImpl(listenerFor),
    serveQueuedRuns: async () => undefined,
    forgetUser: async () => undefined,
    writtenRows: async () => new Map(),
    register: async () => {
      throw new Error('not used by these tests');
    },
    updateNotifyState: async () => undefined,
    shutdown: async () => undefined,
  };
  return fake;
}

export function depsWith(generation: GenerationService): SlackDeps {
  const services = { generation, settings: {}, connections: {} } as unknown as VisenServices;
  return { services, logger: silentLogger, allowedUsers: undefined, defaultModel: 'gpt-5-mini' };
}

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

/** A WebClient stand-in recording chat and views calls. */
export function fakeClient(options: { failPostMessage?: boolean; viewsUpdateError?: string } = {}) {
  const calls: SlackCall[] = [];
  let ts = 0;
  const record = (method: string) => async (args: Record<string, unknown>) => {
    calls.push({ method, args });
    if (method === 'chat.postMessage') {
      if (options.failPostMessage) throw Object.assign(new Error('An API error occurred: channel_not_found'), { data: { error: 'channel_not_found' } });
      ts += 1;
      return { ok: true, channel: 'D1', ts: `1700000000.00000${ts}` };
    }
    if (method === 'views.update' && options.viewsUpdateError) {
      throw Object.assign(new Error(`An API error occurred: ${options.viewsUpdateError}`), { data: { error: options.viewsUpdateError } });
    }
    if (method === 'views.open' || method === 'views.update') return { ok: true, view: { id: 'V1', hash: `h${calls.length}` } };
    return { ok: true };
  };
  const client = {
    chat: { postMessage: record('chat.postMessage'), update: record('chat.update') },
    views: { open: record('views.open'), update: record('views.update') },
  };
  return { client: client as unknown as WebClient, calls };
}

/** A clock that only moves when the code under test sleeps. */
export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      await Promise.resolve();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}
