/**
 * Team mode: consecutive automatic runs of one connection may end on different workers. Each worker has its own
 * notifier; their open messages live in the shared store (a real Redis here), so the owner still gets one message,
 * updated, instead of one per worker. A store that cannot be reached still lets the notice through.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../src/adapters/redis-store.js';
import type { LocalStore } from '../../../src/adapters/store.js';
import { StoreError } from '../../../src/errors.js';
import { storeNoticeMemory } from '../../../src/services/automations/notice-memory.js';
import { createAutomationNotifier, FOLD_WINDOW_MS } from '../../../src/slack/automation-notifier.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';
import { automation, report } from './fixtures.js';

type Call = { method: 'postMessage' | 'update'; text: string; ts?: string };

/** One Slack workspace both workers post to: records every call, in order. */
function recordingSlack() {
  const calls: Call[] = [];
  let posts = 0;
  const client = {
    chat: {
      async postMessage(args: { channel: string; text: string }) {
        posts += 1;
        calls.push({ method: 'postMessage', text: args.text });
        return { channel: `D${args.channel}`, ts: `1700000000.00000${posts}` };
      },
      async update(args: { ts: string; text: string }) {
        calls.push({ method: 'update', text: args.text, ts: args.ts });
        return {};
      },
    },
  };
  return { calls, client };
}

const logger = pino({ level: 'silent' });
const opened: LocalStore[] = [];
let redis: RedisServer;

/** A worker's notifier over its own connection to the shared store. */
async function workerNotifier(slack: ReturnType<typeof recordingSlack>) {
  const store = await openRedisStore({ url: redis.url, redactedUrl: 'redis://test' }, logger);
  opened.push(store);
  return createAutomationNotifier({ client: slack.client, logger, openMessages: storeNoticeMemory(store) });
}

describe.skipIf(!redisAvailable)('automation messages of runs on two workers', () => {
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    redis.cli('FLUSHALL');
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('folds a run reported by the second worker into the message the first worker posted', async () => {
    const slack = recordingSlack();
    const [first, second] = [await workerNotifier(slack), await workerNotifier(slack)];
    first.listener({ kind: 'run', report: report({ written: 2 }) });
    await first.idle();
    second.listener({ kind: 'run', report: report({ written: 3 }) });
    await second.idle();
    expect(slack.calls).toEqual([
      { method: 'postMessage', text: 'Automation 1: 2 rows written.' },
      { method: 'update', text: 'Automation 1: 5 rows written in 2 automatic runs.', ts: '1700000000.000001' },
    ]);
  });

  it('sends runs the two workers report at the same moment one after the other: one message, then its update', async () => {
    const slack = recordingSlack();
    const [first, second] = [await workerNotifier(slack), await workerNotifier(slack)];
    first.listener({ kind: 'run', report: report() });
    second.listener({ kind: 'run', report: report() });
    await Promise.all([first.idle(), second.idle()]);
    expect(slack.calls.map((call) => call.method)).toEqual(['postMessage', 'update']);
    expect(slack.calls[1]!.text).toBe('Automation 1: 2 rows written in 2 automatic runs.');
  });

  it('keeps another connection’s runs in a message of its own', async () => {
    const slack = recordingSlack();
    const [first, second] = [await workerNotifier(slack), await workerNotifier(slack)];
    first.listener({ kind: 'run', report: report() });
    await first.idle();
    second.listener({ kind: 'run', report: report({ automation: automation(3) }) });
    await second.idle();
    expect(slack.calls.map((call) => call.method)).toEqual(['postMessage', 'postMessage']);
  });

  it('remembers an open message in Redis for the fold window only', async () => {
    const slack = recordingSlack();
    const notifier = await workerNotifier(slack);
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    const [key] = redis.cli('KEYS', 'visen::automation-notice:*').trim().split('\n');
    const ttl = Number(redis.cli('PTTL', key!).trim());
    expect(ttl).toBeGreaterThan(FOLD_WINDOW_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(FOLD_WINDOW_MS);
  });
});

describe('automation messages when the shared store fails', () => {
  it('still posts the notice, as a new message, when the open message cannot be read', async () => {
    const slack = recordingSlack();
    const warnings: string[] = [];
    const logged = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const unreachable = async () => {
      throw new StoreError('unavailable', 'Visen cannot reach its store right now.');
    };
    const store = { get: unreachable, set: unreachable, exclusive: unreachable };
    const notifier = createAutomationNotifier({ client: slack.client, logger: logged, openMessages: storeNoticeMemory(store) });
    notifier.listener({ kind: 'run', report: report() });
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(slack.calls).toEqual([
      { method: 'postMessage', text: 'Automation 1: 1 row written.' },
      { method: 'postMessage', text: 'Automation 1: 1 row written.' },
    ]);
    expect(warnings).toEqual([
      'could not read the open automation message; posting a new one',
      'could not read the open automation message; posting a new one',
    ]);
  });

  it('does not post twice when the message went out but could not be remembered', async () => {
    const slack = recordingSlack();
    const store = {
      get: async () => undefined,
      set: async () => {
        throw new StoreError('unavailable', 'Visen cannot reach its store right now.');
      },
      exclusive: <T>(_namespace: string, _key: string, fn: () => Promise<T>) => fn(),
    };
    const notifier = createAutomationNotifier({ client: slack.client, logger, openMessages: storeNoticeMemory(store) });
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(slack.calls.map((call) => call.method)).toEqual(['postMessage']);
  });
});
