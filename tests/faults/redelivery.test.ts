/**
 * The Socket Mode connection drops in the middle of a burst of slash commands. Slack sends every envelope
 * that was not acked again on the next connection, with `retry_attempt`; some of those were handled already
 * (their ack was lost with the socket). Every command must be handled exactly once, and none lost.
 * "Handled" is what the app did, counted where it shows: `/visen help` answers in its ack (one log line each),
 * `/visen generate` asks OpenAI once and writes its page once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../stand-ins/slack/index.js';
import { startHarness, type Harness } from '../e2e/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await h?.stop();
});

function logEntries(): Array<Record<string, any>> {
  return h.logLines().flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, any>];
    } catch {
      return [];
    }
  });
}

describe('a connection dropped in the middle of a burst', () => {
  it('handles every /visen help exactly once and loses none', async () => {
    const count = 120;
    const users = Array.from({ length: count }, (_, i) => `U0DROP${String(i).padStart(4, '0')}`);
    const deliveries: Array<Promise<Delivery>> = [];
    // A steady start, then 40 commands at once with the socket cut while the app is answering them (so some
    // acks are lost after the app handled the command), then more while the app reconnects.
    for (const [i, userId] of users.entries()) {
      deliveries.push(h.slack.slashCommand({ userId, text: 'help' }));
      if (i < 40 && i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1));
      if (i === 79) {
        await new Promise((resolve) => setTimeout(resolve, 3));
        h.slack.dropConnections();
      }
    }
    const results = await Promise.all(deliveries);

    // Slack's side: every envelope was acked in the end, some only after a redelivery.
    expect(results.filter((d) => !d.acked)).toEqual([]);
    expect(results.some((d) => d.attempts > 1)).toBe(true);
    // Each ack, first or repeated, carried the usage text the user asked for.
    for (const d of results) expect(JSON.stringify(d.ackPayload)).toContain('/visen settings');

    // The app's side: one answer per command, none twice.
    const answered = new Map<string, number>();
    for (const entry of logEntries()) {
      if (entry.msg === 'answered with usage') answered.set(entry.user, (answered.get(entry.user) ?? 0) + 1);
    }
    expect([...answered.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(answered.size).toBe(count);

    // Nothing told a user that something went wrong, and the app answers the next command.
    expect(logEntries().filter((e) => e.msg === 'listener failed')).toEqual([]);
    expect(h.slack.responseUrlPosts).toEqual([]);
    const next = await h.slack.slashCommand({ userId: 'U0AFTERDROP', text: 'help' });
    expect(next.acked).toBe(true);
    expect(h.slack.failures).toEqual([]);
  });
});
