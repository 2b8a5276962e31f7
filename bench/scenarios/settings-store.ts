/**
 * Settings store: one user's settings read through the settings service (SQLite through keyv, then both
 * secrets opened with AES-256-GCM), sequentially and with 200 readers at once; and saves (`submit` with
 * vendor checks that answer at once, so what is timed is the local part: read, seal, write).
 * In-process on purpose: the store is a library the app calls, and nothing else should share its time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseNotionUrl } from '../../src/adapters/notion/urls.js';
import { SecretBox } from '../../src/adapters/secret-box.js';
import { openLocalStore } from '../../src/adapters/store.js';
import { createLogger } from '../../src/logger.js';
import { CONNECTIONS_SCHEMA } from '../../src/services/connections/schema.js';
import type { SettingsNotion, SettingsOpenAi } from '../../src/services/settings/ports.js';
import { createSettingsService } from '../../src/services/settings/service.js';
import type { SettingsSubmission } from '../../src/services/settings/types.js';
import type { UserRef } from '../../src/users.js';
import { type Figure, figure } from '../support/figures.js';
import { percentile } from '../support/stats.js';

export interface SettingsStoreOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

const SCENARIO = 'settings store';
const CONCURRENT_READERS = 200;
const DATABASE_ID = '0123456789abcdef0123456789abcdef';

export async function runSettingsStore(o: SettingsStoreOptions): Promise<Figure[]> {
  const users = o.quick ? 200 : 1_000;
  const sequentialReads = o.quick ? 1_000 : 10_000;
  const concurrentRounds = o.quick ? 5 : 25;

  const dir = mkdtempSync(join(tmpdir(), 'visen-bench-store-'));
  const logger = createLogger({ level: 'silent' });
  const store = await openLocalStore(dir, logger);
  const settings = createSettingsService({
    store,
    secretBox: new SecretBox(randomBytes(32)),
    logger,
    defaultModel: 'gpt-5-mini',
    forgetUser: [],
    notionFor: () => instantNotion,
    openAiFor: () => instantOpenAi,
    parseNotionUrl,
  });
  const user = (i: number): UserRef => ({ teamId: 'T0BENCH', userId: `U${String(i).padStart(8, '0')}` });

  try {
    o.log(`settings store: saving ${users} users`);
    const writes: number[] = [];
    for (let i = 0; i < users; i++) {
      const started = performance.now();
      const outcome = await settings.submit(user(i), submission(i));
      writes.push(performance.now() - started);
      if (!outcome.ok) throw new Error(`bench setup: settings were not saved: ${JSON.stringify(outcome.errors)}`);
    }

    o.log(`settings store: ${sequentialReads} sequential reads`);
    const sequential: number[] = [];
    for (let i = 0; i < sequentialReads; i++) {
      const started = performance.now();
      const loaded = await settings.load(user(i % users));
      sequential.push(performance.now() - started);
      if (!loaded) throw new Error('bench: settings vanished');
    }

    o.log(`settings store: ${concurrentRounds} rounds of ${CONCURRENT_READERS} concurrent readers`);
    const concurrent: number[] = [];
    for (let round = 0; round < concurrentRounds; round++) {
      await Promise.all(
        Array.from({ length: CONCURRENT_READERS }, async (_, i) => {
          const started = performance.now();
          const loaded = await settings.load(user((round * CONCURRENT_READERS + i) % users));
          concurrent.push(performance.now() - started);
          if (!loaded) throw new Error('bench: settings vanished');
        }),
      );
    }

    const note = 'no target in the issue; a Slack ack has 3 s, the settings modal reads this first';
    return [
      figure(SCENARIO, 'read p50, sequential', percentile(sequential, 50), 'ms', undefined, note),
      figure(SCENARIO, 'read p99, sequential', percentile(sequential, 99), 'ms'),
      figure(SCENARIO, `read p50, ${CONCURRENT_READERS} concurrent readers`, percentile(concurrent, 50), 'ms'),
      figure(SCENARIO, `read p99, ${CONCURRENT_READERS} concurrent readers`, percentile(concurrent, 99), 'ms'),
      figure(SCENARIO, 'write p99 (save, vendor checks instant)', percentile(writes, 99), 'ms'),
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function submission(i: number): SettingsSubmission {
  return {
    notionSecret: `ntn_${String(i).padStart(6, '0')}${'a'.repeat(40)}`,
    openaiKey: `sk-bench-${String(i).padStart(6, '0')}${'b'.repeat(40)}`,
    openaiBaseUrl: '',
    model: '',
    connectionsUrl: `https://www.notion.so/Visen-connections-${DATABASE_ID}`,
    parentPageUrl: '',
    addMissingProperties: false,
  };
}

const propertyTypes: Record<string, string> = Object.fromEntries(CONNECTIONS_SCHEMA.map((p) => [p.name, p.type]));
const dataSource = {
  id: 'ds-bench',
  databaseId: DATABASE_ID,
  title: 'Visen connections',
  name: 'Visen connections',
  properties: Object.fromEntries(CONNECTIONS_SCHEMA.map((p) => [p.name, { id: p.name, type: p.type }])),
  propertyTypes,
};
const database = {
  id: DATABASE_ID,
  title: 'Visen connections',
  url: `https://www.notion.so/${DATABASE_ID}`,
  dataSources: [{ id: 'ds-bench', name: 'Visen connections' }],
};

/** Vendor checks that pass at once: the connections database exists and has the schema. */
const instantNotion: SettingsNotion = {
  whoAmI: async () => ({ botId: 'bot-bench', name: 'Visen bench' }),
  resolveObject: async () => ({ kind: 'database', database }),
  retrieveDataSource: async () => dataSource,
  updateDataSourceProperties: async () => dataSource,
  createDatabase: async () => {
    throw new Error('not used');
  },
};

const instantOpenAi: SettingsOpenAi = { listModels: async () => ['gpt-5-mini'] };
