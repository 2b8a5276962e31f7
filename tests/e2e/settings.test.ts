/**
 * `/visen settings` end to end: Slack stand-in -> Socket Mode -> Visen -> Notion and OpenAI stand-ins.
 * Every URL form, every error, both ways of getting the database, the ack window while Notion and OpenAI are
 * slow, and no saved secret in any view, message or log line (LOG_LEVEL=trace).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTIONS_SCHEMA, connectionsPropertiesConfig } from '../../src/services/connections/schema.js';
import { ADD_MISSING_OPTION_VALUE, SettingsCallback, SettingsInput } from '../../src/slack/listeners/settings/ids.js';
import type { View } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { dms as dmsIn } from './support/observe.js';

let h: Harness;
const secrets = new Set<string>();

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'trace' }, openai: { models: ['gpt-5-mini', 'gpt-4o-mini', 'llama3.1:8b'] } });
});

afterAll(async () => {
  await h?.stop();
});

let counter = 0;
const nextUser = () => `U0SET${String(++counter).padStart(3, '0')}`;
const compact = (id: string) => id.replace(/-/g, '');
const hex32 = () => randomBytes(16).toString('hex');

/** A Notion integration with a shared page holding a connections database (full schema unless told), an OpenAI key. */
function world(o: { properties?: Record<string, Record<string, unknown>>; share?: boolean; name?: string } = {}) {
  const integration = h.notion.createIntegration({ name: o.name ?? 'Visen E2E' });
  const page = h.notion.addPage({ title: 'Space', sharedWith: o.share === false ? [] : [integration.secret] });
  const db = h.notion.addDatabase({ title: 'Connections', parentPageId: page.id, properties: o.properties ?? connectionsPropertiesConfig() });
  const key = h.openai.addKey();
  for (const s of [integration.secret, key]) {
    secrets.add(s);
    h.slack.forbiddenStrings.add(s);
  }
  return { integration, page, db, key };
}

async function openForm(userId: string): Promise<View> {
  const before = new Set(h.slack.views.opened.map((v) => v.id));
  const delivery = await h.slack.slashCommand({ userId, text: 'settings' });
  expect(delivery.acked).toBe(true);
  return h.slack.waitFor(() => h.slack.views.opened.find((v) => !before.has(v.id) && v.callback_id === SettingsCallback.form));
}

type Entries = Partial<Record<keyof typeof SettingsInput, string | string[] | null>>;
function values(entries: Entries) {
  return Object.fromEntries(
    Object.entries(entries).map(([field, value]) => {
      const ids = SettingsInput[field as keyof typeof SettingsInput];
      return [ids.block, { [ids.action]: value as string | string[] | null }];
    }),
  );
}

async function submit(userId: string, view: View, entries: Entries) {
  return h.slack.viewSubmission({ userId, view, values: values(entries) });
}

const current = (userId: string, viewId: string) => h.slack.modalStack(userId).find((v) => v.id === viewId);
const dms = (userId: string) => dmsIn(h, userId);
/** All of it, ids and metadata included: a secret must not hide anywhere in a view or message. */
const jsonOf = (x: unknown) => JSON.stringify(x);

describe('/visen settings', () => {
  it('opens the modal inside the trigger window while Notion and OpenAI are slow, without calling them', async () => {
    h.notion.setLatency(4000);
    h.openai.setLatency(4000);
    try {
      const notionBefore = h.notion.requests.length;
      const openaiBefore = h.openai.requests.length;
      const user = nextUser();
      const form = await openForm(user);
      expect(form.title?.text).toBe('Visen settings');
      expect(h.notion.requests.length).toBe(notionBefore);
      expect(h.openai.requests.length).toBe(openaiBefore);
      expect(h.slack.failures).toEqual([]);
    } finally {
      h.notion.setLatency(0);
      h.openai.setLatency(0);
    }
  });

  it.each([
    ['www.notion.so/<workspace>/<slug>-<id>?v=<view>', (id: string) => `https://www.notion.so/acme/Connections-${compact(id)}?v=${hex32()}`],
    ['notion.so/<id>', (id: string) => `https://notion.so/${compact(id)}`],
    ['<name>.notion.site/<slug>-<id>', (id: string) => `https://acme.notion.site/Connections-${compact(id)}`],
    ['dashed id, no slug', (id: string) => `https://www.notion.so/${id}`],
    ['Slack-wrapped <url>', (id: string) => `<https://www.notion.so/acme/Connections-${compact(id)}>`],
  ])('saves with a pasted database URL (%s), confirms in the modal and by DM', async (_form, url) => {
    const user = nextUser();
    const w = world({ name: 'Acme Visen' });
    const form = await openForm(user);
    const delivery = await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: url(w.db.id), model: 'gpt-4o-mini' });
    expect(delivery.acked).toBe(true);
    expect(delivery.ackMs).toBeLessThan(3000);
    const saved = await h.slack.waitFor(() => (current(user, form.id)?.callback_id === SettingsCallback.saved ? current(user, form.id) : undefined));
    const dm = await h.slack.waitFor(() => dms(user).find((m) => m.text?.includes('saved')));
    for (const shown of [jsonOf(saved), jsonOf(dm)]) {
      expect(shown).toContain('Acme Visen');
      expect(shown).toContain(`|Connections>`);
      expect(shown).toContain(`ends in ${w.key.slice(-4)}`);
      expect(shown).toContain(`ends in ${w.integration.secret.slice(-4)}`);
      expect(shown).toContain('gpt-4o-mini');
      expect(shown).toContain('endpoint the default');
      expect(shown).toContain('/visen generate');
    }
    const stored = await h.visen.services.settings.load({ teamId: h.slack.teamId, userId: user });
    expect(stored?.connections).toMatchObject({ databaseId: w.db.id, dataSourceId: w.db.dataSourceId });
  });

  it('creates "Visen connections" in a parent page (the helper teammates use)', async () => {
    const c = await configureUser(h, nextUser(), { createDatabase: true, integrationName: 'Creator' });
    secrets.add(c.notionSecret).add(c.openaiKey);
    const database = h.notion.getDatabase(c.connections.databaseId);
    expect(database?.parent).toEqual({ type: 'page_id', page_id: c.parentPageId });
    expect(database?.title?.[0]?.plain_text).toBe('Visen connections');
    expect(Object.keys(h.notion.getDataSource(c.connections.dataSourceId)?.properties ?? {}).sort()).toEqual(CONNECTIONS_SCHEMA.map((d) => d.name).sort());
  });

  it('reopened: shows saved secrets only by their last four; blank fields keep them', async () => {
    const user = nextUser();
    const c = await configureUser(h, user, { model: 'llama3.1:8b' });
    secrets.add(c.notionSecret).add(c.openaiKey);
    const form = await openForm(user);
    const shown = jsonOf(form);
    expect(shown).toContain(`Saved, ends in ${c.notionSecret.slice(-4)}`);
    expect(shown).toContain(`Saved, ends in ${c.openaiKey.slice(-4)}`);
    expect(shown).not.toContain(c.notionSecret);
    expect(shown).not.toContain(c.openaiKey);
    const url = form.blocks.find((b) => b.block_id === SettingsInput.connectionsUrl.block)?.element?.initial_value;
    expect(url).toBe(c.connections.url);
    const model = form.blocks.find((b) => b.block_id === SettingsInput.model.block)?.element?.initial_value;
    expect(model).toBe('llama3.1:8b');

    await submit(user, form, { model: 'gpt-5-mini' });
    await h.slack.waitFor(() => current(user, form.id)?.callback_id === SettingsCallback.saved);
    expect(await h.visen.services.settings.load({ teamId: h.slack.teamId, userId: user })).toMatchObject({
      notionSecret: c.notionSecret,
      openaiKey: c.openaiKey,
      model: 'gpt-5-mini',
    });
  });

  it('another user sees none of it', async () => {
    const owner = nextUser();
    const c = await configureUser(h, owner);
    secrets.add(c.notionSecret).add(c.openaiKey);
    const form = await openForm(nextUser());
    const shown = jsonOf(form);
    expect(shown).not.toContain(c.notionSecret.slice(-4));
    expect(shown).not.toContain(c.openaiKey.slice(-4));
    expect(shown).not.toContain(compact(c.connections.databaseId));
  });
});

describe('errors next to their fields (response_action: errors)', () => {
  const cases: Array<[string, (w: ReturnType<typeof world>) => Entries, keyof typeof SettingsInput, RegExp | string]> = [
    [
      'a URL that is not a Notion link',
      (_w) => ({ connectionsUrl: 'https://example.com/Connections-0123456789abcdef0123456789abcdef' }),
      'connectionsUrl',
      /^This is not a link to a Notion database\./,
    ],
    ['a view-only link', () => ({ connectionsUrl: `https://www.notion.so/acme?v=${hex32()}` }), 'connectionsUrl', /only a database view/],
    ['a page, not a database', (w) => ({ connectionsUrl: w.page.url }), 'connectionsUrl', /This URL is a Notion page, not a database/],
    ['a secret Notion rejects', () => ({ notionSecret: 'ntn_this_is_not_a_real_secret_000000000000' }), 'notionSecret', /^Notion rejected this secret/],
    ['an OpenAI key the endpoint rejects', () => ({ openaiKey: 'sk-test-unknown-00000000000000000000000000' }), 'openaiKey', /rejected this key/],
    ['a model the endpoint does not list', () => ({ model: 'gpt-0-tiny' }), 'model', /^“gpt-0-tiny” is not a model this OpenAI key can use\. Some it lists: /],
    ['a base URL that is not a URL', () => ({ openaiBaseUrl: 'not a url' }), 'openaiBaseUrl', /not an http\(s\) URL/],
    ['a parent page and a database URL together', (w) => ({ parentPageUrl: w.page.url }), 'parentPageUrl', /not both/],
    ['a database as the parent page', (w) => ({ connectionsUrl: null, parentPageUrl: w.db.url }), 'parentPageUrl', /is a database, not a page/],
  ];

  it.each(cases)('%s', async (_name, entries, field, expected) => {
    const user = nextUser();
    const w = world();
    const form = await openForm(user);
    const delivery = await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url, ...entries(w) });
    expect(delivery.ackPayload?.response_action).toBe('errors');
    const errors = delivery.ackPayload?.errors as Record<string, string>;
    expect(errors[SettingsInput[field].block]).toMatch(expected);
    expect(current(user, form.id)?.callback_id).toBe(SettingsCallback.form);
    expect(await h.visen.services.settings.load({ teamId: h.slack.teamId, userId: user })).toBeUndefined();
  });

  it('a database the integration cannot see: how to connect it, with the integration’s name', async () => {
    const user = nextUser();
    const w = world({ share: false, name: 'Team Visen' });
    const form = await openForm(user);
    const delivery = await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url });
    expect(delivery.ackPayload?.errors?.[SettingsInput.connectionsUrl.block]).toBe(
      'Your integration “Team Visen” cannot see this database. Connect it: open the database in Notion, click ••• at the top right, choose Connections, find “Team Visen” by name, and confirm. Then save again. (If you did, check that this is the right database and that the secret is from the same Notion workspace.)',
    );
    // The user connects it in Notion and submits the same form again: saved.
    h.notion.share(w.db.id, w.integration.secret);
    await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url });
    await h.slack.waitFor(() => current(user, form.id)?.callback_id === SettingsCallback.saved);
  });

  it('a database lacking properties: each named; the checkbox adds them', async () => {
    const { Status: _s, Items: _i, ...partial } = connectionsPropertiesConfig();
    const user = nextUser();
    const w = world({ properties: { ...partial, Model: { select: {} } } });
    const form = await openForm(user);
    const base = { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url };
    const first = await submit(user, form, base);
    const message = first.ackPayload?.errors?.[SettingsInput.connectionsUrl.block] as string;
    expect(message).toContain('lacks properties Visen needs: Status (Select: Ready, Running, Succeeded, Failed, Cancelled); Items (Number).');
    expect(message).toContain('Model is Select but must be Text');

    // A database whose only problem is missing properties: Visen adds them on request.
    const fixed = world({ properties: partial });
    const second = await openForm(user);
    await submit(user, second, {
      ...base,
      notionSecret: fixed.integration.secret,
      openaiKey: fixed.key,
      connectionsUrl: fixed.db.url,
      addMissingProperties: [ADD_MISSING_OPTION_VALUE],
    });
    const saved = await h.slack.waitFor(() => (current(user, second.id)?.callback_id === SettingsCallback.saved ? current(user, second.id) : undefined));
    expect(jsonOf(saved)).toContain('added: Status, Items');
    const properties = h.notion.getDataSource(fixed.db.dataSourceId)?.properties as Record<string, { type: string }>;
    expect(properties.Status?.type).toBe('select');
    expect(properties.Items?.type).toBe('number');
  });

  it('a database with several data sources: the one with the schema is saved', async () => {
    const user = nextUser();
    const w = world();
    const db = h.notion.addDatabase({
      title: 'Two sources',
      parentPageId: w.page.id,
      properties: { Name: { title: {} } },
      extraDataSources: [{ name: 'Runs', properties: connectionsPropertiesConfig() }],
    });
    const form = await openForm(user);
    await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: db.url });
    await h.slack.waitFor(() => current(user, form.id)?.callback_id === SettingsCallback.saved);
    expect((await h.visen.services.settings.load({ teamId: h.slack.teamId, userId: user }))?.connections.dataSourceId).toBe(db.dataSourceIds[1]);
  });
});

describe('checks slower than the ack window', () => {
  it('acks in time with "Checking…", then shows the saved view', async () => {
    const user = nextUser();
    const w = world();
    const form = await openForm(user);
    h.notion.setLatency(1500);
    try {
      const delivery = await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url });
      expect(delivery.acked).toBe(true);
      // Slack's deadline is 3 s (the stand-in records a later ack as a failure); how fast is the bench's business.
      expect(delivery.ackMs).toBeLessThan(3000);
      expect(delivery.ackPayload).toMatchObject({ response_action: 'update', view: { callback_id: SettingsCallback.checking } });
      await h.slack.waitFor(() => current(user, form.id)?.callback_id === SettingsCallback.saved, 20_000);
    } finally {
      h.notion.setLatency(0);
    }
    expect(h.slack.failures).toEqual([]);
  });

  it('failed slow checks: the form comes back with every entry kept, errors inline, typed secrets held (not resent)', async () => {
    const user = nextUser();
    const w = world({ share: false, name: 'Slow Visen' });
    const form = await openForm(user);
    h.notion.setLatency(1500);
    const typedUrl = `https://www.notion.so/acme/Connections-${compact(w.db.id)}?v=${hex32()}`;
    try {
      const delivery = await submit(user, form, {
        notionSecret: w.integration.secret,
        openaiKey: w.key,
        connectionsUrl: typedUrl,
        openaiBaseUrl: h.openai.baseUrl,
        model: 'gpt-4o-mini',
      });
      expect(delivery.ackPayload?.response_action).toBe('update');
    } finally {
      h.notion.setLatency(0);
    }
    const again = await h.slack.waitFor(() => {
      const v = current(user, form.id);
      return v?.callback_id === SettingsCallback.form && v.blocks.some((b) => b.block_id === `${SettingsInput.connectionsUrl.block}_error`) ? v : undefined;
    }, 20_000);
    const initial = (field: keyof typeof SettingsInput) => again.blocks.find((b) => b.block_id === SettingsInput[field].block)?.element?.initial_value;
    expect(initial('connectionsUrl')).toBe(typedUrl);
    expect(initial('openaiBaseUrl')).toBe(h.openai.baseUrl);
    expect(initial('model')).toBe('gpt-4o-mini');
    expect(initial('notionSecret')).toBeUndefined();
    const shown = jsonOf(again);
    expect(shown).toContain('find “Slow Visen” by name');
    expect(shown).toContain(`You entered one (ends in ${w.integration.secret.slice(-4)})`);
    expect(shown).toContain(`You entered one (ends in ${w.key.slice(-4)})`);
    expect(again.private_metadata).not.toContain(w.integration.secret);

    // Connected in Notion; the user submits again without typing the secrets.
    h.notion.share(w.db.id, w.integration.secret);
    await submit(user, again, {});
    await h.slack.waitFor(() => current(user, form.id)?.callback_id === SettingsCallback.saved, 20_000);
    expect(await h.visen.services.settings.load({ teamId: h.slack.teamId, userId: user })).toMatchObject({
      notionSecret: w.integration.secret,
      openaiKey: w.key,
      openaiBaseUrl: h.openai.baseUrl,
      model: 'gpt-4o-mini',
    });
  });

  it('a modal closed while checking: the result arrives as a DM', async () => {
    const user = nextUser();
    const w = world();
    const form = await openForm(user);
    h.openai.setLatency(2500);
    try {
      const delivery = await submit(user, form, { notionSecret: w.integration.secret, openaiKey: w.key, connectionsUrl: w.db.url, model: 'no-such-model' });
      expect(delivery.ackPayload?.response_action).toBe('update');
      await h.slack.viewClosed({ userId: user, view: form });
    } finally {
      h.openai.setLatency(0);
    }
    const dm = await h.slack.waitFor(() => dms(user).find((m) => m.text?.includes('not saved')), 20_000);
    expect(jsonOf(dm)).toContain('*Default model:* “no-such-model” is not a model');
    // Updating the closed modal failed as Slack answers it (expected here, so not left as a failure).
    expect(h.slack.takeFailures()).toEqual(['Web API views.update: not_found']);
  });
});

describe('secrets', () => {
  it('no saved or typed secret appears in any view, message, Web API call or log line (LOG_LEVEL=trace)', async () => {
    expect(secrets.size).toBeGreaterThan(10);
    expect(h.slack.failures).toEqual([]);
    const everything = [
      ...h.logLines(),
      jsonOf([h.slack.views.opened, h.slack.views.updated, h.slack.views.pushed, [...h.slack.views.published.values()]]),
      jsonOf(h.slack.messages),
      jsonOf(h.slack.apiCalls.map((c) => c.body)),
      jsonOf(h.slack.responseUrlPosts),
    ];
    expect(h.logLines().length).toBeGreaterThan(100);
    // Trace is on, and the Slack SDKs' debug lines (whole inbound envelopes, modal values included) are in the log.
    expect(h.visen.config.logLevel).toBe('trace');
    expect(h.logLines().filter((l) => l.includes('"level":20')).length).toBeGreaterThan(50);
    for (const secret of secrets) {
      for (const text of everything) expect(text.includes(secret), `a secret ending in ${secret.slice(-4)} leaked`).toBe(false);
    }
    expect(h.notion.failures).toEqual([]);
    expect(h.openai.failures).toEqual([]);
  });
});
