// Typed outputs in the generation service: a restart with a structured row marker in flight finishes that row from
// the stored values (never generating it again), and running a saved connection again keeps its outputs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE, type RunRecord } from '../../../src/services/generation/run-store.js';
import type { RunProgress } from '../../../src/services/generation/types.js';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { blockText, connectionRows, prop, recorder, startWorld, titleRow, type UserFixture, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterEach(() => {
  world.openai.setResponder(undefined);
  world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});
afterAll(async () => {
  await world.close();
});

const OUTPUTS = ['Priority', 'Score', '@body'];
const rowIn = (req: ChatRequest) => /Row \d+/.exec(req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '')?.[0] ?? 'Row ?';
const answer = (req: ChatRequest) => JSON.stringify({ Priority: 'High', Score: Number(rowIn(req).slice(4)), '@body': `Body of ${rowIn(req)}` });

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function database(u: UserFixture, rows: number) {
  const db = world.notion.addDatabase({
    title: 'Typed rows',
    parentPageId: u.rootId,
    properties: { Name: { title: {} }, Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } }, Score: { number: {} } },
  });
  for (let i = 1; i <= rows; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
  return db;
}

const bodyOf = (rowId: string) => world.notion.childrenOf(rowId).map(blockText);

describe('typed outputs across a restart', () => {
  it('a row whose structured write was in flight is finished from the stored values, not generated again', async () => {
    const u = world.addUser('U0TYPEDRESUME');
    const db = database(u, 12);
    world.openai.setResponder(answer);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 20 });
    const first = world.service({ shutdownGraceMs: 100 });
    const rec = recorder();
    const request = { targetUrl: db.url, prompt: 'Rate {{Name}}', output: { kind: 'properties' as const, outputs: OUTPUTS } };
    const { runId } = await first.start(u.user, request, rec.listener, { test: true });
    await until(() => rec.updates.some((p) => p.done >= 2));
    await first.shutdown();
    const stored = (await world.store.get<RunRecord>(NAMESPACE, `run:${runId}`))!;
    expect(stored.state).toBe('running');
    expect(stored.done).toBeLessThan(12);

    // A crash while a typed row's write was in flight: its values were stored, its write had not landed.
    const pending = world.notion.rows(db.dataSourceId).find((r) => bodyOf(r.id).length === 0)!;
    const marker = {
      rowId: pending.id,
      text: 'Planted body',
      properties: { Priority: { select: { name: 'Low' } }, Score: { number: 99 } },
      since: new Date().toISOString(),
    };
    await world.store.set(NAMESPACE, `inflight:${runId}:${pending.id}`, marker);
    await world.store.set(NAMESPACE, `run:${runId}`, { ...stored, inFlight: [pending.id] });

    world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    const chatsBefore = world.openai.requests.length;
    const resumed = recorder();
    await world.service().resumeInterrupted(() => resumed.listener);
    const end: RunProgress = await resumed.ended;
    expect(end).toMatchObject({ state: 'succeeded', done: 12, failed: 0, resumed: true });

    const planted = world.notion.getPage(pending.id)!;
    expect(prop(planted, 'Priority')).toBe('Low');
    expect(prop(planted, 'Score')).toBe(99);
    expect(bodyOf(pending.id)).toEqual(['Planted body']);
    const prompts = world.openai.requests.slice(chatsBefore).map((r) => JSON.stringify(r.body?.messages ?? []));
    expect(prompts.some((p) => p.includes(`Rate ${prop(pending, 'Name')}"`))).toBe(false);
    expect(prompts).toHaveLength(12 - stored.done - 1);
    // Every other row once, with its own values.
    for (const row of world.notion.rows(db.dataSourceId).filter((r) => r.id !== pending.id)) {
      const name = String(prop(row, 'Name'));
      expect(bodyOf(row.id)).toEqual([`Body of ${name}`]);
      expect(prop(world.notion.getPage(row.id)!, 'Score')).toBe(Number(name.slice(4)));
    }
    expect(await world.store.get(NAMESPACE, `inflight:${runId}:${pending.id}`)).toBeUndefined();
  }, 60_000);
});

describe('cancelling a typed run', () => {
  it('stops after the rows in flight: each row has all of its values and its body, or none of them', async () => {
    const u = world.addUser('U0TYPEDCANCEL');
    const db = database(u, 20);
    world.openai.setResponder(answer);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 25 });
    const service = world.service();
    const rec = recorder();
    const request = { targetUrl: db.url, prompt: 'Rate {{Name}}', output: { kind: 'properties' as const, outputs: OUTPUTS } };
    const { runId } = await service.start(u.user, request, rec.listener, null);
    await until(() => rec.updates.some((p) => p.done >= 3));
    expect(await service.cancel(u.user, runId)).toBe(true);
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(end.done).toBeLessThan(20);
    const rows = world.notion.rows(db.dataSourceId).map((r) => ({ page: world.notion.getPage(r.id)!, body: bodyOf(r.id) }));
    const whole = rows.filter((r) => prop(r.page, 'Priority') === 'High' && prop(r.page, 'Score') !== null && r.body.length === 1);
    const untouched = rows.filter((r) => prop(r.page, 'Priority') === null && prop(r.page, 'Score') === null && r.body.length === 0);
    expect(whole).toHaveLength(end.done);
    expect(whole.length + untouched.length).toBe(20);
  }, 60_000);
});

describe('running a typed connection again', () => {
  it('records the outputs on the connection row and runs again with the same outputs', async () => {
    const u = world.addUser('U0TYPEDRERUN');
    const db = database(u, 2);
    world.openai.setResponder(answer);
    const service = world.service();
    const rec = recorder();
    await service.start(u.user, { targetUrl: db.url, prompt: 'Rate {{Name}}', output: { kind: 'properties', outputs: OUTPUTS } }, rec.listener, null);
    expect(await rec.ended).toMatchObject({ state: 'succeeded', done: 2 });
    const connection = connectionRows(world, u)[0]!;
    expect(prop(connection, 'Output')).toBe('Properties: ["Priority","Score","@body"]');

    // New rows since: the rerun fills them with the same outputs (rows already filled are skipped).
    world.notion.addRow(db.dataSourceId, titleRow('Row 7'));
    const again = recorder();
    const started = await service.rerun(u.user, connection.id, again.listener, null);
    expect(await again.ended).toMatchObject({ state: 'succeeded', done: 1, skipped: 2 });
    const record = (await world.store.get<RunRecord>(NAMESPACE, `run:${started.runId}`))!;
    expect(record.request.output).toEqual({ kind: 'properties', outputs: OUTPUTS });
    const added = world.notion.rows(db.dataSourceId).find((r) => prop(r, 'Name') === 'Row 7')!;
    expect(prop(world.notion.getPage(added.id)!, 'Score')).toBe(7);
    expect(bodyOf(added.id)).toEqual(['Body of Row 7']);
  }, 60_000);
});
