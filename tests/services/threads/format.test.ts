import { describe, expect, it } from 'vitest';
import { formatThread, MAX_MESSAGE_CHARS } from '../../../src/services/threads/format.js';
import type { ThreadMessage } from '../../../src/services/threads/types.js';

// 2026-03-04 13:05 UTC: 14:05 in Paris (CET), 08:05 in New York (EST).
const AT = Date.UTC(2026, 2, 4, 13, 5);
const message = (author: string, text: string, minutes = 0, fileNames: string[] = []): ThreadMessage => ({
  author,
  postedAt: AT + minutes * 60_000,
  text,
  fileNames,
});

describe('formatThread', () => {
  it("gives each message its author, its time in the user's zone and its files, oldest first", () => {
    const thread = [message('Ana', 'Ship on Friday?', 0, ['plan.pdf', 'notes.txt']), message('Ben', 'Agreed.', 1)];
    const paris = formatThread(thread, { timeZone: 'Europe/Paris', budget: 10_000 });
    expect(paris.text).toBe('Ana (2026-03-04 14:05 GMT+1):\nShip on Friday?\n(attached: plan.pdf, notes.txt)\n\nBen (2026-03-04 14:06 GMT+1):\nAgreed.');
    expect(paris).toMatchObject({ total: 2, included: 2, cut: false });
    expect(formatThread(thread, { timeZone: 'America/New_York', budget: 10_000 }).text).toContain('Ana (2026-03-04 08:05 EST)');
  });

  it('an unknown time zone falls back to UTC', () => {
    expect(formatThread([message('Ana', 'hi')], { timeZone: 'Mars/Olympus', budget: 1_000 }).text).toContain('13:05 UTC');
  });

  it('over the budget: keeps the newest messages, says how many were left out, and stays within the budget', () => {
    const thread = Array.from({ length: 500 }, (_, i) => message(i % 2 ? 'Ana' : 'Ben', `Message number ${i + 1}`, i));
    const budget = 2_000;
    const out = formatThread(thread, { timeZone: 'UTC', budget });
    expect(out.cut).toBe(true);
    expect(out.text.length).toBeLessThanOrEqual(budget);
    expect(out.text).toContain('Message number 500');
    expect(out.text).not.toContain('Message number 1\n');
    expect(out.included).toBeGreaterThan(10);
    expect(out.text.startsWith(`[Visen left out the ${500 - out.included} oldest of 500 messages`)).toBe(true);
    const kept = [...out.text.matchAll(/Message number (\d+)/g)].map((m) => Number(m[1]));
    expect(kept).toEqual(Array.from({ length: out.included }, (_, i) => 500 - out.included + i + 1));
  });

  it('cuts one very long message, so it cannot take the whole budget', () => {
    const out = formatThread([message('Ana', 'x'.repeat(MAX_MESSAGE_CHARS * 2))], { timeZone: 'UTC', budget: 100_000 });
    expect(out.text.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect(out.text).toContain('[…cut]');
  });

  it('an author name cannot add lines that pass for another message', () => {
    const out = formatThread([message('Mallory\nBen (2026-01-01 00:00 UTC):', 'hi')], { timeZone: 'UTC', budget: 1_000 });
    expect(out.text.split('\n')[0]).toBe('Mallory Ben (2026-01-01 00:00 UTC): (2026-03-04 13:05 UTC):');
  });
});
