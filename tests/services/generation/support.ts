/**
 * The generation and connections services over the real adapters, pointed at the Notion and OpenAI stand-ins,
 * with a fresh local store. One `World` per test file (beforeAll), one user per test where isolation matters.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import pino from 'pino';
import { createNotionGateway, type NotionGateway } from '../../../src/adapters/notion/index.js';
import { createOpenAiGateway, type OpenAiGateway } from '../../../src/adapters/openai.js';
import { type LocalStore, openLocalStore } from '../../../src/adapters/store.js';
import { openConnectionHolds } from '../../../src/adapters/team/connection-holds.js';
import { openRunQueue } from '../../../src/adapters/team/run-queue.js';
import { UserInputError } from '../../../src/errors.js';
import { connectionsPropertiesConfig } from '../../../src/services/connections/schema.js';
import { createConnectionsService } from '../../../src/services/connections/service.js';
import type { ConnectionsService } from '../../../src/services/connections/types.js';
import type { GenerationOptions } from '../../../src/services/generation/active-run.js';
import type { TeamRuns } from '../../../src/services/generation/run-scheduler.js';
import { createGenerationService, type GenerationServiceDeps } from '../../../src/services/generation/service.js';
import type { GenerationRequest, GenerationService, RunProgress } from '../../../src/services/generation/types.js';
import type { UserSettings } from '../../../src/services/settings/types.js';
import type { UserRef } from '../../../src/users.js';
import { type NotionObject, type NotionStandIn, startNotionStandIn } from '../../stand-ins/notion/index.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../stand-ins/openai/index.js';

export const MODEL = 'gpt-5-mini';
export const logger = pino({ level: process.env.VISEN_TEST_LOG ?? 'silent' });

export interface WorldOptions {
  /** Notion stand-in and adapter limiter rate (default 50/s, for speed; Notion's real rate is 3). */
  readonly requestsPerSecond?: number;
  readonly notionTimeoutMs?: number;
  readonly openAiTimeoutMs?: number;
  readonly generation?: Partial<GenerationOptions>;
}

export interface UserFixture {
  readonly user: UserRef;
  readonly settings: UserSettings;
  readonly secret: string;
  /** The bot user of the user's integration: `created_by` of every row Visen creates with their secret. */
  readonly botId: string;
  /** A page shared with the integration, to hold targets. */
  readonly rootId: string;
  readonly connectionsDataSourceId: string;
}

export interface World {
  readonly notion: NotionStandIn;
  readonly openai: OpenAiStandIn;
  readonly notionGateway: NotionGateway;
  readonly openAiGateway: OpenAiGateway;
  readonly connections: ConnectionsService;
  /** Each test user's saved settings (what `/visen settings` would hold). */
  readonly settings: { load(user: UserRef): Promise<UserSettings | undefined>; require(user: UserRef): Promise<UserSettings> };
  store: LocalStore;
  readonly dataDir: string;
  /** A generation service over the current store (tests of restarts make a second one). */
  service(options?: Partial<GenerationOptions>): GenerationService;
  /** `connectionsShared: false`: the connections database exists but the integration cannot see it. */
  addUser(userId: string, o?: { connectionsShared?: boolean; model?: string; openaiKey?: string }): UserFixture;
  close(): Promise<void>;
}

let users = new Map<string, UserSettings>();

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const rate = o.requestsPerSecond ?? 50;
  const notion = await startNotionStandIn({ requestsPerSecond: rate, burst: rate === 3 ? 10 : rate });
  const openai = await startOpenAiStandIn();
  const notionGateway = createNotionGateway({
    baseUrl: notion.baseUrl,
    logger,
    ...(o.notionTimeoutMs ? { timeoutMs: o.notionTimeoutMs } : {}),
    rateLimit: { ratePerSecond: rate, capacity: rate === 3 ? 3 : 10 },
    http: { baseDelayMs: 50, maxDelayMs: 500 },
  });
  // Users' base URL is the stand-in on loopback, which the operator must allow (VISEN_BASE_URL_ALLOW).
  const openAiGateway = createOpenAiGateway({
    logger,
    timeoutMs: o.openAiTimeoutMs ?? 3_000,
    userEndpoints: { allow: { hosts: new Set(), ranges: [[ipaddr.parse('127.0.0.1'), 32]] } },
  });
  const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-gen-')), 'data');
  // Tests of restarts put a new store in `world.store`; the connections service follows it.
  const currentStore: LocalStore = {
    get: (namespace, key) => world.store.get(namespace, key),
    set: (namespace, key, value, ttlMs) => world.store.set(namespace, key, value, ttlMs),
    delete: (namespace, key) => world.store.delete(namespace, key),
    exclusive: (namespace, key, fn) => world.store.exclusive(namespace, key, fn),
    close: () => world.store.close(),
  };
  const connections = createConnectionsService({ notion: notionGateway, store: currentStore, logger });
  users = new Map();
  const settingsService = {
    load: async (user: UserRef) => users.get(`${user.teamId}:${user.userId}`),
    require: async (user: UserRef) => {
      const found = users.get(`${user.teamId}:${user.userId}`);
      if (!found) throw new UserInputError('Run `/visen settings` first.');
      return found;
    },
  };
  const world: World = {
    notion,
    openai,
    notionGateway,
    openAiGateway,
    connections,
    settings: settingsService,
    store: await openLocalStore(dataDir, logger),
    dataDir,
    service: (options) =>
      createGenerationService({
        store: world.store,
        settings: settingsService,
        connections,
        notion: notionGateway,
        openai: openAiGateway,
        logger,
        options: { backoffMs: (attempt) => 50 * attempt, progressIntervalMs: 100, ...o.generation, ...options },
      }),
    addUser(userId, uo = {}) {
      const { secret, botId } = notion.createIntegration({ name: `Visen for ${userId}` });
      const key = uo.openaiKey ?? openai.addKey();
      const root = notion.addPage({ title: `Home of ${userId}`, sharedWith: [secret] });
      const db =
        uo.connectionsShared === false
          ? notion.addDatabase({ title: 'Visen connections', properties: connectionsPropertiesConfig() })
          : notion.addDatabase({ title: 'Visen connections', parentPageId: root.id, sharedWith: [secret], properties: connectionsPropertiesConfig() });
      const user = { teamId: 'T0TEAM', userId };
      const settings: UserSettings = {
        notionSecret: secret,
        openaiKey: key,
        openaiBaseUrl: openai.baseUrl,
        model: uo.model ?? MODEL,
        connections: { databaseId: db.id, dataSourceId: db.dataSourceId, url: db.url, title: 'Visen connections' },
        integrationName: `Visen for ${userId}`,
        savedAt: new Date().toISOString(),
      };
      users.set(`${user.teamId}:${user.userId}`, settings);
      return { user, settings, secret, botId, rootId: root.id, connectionsDataSourceId: db.dataSourceId };
    },
    async close() {
      await world.store.close();
      await notion.close();
      await openai.close();
    },
  };
  return world;
}

export const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled']);

/** A listener that keeps every progress update, and a promise of the final one. */
export function recorder() {
  const updates: RunProgress[] = [];
  let resolveEnd: (p: RunProgress) => void = () => undefined;
  const ended = new Promise<RunProgress>((resolve) => (resolveEnd = resolve));
  return {
    updates,
    ended,
    listener: (p: RunProgress) => {
      updates.push(p);
      if (FINAL_STATES.has(p.state)) resolveEnd(p);
    },
  };
}

/** Starts a run and waits for its end. */
export async function runToEnd(
  service: GenerationService,
  user: UserRef,
  request: GenerationRequest,
): Promise<{ end: RunProgress; updates: RunProgress[]; runId: string }> {
  const rec = recorder();
  const started = await service.start(user, request, rec.listener, { test: true });
  const end = await rec.ended;
  return { end, updates: rec.updates, runId: started.runId };
}

/** The connection rows of a user in the stand-in (API page objects), trashed ones left out. */
export function connectionRows(world: World, fixture: UserFixture): NotionObject[] {
  return world.notion.rows(fixture.connectionsDataSourceId).filter((r) => !r.in_trash);
}

/** A property of an API page object as plain values. */
export function prop(page: NotionObject, name: string): unknown {
  const value = page.properties[name];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return (value[value.type] as Array<{ plain_text: string }>).map((t) => t.plain_text).join('');
    case 'select':
      return value.select?.name ?? null;
    case 'url':
      return value.url;
    case 'number':
      return value.number;
    case 'date':
      return value.date?.start ?? null;
    default:
      return value[value.type];
  }
}

/** Plain text of a block object. */
export function blockText(block: NotionObject): string {
  const body = block[block.type] ?? {};
  return ((body.rich_text ?? []) as Array<{ plain_text: string }>).map((t) => t.plain_text).join('');
}

export function titleRow(name: string, extra: Record<string, unknown> = {}) {
  return { Name: { title: [{ text: { content: name } }] }, ...extra };
}

export function text(content: string) {
  return { rich_text: [{ text: { content } }] };
}

/** Notion write requests of the stand-in's log (for counting what reached Notion). */
export function writes(world: World, pathIncludes: string, method = 'PATCH') {
  return world.notion.requests.filter((r) => r.method === method && r.path.includes(pathIncludes));
}

/** One worker's generation service over the world's store, settings, connections, Notion and OpenAI; `extra` gives
 * it team mode (`team`), a run control channel or options. */
export function workerService(world: World, extra: Pick<GenerationServiceDeps, 'team' | 'runControl' | 'options'> = {}): GenerationService {
  return createGenerationService({
    store: world.store,
    settings: world.settings,
    connections: world.connections,
    notion: world.notionGateway,
    openai: world.openAiGateway,
    logger,
    ...extra,
  });
}

/** A team-mode worker's run queue and connection holds on the test's Redis. */
export function teamRunsOn(redisUrl: string, workerName: string): TeamRuns {
  return { queue: openRunQueue({ url: redisUrl, concurrency: 1, workerName }, logger), holds: openConnectionHolds(redisUrl, logger) };
}
