// Cancel, restart (shutdown, then a new service over the same store resumes), a crash with writes in flight,
// forgetting a user, and two users' runs side by side.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE, type RunRecord } from '../../../src/services/generation/run-store.js';
import type { RunProgress } from '../../../src/services/generation/types.js';
import { userKey } from '../../../src/users.js';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { blockText, connectionRows, prop, recorder, runToEnd, startWorld, titleRow, type UserFixture, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterEach(() => {
  world.openai.setResponder(undefined as never);
  world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});
afterAll(async () => {
  await world.close();
});

const promptOf = (req: ChatRequest) => req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
const echo = (req: ChatRequest) => `Answer to: ${promptOf(req)}`;

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function database(u: UserFixture, rows: number) {
  const db = world.notion.addDatabase({ title: 'Rows', parentPageId: u.rootId, properties: { Name: { title: {} } } });
  for (let i = 1; i <= rows; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
  return db;
}

function bodies(dataSourceId: string): Record<string, string[]> {
  return Object.fromEntries(world.notion.rows(dataSourceId).map((r) => [String(prop(r, 'Name')), world.notion.childrenOf(r.id).map(blockText)]));
}

describe('cancel', () => {
  it('a database run stops after the rows in flight and records Cancelled', async () => {
    const u = world.addUser('U0CANCELDB');
    const db = database(u, 24);
    world.openai.setResponder(echo);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 25 }); // ~0.2 s a row
    const service = world.service();
    const rec = recorder();
    const { runId } = await service.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, rec.listener, null);
    await until(() => rec.updates.some((p) => p.done >= 4));
    expect(await service.cancel({ teamId: 'T0TEAM', userId: 'U0SOMEONEELSE' }, runId)).toBe(false);
    expect(await service.cancel(u.user, runId)).toBe(true);
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(end.done).toBeLessThan(24);
    const written = Object.values(bodies(db.dataSourceId)).filter((b) => b.length > 0);
    expect(written).toHaveLength(end.done);
    expect(written.every((b) => b.length === 1)).toBe(true);
    const conn = connectionRows(world, u)[0]!;
    expect(prop(conn, 'Status')).toBe('Cancelled');
    expect(prop(conn, 'Items')).toBe(end.done);
    expect(prop(conn, 'Last error')).toBe('');
    expect(await service.cancel(u.user, runId)).toBe(false);
    expect(service.activeRuns(u.user)).toEqual([]);

    // Running it again picks up the rows that were not written.
    world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    const again = await runToEnd(service, u.user, { targetUrl: db.url, prompt: 'About {{Name}}' });
    expect(again.end).toMatchObject({ state: 'succeeded', done: 24 - end.done, skipped: end.done });
    expect(Object.values(bodies(db.dataSourceId)).every((b) => b.length === 1)).toBe(true);
  });

  it('a page run stops at once and takes out what it had written', async () => {
    const u = world.addUser('U0CANCELPG');
    const page = world.notion.addPage({ title: 'Page', parentPageId: u.rootId, children: [{ paragraph: { rich_text: [{ text: { content: 'Kept' } }] } }] });
    world.openai.setResponder(() => Array.from({ length: 60 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
    world.openai.setStreamRate({ charsPerChunk: 10, chunkIntervalMs: 30 });
    const service = world.service({ firstBatchBlocks: 2, batchIntervalMs: 100 });
    const rec = recorder();
    const { runId } = await service.start(u.user, { targetUrl: page.url, prompt: 'Write' }, rec.listener, null);
    await until(() => world.notion.childrenOf(page.id).length > 2);
    expect(await service.cancel(u.user, runId)).toBe(true);
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(['Kept']);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Cancelled');
  });
});

describe('restart', () => {
  it('shutdown in the middle of a database run; a new service resumes it; every row exactly once', async () => {
    const u = world.addUser('U0RESTART');
    const db = database(u, 30);
    world.openai.setResponder(echo);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 20 });
    const first = world.service({ shutdownGraceMs: 100 });
    const rec = recorder();
    const notifyState = { channel: 'D123', ts: '1.2' };
    const { runId } = await first.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, rec.listener, notifyState);
    await until(() => rec.updates.some((p) => p.done >= 6));
    await first.shutdown();
    await expect(first.start(u.user, { targetUrl: db.url, prompt: 'Other {{Name}}' }, () => undefined, null)).rejects.toMatchObject({ code: 'shutting_down' });
    const stored = (await world.store.get<RunRecord>(NAMESPACE, `run:${runId}`))!;
    expect(stored.state).toBe('running');
    expect(stored.inFlight).toEqual([]);
    const doneBefore = stored.done;
    expect(doneBefore).toBeGreaterThanOrEqual(6);
    expect(doneBefore).toBeLessThan(30);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Running');
    expect(Object.values(bodies(db.dataSourceId)).filter((b) => b.length > 0)).toHaveLength(doneBefore);

    // A crash while writes were in flight: row X had landed in Notion but was not yet recorded; row Y's
    // text was generated and its write had not started. Recreated in the store as a crash leaves them.
    const log = `written:${userKey(u.user)}:${stored.connection.id}:0`;
    const entries = (await world.store.get<Array<[string, string]>>(NAMESPACE, log))!;
    const [landedRowId] = entries.at(-1)!;
    await world.store.set(NAMESPACE, log, entries.slice(0, -1));
    const rows = world.notion.rows(db.dataSourceId);
    const landed = rows.find((r) => r.id === landedRowId)!;
    const pendingRow = rows.find((r) => world.notion.childrenOf(r.id).length === 0)!;
    const landedText = `Answer to: About ${prop(landed, 'Name')}`;
    const pendingText = `Answer to: About ${prop(pendingRow, 'Name')}`;
    await world.store.set(NAMESPACE, `inflight:${runId}:${landed.id}`, { rowId: landed.id, text: landedText, since: new Date().toISOString() });
    await world.store.set(NAMESPACE, `inflight:${runId}:${pendingRow.id}`, { rowId: pendingRow.id, text: pendingText, since: new Date().toISOString() });
    await world.store.set(NAMESPACE, `run:${runId}`, { ...stored, inFlight: [landed.id, pendingRow.id], done: doneBefore - 1 });

    world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    const chatsBefore = world.openai.requests.length;
    const second = world.service();
    const resumed = recorder();
    const seen: unknown[] = [];
    const results = await second.resumeInterrupted((state, progress) => {
      seen.push(state);
      expect(progress.runId).toBe(runId);
      return resumed.listener;
    });
    expect(seen).toEqual([notifyState]);
    expect(results).toEqual([expect.objectContaining({ runId, resumed: true, state: 'running' })]);
    const end = await resumed.ended;
    expect(end).toMatchObject({ state: 'succeeded', done: 30, failed: 0, resumed: true });

    expect(Object.values(bodies(db.dataSourceId)).every((b) => b.length === 1)).toBe(true);
    for (const [name, body] of Object.entries(bodies(db.dataSourceId))) expect(body).toEqual([`Answer to: About ${name}`]);
    // The two in-flight rows were finished from their stored text, not generated again.
    const prompts = world.openai.requests.slice(chatsBefore).map((r) => (r.body ? promptOf({ model: '', messages: r.body.messages }) : ''));
    expect(prompts).not.toContain(`About ${prop(landed, 'Name')}`);
    expect(prompts).not.toContain(`About ${prop(pendingRow, 'Name')}`);
    expect(prompts).toHaveLength(30 - doneBefore - 1);

    const conn = connectionRows(world, u)[0]!;
    expect(prop(conn, 'Status')).toBe('Succeeded');
    expect(prop(conn, 'Runs')).toBe(1);
    expect(prop(conn, 'Items')).toBe(30);
    expect(await world.store.get(NAMESPACE, `inflight:${runId}:${pendingRow.id}`)).toBeUndefined();
    expect(await world.store.get<string[]>(NAMESPACE, 'pending')).not.toContain(runId);
    // Nothing left to resume.
    expect(await world.service().resumeInterrupted(() => () => undefined)).toEqual([]);
  }, 60_000);

  it('a page run interrupted by a restart is taken out and marked Failed ("interrupted"), and reported', async () => {
    const u = world.addUser('U0RESTARTPG');
    const page = world.notion.addPage({ title: 'Page', parentPageId: u.rootId, children: [{ paragraph: { rich_text: [{ text: { content: 'Kept' } }] } }] });
    world.openai.setResponder(() => Array.from({ length: 60 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
    world.openai.setStreamRate({ charsPerChunk: 10, chunkIntervalMs: 30 });
    const first = world.service({ firstBatchBlocks: 2, batchIntervalMs: 100, shutdownGraceMs: 0 });
    const rec = recorder();
    const { runId } = await first.start(u.user, { targetUrl: page.url, prompt: 'Write' }, rec.listener, { where: 'dm' });
    await until(() => world.notion.childrenOf(page.id).length > 2);
    await first.shutdown();
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(['Kept']);

    const reports: RunProgress[] = [];
    const results = await world.service().resumeInterrupted((state) => {
      expect(state).toEqual({ where: 'dm' });
      return (p) => void reports.push(p);
    });
    expect(results).toEqual([expect.objectContaining({ runId, state: 'failed', error: expect.stringContaining('interrupted') })]);
    expect(reports.at(-1)).toMatchObject({ state: 'failed' });
    const conn = connectionRows(world, u)[0]!;
    expect(prop(conn, 'Status')).toBe('Failed');
    expect(prop(conn, 'Last error')).toMatch(/interrupted/);
  });

  it('a page run killed mid-write (no shutdown): the blocks it had appended are removed on the next start', async () => {
    const u = world.addUser('U0KILLEDPG');
    const page = world.notion.addPage({
      title: 'Page',
      parentPageId: u.rootId,
      children: ['Kept', 'Ours 1', 'Ours 2', 'Ours 3'].map((t) => ({ paragraph: { rich_text: [{ text: { content: t } }] } })),
    });
    const ids = world.notion.childrenOf(page.id).map((b) => b.id as string);
    // What a killed process leaves: a page run record with two batches recorded and a third one in flight.
    const service = world.service();
    const { runId } = await service.start(u.user, { targetUrl: page.url, prompt: 'Kill me' }, () => undefined, null);
    await until(() => service.activeRuns(u.user).length === 0);
    const record = (await world.store.get<RunRecord>(NAMESPACE, `run:${runId}`))!;
    // Take out what the real run wrote, then make the record look interrupted.
    for (const child of world.notion.childrenOf(page.id).slice(4)) world.notion.trash(child.id);
    await world.store.set(NAMESPACE, `run:${runId}`, {
      ...record,
      state: 'running',
      finalized: false,
      done: 0,
      page: {
        appendedBlockIds: [ids[1], ids[2]],
        pendingBlocks: [{ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Ours 3' } }] } }],
        complete: false,
      },
    });
    await world.store.set(NAMESPACE, 'pending', [runId]);
    const results = await world.service().resumeInterrupted(() => () => undefined);
    expect(results).toEqual([expect.objectContaining({ runId, state: 'failed' })]);
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(['Kept']);
  });
});

describe('users', () => {
  it('one user’s slow Notion does not hold up another user’s run', async () => {
    const slow = world.addUser('U0SLOWNOTION');
    const fast = world.addUser('U0FASTNOTION');
    const slowPage = world.notion.addPage({ title: 'Slow', parentPageId: slow.rootId });
    const fastPage = world.notion.addPage({ title: 'Fast', parentPageId: fast.rootId });
    world.notion.injectFault({ status: 429, times: 3, retryAfterSeconds: 2, match: { secret: slow.secret } });
    const service = world.service();
    const slowRun = runToEnd(service, slow.user, { targetUrl: slowPage.url, prompt: 'Slow' });
    const startedAt = Date.now();
    const fastRun = await runToEnd(service, fast.user, { targetUrl: fastPage.url, prompt: 'Fast' });
    expect(fastRun.end.state).toBe('succeeded');
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect((await slowRun).end.state).toBe('succeeded');
    world.notion.clearFaults();
    expect(service.activeRuns(fast.user)).toEqual([]);
  }, 30_000);

  it('forgetUser deletes that user’s local records only', async () => {
    const a = world.addUser('U0FORGET_A');
    const b = world.addUser('U0FORGETXA');
    const service = world.service();
    const dbA = database(a, 2);
    const dbB = database(b, 2);
    const runA = await runToEnd(service, a.user, { targetUrl: dbA.url, prompt: 'About {{Name}}' });
    const runB = await runToEnd(service, b.user, { targetUrl: dbB.url, prompt: 'About {{Name}}' });
    const connA = runA.end.connectionId!;
    const connB = runB.end.connectionId!;
    await service.forgetUser(a.user);
    expect(await world.store.get(NAMESPACE, `run:${runA.runId}`)).toBeUndefined();
    expect(await world.store.get(NAMESPACE, `user:${userKey(a.user)}`)).toBeUndefined();
    expect(await world.store.get(NAMESPACE, `written:${userKey(a.user)}:${connA}`)).toBeUndefined();
    expect(await world.store.get(NAMESPACE, `written:${userKey(a.user)}:${connA}:0`)).toBeUndefined();
    expect(await world.store.get(NAMESPACE, `run:${runB.runId}`)).toBeDefined();
    expect(await world.store.get(NAMESPACE, `written:${userKey(b.user)}:${connB}:0`)).toBeDefined();
    // Nothing in Notion is deleted; A's next run writes the rows again (its local memory is gone).
    expect(connectionRows(world, a)).toHaveLength(1);
  });
});
