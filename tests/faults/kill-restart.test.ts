/**
 * SIGKILL in the middle of a database run, then a restart on the same data dir: the run resumes where it
 * stopped and every row ends up written exactly once (none twice, none missing), including the rows whose
 * write was on the wire when the process died.
 *
 * The user is set up through the in-process harness (the settings modal, as a person would), which then
 * stops; the app under test is the real entry point in a child process (spawnMain), so it can be killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { connectionRow, rowContents, rowName } from '../e2e/support/observe.js';
import { exitOf, spawnMain, waitForOutput } from '../e2e/support/run-main.js';

const ROWS = 30;

let h: Harness;
let c: ConfiguredUser;
const children: Array<ReturnType<typeof spawnMain>> = [];

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'info' } });
  c = await configureUser(h, 'U0KILLED');
  // One short paragraph per row that names the row, so a row written twice shows two of them.
  h.openai.setResponder((req) => `Generated for ${/Summarise (.+?)\.?$/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '?'}.`);
  // Slow enough that the kill lands in the middle: each answer streams for about half a second.
  h.openai.setStreamRate({ charsPerChunk: 2, chunkIntervalMs: 40 });
  // Notion applies each write at once but answers 250 ms later, so at the kill some writes have landed in
  // Notion without the app having heard back: the restart must find them instead of writing them again.
  h.notion.setLatency(250);
  await h.visen.stop(); // the harness's app gives way to the child process on the same data dir
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((child) => exitOf(child)));
  await h?.stop();
});

async function startApp(): Promise<ReturnType<typeof spawnMain>> {
  const cwd = mkdtempSync(join(tmpdir(), 'visen-faults-kill-'));
  const child = spawnMain({ ...h.env, LOG_LEVEL: 'info' }, cwd);
  children.push(child);
  await waitForOutput(child, /Visen is connected to Slack/, 30_000);
  await h.slack.waitForConnection();
  return child;
}

describe('SIGKILL in the middle of a database run', () => {
  it('resumes after a restart and writes every row exactly once', async () => {
    const database = h.notion.addDatabase({ title: 'Books', parentPageId: c.parentPageId, properties: { Name: { title: {} } } });
    const rows = Array.from({ length: ROWS }, (_, i) => h.notion.addRow(database.dataSourceId, { Name: { title: [{ text: { content: `Book ${i + 1}` } }] } }));

    const first = await startApp();
    const delivery = await h.slack.slashCommand({ userId: c.userId, teamId: c.teamId, text: `generate ${database.url} Summarise {{Name}}.` });
    expect(delivery.acked).toBe(true);

    // Kill once a few rows are written and others are in flight.
    const writtenRows = () => rows.filter((r) => rowContents(h, r.id).length > 0).length;
    await h.slack.waitFor(() => writtenRows() >= 6, 60_000);
    first.kill('SIGKILL');
    expect((await exitOf(first)).signal).toBe('SIGKILL');
    const writtenAtKill = writtenRows();
    expect(writtenAtKill).toBeLessThan(ROWS);

    // Restart on the same data dir: the run resumes by itself.
    const second = await startApp();
    await h.slack.waitFor(() => connectionRow(h, c, database.url)?.status === 'Succeeded', 90_000);
    expect(second.output()).toMatch(/interrupted runs resumed or reported/);

    for (const row of rows) {
      const name = rowName(h, row.id);
      expect(rowContents(h, row.id), `row ${name}`).toEqual([`Generated for ${name}.`]);
    }
    const connection = connectionRow(h, c, database.url)!;
    expect(connection.items).toBe(ROWS);
    expect(connection.lastError).toBe('');
    // Every row was generated once, except at most the rows in flight at the kill (their text was kept
    // locally and written from there, or generated again if it had not arrived yet).
    const generations = h.openai.requests.filter((r) => r.path.endsWith('/chat/completions') && r.status === 200).length;
    expect(generations).toBeGreaterThanOrEqual(ROWS);
    expect(generations).toBeLessThanOrEqual(ROWS + 4);
    expect(h.notion.failures).toEqual([]);
    expect(h.openai.failures).toEqual([]);
    expect(h.slack.failures).toEqual([]);

    second.kill('SIGTERM');
    expect((await exitOf(second)).code).toBe(0);
  }, 150_000);
});
