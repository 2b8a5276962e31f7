/** Notices to direct messages: one per run that wrote or failed, folded within 10 minutes, 'paused' as one message. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAutomationNotifier, FOLD_WINDOW_MS } from '../../../src/slack/automation-notifier.js';
import { automation, OWNER, report } from './fixtures.js';

type Call = { method: 'postMessage' | 'update'; args: Record<string, any> };

function fakeChat(options: { failUpdate?: boolean; failPost?: number } = {}) {
  const calls: Call[] = [];
  let posts = 0;
  let failPosts = options.failPost ?? 0;
  return {
    calls,
    client: {
      chat: {
        async postMessage(args: Record<string, any>) {
          calls.push({ method: 'postMessage', args });
          if (failPosts > 0) {
            failPosts -= 1;
            throw Object.assign(new Error('An API error occurred: ratelimited'), { data: { ok: false, error: 'ratelimited' } });
          }
          posts += 1;
          return { ok: true, channel: `D${args.channel}`, ts: `1700000000.00000${posts}` };
        },
        async update(args: Record<string, any>) {
          calls.push({ method: 'update', args });
          if (options.failUpdate) throw Object.assign(new Error('message_not_found'), { data: { ok: false, error: 'message_not_found' } });
          return { ok: true };
        },
      },
    },
  };
}

function setUp(options: { failUpdate?: boolean; failPost?: number } = {}) {
  const chat = fakeChat(options);
  const clock = { ms: 1_700_000_000_000 };
  const notifier = createAutomationNotifier({ client: chat.client, logger: pino({ level: 'silent' }), now: () => clock.ms });
  return { ...chat, clock, notifier };
}

const textOf = (call: Call | undefined) => String(call?.args.text ?? '');

describe('the automation notifier', () => {
  it('sends one direct message to the owner for a run', async () => {
    const { calls, notifier } = setUp();
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'postMessage', args: { channel: OWNER.userId } });
    expect(textOf(calls[0])).toBe('Automation 1: 1 row written.');
  });

  it('folds later runs of the same connection within 10 minutes into that message, counts summed', async () => {
    const { calls, clock, notifier } = setUp();
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    clock.ms += 4 * 60_000;
    notifier.listener({ kind: 'run', report: report({ written: 2, failed: 1, failures: [{ title: 'Row B', reason: 'Refused.' }] }) });
    clock.ms += 5 * 60_000;
    notifier.listener({ kind: 'run', report: report({ written: 1 }) });
    await notifier.idle();
    expect(calls.map((c) => c.method)).toEqual(['postMessage', 'update', 'update']);
    expect(calls[2]!.args).toMatchObject({ channel: `D${OWNER.userId}`, ts: '1700000000.000001' });
    expect(textOf(calls[2])).toBe('Automation 1: 4 rows written, 1 failure in 3 automatic runs.');
  });

  it('starts a new message after the 10 minutes, and for another connection', async () => {
    const { calls, clock, notifier } = setUp();
    notifier.listener({ kind: 'run', report: report() });
    notifier.listener({ kind: 'run', report: report({ automation: automation(3) }) });
    await notifier.idle();
    clock.ms += FOLD_WINDOW_MS + 1;
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(calls.map((c) => c.method)).toEqual(['postMessage', 'postMessage', 'postMessage']);
    expect(textOf(calls[2])).toBe('Automation 1: 1 row written.');
  });

  it('sends runs arriving together one after the other: one message, then its update', async () => {
    const { calls, notifier } = setUp();
    notifier.listener({ kind: 'run', report: report() });
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(calls.map((c) => c.method)).toEqual(['postMessage', 'update']);
  });

  it('posts a new message when the one to update is gone', async () => {
    const { calls, notifier } = setUp({ failUpdate: true });
    notifier.listener({ kind: 'run', report: report() });
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(calls.map((c) => c.method)).toEqual(['postMessage', 'update', 'postMessage']);
    expect(textOf(calls[2])).toBe('Automation 1: 1 row written.');
  });

  it('never throws when Slack refuses, and keeps sending later notices', async () => {
    const { calls, notifier } = setUp({ failPost: 1 });
    expect(() => notifier.listener({ kind: 'run', report: report() })).not.toThrow();
    notifier.listener({ kind: 'run', report: report() });
    await notifier.idle();
    expect(calls.map((c) => c.method)).toEqual(['postMessage', 'postMessage']);
  });

  it('says "ran late for" a missed slot', async () => {
    const { calls, notifier } = setUp();
    notifier.listener({ kind: 'run', report: report({ automation: automation(2), lateFor: '2026-03-02T08:00:00.000Z' }) });
    await notifier.idle();
    expect(JSON.stringify(calls[0]!.args.blocks)).toMatch(/Ran late for <!date\^1772438400\^/);
  });

  it('sends a paused notice as one message', async () => {
    const { calls, notifier } = setUp();
    notifier.listener({
      kind: 'paused',
      owner: OWNER,
      automations: [automation(1, { paused: true }), automation(2, { paused: true })],
      cause: 'credentials',
      reason: 'OpenAI no longer accepts your key.',
    });
    await notifier.idle();
    expect(calls).toHaveLength(1);
    expect(textOf(calls[0])).toBe('Visen paused your 2 automatic connections: OpenAI no longer accepts your key.');
  });
});
