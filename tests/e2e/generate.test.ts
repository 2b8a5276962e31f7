/**
 * `/visen generate` end to end: the Slack, Notion and OpenAI stand-ins, and Visen started as `npm start`
 * starts it. Each test uses its own Slack user (so one user's connections and response_urls never mix with
 * another's) and its own Notion targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { directChannelFor } from '../stand-ins/slack/ids.js';
import type { Delivery } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { bodyOf as bodyIn, connectionRow, dms as dmsIn, eventually, propertyText, textOf } from './support/observe.js';

let h: Harness;
let T: string;
beforeAll(async () => {
  h = await startHarness();
  T = h.slack.teamId;
});
afterAll(async () => {
  await h?.stop();
});

// ---- helpers ------------------------------------------------------------------------------------------------

async function setUp(userId: string): Promise<{ secret: string; dataSourceId: string; parentPageId: string }> {
  const c = await configureUser(h, userId, { teamId: T });
  return { secret: c.notionSecret, dataSourceId: c.connections.dataSourceId, parentPageId: c.parentPageId };
}

async function command(userId: string, text: string): Promise<Delivery> {
  const d = await h.slack.slashCommand({ userId, teamId: T, text: `generate ${text}` });
  expect(d.acked).toBe(true);
  return d;
}

/** The app's direct messages to this user, each as it looks now; a page's body as Markdown. */
const dms = (userId: string) => dmsIn(h, userId);
const bodyOf = (pageId: string): string => bodyIn(h, pageId);

/** What the app posted to this command's response_url, in order. */
function postsOf(d: Delivery): Array<Record<string, any>> {
  return h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && p.ok).map((p) => p.body as Record<string, any>);
}

const isFinal = (blocks: unknown): boolean => {
  const t = textOf(blocks);
  return (
    !JSON.stringify(blocks ?? null).includes(GenerateIds.cancelAction) &&
    !t.includes('Working on it') &&
    /Done|Finished|failed|Cancelled|could not|:warning:/.test(t)
  );
};

/**
 * The final message of a slash command run: its last response_url post, or, when the run moved to a DM, the
 * DM posted after the command (a run that needs many updates ends there).
 */
async function finalPost(d: Delivery, userId?: string, what = 'the final message', timeoutMs = 60_000): Promise<string> {
  const dmsBefore = userId ? dms(userId).map((m) => m.ts) : [];
  return eventually(
    () => {
      const last = postsOf(d).at(-1);
      if (last && isFinal(last.blocks)) return textOf(last.blocks);
      if (userId) {
        const dm = dms(userId)
          .filter((m) => !dmsBefore.includes(m.ts))
          .at(-1);
        if (dm && isFinal(dm.blocks)) return textOf(dm.blocks);
      }
      return undefined;
    },
    what,
    timeoutMs,
  );
}

async function finalDm(userId: string, what = 'the final direct message', timeoutMs = 60_000): Promise<string> {
  return eventually(
    () => {
      const m = dms(userId).at(-1);
      const t = m ? textOf(m.blocks) : '';
      return m && isFinal(m.blocks) ? t : undefined;
    },
    what,
    timeoutMs,
  );
}

function addDatabase(secret: string, rows: number, title = 'Projects') {
  const db = h.notion.addDatabase({
    title,
    sharedWith: [secret],
    properties: { Name: { title: {} }, Summary: { rich_text: {} }, Status: { select: { options: [{ name: 'Open' }] } } },
  });
  const ids = Array.from(
    { length: rows },
    (_, i) => h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Project ${i + 1}` } }] }, Status: { select: { name: 'Open' } } }).id,
  );
  return { ...db, rowIds: ids };
}

const summaryOf = (rowId: string): string => propertyText(h, rowId, 'Summary');
const openAiCalls = () => h.openai.requests.filter((r) => r.path.includes('chat/completions')).length;

// ---- tests --------------------------------------------------------------------------------------------------

describe('/visen generate, end to end', () => {
  it('a page: "Working on it…" in the ack, then one message updated to Done; the text is appended to the page', async () => {
    const user = 'U0GENPAGE';
    const { secret, dataSourceId } = await setUp(user);
    const page = h.notion.addPage({
      title: 'Kickoff',
      sharedWith: [secret],
      children: [{ paragraph: { rich_text: [{ text: { content: 'Existing intro.' } }] } }],
    });
    const d = await command(user, `${page.url} Write a kickoff checklist`);
    expect(textOf(d.ackPayload?.blocks)).toContain('Working on it');
    const final = await finalPost(d, user);
    expect(final).toContain('Done');
    const body = bodyOf(page.id);
    expect(body.indexOf('Existing intro.')).toBeLessThan(body.indexOf('Write a kickoff checklist'));
    const posts = postsOf(d);
    expect(posts.length).toBeLessThanOrEqual(3);
    for (const p of posts) expect(p.replace_original).toBe(true);
    expect(connectionRow(h, { connections: { dataSourceId } }, page.url)?.status).toBe('Succeeded');
  });

  it('--new-page: a child page is created and linked in the final message', async () => {
    const user = 'U0GENNEW';
    const { secret } = await setUp(user);
    const page = h.notion.addPage({ title: 'Parent', sharedWith: [secret] });
    const d = await command(user, `${page.url} --new-page Write a launch plan`);
    const final = await finalPost(d, user);
    expect(final).toContain('Done');
    const child = await eventually(() => h.notion.childrenOf(page.id).find((b) => b.type === 'child_page'), 'the child page');
    expect(bodyOf(child.id)).toContain('Write a launch plan');
    expect(final.replace(/-/g, '')).toContain(child.id.replace(/-/g, ''));
  });

  it('a database into page bodies, then skip (nothing new), then --all (every row again)', async () => {
    const user = 'U0GENDB';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 3);
    const first = await command(user, `${db.url} Summarise {{Name}}`);
    expect(await finalPost(first, user)).toContain('3 rows written · 0 skipped · 0 failed');
    for (const [i, id] of db.rowIds.entries()) expect(bodyOf(id)).toContain(`Summarise Project ${i + 1}`);

    const again = await command(user, `${db.url} Summarise {{Name}}`);
    expect(await finalPost(again, user)).toContain('0 rows written · 3 skipped');

    const all = await command(user, `${db.url} --all Summarise {{Name}}`);
    expect(await finalPost(all, user)).toContain('3 rows written · 0 skipped');
  }, 60_000);

  it('--into "Summary" fills the property, not the page body; --limit caps the rows', async () => {
    const user = 'U0GENINTO';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 5);
    const d = await command(user, `${db.url} --into “Summary” --limit 2 One line about {{ Name }}`);
    expect(await finalPost(d, user)).toContain('2 rows written');
    const filled = db.rowIds.filter((id) => summaryOf(id) !== '');
    expect(filled).toHaveLength(2);
    for (const id of db.rowIds) expect(bodyOf(id).trim()).toBe('');
  }, 60_000);

  it('bad input is answered in the ack with the usage, and the app still answers the next command', async () => {
    const user = 'U0GENBAD';
    // (An empty `/visen generate` opens the modal: covered below.)
    for (const text of ['https://example.com/x Write', 'https://www.notion.so/acme Write', `https://www.notion.so/${'0'.repeat(32)} --limit 0 Go`]) {
      const d = await command(user, text);
      expect(textOf(d.ackPayload?.blocks)).toContain('Usage');
      expect(postsOf(d)).toHaveLength(0);
    }
    const d = await h.slack.slashCommand({ userId: user, teamId: T, text: 'help' });
    expect(d.acked).toBe(true);
  });

  it('what only the target can tell: unknown placeholders, --new-page on a database, --into on a page; nothing generated', async () => {
    const user = 'U0GENTARGET';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 2, 'Checks');
    const page = h.notion.addPage({ title: 'A page', sharedWith: [secret] });
    const calls = openAiCalls();
    const cases: Array<[string, RegExp]> = [
      [`${db.url} About {{Nope}} and {{ Name }}`, /\{\{Nope\}\}[\s\S]*Name/],
      [`${db.url} --new-page Write`, /database/i],
      [`${page.url} --into Summary Write`, /page/i],
    ];
    for (const [text, expected] of cases) {
      const d = await command(user, text);
      const final = await finalPost(d);
      expect(final).toMatch(expected);
      expect(final).toContain('Nothing was generated');
    }
    expect(openAiCalls()).toBe(calls);
    for (const id of db.rowIds) expect(bodyOf(id).trim()).toBe('');
  });

  it('no settings: a clear message naming /visen settings, and nothing is generated', async () => {
    const user = 'U0GENNOSET';
    const calls = openAiCalls();
    const d = await command(user, `https://www.notion.so/acme/Plan-${'a'.repeat(32)} Write a plan`);
    const final = await finalPost(d);
    expect(final).toContain('/visen settings');
    expect(final).toContain('Nothing was generated');
    expect(openAiCalls()).toBe(calls);
  });

  it('connections database not reachable: a clear message, nothing generated', async () => {
    const user = 'U0GENNOCONN';
    const { secret, parentPageId } = await setUp(user);
    const page = h.notion.addPage({ title: 'Target', sharedWith: [secret] });
    // The connections database is shared through its parent page (as configureUser sets it up).
    h.notion.unshare(parentPageId, secret);
    const calls = openAiCalls();
    const d = await command(user, `${page.url} Write`);
    const final = await finalPost(d);
    expect(final).toContain('Visen connections'); // the connections database, by its name
    expect(final).toContain('/visen settings');
    expect(final).toContain('Nothing was generated');
    expect(openAiCalls()).toBe(calls);
    expect(bodyOf(page.id).trim()).toBe('');
    h.notion.share(parentPageId, secret);
  });

  it('the modal: open, enter the URL (dispatch_action) to get the properties, submit, progress in a DM', async () => {
    const user = 'U0GENMODAL';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 2, 'Modal DB');
    const before = h.slack.views.opened.length;
    await command(user, '');
    const opened = await eventually(() => h.slack.views.opened.slice(before).find((v) => v.callback_id === GenerateIds.modalCallback), 'the modal');

    const updatesBefore = h.slack.views.updated.length;
    await h.slack.blockAction({
      userId: user,
      container: 'view',
      view: { id: opened.id },
      actionId: GenerateIds.targetAction,
      blockId: GenerateIds.targetBlock,
      value: db.url,
      values: {
        [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: db.url },
        [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: 'Two lines on {{Name}}' },
      },
    });
    const updated = await eventually(
      () => h.slack.views.updated.slice(updatesBefore).find((v) => v.blocks.some((b) => b.block_id === GenerateIds.intoSelectBlock)),
      'the modal with the properties',
    );
    expect(textOf(updated.blocks)).toContain('{{Status}}');
    const prompt = updated.blocks.find((b) => b.block_id === GenerateIds.promptBlocks[0]);
    expect(prompt?.element?.initial_value).toBe('Two lines on {{Name}}');

    const submitted = await h.slack.viewSubmission({
      userId: user,
      view: updated,
      values: {
        [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: db.url },
        [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: 'Two lines on {{Name}}' },
        [GenerateIds.outputBlock]: { [GenerateIds.outputAction]: 'property' },
        [GenerateIds.intoSelectBlock]: { [GenerateIds.intoAction]: 'Summary' },
        [GenerateIds.onlyEmptyBlock]: { [GenerateIds.onlyEmptyAction]: ['only_empty'] },
        [GenerateIds.connectionNameBlock]: { [GenerateIds.connectionNameAction]: 'From the modal' },
      },
    });
    expect(submitted.acked).toBe(true);
    expect(submitted.ackPayload).toEqual({ response_action: 'clear' });
    const final = await finalDm(user);
    expect(final).toContain('2 rows written');
    expect(final).toContain('From the modal');
    for (const id of db.rowIds) expect(summaryOf(id)).not.toBe('');
  }, 60_000);

  it('the modal keeps field errors in the modal (response_action: errors)', async () => {
    const user = 'U0GENMODERR';
    await command(user, '');
    const opened = await eventually(() => h.slack.modalStack(user).at(-1), 'the modal');
    const d = await h.slack.viewSubmission({
      userId: user,
      view: opened,
      values: {
        [GenerateIds.targetBlock]: { [GenerateIds.targetAction]: 'https://example.com/x' },
        [GenerateIds.promptBlocks[0]]: { [GenerateIds.promptAction]: '   ' },
      },
    });
    expect(d.ackPayload?.response_action).toBe('errors');
    expect(Object.keys(d.ackPayload?.errors ?? {})).toEqual(expect.arrayContaining([GenerateIds.targetBlock, GenerateIds.promptBlocks[0]]));
  });

  it('a long run moves its progress to a DM after 3 updates, and ends there; never more than 5 posts', async () => {
    const user = 'U0GENLONG';
    const { secret } = await setUp(user);
    // Long enough (well over the 3 progress posts' 4 s) that it must move; a run that ends sooner ends in post #4.
    const db = addDatabase(secret, 20, 'Long');
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 100 });
    try {
      const d = await command(user, `${db.url} Summarise {{Name}}`);
      const final = await finalDm(user, 'the final DM', 90_000).catch((err: unknown) => {
        // Say what was shown, so a failure here can be told from a slow machine.
        throw new Error(`${String(err)}; posts: ${JSON.stringify(postsOf(d).map((p) => p.text))}; DMs: ${JSON.stringify(dms(user).map((m) => m.text))}`);
      });
      expect(final).toContain('20 rows written');
      const posts = postsOf(d);
      expect(posts.length).toBeLessThanOrEqual(5);
      expect(posts.some((p) => textOf(p.blocks).includes('continues in a direct message'))).toBe(true);
      expect(h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && !p.ok)).toEqual([]);
      // DM updates at most about once a second.
      const channel = directChannelFor(user);
      const updates = h.slack
        .callsTo('chat.update')
        .filter((c) => c.body.channel === channel)
        .map((c) => c.at);
      for (let i = 1; i < updates.length; i += 1) expect(updates[i]! - updates[i - 1]!).toBeGreaterThanOrEqual(950);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
  }, 120_000);

  it('Cancel from the progress message stops the run after the rows in flight', async () => {
    const user = 'U0GENCANCEL';
    const { secret, dataSourceId } = await setUp(user);
    const db = addDatabase(secret, 20, 'Cancel me');
    h.openai.setStreamRate({ charsPerChunk: 10, chunkIntervalMs: 80 });
    try {
      const d = await command(user, `${db.url} Summarise {{Name}}`);
      await eventually(() => postsOf(d).some((p) => JSON.stringify(p.blocks).includes(GenerateIds.cancelAction)), 'a Cancel button');
      await h.slack.blockAction({ userId: user, actionId: GenerateIds.cancelAction, container: 'message' });
      const t = await eventually(
        () => {
          const all = [...postsOf(d).map((p) => textOf(p.blocks)), ...dms(user).map((m) => textOf(m.blocks))];
          return all.find((x) => x.includes('Cancelled'));
        },
        'the cancelled message',
        60_000,
      );
      expect(t).toMatch(/\d+ rows? written/);
      const written = db.rowIds.filter((id) => bodyOf(id).trim() !== '').length;
      expect(written).toBeLessThan(20);
      await eventually(() => connectionRow(h, { connections: { dataSourceId } }, db.url)?.status === 'Cancelled', 'the connection marked Cancelled');
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
  }, 90_000);

  it('a restart in the middle of a database run: progress continues in a DM and every row is written once', async () => {
    const user = 'U0GENRESTART';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 10, 'Restart');
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 60 });
    try {
      const d = await command(user, `${db.url} Summarise {{Name}}`);
      await eventually(() => db.rowIds.filter((id) => bodyOf(id).trim() !== '').length >= 2, 'two rows written', 60_000);
      await h.restart();
      const final = await finalDm(user, 'the final DM after the restart', 90_000);
      expect(final).toMatch(/restarted/);
      expect(final).toContain('Done');
      for (const [i, id] of db.rowIds.entries()) {
        const body = bodyOf(id);
        expect(body.split(`Summarise Project ${i + 1}`).length - 1).toBeGreaterThanOrEqual(1);
        expect(body.split('That is all for this prompt.').length - 1).toBe(1);
      }
      expect(postsOf(d).length).toBeLessThanOrEqual(5);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
  }, 150_000);

  it('a run whose progress had moved to a DM keeps updating that same DM after a restart', async () => {
    const user = 'U0GENMOVED';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 24, 'Moved');
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 100 });
    try {
      const sentAt = Date.now();
      await command(user, `${db.url} Summarise {{Name}}`);
      const dmPosts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === user && c.ok && c.at >= sentAt);
      await eventually(() => dmPosts().length === 1, 'progress moved to a DM', 60_000);
      const movedTo = h.slack.messages.filter((m) => m.kind === 'post' && m.via === 'api' && m.channel === directChannelFor(user)).at(-1)?.ts;
      await h.restart();
      const final = await finalDm(user, 'the final DM after the restart', 120_000).catch((err: unknown) => {
        throw new Error(`${String(err)}; DMs: ${JSON.stringify(dms(user).map((m) => textOf(m.blocks)))}`);
      });
      expect(final).toContain('24 rows written');
      // No second DM: the resumed run went on updating the message the progress had moved to.
      expect(dmPosts()).toHaveLength(1);
      const lastUpdate = h.slack
        .callsTo('chat.update')
        .filter((c) => c.body.channel === directChannelFor(user))
        .at(-1);
      expect(lastUpdate?.body.ts).toBe(movedTo);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
  }, 180_000);

  it('a restart right after the command (its checks still running): the run starts, is resumed, and every row is written once', async () => {
    const user = 'U0GENEARLY';
    const { secret } = await setUp(user);
    const db = addDatabase(secret, 12, 'Early');
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 100 });
    const sentAt = Date.now();
    const d = await command(user, `${db.url} Summarise {{Name}}`);
    await h.restart().finally(() => h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 }));
    const told = await eventually(
      () =>
        [
          ...postsOf(d).map((p) => textOf(p.blocks)),
          ...dms(user)
            .filter((m) => Number(m.ts) * 1000 >= sentAt - 1000)
            .map((m) => textOf(m.blocks)),
        ].find((t) => /Done|could not|failed|:warning:/.test(t)),
      'a final word after the restart',
      60_000,
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}; posts: ${JSON.stringify(postsOf(d).map((p) => textOf(p.blocks)))}; DMs: ${JSON.stringify(dms(user).map((m) => textOf(m.blocks)))}`,
      );
    });
    expect(told).toMatch(/^:white_check_mark: Done/);
    expect(told).toContain('12 rows written');
    for (const id of db.rowIds) expect(bodyOf(id).split('That is all for this prompt.').length - 1).toBe(1);
  }, 90_000);

  it('Slack saw no protocol failures (acks in time, response_url budget, Block Kit limits)', () => {
    expect(h.slack.failures).toEqual([]);
    expect(h.notion.failures).toEqual([]);
  });
});
