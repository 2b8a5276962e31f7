/**
 * Token usage end to end: every run's final message says its tokens and the connection row's `Tokens` holds them.
 * The figures are checked against what the OpenAI stand-in itself sent in each answer's usage chunk (OpenAI sends it
 * last, before `data: [DONE]`, when asked with `stream_options.include_usage`:
 * https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options), never against a number
 * the app computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsPropertiesConfig } from '../../src/services/connections/schema.js';
import { ADD_MISSING_OPTION_VALUE, SettingsCallback, SettingsInput } from '../../src/slack/listeners/settings/ids.js';
import type { Delivery, View } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { type ConfiguredUser, configureUser } from './support/configure-user.js';
import { dms, eventually, textOf } from './support/observe.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

// ---- helpers ------------------------------------------------------------------------------------------------

async function command(userId: string, text: string): Promise<Delivery> {
  const d = await h.slack.slashCommand({ userId, text: `generate ${text}` });
  expect(d.acked).toBe(true);
  return d;
}

/** The run's final message (the only kind that says `Tokens:`), on the command's response_url or in a DM. */
function finalMessage(d: Delivery, userId: string, timeoutMs = 60_000): Promise<string> {
  return eventually(
    () => {
      const posts = h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && p.ok).map((p) => textOf((p.body as { blocks?: unknown }).blocks));
      return [...posts, ...dms(h, userId).map((m) => textOf(m.blocks))].reverse().find((t) => t.includes('Tokens:'));
    },
    'the final message with the tokens',
    timeoutMs,
  );
}

/** What the stand-in reported to this key's chat requests since `from`: the usage chunks it sent, and answers without one. */
function sentUsage(key: string, from = 0) {
  const chats = h.openai.requests.slice(from).filter((r) => r.key === key && r.path === '/v1/chat/completions' && r.status === 200);
  const reported = chats.filter((r) => r.usage);
  const prompt = reported.reduce((sum, r) => sum + r.usage!.prompt_tokens, 0);
  const completion = reported.reduce((sum, r) => sum + r.usage!.completion_tokens, 0);
  return { answers: chats.length, reported: reported.length, prompt, completion, total: prompt + completion };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The `Tokens` value of the connection row for this target (null: empty). */
function tokensOnRow(c: ConfiguredUser, targetId: string): number | null | undefined {
  const id = targetId.replace(/-/g, '');
  const row = h.notion.rows(c.connections.dataSourceId).find(
    (r: any) =>
      !r.in_trash &&
      String(r.properties.Target?.url ?? '')
        .replace(/-/g, '')
        .includes(id),
  ) as any;
  return row?.properties?.Tokens?.number;
}

function statusOnRow(c: ConfiguredUser, targetId: string): string | undefined {
  const id = targetId.replace(/-/g, '');
  const row = h.notion.rows(c.connections.dataSourceId).find((r: any) =>
    String(r.properties.Target?.url ?? '')
      .replace(/-/g, '')
      .includes(id),
  ) as any;
  return row?.properties?.Status?.select?.name;
}

function addDatabase(secret: string, rows: number, title: string) {
  const db = h.notion.addDatabase({ title, sharedWith: [secret], properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
  const rowIds = Array.from({ length: rows }, (_, i) => h.notion.addRow(db.dataSourceId, { Name: { title: [{ text: { content: `Item ${i + 1}` } }] } }).id);
  return { ...db, rowIds };
}

// ---- tests --------------------------------------------------------------------------------------------------

describe('token usage, end to end', () => {
  it('a page run: the final message and the connection row carry the tokens the model server reported', async () => {
    const user = 'U0TOKPAGE';
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: 'Plan', sharedWith: [c.notionSecret] });
    const from = h.openai.requests.length;
    const final = await finalMessage(await command(user, `${page.url} Write a short plan`), user);
    const sent = sentUsage(c.openaiKey, from);
    expect(sent).toMatchObject({ answers: 1, reported: 1 });
    expect(final).toContain(`Tokens: ${fmt(sent.total)} (${fmt(sent.prompt)} prompt + ${fmt(sent.completion)} completion)`);
    await eventually(() => statusOnRow(c, page.id) === 'Succeeded', 'the row marked Succeeded');
    expect(tokensOnRow(c, page.id)).toBe(sent.total);
  });

  it('a database run: the sum over its rows, on the row and in the message', async () => {
    const user = 'U0TOKDB';
    const c = await configureUser(h, user);
    const db = addDatabase(c.notionSecret, 3, 'Tokens DB');
    const from = h.openai.requests.length;
    const final = await finalMessage(await command(user, `${db.url} --into Summary One line about {{Name}}`), user);
    expect(final).toContain('3 rows written');
    const sent = sentUsage(c.openaiKey, from);
    expect(sent).toMatchObject({ answers: 3, reported: 3 });
    expect(final).toContain(`Tokens: ${fmt(sent.total)} (${fmt(sent.prompt)} prompt + ${fmt(sent.completion)} completion)`);
    expect(final).not.toContain('not reported');
    await eventually(() => statusOnRow(c, db.id) === 'Succeeded', 'the row marked Succeeded');
    expect(tokensOnRow(c, db.id)).toBe(sent.total);
  }, 60_000);

  it('a server that reports no usage: "not reported", and Tokens left empty (never 0)', async () => {
    const user = 'U0TOKNONE';
    const c = await configureUser(h, user);
    const page = h.notion.addPage({ title: 'Quiet server', sharedWith: [c.notionSecret] });
    // A first run with usage fills Tokens; the run on the quiet server must empty it again (it holds the last run's).
    await finalMessage(await command(user, `${page.url} Write a note`), user);
    await eventually(() => typeof tokensOnRow(c, page.id) === 'number', 'Tokens filled by the first run');
    h.openai.setUsageMode('never');
    try {
      const d = await command(user, `${page.url} Write a note`);
      const final = await eventually(
        () =>
          h.slack.responseUrlPosts
            .filter((p) => p.url === d.responseUrl && p.ok)
            .map((p) => textOf((p.body as { blocks?: unknown }).blocks))
            .find((t) => t.includes('Tokens:')),
        'the final message of the second run',
      );
      expect(final).toContain('Tokens: not reported by the model server');
      await eventually(() => tokensOnRow(c, page.id) === null, 'Tokens emptied');
      expect(statusOnRow(c, page.id)).toBe('Succeeded');
    } finally {
      h.openai.setUsageMode('openai');
    }
  });

  it('settings add Tokens to a connections database made before it existed; the next run fills it', async () => {
    const user = 'U0TOKOLD';
    const { Tokens: _tokens, ...oldSchema } = connectionsPropertiesConfig();
    const integration = h.notion.createIntegration({ name: 'Visen old database' });
    const key = h.openai.addKey();
    h.slack.forbiddenStrings.add(integration.secret).add(key);
    const space = h.notion.addPage({ title: 'Old space', sharedWith: [integration.secret] });
    const db = h.notion.addDatabase({ title: 'Visen connections', parentPageId: space.id, properties: oldSchema });
    const entries = {
      [SettingsInput.notionSecret.block]: { [SettingsInput.notionSecret.action]: integration.secret },
      [SettingsInput.openaiKey.block]: { [SettingsInput.openaiKey.action]: key },
      [SettingsInput.connectionsUrl.block]: { [SettingsInput.connectionsUrl.action]: db.url },
    };

    const form = await openSettings(user);
    const refused = await h.slack.viewSubmission({ userId: user, view: form, values: entries });
    expect(refused.ackPayload?.errors?.[SettingsInput.connectionsUrl.block]).toContain('Tokens (Number)');

    const again = await openSettings(user);
    await h.slack.viewSubmission({
      userId: user,
      view: again,
      values: { ...entries, [SettingsInput.addMissingProperties.block]: { [SettingsInput.addMissingProperties.action]: [ADD_MISSING_OPTION_VALUE] } },
    });
    const saved = await h.slack.waitFor(() => h.slack.modalStack(user).find((v) => v.id === again.id && v.callback_id === SettingsCallback.saved));
    expect(JSON.stringify(saved)).toContain('added: Tokens');
    const properties = h.notion.getDataSource(db.dataSourceId)?.properties as Record<string, { type: string }>;
    expect(properties.Tokens?.type).toBe('number');

    const page = h.notion.addPage({ title: 'After the repair', sharedWith: [integration.secret] });
    const from = h.openai.requests.length;
    await finalMessage(await command(user, `${page.url} Write a note`), user);
    const c = { connections: { dataSourceId: db.dataSourceId } } as ConfiguredUser;
    await eventually(() => statusOnRow(c, page.id) === 'Succeeded', 'the row marked Succeeded');
    expect(tokensOnRow(c, page.id)).toBe(sentUsage(key, from).total);
  });

  it('a database run resumed after a restart keeps counting from what it had recorded', async () => {
    const user = 'U0TOKRESUME';
    const c = await configureUser(h, user);
    const db = addDatabase(c.notionSecret, 8, 'Tokens restart');
    const from = h.openai.requests.length;
    h.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 60 });
    try {
      await command(user, `${db.url} Summarise {{Name}}`);
      await eventually(() => sentUsage(c.openaiKey, from).reported >= 2, 'two answers reported before the restart', 60_000);
      await h.restart();
      const final = await eventually(
        () =>
          dms(h, user)
            .map((m) => textOf(m.blocks))
            .find((t) => t.includes('Tokens:')),
        'the final DM',
        90_000,
      );
      expect(final).toContain('8 rows written');
      const sent = sentUsage(c.openaiKey, from);
      // Every answer of both processes; a row whose answer the restart cut would make it "some rows not reported".
      expect(final).toContain(`Tokens: ${fmt(sent.total)} (${fmt(sent.prompt)} prompt + ${fmt(sent.completion)} completion`);
      await eventually(() => statusOnRow(c, db.id) === 'Succeeded', 'the row marked Succeeded');
      expect(tokensOnRow(c, db.id)).toBe(sent.total);
    } finally {
      h.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
    }
  }, 150_000);

  // Last: the app remembers that this endpoint refuses stream_options for as long as it runs.
  it('a server that refuses stream_options: asked again without it, every row written, tokens "not reported"', async () => {
    const user = 'U0TOKREJECT';
    const c = await configureUser(h, user);
    const db = addDatabase(c.notionSecret, 3, 'Tokens reject');
    const from = h.openai.requests.length;
    h.openai.setUsageMode('reject');
    try {
      const final = await finalMessage(await command(user, `${db.url} --into Summary One line about {{Name}}`), user);
      expect(final).toContain('3 rows written');
      expect(final).toContain('Tokens: not reported by the model server');
      const chats = h.openai.requests.slice(from).filter((r) => r.key === c.openaiKey && r.path === '/v1/chat/completions');
      // Refused at most once per row in flight before the first refusal was remembered, then never asked again.
      const refused = chats.filter((r) => r.status === 400);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.every((r) => r.body.stream_options?.include_usage === true)).toBe(true);
      expect(chats.filter((r) => r.status === 200).every((r) => r.body.stream_options === undefined)).toBe(true);
      await eventually(() => statusOnRow(c, db.id) === 'Succeeded', 'the row marked Succeeded');
      expect(tokensOnRow(c, db.id)).toBeNull();
    } finally {
      h.openai.setUsageMode('openai');
    }
  }, 60_000);

  it('Slack, Notion and OpenAI saw no protocol failures', () => {
    expect(h.slack.failures).toEqual([]);
    expect(h.notion.failures).toEqual([]);
    expect(h.openai.failures).toEqual([]);
  });
});

async function openSettings(userId: string): Promise<View> {
  const before = new Set(h.slack.views.opened.map((v) => v.id));
  const delivery = await h.slack.slashCommand({ userId, text: 'settings' });
  expect(delivery.acked).toBe(true);
  return h.slack.waitFor(() => h.slack.views.opened.find((v) => !before.has(v.id) && v.callback_id === SettingsCallback.form));
}
