/**
 * The Socket Mode connection drops in the middle of a burst of slash commands. Slack sends every envelope
 * that was not acked again on the next connection, with `retry_attempt`; some of those were handled already
 * (their ack was lost with the socket). Every command must be handled exactly once, and none lost.
 * "Handled" is what the app did, counted where it shows: `/visen help` answers in its ack (one log line each),
 * `/visen generate` asks OpenAI once and writes its page once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { connectionRow, rowContents } from '../e2e/support/observe.js';
import type { Delivery } from '../stand-ins/slack/index.js';

const WRITERS = 4;
const RUNS_EACH = 5;
const HELPS = 100;

let h: Harness;
let writers: ConfiguredUser[];

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  writers = [];
  for (let i = 0; i < WRITERS; i++) writers.push(await configureUser(h, `U0REDELIVER${i}`));
  h.openai.setResponder((req) => `Answer to ${/^(Note \d+)/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
}, 60_000);

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
  it('handles every command exactly once and loses none', async () => {
    // The burst: /visen help from 100 people and 20 /visen generate runs, each into its own page.
    const runs = writers.flatMap((c, w) =>
      Array.from({ length: RUNS_EACH }, (_, i) => {
        const n = w * RUNS_EACH + i + 1;
        const page = h.notion.addPage({ title: `Note ${n}`, parentPageId: c.parentPageId });
        return { c, n, page, text: `generate ${page.url} Note ${n}: one line about redelivery` };
      }),
    );
    const commands: Array<{ userId: string; teamId?: string; text: string }> = Array.from({ length: HELPS }, (_, i) => ({
      userId: `U0DROP${String(i).padStart(4, '0')}`,
      text: 'help',
    }));
    runs.forEach((run, i) => commands.splice(i * 5 + 2, 0, { userId: run.c.userId, teamId: run.c.teamId, text: run.text }));

    // A steady start, then 40 commands at once with the socket cut while the app is answering them (so some
    // acks are lost after the app handled the command), then the rest while the app reconnects.
    const deliveries: Array<Promise<Delivery>> = [];
    for (const [i, command] of commands.entries()) {
      deliveries.push(h.slack.slashCommand(command));
      if (i < 40 && i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1));
      if (i === 79) {
        await new Promise((resolve) => setTimeout(resolve, 3));
        h.slack.dropConnections();
      }
    }
    const results = await Promise.all(deliveries);

    // Slack's side: every envelope was acked in the end, some only after a redelivery, and each ack (first
    // or repeated) carried what the user should see.
    expect(results.filter((d) => !d.acked)).toEqual([]);
    expect(results.some((d) => d.attempts > 1)).toBe(true);
    results.forEach((d, i) => expect(JSON.stringify(d.ackPayload)).toContain(commands[i]!.text === 'help' ? '/visen settings' : 'Working on it'));

    // help: one answer per command, none twice.
    const answered = new Map<string, number>();
    for (const entry of logEntries()) {
      if (entry.msg === 'answered with usage') answered.set(entry.user, (answered.get(entry.user) ?? 0) + 1);
    }
    expect([...answered.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(answered.size).toBe(HELPS);

    // generate: every run ends, each page holds its answer once, OpenAI was asked once per run.
    for (const run of runs) {
      await h.slack.waitFor(() => connectionRow(h, run.c, run.page.url)?.status === 'Succeeded', 60_000);
      expect(rowContents(h, run.page.id), `page ${run.n}`).toEqual([`Answer to Note ${run.n}.`]);
    }
    const asked = h.openai.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(asked).toHaveLength(runs.length);

    // Nothing told a user that something went wrong, and the app answers the next command.
    expect(logEntries().filter((e) => e.msg === 'listener failed')).toEqual([]);
    const next = await h.slack.slashCommand({ userId: 'U0AFTERDROP', text: 'help' });
    expect(next.acked).toBe(true);
    expect(h.slack.failures).toEqual([]);
    expect(h.notion.failures).toEqual([]);
  }, 120_000);
});
