/**
 * The Home tab end to end: Slack, Notion and OpenAI stand-ins, Visen started as `npm start` starts it.
 * Connection rows are seeded straight into the Notion stand-in with the schema's property values (as the
 * generate feature writes them), so these tests need no generation except "Run again".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directChannelFor } from '../stand-ins/slack/ids.js';
import { type Harness, startHarness } from './harness.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { eventually, textOf } from './support/observe.js';

type View = { type: string; blocks: Array<Record<string, any>> };

let h: Harness;
/** The stand-in workspace's team: connection rows say `<team>:<user>`. */
let T = '';
beforeAll(async () => {
  h = await startHarness();
  T = h.slack.teamId;
});
afterAll(async () => {
  await h?.stop();
});

// ---- helpers over the stand-ins ---------------------------------------------------------------------------

function viewsOf(userId: string): View[] {
  return ((h.slack.views.published as Map<string, unknown[]>).get(userId) ?? []) as View[];
}

function latestView(userId: string): View | undefined {
  return viewsOf(userId).at(-1);
}

function buttons(view: View | undefined, actionId: string): Array<Record<string, any>> {
  return (view?.blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements as Array<Record<string, any>>).filter((e) => e.action_id === actionId));
}

/** Opens the Home tab and waits for the view read fresh from Notion (the publish after the cached one). */
async function openHome(
  userId: string,
  until: (text: string) => boolean = (t) => !t.includes('refreshing…') && !t.includes('Reading your connections'),
  timeoutMs = 10_000,
): Promise<View> {
  const before = viewsOf(userId).length;
  await h.slack.appHomeOpened({ userId });
  return eventually(
    () => {
      const views = viewsOf(userId).slice(before);
      return (
        views.find((v, i) => i > 0 && until(textOf(v))) ?? (views.length >= 1 && until(textOf(views.at(-1))) && views.length >= 2 ? views.at(-1) : undefined)
      );
    },
    `a fresh Home view for ${userId}`,
    timeoutMs,
  );
}

async function clickHome(userId: string, actionId: string, value?: string, selected?: string): Promise<void> {
  const view = latestView(userId);
  const block = view?.blocks.find(
    (b) =>
      b.type === 'actions' && (b.elements as Array<Record<string, any>>).some((e) => e.action_id === actionId && (value === undefined || e.value === value)),
  );
  await h.slack.blockAction({
    userId,
    actionId,
    blockId: block?.block_id,
    ...(value !== undefined ? { value } : {}),
    ...(selected !== undefined ? { selectedOption: selected } : {}),
    view: { type: 'home' },
  });
}

interface SeedRow {
  name: string;
  owner: string;
  type?: 'Page' | 'Database';
  status?: 'Ready' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
  lastRun?: string;
  runs?: number;
  items?: number;
  lastError?: string;
  target?: string;
  prompt?: string;
  output?: string;
}

const text = (content: string) => ({ rich_text: content ? [{ type: 'text', text: { content } }] : [] });

/**
 * A row as an earlier Visen made it for `c`: through the API with c's integration (so `created_by` is its bot), before
 * this Visen began its record of created rows; such rows are adopted as c's when they name c (see provenance.ts).
 */
function seedRow(c: ConfiguredUser, r: SeedRow): { id: string; url: string } {
  return h.notion.addRow(
    dataSourceOf(c),
    {
      Name: { title: [{ type: 'text', text: { content: r.name } }] },
      Type: { select: { name: r.type ?? 'Page' } },
      Target: { url: r.target ?? 'https://www.notion.so/acme/Target-0123456789abcdef0123456789abcdef' },
      Prompt: text(r.prompt ?? 'Write a haiku'),
      Output: text(r.output ?? 'Append to page'),
      Model: text('gpt-5-mini'),
      'Slack user': text(r.owner),
      Status: { select: { name: r.status ?? 'Succeeded' } },
      'Last run': r.lastRun === undefined ? { date: { start: '2026-03-01T10:00:00.000Z' } } : { date: r.lastRun ? { start: r.lastRun } : null },
      Runs: { number: r.runs ?? 1 },
      Items: { number: r.items ?? 1 },
      'Last error': text(r.lastError ?? ''),
    },
    { createdBy: c.botId, createdTime: '2026-01-01T09:00:00.000Z' },
  );
}

const configured = new Map<string, ConfiguredUser>();
async function setUp(userId: string): Promise<ConfiguredUser> {
  const existing = configured.get(userId);
  if (existing) return existing;
  const c = await configureUser(h, userId);
  configured.set(userId, c);
  return c;
}

const dataSourceOf = (c: ConfiguredUser) => c.connections.dataSourceId;
const secretOf = (c: ConfiguredUser) => c.notionSecret;

// ---- tests --------------------------------------------------------------------------------------------

describe('Home tab, end to end', () => {
  it('before settings: the onboarding; after: the set-up view with its empty state', async () => {
    const user = 'U0ONBOARD';
    const onboarding = await openHome(user, (t) => t.includes('Welcome to Visen'));
    const words = textOf(onboarding);
    expect(words).toContain('`•••` at the top right');
    expect(buttons(onboarding, 'home_open_settings')).toHaveLength(1);
    expect(onboarding.blocks.length).toBeLessThanOrEqual(100);

    await setUp(user);
    const setUpView = await openHome(user, (t) => t.includes('No connections yet'));
    const t = textOf(setUpView);
    expect(t).toContain('*Notion:* linked to');
    expect(t).toMatch(/key saved, ending in `.{4}`/);
    expect(t).toContain('*Default model:*');
    expect(buttons(setUpView, 'home_new_generation')).toHaveLength(1);
    expect(buttons(setUpView, 'home_refresh')).toHaveLength(1);
  });

  it('one connection: name, type, target link, status, runs, items, last error, and its buttons', async () => {
    const user = 'U0ONE';
    const c = await setUp(user);
    const row = seedRow(c, { name: 'Weekly digest', owner: `${T}:${user}`, status: 'Failed', runs: 4, items: 7, lastError: 'OpenAI rejected the key.' });
    const view = await openHome(user, (t) => t.includes('Weekly digest'));
    const t = textOf(view);
    expect(t).toContain('Weekly digest');
    expect(t).toContain('Page → <https://www.notion.so/acme/Target-0123456789abcdef0123456789abcdef|Target>');
    expect(t).toContain(':x: Failed');
    expect(t).toContain('4 runs');
    expect(t).toContain('7 pages written last time');
    expect(t).toContain('OpenAI rejected the key.');
    expect(t).toMatch(/last run <!date\^\d+\^/);
    expect(buttons(view, 'home_delete').map((b) => b.value)).toEqual([row.id]);
    expect(buttons(view, 'home_delete')[0]?.confirm?.title?.text).toBe('Delete this connection?');
    expect(buttons(view, 'home_open_row').map((b) => b.url)).toEqual([h.notion.getPage(row.id)?.url]);
    expect(h.notion.getPage(row.id)?.url).toMatch(/^https:\/\//);
  });

  it('another user’s connections never appear', async () => {
    const user = 'U0MINE';
    const c = await setUp(user);
    seedRow(c, { name: 'Mine', owner: `${T}:${user}` });
    seedRow(c, { name: 'Theirs', owner: `${T}:U0OTHER` });
    seedRow(c, { name: 'Other team', owner: `T0ELSE:${user}` });
    seedRow(c, { name: 'Case twin', owner: `${T}:${user.toLowerCase()}` });
    seedRow(c, { name: 'Prefix twin', owner: `${T}:${user}X` });
    const view = await openHome(user, (t) => t.includes('Mine'));
    const t = textOf(view);
    expect(t).toContain('Your connections (1)');
    for (const name of ['Theirs', 'Other team', 'Case twin', 'Prefix twin']) expect(t).not.toContain(name);
  });

  it('150 connections: paged with Next and Previous, never over 100 blocks, every one reachable', async () => {
    const user = 'U0MANY';
    const c = await setUp(user);
    for (let i = 0; i < 150; i++) {
      seedRow(c, { name: `Conn ${String(i).padStart(3, '0')}`, owner: `${T}:${user}`, lastRun: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() });
    }
    let view = await openHome(user, (t) => t.includes('Your connections (150)') && t.includes('Page 1 of'));
    const pages = Number(/Page 1 of (\d+)/.exec(textOf(view))?.[1]);
    expect(pages).toBeGreaterThan(1);
    // Newest run first.
    expect(textOf(view).indexOf('Conn 149')).toBeLessThan(textOf(view).indexOf('Conn 148'));
    const seen = new Set<string>();
    for (let page = 1; page <= pages; page++) {
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      for (const m of textOf(view).matchAll(/Conn \d{3}/g)) seen.add(m[0]);
      if (page < pages) {
        await clickHome(user, 'home_page_next', String(page + 1));
        view = await eventually(() => (textOf(latestView(user)).includes(`Page ${page + 1} of ${pages}`) ? latestView(user) : undefined), `page ${page + 1}`);
      }
    }
    expect(seen.size).toBe(150);
    await clickHome(user, 'home_page_previous', String(pages - 1));
    await eventually(() => textOf(latestView(user)).includes(`Page ${pages - 1} of ${pages}`), 'previous page');

    // The page is remembered: the next open shows it again.
    const again = await openHome(user, (t) => t.includes(`Page ${pages - 1} of ${pages}`));
    expect(textOf(again)).toContain(`Page ${pages - 1} of ${pages}`);

    // Sorting by name goes back to page 1, and is remembered too.
    await clickHome(user, 'home_sort', undefined, 'name');
    const byName = await eventually(() => (textOf(latestView(user)).includes(`Page 1 of ${pages}`) ? latestView(user) : undefined), 'sorted by name');
    expect(textOf(byName).indexOf('Conn 000')).toBeLessThan(textOf(byName).indexOf('Conn 001'));
    const sortSelect = byName.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id === 'home_sort');
    expect(sortSelect.initial_option.value).toBe('name');
  });

  it('delete with confirmation: the row is in Notion’s trash, and gone from the view', async () => {
    const user = 'U0DELETE';
    const c = await setUp(user);
    const row = seedRow(c, { name: 'Doomed', owner: `${T}:${user}` });
    seedRow(c, { name: 'Kept', owner: `${T}:${user}` });
    const view = await openHome(user, (t) => t.includes('Doomed'));
    const del = buttons(view, 'home_delete').find((b) => b.value === row.id);
    expect(del?.confirm?.title?.text).toBe('Delete this connection?');
    await clickHome(user, 'home_delete', row.id);
    await eventually(() => h.notion.getPage(row.id)?.in_trash === true, 'the row in the trash');
    const after = await eventually(() => {
      const t = textOf(latestView(user));
      return t.includes('Moved “Doomed” to Notion’s trash') && !t.includes('refreshing…') ? latestView(user) : undefined;
    }, 'the view after the delete');
    expect(buttons(after, 'home_delete').map((b) => b.value)).not.toContain(row.id);
    expect(textOf(after)).toContain('Kept');
  });

  it('a row trashed directly in Notion disappears on the next open', async () => {
    const user = 'U0TRASHED';
    const c = await setUp(user);
    const row = seedRow(c, { name: 'Vanishing', owner: `${T}:${user}` });
    await openHome(user, (t) => t.includes('Vanishing'));
    h.notion.trash(row.id);
    const view = await openHome(user, (t) => !t.includes('Vanishing') && !t.includes('refreshing…'));
    expect(textOf(view)).toContain('No connections yet');
  });

  it('Notion failing: a warning with what to do, the settings part still there', async () => {
    const user = 'U0FAULT';
    const c = await setUp(user);
    seedRow(c, { name: 'Survivor', owner: `${T}:${user}` });
    await openHome(user, (t) => t.includes('Survivor'));

    h.notion.injectFault({ status: 503, times: 50, match: { pathIncludes: '/query', secret: secretOf(c) } });
    try {
      // The Notion adapter retries a failing read with backoff (about 10 s in all) before it gives up; the cached
      // view was published at once meanwhile.
      const down = await openHome(user, (t) => t.includes(':warning:'), 30_000);
      const t = textOf(down);
      expect(t).toContain('*Notion:* linked to');
      expect(t).toContain('Notion could not be reached');
      expect(t).toContain('Refresh');
      // The last list read is still shown, marked as such.
      expect(t).toContain('Survivor');
      expect(t).toContain('Below is the list as it was');
    } finally {
      h.notion.clearFaults();
    }

    h.notion.revoke(secretOf(c));
    const revoked = await openHome(user, (t) => t.includes('Notion no longer accepts your integration secret'));
    const t = textOf(revoked);
    expect(t).toContain('*Notion:* linked to');
    expect(t).toContain('https://www.notion.so/profile/integrations');
    expect(buttons(revoked, 'home_open_settings')).toHaveLength(1);
    expect(revoked.blocks.length).toBeGreaterThan(3);
  }, 60_000);

  it('run again: the connection runs, its progress goes to a direct message, the row and the view follow', async () => {
    const user = 'U0RERUN';
    const c = await setUp(user);
    const target = h.notion.addPage({ title: 'Rerun target', sharedWith: [secretOf(c)] });
    const row = seedRow(c, { name: 'Again', owner: `${T}:${user}`, target: target.url, runs: 2, status: 'Succeeded' });
    await openHome(user, (t) => t.includes('Again'));
    const messagesBefore = h.slack.messages.length;
    await clickHome(user, 'home_run_again', row.id);
    await eventually(() => textOf(latestView(user)).includes('“Again” is running again'), 'the notice on the Home tab');
    await eventually(() => Number(h.notion.getPage(row.id)?.properties?.Runs?.number) === 3, 'Runs to become 3', 20_000);
    await eventually(
      () => {
        const t = textOf(latestView(user));
        return t.includes('3 runs') && t.includes(':white_check_mark: Succeeded') && !t.includes('refreshing…');
      },
      'the view with the new run',
      20_000,
    );
    expect(h.notion.pageMarkdown(target.id).length).toBeGreaterThan(0);
    // Progress went to a direct message from the app (posted, then updated), not to the Home tab alone.
    const dm = await eventually(() => {
      const shown = h.slack.messages.slice(messagesBefore).filter((m) => m.via === 'api' && m.channel === directChannelFor(user));
      return textOf(shown.at(-1)?.blocks).includes(':white_check_mark: Done') ? shown : undefined;
    }, 'the direct message saying Done');
    expect(dm.filter((m) => m.kind === 'post')).toHaveLength(1);
  });

  it('after `/visen clear` the Home tab goes back to the onboarding on its own', async () => {
    const user = 'U0CLEAR';
    const c = await setUp(user);
    seedRow(c, { name: 'Forgotten', owner: `${T}:${user}` });
    await openHome(user, (t) => t.includes('Forgotten'));
    const cleared = await h.slack.slashCommand({ userId: user, text: 'clear' });
    expect(cleared.acked).toBe(true);
    await h.slack.blockAction({ userId: user, actionId: 'settings_clear_confirm' });
    // Re-published on its own (the settings service tells the Home tab), without the user reopening it.
    await eventually(() => textOf(latestView(user)).includes('Welcome to Visen'), 'the onboarding after clear');
    const reopened = await openHome(user, (t) => t.includes('Welcome to Visen'));
    expect(textOf(reopened)).not.toContain('Forgotten');
    configured.delete(user);
  });

  it('never a secret in a published view, and Slack saw no protocol failures', () => {
    const all = [...(h.slack.views.published as Map<string, unknown[]>).values()].flat();
    const json = JSON.stringify(all);
    for (const c of configured.values()) expect(json).not.toContain(secretOf(c));
    expect(json).not.toMatch(/sk-[A-Za-z0-9_-]{8,}/);
    expect(h.slack.failures).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    // No Home failure that was not provoked on purpose (Notion down, secret revoked) reached the log as an error.
    const homeErrors = h.logLines().filter((l) => l.includes('"component":"home"') && l.includes('"level":50'));
    expect(homeErrors).toEqual([]);
  });
});
