/**
 * ThreadRefresher with team mode's refresh claims (in memory here; Redis in tests/adapters/team/refresh-claims.test.ts
 * and tests/e2e/team-threads.test.ts): a refresh is scheduled only with the claim, from the watch as stored once it is
 * held, and a claim that cannot be asked is logged, never thrown out of the reply's handling.
 */
import type { WebClient } from '@slack/web-api';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ThreadWatch } from '../../../src/services/threads/watches.js';
import type { RefreshClaims, SlackDeps } from '../../../src/slack/deps.js';
import { SlackPeople } from '../../../src/slack/listeners/threads/people.js';
import { ThreadRefresher } from '../../../src/slack/listeners/threads/refresh.js';
import type { ThreadRuntime } from '../../../src/slack/listeners/threads/runtime.js';

const MINUTE = 60_000;
const NOW = 100 * MINUTE;
const watch: ThreadWatch = {
  user: { teamId: 'T1', userId: 'U0ANA' },
  channelId: 'C1',
  threadTs: '1.0',
  targetUrl: 'https://www.notion.so/p1',
  prompt: 'Summarise',
  lastRunAt: NOW - 20 * MINUTE,
};
const client = {} as WebClient;

/** A refresher whose claims and stored watch the test decides; every claim asked and let go is recorded. */
function refresherWith(claim: (ttlMs: number) => Promise<boolean>, stored: ThreadWatch[] = [watch]) {
  const asked: number[] = [];
  const released: string[] = [];
  const marked: number[] = [];
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
  const refreshClaims: RefreshClaims = {
    claim: (_key, ttlMs) => {
      asked.push(ttlMs);
      return claim(ttlMs);
    },
    release: async (key) => {
      released.push(key);
    },
  };
  const threadWatches = {
    watchersOf: async () => stored,
    markRun: async (_watch: ThreadWatch, at: number) => {
      marked.push(at);
    },
    unwatch: async () => undefined,
  };
  const deps = { logger, refreshClaims, services: { threadWatches } } as unknown as SlackDeps;
  const rt: ThreadRuntime = { deps, people: new SlackPeople() };
  const refresher = new ThreadRefresher(rt, 15 * MINUTE, () => NOW);
  const settled = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { refresher, asked, released, marked, warnings, settled };
}

describe('a thread refresh across workers', () => {
  it('is scheduled from the stored watch once claimed, its claim lasting until a minute after it is due', async () => {
    // Another worker's refresh marked a run 5 minutes ago: the reply saw the run before it.
    const stored = [{ ...watch, lastRunAt: NOW - 5 * MINUTE }];
    const t = refresherWith(async () => true, stored);
    t.refresher.request(client, watch);
    t.refresher.request(client, watch); // a second reply on this worker joins the first
    await t.settled();
    expect(t.asked).toEqual([MINUTE, 10 * MINUTE + MINUTE]);
    // Due 10 minutes from now, from the stored run (the reply's copy was due at once): nothing ran, the claim is held.
    expect(t.marked).toEqual([]);
    expect(t.released).toEqual([]);
    t.refresher.close(); // the timer cleared, its claim let go for another worker
    expect(t.released).toHaveLength(1);
  });

  it('is left to the worker holding the claim', async () => {
    const t = refresherWith(async () => false);
    t.refresher.request(client, watch);
    await t.settled();
    t.refresher.request(client, watch); // nothing pending here: the next reply asks again
    await t.settled();
    expect(t.asked).toHaveLength(2);
    t.refresher.close();
    expect(t.released).toEqual([]);
  });

  it('is skipped, and logged, when the claim cannot be asked (Redis away); the next reply asks again', async () => {
    let redisAway = true;
    const recent = { ...watch, lastRunAt: NOW - 5 * MINUTE };
    const t = refresherWith(async () => {
      if (redisAway) throw new Error('Redis not ready within 3000 ms');
      return true;
    }, [recent]);
    expect(() => t.refresher.request(client, recent)).not.toThrow();
    await t.settled();
    expect(t.warnings).toContain('could not claim a thread refresh; the next reply schedules it');
    redisAway = false;
    t.refresher.request(client, recent);
    await t.settled();
    expect(t.asked).toHaveLength(2);
    t.refresher.close();
  });

  it('is not scheduled for a watch gone meanwhile (its claim let go at once)', async () => {
    const t = refresherWith(async () => true, []);
    t.refresher.request(client, watch);
    await t.settled();
    expect(t.released).toHaveLength(1);
  });

  it('that is due lets go of its claim once it has marked its run, for the next reply on any worker', async () => {
    const t = refresherWith(async () => true);
    // The refresh goes no further here: this Slack client cannot read the thread (it can send the DM that says so).
    const slack = { chat: { postMessage: async () => ({ ok: true }) } } as unknown as WebClient;
    t.refresher.request(slack, watch);
    await t.settled();
    expect(t.marked).toEqual([NOW]);
    expect(t.released).toHaveLength(1);
    t.refresher.close();
  });
});
