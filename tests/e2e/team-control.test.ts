/**
 * Team mode: Cancel, a preview's buttons and the Home tab's runs reach a run wherever it runs. The command comes
 * through A's socket and the run is queued: whichever worker takes it runs it, and Slack hands the clicks and the
 * Home tab to the other one:
 * - Home opened through the other worker lists the run with its progress; Cancel clicked through it stops the run
 *   (Cancelled, the row too);
 * - a preview waiting at one worker's gate is confirmed through the other and written once; clicked on both, it acts once;
 * - a Cancel for a run that has ended says so, whichever worker gets it;
 * - `/visen clear` through the other worker stops the user's run too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { SettingsAction } from '../../src/slack/listeners/settings/ids.js';
import { findElement } from '../stand-ins/slack/interactions.js';
import type { Delivery } from '../stand-ins/slack/types.js';
import { redisAvailable } from '../support/redis.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { connectionRow, eventually, messagesFor, textOf } from './support/observe.js';
import { logEntries, startTeam, type Team, type TeamWorker } from './support/team.js';
import { command, dealIn, finalText, typedDatabase } from './support/typed.js';

let team: Team;
let alice: ConfiguredUser;

beforeAll(async () => {
  if (!redisAvailable) return;
  team = await startTeam();
  team.via(team.a);
  alice = await configureUser(team.h, 'U0TEAMCTL');
}, 60_000);

afterEach(() => {
  team?.h.openai.setResponder(undefined);
  team?.h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
  team?.h.openai.setLatency(0);
});

afterAll(async () => {
  await team?.stop();
});

/** Every update of every message the user saw, as text, in order. */
const shown = () => messagesFor(team.h, alice.userId).map((m) => textOf(m.blocks));

/** The value of the newest Cancel button the user sees (it names the run and its owner). */
function cancelValueShown(): string | undefined {
  for (const message of messagesFor(team.h, alice.userId).reverse()) {
    const found = findElement(message.blocks ?? [], GenerateIds.cancelAction);
    if (found) return String(found.element.value);
  }
  return undefined;
}

async function clickVia(worker: TeamWorker, actionId: string, value?: string): Promise<Delivery> {
  team.via(worker);
  const d = await team.h.slack.blockAction({ userId: alice.userId, teamId: alice.teamId, actionId, container: 'message', ...(value ? { value } : {}) });
  expect(d.acked).toBe(true);
  expect(d.connectionId).toBe(worker.connectionId);
  return d;
}

/** The ephemeral answer to a click, posted to that click's response_url. */
function answerTo(d: Delivery): Promise<string> {
  return eventually(
    () => team.h.slack.responseUrlPosts.find((p) => p.url === d.responseUrl && p.body?.text)?.body.text as string | undefined,
    'the answer to the click',
  );
}

/** Opens the Home tab through `worker` and waits for a published view that satisfies `until`. */
async function homeVia(worker: TeamWorker, until: (text: string) => boolean): Promise<string> {
  const published = () => ((team.h.slack.views.published as Map<string, unknown[]>).get(alice.userId) ?? []) as Array<{ blocks: unknown }>;
  const before = published().length;
  team.via(worker);
  const d = await team.h.slack.appHomeOpened({ userId: alice.userId, teamId: alice.teamId });
  expect(d.connectionId).toBe(worker.connectionId);
  return eventually(
    () =>
      published()
        .slice(before)
        .map((v) => textOf(v.blocks))
        .find(until),
    'the Home view through worker B',
  );
}

/** The worker whose registry holds alice's run (the one that took it from the queue). */
function runner(): Promise<TeamWorker> {
  const ref = { teamId: alice.teamId, userId: alice.userId };
  return eventually(() => [team.a, team.b].find((w) => w.visen.services.generation.activeRuns(ref).length > 0), 'the worker running the run');
}

const otherThan = (worker: TeamWorker): TeamWorker => (worker === team.a ? team.b : team.a);

function databaseOf(rows: number, title: string) {
  const db = team.h.notion.addDatabase({ title, sharedWith: [alice.notionSecret], properties: { Name: { title: {} } } });
  const rowIds = Array.from({ length: rows }, (_, i) => team.h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Row ${i + 1}` } }] } }).id);
  return { ...db, rowIds };
}

/**
 * Property updates of each row that Notion accepted: a write refused (a 429 from Notion's workspace limit, say) and
 * sent again is one write, not two.
 */
function rowUpdatesAccepted(rowIds: readonly string[], from: number): number[] {
  const accepted = team.h.notion.requests.slice(from).filter((r) => r.method === 'PATCH' && r.status === 200 && /^\/v1\/pages\/[^/]+$/.test(r.path));
  const compact = (id: string) => id.replace(/-/g, '');
  return rowIds.map((id) => accepted.filter((r) => compact(r.path).includes(compact(id))).length);
}

const writtenRows = (rowIds: readonly string[]) => rowIds.filter((id) => team.h.notion.childrenOf(id).length > 0);
let endedRunCancelValue: string | undefined;

describe.skipIf(!redisAvailable)('Cancel, previews and Home across two workers', () => {
  it('Home opened through the other worker shows the run, with its progress; Cancel through it stops the run', async () => {
    const db = databaseOf(40, 'Team rows');
    // One paragraph a row, streamed over about half a second: the run takes a while, and a row is whole or untouched.
    team.h.openai.setResponder(() => 'A short note about this row, streamed slowly.');
    team.h.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 40 });
    team.via(team.a);
    const d = await command(team.h, alice.userId, `${db.url} Write about {{Name}}`);
    expect(d.connectionId).toBe(team.a.connectionId);
    await eventually(() => writtenRows(db.rowIds).length >= 2 && cancelValueShown(), 'two rows written and a Cancel button', 30_000);
    const running = await runner();
    const other = otherThan(running);

    const home = await homeVia(other, (t) => /In progress/.test(t) && /[1-9]\d* of 40 rows done/.test(t));
    expect(home).toContain('Team rows');

    endedRunCancelValue = cancelValueShown();
    const click = await clickVia(other, GenerateIds.cancelAction);
    expect(await answerTo(click)).toBe('Cancelling… The run’s message says so once it has stopped.');
    const final = await eventually(() => shown().find((t) => t.includes(':octagonal_sign: Cancelled')), 'the Cancelled message', 30_000);
    await eventually(() => connectionRow(team.h, alice, db.url)?.status === 'Cancelled', 'the connection marked Cancelled');
    const written = writtenRows(db.rowIds);
    expect(written.length).toBeLessThan(40);
    expect(final).toContain(`${written.length} rows written`);
    for (const rowId of written) expect(team.h.notion.childrenOf(rowId)).toHaveLength(1);
    expect(logEntries(running).some((l) => l.msg === 'applying a run control request from another worker')).toBe(true);

    // Ended: Home through the other worker lists it no more.
    const after = await homeVia(other, (t) => !t.includes('refreshing…') && !t.includes('Reading your connections'));
    expect(after).not.toContain('In progress');
    expect(team.h.slack.failures).toEqual([]);
  }, 90_000);

  it('a Cancel for a run that has ended says so, through either worker', async () => {
    expect(endedRunCancelValue).toBeDefined();
    const page = team.h.notion.addPage({ title: 'Slow page', parentPageId: alice.parentPageId });
    team.h.openai.setLatency(8_000); // the page run waits for its answer, its Cancel button shown
    team.via(team.a);
    await command(team.h, alice.userId, `${page.url} Write slowly`);
    await eventually(() => cancelValueShown() !== endedRunCancelValue && cancelValueShown(), 'the page run’s Cancel button');

    // A message still showing the ended run's button (the client had not refreshed): the click names that run.
    for (const worker of [team.b, team.a]) {
      const stale = await clickVia(worker, GenerateIds.cancelAction, endedRunCancelValue);
      expect(await answerTo(stale)).toBe('This run is not running any more: it has finished or was stopped already.');
    }

    await clickVia(otherThan(await runner()), GenerateIds.cancelAction);
    await eventually(() => connectionRow(team.h, alice, page.url)?.status === 'Cancelled', 'the page run marked Cancelled', 30_000);
    expect(team.h.notion.childrenOf(page.id)).toEqual([]);
    expect(team.h.slack.failures).toEqual([]);
  }, 60_000);

  it('a preview waiting at one worker’s gate, confirmed through the other, is written once', async () => {
    const db = typedDatabase(team.h, alice.notionSecret, { rows: 3, title: 'Team preview' });
    team.h.openai.setResponder((req) => `Summary of ${dealIn(req)}`);
    const notionFrom = team.h.notion.requests.length;
    team.via(team.a);
    const d = await command(team.h, alice.userId, `${db.url} --into Summary --preview 2 Summarise {{Name}}`);
    await eventually(() => shown().some((t) => t.includes(':mag: Preview of')) && hasPreviewButtons(), 'the preview with its buttons', 60_000);
    expect(rowUpdatesAccepted(db.rowIds, notionFrom)).toEqual([0, 0, 0]);

    const click = await clickVia(otherThan(await runner()), GenerateIds.previewConfirmAction);
    const final = await finalText(team.h, d, alice.userId);
    expect(final).toContain('3 rows written');
    expect(rowUpdatesAccepted(db.rowIds, notionFrom)).toEqual([1, 1, 1]);
    expect(team.h.slack.responseUrlPosts.filter((p) => p.url === click.responseUrl)).toEqual([]);
    expect(connectionRow(team.h, alice, db.url)?.status).toBe('Succeeded');
    expect(team.h.slack.failures).toEqual([]);
  }, 90_000);

  it('a preview clicked on both workers at once acts once: the other click is told it was answered', async () => {
    const db = typedDatabase(team.h, alice.notionSecret, { rows: 3, title: 'Team preview twice' });
    team.h.openai.setResponder((req) => `Summary of ${dealIn(req)}`);
    const notionFrom = team.h.notion.requests.length;
    team.via(team.a);
    const d = await command(team.h, alice.userId, `${db.url} --into Summary --preview 2 Summarise {{Name}}`);
    await eventually(() => previewShownFor('Team preview twice') && hasPreviewButtons(), 'the preview with its buttons', 60_000);

    // Both envelopes leave before either is answered: one on B's socket, one on A's.
    team.via(team.b);
    const viaB = team.h.slack.blockAction({ userId: alice.userId, teamId: alice.teamId, actionId: GenerateIds.previewConfirmAction, container: 'message' });
    team.via(team.a);
    const viaA = team.h.slack.blockAction({ userId: alice.userId, teamId: alice.teamId, actionId: GenerateIds.previewConfirmAction, container: 'message' });
    const clicks = await Promise.all([viaB, viaA]);
    expect(clicks.map((c) => c.connectionId)).toEqual([team.b.connectionId, team.a.connectionId]);

    const final = await finalText(team.h, d, alice.userId);
    expect(final).toContain('3 rows written');
    expect(rowUpdatesAccepted(db.rowIds, notionFrom)).toEqual([1, 1, 1]);
    const answers = await eventually(() => {
      const posts = team.h.slack.responseUrlPosts.filter((p) => clicks.some((c) => c.responseUrl === p.url)).map((p) => p.body?.text);
      return posts.length > 0 ? posts : undefined;
    }, 'the answer to the second click');
    expect(answers).toEqual(['This preview was already answered; the run’s message shows what happens next.']);
    expect(team.h.slack.failures).toEqual([]);
  }, 90_000);

  // Last: alice has no settings after it.
  it('/visen clear through the other worker stops the user’s run, its row says Cancelled, and no record of it stays', async () => {
    const db = databaseOf(40, 'Team rows to clear');
    team.h.openai.setResponder(() => 'A short note about this row, streamed slowly.');
    team.h.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 40 });
    team.via(team.a);
    await command(team.h, alice.userId, `${db.url} Write about {{Name}}`);
    await eventually(() => writtenRows(db.rowIds).length >= 2, 'two rows written', 30_000);
    const other = otherThan(await runner());

    team.via(other);
    const from = team.h.slack.messages.length;
    const asked = await team.h.slack.slashCommand({ userId: alice.userId, teamId: alice.teamId, text: 'clear' });
    const confirmation = team.h.slack.messages.slice(from).find((m) => m.via === 'ack' && m.user === alice.userId);
    expect(asked.connectionId).toBe(other.connectionId);
    await team.h.slack.blockAction({ userId: alice.userId, teamId: alice.teamId, actionId: SettingsAction.clearConfirm, message: confirmation });
    await eventually(
      () => team.h.slack.messages.slice(from).some((m) => /settings and local records are deleted/.test(m.text ?? '')),
      'the clear confirmed',
      30_000,
    );

    expect(connectionRow(team.h, alice, db.url)?.status).toBe('Cancelled');
    const written = writtenRows(db.rowIds).length;
    expect(written).toBeLessThan(40);
    const ref = { teamId: alice.teamId, userId: alice.userId };
    expect(team.a.visen.services.generation.activeRuns(ref)).toEqual([]);
    expect(team.b.visen.services.generation.activeRuns(ref)).toEqual([]);
    expect(await team.a.visen.services.generation.runsInProgress(ref)).toEqual([]);
    // Nothing keeps writing after the clear.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(writtenRows(db.rowIds).length).toBe(written);
    expect(team.h.slack.failures).toEqual([]);
  }, 90_000);
});

function hasPreviewButtons(): boolean {
  return messagesFor(team.h, alice.userId).some((m) => findElement(m.blocks ?? [], GenerateIds.previewConfirmAction) !== undefined);
}

function previewShownFor(title: string): boolean {
  return shown().some((t) => t.includes(':mag: Preview of') && t.includes(title));
}
