/**
 * The preview gate of database runs (services/generation/preview-gate.ts) against the stand-ins: held answers are
 * written as generated, a preview larger than the row concurrency fills up, a failed preview row gives its slot to
 * the next, the answers to clicks (once, owner only), and a preview a restart interrupted ends without writing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLocalStore } from '../../../src/adapters/store.js';
import type { GenerationService, RunProgress } from '../../../src/services/generation/types.js';
import type { UserRef } from '../../../src/users.js';
import { logger, prop, recorder, startWorld, titleRow, type UserFixture, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

function summaryDatabase(u: UserFixture, rows: number, title: string) {
  const db = world.notion.addDatabase({ title, parentPageId: u.rootId, properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
  const ids = Array.from({ length: rows }, (_, i) => world.notion.addRow(db.dataSourceId, titleRow(`Row ${i + 1}`)).id);
  return { ...db, ids };
}

/** The row named in the prompt's last user message. */
const rowIn = (req: { messages: Array<{ role: string; content: string }> }) =>
  /Row \d+/.exec(req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '')?.[0] ?? '?';

/** Starts a run and resolves once its preview waits (with the progress that showed it). */
async function startToPreview(service: GenerationService, user: UserRef, request: Parameters<GenerationService['start']>[1]) {
  const rec = recorder();
  const started = await service.start(user, request, rec.listener, { test: true });
  const waiting = await vi.waitFor(
    () => {
      const found = rec.updates.find((p) => p.preview?.phase === 'waiting');
      if (!found) throw new Error('no waiting preview yet');
      return found;
    },
    { timeout: 30_000, interval: 20 },
  );
  return { runId: started.runId, waiting, rec };
}

const chatsOf = (key: string) => world.openai.requests.filter((r) => r.key === key && r.path === '/v1/chat/completions');

describe('the preview gate', () => {
  it('fills a preview larger than the row concurrency, writes nothing until confirmed, then writes the held answers as they were', async () => {
    const u = world.addUser('U0GATEBIG');
    const db = summaryDatabase(u, 8, 'Gate big');
    let n = 0;
    world.openai.setResponder((req) => `About ${rowIn(req)} #${++n}`);
    const service = world.service({ rowConcurrency: 2 });
    // The first answer to be asked for comes last: the preview still lists its rows in the database's order.
    world.openai.injectFault({ kind: 'slow', delayMs: 400 });
    const { runId, waiting, rec } = await startToPreview(service, u.user, {
      targetUrl: db.url,
      prompt: 'Summarise {{Name}}',
      output: { kind: 'property', property: 'Summary' },
      preview: 6,
    });

    expect(waiting.preview?.rows.map((r) => r.title)).toEqual(['Row 1', 'Row 2', 'Row 3', 'Row 4', 'Row 5', 'Row 6']);
    expect(waiting.preview?.rowsToDo).toBe(8);
    expect(waiting.preview?.tokens).toBeGreaterThan(0);
    expect(waiting.preview?.estimatedTokens).toBe(Math.round((waiting.preview!.tokens! / 6) * 8));
    expect(chatsOf(u.settings.openaiKey)).toHaveLength(6);
    for (const id of db.ids) expect(prop(world.notion.getPage(id)!, 'Summary')).toBe('');

    expect(await service.confirmPreview(u.user, runId)).toBe('confirmed');
    expect(await service.confirmPreview(u.user, runId)).toBe('already-decided');
    expect(await service.cancelPreview(u.user, runId)).toBe('already-decided');
    const end = await rec.ended;
    expect(end.state).toBe('succeeded');
    expect(end.done).toBe(8);
    expect(chatsOf(u.settings.openaiKey)).toHaveLength(8);
    for (const [i, row] of waiting.preview!.rows.entries()) {
      expect(prop(world.notion.getPage(db.ids[i]!)!, 'Summary')).toBe(row.values[0]!.value);
    }
    expect(await service.confirmPreview(u.user, runId)).toBe('not-waiting');
  }, 60_000);

  it('answers only the run’s owner; cancelling writes nothing and ends the run as cancelled', async () => {
    const u = world.addUser('U0GATECANCEL');
    const db = summaryDatabase(u, 4, 'Gate cancel');
    world.openai.setResponder((req) => `About ${rowIn(req)}`);
    const service = world.service();
    const { runId, rec } = await startToPreview(service, u.user, {
      targetUrl: db.url,
      prompt: 'Summarise {{Name}}',
      output: { kind: 'property', property: 'Summary' },
      preview: 2,
    });

    expect(await service.cancelPreview({ teamId: u.user.teamId, userId: 'U0SOMEONEELSE' }, runId)).toBe('not-waiting');
    expect(await service.confirmPreview({ teamId: u.user.teamId, userId: 'U0SOMEONEELSE' }, runId)).toBe('not-waiting');
    expect(await service.cancelPreview(u.user, runId)).toBe('cancelled');
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(end.done).toBe(0);
    expect(end.preview?.phase).toBe('cancelled');
    for (const id of db.ids) expect(prop(world.notion.getPage(id)!, 'Summary')).toBe('');
  }, 60_000);

  it('a preview row that fails gives its slot to the next row; fewer rows than asked are all shown', async () => {
    const u = world.addUser('U0GATEFAIL');
    const db = summaryDatabase(u, 3, 'Gate fail');
    // An empty answer fails its row (nothing to write).
    world.openai.setResponder((req) => (rowIn(req) === 'Row 2' ? '' : `About ${rowIn(req)}`));
    const service = world.service({ rowConcurrency: 1 });
    const { runId, waiting, rec } = await startToPreview(service, u.user, {
      targetUrl: db.url,
      prompt: 'Summarise {{Name}}',
      output: { kind: 'property', property: 'Summary' },
      preview: 5,
    });

    expect(waiting.preview?.rows.map((r) => r.title)).toEqual(['Row 1', 'Row 3']);
    expect(waiting.preview?.failed).toBe(1);
    expect(waiting.error).toContain('Row 2');
    expect(await service.confirmPreview(u.user, runId)).toBe('confirmed');
    const end = await rec.ended;
    expect(end.done).toBe(2);
    expect(end.failed).toBe(1);
  }, 60_000);

  it('a page target refuses --preview before anything runs', async () => {
    const u = world.addUser('U0GATEPAGE');
    const page = world.notion.addPage({ title: 'A page', parentPageId: u.rootId });
    await expect(world.service().start(u.user, { targetUrl: page.url, prompt: 'Write', preview: 3 }, () => undefined, {})).rejects.toMatchObject({
      userMessage: expect.stringContaining('`--preview` is for a database'),
    });
  });

  it('a preview waiting when Visen restarts is shown again; confirming then writes the held answers without generating again', async () => {
    const u = world.addUser('U0GATERESTART');
    const db = summaryDatabase(u, 4, 'Gate restart');
    let n = 0;
    world.openai.setResponder((req) => `About ${rowIn(req)} #${++n}`);
    const first = world.service();
    const { runId, waiting } = await startToPreview(first, u.user, {
      targetUrl: db.url,
      prompt: 'Summarise {{Name}}',
      output: { kind: 'property', property: 'Summary' },
      preview: 2,
    });
    await first.shutdown();
    await world.store.close();
    world.store = await openLocalStore(world.dataDir, logger);

    const second = world.service();
    const updates: RunProgress[] = [];
    const resumed = await second.resumeInterrupted(() => (p) => void updates.push(p));
    expect(resumed.find((p) => p.runId === runId)?.preview?.phase).toBe('waiting');
    const shownAgain = updates.find((p) => p.runId === runId && p.preview?.phase === 'waiting');
    expect(shownAgain?.preview?.rows).toEqual(waiting.preview?.rows);
    for (const id of db.ids) expect(prop(world.notion.getPage(id)!, 'Summary')).toBe('');

    expect(await second.confirmPreview(u.user, runId)).toBe('confirmed');
    await vi.waitFor(() => expect(updates.at(-1)?.state).toBe('succeeded'), { timeout: 30_000, interval: 20 });
    expect(updates.at(-1)?.done).toBe(4);
    expect(prop(world.notion.getPage(db.ids[0]!)!, 'Summary')).toBe(waiting.preview!.rows[0]!.values[0]!.value);
    expect(prop(world.notion.getPage(db.ids[1]!)!, 'Summary')).toBe(waiting.preview!.rows[1]!.values[0]!.value);
    // Two answers for the preview, two for the rest: none for a previewed row again.
    expect(chatsOf(u.settings.openaiKey)).toHaveLength(4);
    expect(await world.store.get('generation', `held:${runId}:${db.ids[0]}`)).toBeUndefined();
  }, 60_000);
});
