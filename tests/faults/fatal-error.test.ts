/**
 * An uncaught exception in the middle of a database run: the process logs it, stops taking work, records
 * where the run is, and exits non-zero (so a supervisor restarts it); the next start resumes the run and
 * every row is written exactly once.
 *
 * The exception is thrown by a test-only preload (support/throw-on-sigusr2.ts) on SIGUSR2, so the entry
 * point under test is unchanged and has no trigger of its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { connectionRow, rowContents, rowName } from '../e2e/support/observe.js';
import { exitOf, spawnMain, waitForOutput } from '../e2e/support/run-main.js';

const ROWS = 12;
const throwOnSigusr2 = join(import.meta.dirname, 'support/throw-on-sigusr2.ts');

let h: Harness;
let c: ConfiguredUser;
const children: Array<ReturnType<typeof spawnMain>> = [];

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0FATAL');
  h.openai.setResponder((req) => `Generated for ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
  // Slow enough that the exception lands while rows are still being generated.
  h.openai.setStreamRate({ charsPerChunk: 2, chunkIntervalMs: 40 });
  await h.visen.stop(); // the harness's app gives way to the child process on the same data dir
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((child) => exitOf(child)));
  await h?.stop();
});

async function startApp(): Promise<ReturnType<typeof spawnMain>> {
  const child = spawnMain({ ...h.env, LOG_LEVEL: 'info' }, mkdtempSync(join(tmpdir(), 'visen-faults-fatal-')), [throwOnSigusr2]);
  children.push(child);
  await waitForOutput(child, /Visen is connected to Slack/, 30_000);
  await h.slack.waitForConnection();
  return child;
}

describe('an uncaught exception in the middle of a database run', () => {
  it('stops the process with a non-zero exit, and the next start resumes the run', async () => {
    const database = h.notion.addDatabase({ title: 'Films', parentPageId: c.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: ROWS }, (_, i) => h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Film ${i + 1}` } }] } }));

    const first = await startApp();
    const delivery = await h.slack.slashCommand({ userId: c.userId, teamId: c.teamId, text: `generate ${database.url} Summarise {{Name}}.` });
    expect(delivery.acked).toBe(true);
    const writtenRows = () => rows.filter((r) => rowContents(h, r.id).length > 0).length;
    await h.slack.waitFor(() => writtenRows() >= 2, 60_000);

    first.kill('SIGUSR2');
    const exit = await exitOf(first);
    expect(exit.code).toBe(1);
    const output = first.output();
    expect(output).toMatch(/"level":60.*uncaught exception: stopping; runs in flight resume after the restart/);
    expect(output).toContain('a bug somewhere in the app');
    expect(output).toContain('Visen stopped');
    expect(writtenRows()).toBeLessThan(ROWS);

    // The supervisor's restart: the run resumes by itself and ends with every row written once.
    const second = await startApp();
    await h.slack.waitFor(() => connectionRow(h, c, database.url)?.status === 'Succeeded', 90_000);
    expect(second.output()).toMatch(/interrupted runs resumed or reported/);
    for (const row of rows) {
      const name = rowName(h, row.id);
      expect(rowContents(h, row.id), `row ${name}`).toEqual([`Generated for ${name}.`]);
    }
    expect(connectionRow(h, c, database.url)!.items).toBe(ROWS);
    expect(h.notion.failures).toEqual([]);
    expect(h.slack.failures).toEqual([]);

    second.kill('SIGTERM');
    expect((await exitOf(second)).code).toBe(0);
  }, 150_000);
});
