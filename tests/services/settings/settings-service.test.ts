/**
 * The settings service against the Notion and OpenAI stand-ins, through the real adapters, a real local store
 * and SecretBox: every check the settings issue lists, saving, held secrets and clear.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllowList, parseAllowList } from '../../../src/adapters/net/outbound-policy.js';
import { createNotionGateway, parseNotionUrl } from '../../../src/adapters/notion/index.js';
import { createOpenAiGateway } from '../../../src/adapters/openai.js';
import { SecretBox } from '../../../src/adapters/secret-box.js';
import { type LocalStore, openLocalStore } from '../../../src/adapters/store.js';
import { createLogger } from '../../../src/logger.js';
import { CONNECTIONS_SCHEMA, connectionsPropertiesConfig } from '../../../src/services/connections/schema.js';
import { createSettingsService, HELD_NAMESPACE, SETTINGS_NAMESPACE } from '../../../src/services/settings/service.js';
import type { SettingsService, SettingsSubmission } from '../../../src/services/settings/types.js';
import type { UserRef } from '../../../src/users.js';
import { type NotionStandIn, startNotionStandIn } from '../../stand-ins/notion/index.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../stand-ins/openai/index.js';

/** Users' own endpoints in these tests are loopback servers, which the operator allows (VISEN_BASE_URL_ALLOW). */
const loopbackAllowed = (parseAllowList('127.0.0.1') as { allow: AllowList }).allow;

let notion: NotionStandIn;
let openai: OpenAiStandIn;
let store: LocalStore;
let dataDir: string;
let settings: SettingsService;
let now = Date.now();
const forgotten: string[] = [];
const hooks: Array<(user: UserRef) => Promise<void>> = [async (user) => void forgotten.push(`${user.teamId}:${user.userId}`)];

beforeAll(async () => {
  // A generous rate so many checks in one file do not wait on the limiter (the limiter has its own tests).
  [notion, openai] = await Promise.all([
    startNotionStandIn({ requestsPerSecond: 50, burst: 100 }),
    startOpenAiStandIn({ models: ['gpt-5-mini', 'gpt-4o-mini', 'llama3.1:8b'] }),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'visen-settings-'));
  const logger = createLogger({ level: 'silent' });
  store = await openLocalStore(dataDir, logger);
  settings = createSettingsService({
    store,
    secretBox: new SecretBox(randomBytes(32)),
    logger,
    defaultModel: 'gpt-5-mini',
    forgetUser: hooks,
    notionFor: (secret) => createNotionGateway({ baseUrl: notion.baseUrl, logger, rateLimit: undefined }).forSecret(secret),
    openAiFor: ({ apiKey, baseUrl }) =>
      createOpenAiGateway({ logger, defaultBaseUrl: openai.baseUrl, timeoutMs: 5_000, userEndpoints: { allow: loopbackAllowed } }).forUser({ apiKey, baseUrl }),
    parseNotionUrl,
    now: () => now,
  });
});

afterAll(async () => {
  expect(notion.failures).toEqual([]);
  expect(openai.failures).toEqual([]);
  await store.close();
  await Promise.all([notion.close(), openai.close()]);
});

const T = 'T0TEAM';
let counter = 0;
const newUser = (userId = `U${++counter}`): UserRef => ({ teamId: T, userId });

/** An integration, a connections database shared with it (full schema unless told), and an OpenAI key. */
function world(o: { properties?: Record<string, Record<string, unknown>>; share?: boolean; name?: string } = {}) {
  const integration = notion.createIntegration({ name: o.name ?? 'Visen Dev' });
  const page = notion.addPage({ title: 'Team space', sharedWith: o.share === false ? [] : [integration.secret] });
  const db = notion.addDatabase({ title: 'My connections', parentPageId: page.id, properties: o.properties ?? connectionsPropertiesConfig() });
  const key = openai.addKey();
  return { integration, page, db, key };
}

function submission(w: ReturnType<typeof world>, extra: Partial<SettingsSubmission> = {}): SettingsSubmission {
  return {
    notionSecret: w.integration.secret,
    openaiKey: w.key,
    openaiBaseUrl: '',
    model: '',
    connectionsUrl: w.db.url,
    parentPageUrl: '',
    addMissingProperties: false,
    ...extra,
  };
}

const compact = (id: string) => id.replace(/-/g, '');
const hex32 = () => randomBytes(16).toString('hex');

describe('saving with a connections database URL', () => {
  it.each([
    ['bare notion.so', (id: string) => `https://notion.so/${compact(id)}`],
    ['www.notion.so/<workspace>/<slug>-<id>', (id: string) => `https://www.notion.so/acme/My-connections-${compact(id)}`],
    ['with a ?v= view id (not the database id)', (id: string) => `https://www.notion.so/acme/My-connections-${compact(id)}?v=${hex32()}`],
    ['no slug, with ?v=', (id: string) => `https://www.notion.so/${compact(id)}?v=${hex32()}&pvs=4`],
    ['a public *.notion.site link', (id: string) => `https://acme.notion.site/My-connections-${compact(id)}`],
    ['dashed id', (id: string) => `https://www.notion.so/acme/${id}`],
    ['wrapped by Slack as <url|label>', (id: string) => `<https://www.notion.so/acme/My-connections-${compact(id)}|My connections>`],
    ['notion.com', (id: string) => `https://www.notion.com/acme/My-connections-${compact(id)}`],
  ])('accepts %s', async (_name, form) => {
    const w = world();
    const user = newUser();
    const outcome = await settings.submit(user, submission(w, { connectionsUrl: form(w.db.id) }));
    expect(outcome).toMatchObject({ ok: true, createdDatabase: false });
    const loaded = await settings.load(user);
    expect(loaded?.connections).toMatchObject({ databaseId: w.db.id, dataSourceId: w.db.dataSourceId, title: 'My connections' });
  });

  it('saves per user, secrets readable only through the service, summary shows last four only', async () => {
    const w = world();
    const user = newUser();
    const outcome = await settings.submit(user, submission(w, { model: 'gpt-4o-mini' }));
    expect(outcome.ok).toBe(true);
    const loaded = await settings.load(user);
    expect(loaded).toMatchObject({
      notionSecret: w.integration.secret,
      openaiKey: w.key,
      model: 'gpt-4o-mini',
      integrationName: 'Visen Dev',
      openaiBaseUrl: undefined,
    });
    const summary = await settings.summary(user);
    expect(summary).toMatchObject({
      configured: true,
      notionSecretLast4: w.integration.secret.slice(-4),
      openaiKeyLast4: w.key.slice(-4),
      integrationName: 'Visen Dev',
    });
    expect(JSON.stringify(summary)).not.toContain(w.integration.secret);
    expect(JSON.stringify(summary)).not.toContain(w.key);
    const raw = JSON.stringify(await store.get(SETTINGS_NAMESPACE, `${T}:${user.userId}`));
    expect(raw).not.toContain(w.integration.secret);
    expect(raw).not.toContain(w.key);
    for (const file of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, file)).toString('latin1');
      expect(bytes).not.toContain(w.integration.secret);
      expect(bytes).not.toContain(w.key);
    }
    expect(await settings.load(newUser())).toBeUndefined();
  });

  it('blank secret fields keep the saved ones', async () => {
    const w = world();
    const user = newUser();
    expect((await settings.submit(user, submission(w))).ok).toBe(true);
    const again = await settings.submit(user, submission(w, { notionSecret: undefined, openaiKey: undefined, model: 'llama3.1:8b' }));
    expect(again.ok).toBe(true);
    expect(await settings.load(user)).toMatchObject({ notionSecret: w.integration.secret, openaiKey: w.key, model: 'llama3.1:8b' });
  });

  it('a sealed secret moved onto another user cannot be opened', async () => {
    const w = world();
    const owner = newUser();
    const thief = newUser();
    await settings.submit(owner, submission(w));
    await store.set(SETTINGS_NAMESPACE, `${T}:${thief.userId}`, await store.get(SETTINGS_NAMESPACE, `${T}:${owner.userId}`));
    await expect(settings.load(thief)).rejects.toMatchObject({ code: 'settings_unreadable' });
    expect((await settings.summary(thief)).problem).toContain('enter your Notion secret and OpenAI key again');
    const retry = await settings.submit(thief, submission(w, { notionSecret: undefined }));
    expect(retry).toMatchObject({ ok: false, errors: { notionSecret: expect.stringContaining('can no longer be read') } });
  });

  it('a database with several data sources: the one with the schema is used', async () => {
    const integration = notion.createIntegration({ name: 'Multi' });
    const db = notion.addDatabase({
      title: 'Mixed',
      sharedWith: [integration.secret],
      properties: { Name: { title: {} }, Notes: { rich_text: {} } },
      extraDataSources: [{ name: 'Visen rows', properties: connectionsPropertiesConfig() }],
    });
    const user = newUser();
    const outcome = await settings.submit(user, { ...submission(world(), { connectionsUrl: db.url }), notionSecret: integration.secret });
    expect(outcome.ok).toBe(true);
    expect((await settings.load(user))?.connections.dataSourceId).toBe(db.dataSourceIds[1]);
  });
});

describe('creating the connections database under a parent page', () => {
  it('creates "Visen connections" with the exact schema and saves it', async () => {
    const w = world();
    const user = newUser();
    const outcome = await settings.submit(
      user,
      submission(w, { connectionsUrl: '', parentPageUrl: `https://www.notion.so/acme/Team-space-${compact(w.page.id)}` }),
    );
    expect(outcome).toMatchObject({ ok: true, createdDatabase: true });
    const saved = await settings.load(user);
    expect(saved?.connections.title).toBe('Visen connections');
    const dataSource = notion.getDataSource(saved!.connections.dataSourceId)!;
    const properties = dataSource.properties as Record<string, { type: string; select?: { options: Array<{ name: string }> } }>;
    expect(Object.keys(properties).sort()).toEqual(CONNECTIONS_SCHEMA.map((d) => d.name).sort());
    for (const def of CONNECTIONS_SCHEMA) {
      expect(properties[def.name]?.type).toBe(def.type);
      if (def.options) expect(properties[def.name]?.select?.options.map((o) => o.name)).toEqual(def.options);
    }
    expect(notion.getDatabase(saved!.connections.databaseId)?.parent).toEqual({ type: 'page_id', page_id: w.page.id });
  });

  it('a parent page the integration cannot see: the Connections steps with its name', async () => {
    const w = world({ share: false, name: 'Acme Visen' });
    const outcome = await settings.submit(newUser(), submission(w, { connectionsUrl: '', parentPageUrl: w.page.url }));
    expect(outcome).toMatchObject({ ok: false });
    if (outcome.ok) return;
    expect(outcome.errors.parentPageUrl).toBe(
      'Your integration “Acme Visen” cannot see this page. Connect it: open the page in Notion, click ••• at the top right, choose Connections, find “Acme Visen” by name, and confirm. Then save again. (If you did, check that this is the right page and that the secret is from the same Notion workspace.)',
    );
  });

  it('a database given as the parent page', async () => {
    const w = world();
    const outcome = await settings.submit(newUser(), submission(w, { connectionsUrl: '', parentPageUrl: w.db.url }));
    expect(outcome).toMatchObject({ ok: false, errors: { parentPageUrl: expect.stringContaining('is a database, not a page') } });
  });
});

describe('every error, next to its field', () => {
  it('URLs that are not Notion page or database links', async () => {
    const w = world();
    for (const bad of [
      'https://example.com/My-connections-0123456789abcdef0123456789abcdef',
      'notion',
      'https://www.notion.so/acme/Just-a-title',
      `https://www.notion.so/acme?v=${hex32()}`,
    ]) {
      const outcome = await settings.submit(newUser(), submission(w, { connectionsUrl: bad }));
      expect(outcome).toMatchObject({ ok: false, errors: { connectionsUrl: expect.stringMatching(/^This is not a link to a Notion database\. /) } });
    }
    const parent = await settings.submit(newUser(), submission(w, { connectionsUrl: '', parentPageUrl: 'ftp://notion.so/x' }));
    expect(parent).toMatchObject({ ok: false, errors: { parentPageUrl: expect.stringMatching(/^This is not a link to a Notion page\. /) } });
  });

  it('neither or both of database URL and parent page', async () => {
    const w = world();
    expect(await settings.submit(newUser(), submission(w, { connectionsUrl: '' }))).toMatchObject({
      ok: false,
      errors: { connectionsUrl: expect.stringContaining('or leave this blank and give a parent page') },
    });
    expect(await settings.submit(newUser(), submission(w, { parentPageUrl: w.page.url }))).toMatchObject({
      ok: false,
      errors: { parentPageUrl: expect.stringContaining('not both') },
    });
  });

  it('a Notion secret that Notion rejects, and missing secrets', async () => {
    const w = world();
    notion.revoke(w.integration.secret);
    expect(await settings.submit(newUser(), submission(w))).toMatchObject({
      ok: false,
      errors: { notionSecret: expect.stringContaining('Notion rejected this secret') },
    });
    const none = await settings.submit(newUser(), submission(w, { notionSecret: undefined, openaiKey: undefined }));
    expect(none).toMatchObject({
      ok: false,
      errors: {
        notionSecret: expect.stringContaining('Enter your Notion integration secret'),
        openaiKey: expect.stringContaining('Enter your OpenAI API key'),
      },
    });
    const swapped = await settings.submit(newUser(), submission(w, { notionSecret: w.key, openaiKey: w.integration.secret }));
    expect(swapped).toMatchObject({
      ok: false,
      errors: {
        notionSecret: expect.stringContaining('looks like an OpenAI key'),
        openaiKey: expect.stringContaining('looks like a Notion integration secret'),
      },
    });
  });

  it('a database the integration cannot see: the exact Connections steps', async () => {
    const w = world({ share: false, name: 'Visen Prod' });
    const outcome = await settings.submit(newUser(), submission(w));
    expect(outcome).toMatchObject({
      ok: false,
      errors: {
        connectionsUrl:
          'Your integration “Visen Prod” cannot see this database. Connect it: open the database in Notion, click ••• at the top right, choose Connections, find “Visen Prod” by name, and confirm. Then save again. (If you did, check that this is the right database and that the secret is from the same Notion workspace.)',
      },
    });
  });

  it('a page URL instead of a database (also a ?p= peek link)', async () => {
    const w = world();
    const row = notion.addRow(w.db.dataSourceId, { Name: { title: [{ text: { content: 'a row' } }] } });
    for (const url of [w.page.url, `https://www.notion.so/acme/My-connections-${compact(w.db.id)}?v=${hex32()}&p=${compact(row.id)}`]) {
      const outcome = await settings.submit(newUser(), submission(w, { connectionsUrl: url }));
      expect(outcome).toMatchObject({ ok: false, errors: { connectionsUrl: expect.stringContaining('This URL is a Notion page, not a database') } });
    }
  });

  it('a database lacking properties: each named, and added on request', async () => {
    const { Status: _s, Runs: _r, 'Last error': _l, ...partial } = connectionsPropertiesConfig();
    const w = world({ properties: partial });
    const user = newUser();
    const outcome = await settings.submit(user, submission(w));
    expect(outcome).toMatchObject({ ok: false });
    if (outcome.ok) return;
    expect(outcome.errors.connectionsUrl).toBe(
      '“My connections” lacks properties Visen needs: Status (Select: Ready, Running, Succeeded, Failed, Cancelled); Runs (Number); Last error (Text). ' +
        'Tick “Add the missing properties for me” below and save again, or add them in Notion yourself.',
    );
    const added = await settings.submit(user, submission(w, { addMissingProperties: true }));
    expect(added).toMatchObject({ ok: true, addedProperties: ['Status', 'Runs', 'Last error'] });
    const properties = notion.getDataSource(w.db.dataSourceId)!.properties as Record<string, { type: string }>;
    expect(properties.Status?.type).toBe('select');
    expect(properties.Runs?.type).toBe('number');
    expect(properties['Last error']?.type).toBe('rich_text');
  });

  it('a missing Name renames the title property when asked', async () => {
    const { Name: _n, ...rest } = connectionsPropertiesConfig();
    const w = world({ properties: { Title: { title: {} }, ...rest } });
    const outcome = await settings.submit(newUser(), submission(w));
    expect(outcome).toMatchObject({ ok: false, errors: { connectionsUrl: expect.stringContaining('Name (Title), now called “Title”') } });
    expect(await settings.submit(newUser(), submission(w, { addMissingProperties: true }))).toMatchObject({ ok: true, addedProperties: ['Name'] });
    expect(Object.keys(notion.getDataSource(w.db.dataSourceId)!.properties)).toContain('Name');
  });

  it('mistyped properties are named and never changed', async () => {
    const w = world({ properties: { ...connectionsPropertiesConfig(), Status: { status: {} }, Runs: { rich_text: {} } } });
    const outcome = await settings.submit(newUser(), submission(w, { addMissingProperties: true }));
    expect(outcome).toMatchObject({ ok: false });
    if (outcome.ok) return;
    expect(outcome.errors.connectionsUrl).toContain(
      '“My connections” has properties of the wrong type: Status is Status but must be Select with options Ready, Running, Succeeded, Failed, Cancelled; Runs is Text but must be Number.',
    );
    expect(outcome.errors.connectionsUrl).toContain('Change the type in Notion');
    expect((notion.getDataSource(w.db.dataSourceId)!.properties as Record<string, { type: string }>).Status?.type).toBe('status');
  });

  it('an OpenAI key the endpoint rejects', async () => {
    const w = world();
    const outcome = await settings.submit(newUser(), submission(w, { openaiKey: 'sk-not-a-registered-key-000000000000' }));
    expect(outcome).toMatchObject({ ok: false, errors: { openaiKey: expect.stringContaining('rejected this key') } });
  });

  it('a base URL where no OpenAI-compatible API answers, and one that is not a URL', async () => {
    const w = world();
    // A web server that is not an OpenAI-compatible API: it answers every path with an HTML page.
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const outcome = await settings.submit(newUser(), submission(w, { openaiBaseUrl: baseUrl }));
      expect(outcome).toMatchObject({
        ok: false,
        errors: {
          openaiBaseUrl: `No OpenAI-compatible API answered at ${baseUrl}. Check the URL (it usually ends in /v1), or leave it blank for the default.`,
        },
      });
    } finally {
      server.close();
    }
    expect(await settings.submit(newUser(), submission(w, { openaiBaseUrl: 'localhost:11434' }))).toMatchObject({
      ok: false,
      errors: { openaiBaseUrl: expect.stringContaining('not an http(s) URL') },
    });
    expect(await settings.submit(newUser(), submission(w, { openaiBaseUrl: `${openai.baseUrl}?next=` }))).toMatchObject({
      ok: false,
      errors: { openaiBaseUrl: expect.stringContaining('cannot have a query (?…) or a fragment (#…)') },
    });
  });

  it('a custom endpoint that works is saved', async () => {
    const w = world();
    const user = newUser();
    expect(await settings.submit(user, submission(w, { openaiBaseUrl: `${openai.baseUrl}/`, model: 'llama3.1:8b' }))).toMatchObject({ ok: true });
    expect((await settings.load(user))?.openaiBaseUrl).toBe(openai.baseUrl);
  });

  it('a model the endpoint does not list, with suggestions', async () => {
    const w = world();
    const outcome = await settings.submit(newUser(), submission(w, { model: 'gpt-9-ultra' }));
    expect(outcome).toMatchObject({
      ok: false,
      errors: { model: '“gpt-9-ultra” is not a model this OpenAI key can use. Some it lists: gpt-4o-mini, gpt-5-mini, llama3.1:8b.' },
    });
  });

  it('reports Notion and OpenAI problems together', async () => {
    const w = world({ share: false });
    const outcome = await settings.submit(newUser(), submission(w, { model: 'nope' }));
    expect(outcome).toMatchObject({ ok: false, errors: { connectionsUrl: expect.any(String), model: expect.any(String) } });
  });

  it('checks the caller gave up on save nothing', async () => {
    const w = world();
    const user = newUser();
    const controller = new AbortController();
    controller.abort();
    await expect(settings.submit(user, submission(w), { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(await settings.load(user)).toBeUndefined();
  });
});

describe('held secrets', () => {
  it('are used for blank fields with the right token, expire, and are never someone else’s', async () => {
    const w = world();
    const user = newUser();
    const held = await settings.holdSecrets(user, submission(w));
    expect(held).toMatchObject({ notionSecretLast4: w.integration.secret.slice(-4), openaiKeyLast4: w.key.slice(-4) });
    const raw = JSON.stringify(await store.get(HELD_NAMESPACE, `${T}:${user.userId}`));
    expect(raw).not.toContain(w.integration.secret);
    expect(raw).not.toContain(w.key);

    const blank = submission(w, { notionSecret: undefined, openaiKey: undefined, heldSecretsToken: held!.token });
    expect(await settings.submit(newUser(), blank)).toMatchObject({ ok: false, errors: { notionSecret: expect.any(String) } });
    expect(await settings.submit(user, { ...blank, heldSecretsToken: 'wrong' })).toMatchObject({ ok: false });

    now += 16 * 60_000;
    expect(await settings.submit(user, blank)).toMatchObject({ ok: false, errors: { notionSecret: expect.any(String) } });
    now -= 16 * 60_000;

    const again = await settings.holdSecrets(user, submission(w));
    expect(await settings.submit(user, { ...blank, heldSecretsToken: again!.token })).toMatchObject({ ok: true });
    expect(await store.get(HELD_NAMESPACE, `${T}:${user.userId}`)).toBeUndefined();
  });

  it('merge a newly typed secret with one held before', async () => {
    const w = world();
    const user = newUser();
    const first = await settings.holdSecrets(user, submission(w, { openaiKey: undefined }));
    const second = await settings.holdSecrets(user, submission(w, { notionSecret: undefined, heldSecretsToken: first!.token }));
    expect(second).toMatchObject({ notionSecretLast4: w.integration.secret.slice(-4), openaiKeyLast4: w.key.slice(-4) });
    expect(await settings.holdSecrets(user, submission(w, { notionSecret: undefined, openaiKey: undefined }))).toBeUndefined();
  });
});

describe('clear', () => {
  it('deletes only the caller, also when ids differ by case or by LIKE wildcards, and runs every forget hook', async () => {
    const w = world();
    const ids = ['U_AB', 'UXAB', 'u_ab', 'U%AB', 'U_ABC'];
    for (const id of ids) expect((await settings.submit(newUser(id), submission(w))).ok).toBe(true);
    await settings.holdSecrets(newUser('UXAB'), submission(w));
    forgotten.length = 0;
    expect(await settings.clear(newUser('U_AB'))).toEqual({ hadSettings: true });
    expect(forgotten).toEqual([`${T}:U_AB`]);
    expect(await settings.load(newUser('U_AB'))).toBeUndefined();
    for (const id of ids.slice(1)) expect((await settings.load(newUser(id)))?.notionSecret).toBe(w.integration.secret);
    expect(await store.get(HELD_NAMESPACE, `${T}:UXAB`)).toBeDefined();
    expect(await settings.clear(newUser('U%AB'))).toEqual({ hadSettings: true });
    expect((await settings.load(newUser('UXAB')))?.notionSecret).toBe(w.integration.secret);
    expect(await settings.clear(newUser('UNOBODY'))).toEqual({ hadSettings: false });
  });

  it('a failing hook still deletes the settings and says the clear is incomplete', async () => {
    const w = world();
    const user = newUser();
    await settings.submit(user, submission(w));
    hooks.push(async () => {
      throw new Error('run store busy');
    });
    try {
      await expect(settings.clear(user)).rejects.toMatchObject({ code: 'clear_incomplete' });
    } finally {
      hooks.pop();
    }
    expect(await settings.load(user)).toBeUndefined();
  });

  it('tells listeners about saves and clears', async () => {
    const changes: string[] = [];
    const off = settings.onChange((u, change) => void changes.push(`${u.userId}:${change}`));
    const w = world();
    const user = newUser();
    await settings.submit(user, submission(w));
    await settings.clear(user);
    await new Promise((r) => setTimeout(r, 10));
    off();
    expect(changes).toEqual([`${user.userId}:saved`, `${user.userId}:cleared`]);
  });
});
