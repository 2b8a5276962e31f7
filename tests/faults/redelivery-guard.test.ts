/** The redelivery guard on its own: which envelopes it lets through, and what it acks in their place. */
import type { ReceiverEvent } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { envelopeKey, RedeliveryGuard } from '../../src/slack/redelivery.js';

const logger = { info: vi.fn(), warn: vi.fn() };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function command(triggerId: string, retryNum?: number) {
  const acks: unknown[] = [];
  const event: ReceiverEvent = {
    body: { command: '/visen', text: 'help', trigger_id: triggerId, user_id: 'U1' },
    ack: async (payload?: unknown) => {
      acks.push(payload);
    },
    ...(retryNum !== undefined ? { retryNum, retryReason: 'timeout' } : {}),
  };
  return { event, acks };
}

describe('RedeliveryGuard', () => {
  it('handles a command once; its redelivery is acked again with the same payload and not handled', async () => {
    const guard = new RedeliveryGuard(logger);
    const handled: string[] = [];
    const handler = async (e: ReceiverEvent) => {
      await e.ack({ text: 'usage' });
      handled.push(String(e.body.trigger_id));
    };
    const first = command('t1');
    await guard.process(first.event, handler);
    const again = command('t1', 1);
    await guard.process(again.event, handler);
    expect(handled).toEqual(['t1']);
    expect(first.acks).toEqual([{ text: 'usage' }]);
    expect(again.acks).toEqual([{ text: 'usage' }]);
    await guard.process(command('t2').event, handler);
    expect(handled).toEqual(['t1', 't2']);
  });

  it('an ack the closed socket could not carry does not stop the listener; the redelivery gets it', async () => {
    const guard = new RedeliveryGuard(logger);
    const first = command('t1');
    first.event.ack = async () => {
      throw Object.assign(new Error('no socket'), { code: 'slack_socket_mode_send_while_not_ready_error' });
    };
    let workDone = 0;
    await guard.process(first.event, async (e) => {
      await e.ack({ text: 'working' });
      workDone += 1;
    });
    expect(workDone).toBe(1);
    const again = command('t1', 1);
    await guard.process(again.event, async () => {
      workDone += 1;
    });
    expect(workDone).toBe(1);
    expect(again.acks).toEqual([{ text: 'working' }]);
  });

  it('team mode: an envelope another worker already claimed is acked empty and not handled; a store that fails lets it through', async () => {
    const claimed = new Map<string, number>();
    const claimShared = async (key: string, ttlMs: number) => {
      if (claimed.has(key)) return false;
      claimed.set(key, ttlMs);
      return true;
    };
    const workerA = new RedeliveryGuard(logger, { claimShared });
    const workerB = new RedeliveryGuard(logger, { claimShared });
    const handled: string[] = [];
    const handler = (worker: string) => async (e: ReceiverEvent) => {
      await e.ack({ text: 'usage' });
      handled.push(`${worker}:${String(e.body.trigger_id)}`);
    };
    await workerA.process(command('t1').event, handler('A'));
    const onB = command('t1', 1);
    await workerB.process(onB.event, handler('B'));
    expect(handled).toEqual(['A:t1']);
    expect(onB.acks).toEqual([undefined]);
    expect(claimed.get('command:t1')).toBe(15 * 60_000);

    const failing = new RedeliveryGuard(logger, { claimShared: async () => Promise.reject(new Error('store down')) });
    await failing.process(command('t2').event, handler('C'));
    expect(handled).toEqual(['A:t1', 'C:t2']);
  });

  it('team mode: a first delivery is handled and acked without waiting for the shared store; a redelivery waits for it', async () => {
    const answers: Array<(claimed: boolean) => void> = [];
    const claimShared = (_key: string) => new Promise<boolean>((resolve) => answers.push(resolve));
    const guard = new RedeliveryGuard(logger, { claimShared });
    const handled: string[] = [];
    const handler = async (e: ReceiverEvent) => {
      await e.ack();
      handled.push(`${String(e.body.trigger_id)}#${e.retryNum ?? 0}`);
    };
    const first = command('t1');
    const handling = guard.process(first.event, handler);
    await nextTurn(); // the store has not answered, and the command is acked and handled
    expect(first.acks).toEqual([undefined]);
    await handling;
    expect(handled).toEqual(['t1#0']);
    expect(answers).toHaveLength(1); // but the envelope was recorded for the other workers

    const elsewhere = new RedeliveryGuard(logger, { claimShared });
    const redelivery = command('t1', 1);
    const pending = elsewhere.process(redelivery.event, handler);
    await nextTurn();
    expect(redelivery.acks).toEqual([]); // waiting for the store's answer
    answers[1]!(false);
    await pending;
    expect(redelivery.acks).toEqual([undefined]);
    expect(handled).toEqual(['t1#0']);
    answers[0]!(true);
  });

  it('other ack failures still reach the error handler', async () => {
    const guard = new RedeliveryGuard(logger);
    const first = command('t1');
    first.event.ack = async () => {
      throw new Error('something else');
    };
    await expect(guard.process(first.event, async (e) => e.ack())).rejects.toThrow('something else');
  });

  it('a redelivery that arrives before the first attempt acked waits for that ack', async () => {
    const guard = new RedeliveryGuard(logger, { waitForFirstAckMs: 1_000 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = guard.process(command('t1').event, async (e) => {
      await released;
      await e.ack({ text: 'late' });
    });
    const again = command('t1', 1);
    const second = guard.process(again.event, async () => {
      throw new Error('must not run');
    });
    release();
    await Promise.all([first, second]);
    expect(again.acks).toEqual([{ text: 'late' }]);
  });

  it('forgets after its time to live, and holds a bounded number of envelopes', async () => {
    let now = 0;
    const guard = new RedeliveryGuard(logger, { ttlMs: 1_000, maxEntries: 2, now: () => now });
    const runs: string[] = [];
    const handler = async (e: ReceiverEvent) => {
      await e.ack();
      runs.push(String(e.body.trigger_id));
    };
    await guard.process(command('a').event, handler);
    now = 2_000;
    await guard.process(command('a', 1).event, handler); // expired: handled as new
    await guard.process(command('b').event, handler);
    await guard.process(command('c').event, handler); // evicts the oldest ('a')
    await guard.process(command('a', 2).event, handler);
    expect(runs).toEqual(['a', 'a', 'b', 'c', 'a']);
  });

  it('recognises envelopes by what Slack keeps across redeliveries', () => {
    expect(envelopeKey({ command: '/visen', trigger_id: '1.2.abc' })).toBe('command:1.2.abc');
    expect(envelopeKey({ type: 'view_submission', trigger_id: '9.9' })).toBe('view_submission:9.9');
    expect(envelopeKey({ type: 'block_actions', trigger_id: '8.8' })).toBe('block_actions:8.8');
    expect(envelopeKey({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } })).toBe('event:Ev1');
    expect(envelopeKey({ type: 'view_closed', view: { id: 'V1', hash: 'h' } })).toBe('view_closed:V1:h');
    expect(envelopeKey({ type: 'block_suggestion' })).toBeUndefined();
    expect(envelopeKey(null)).toBeUndefined();
  });
});
