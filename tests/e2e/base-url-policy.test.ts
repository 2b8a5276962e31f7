/**
 * Issue 9, item 5, end to end: a user's own OpenAI base URL cannot make Visen reach what the operator has not
 * allowed. The operator here allows 127.0.0.1 (VISEN_BASE_URL_ALLOW), where the OpenAI stand-in listens; a
 * server on 127.0.0.2 stands for a loopback service the operator did not allow, and counts its connections.
 * Host names come from a test resolver, so "metadata.test" can resolve to 169.254.169.254 without any packet
 * going there: the policy refuses it inside the connection's lookup, before a socket connects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/adapters/net/guarded-fetch.js';
import { connectionsPropertiesConfig } from '../../src/services/connections/schema.js';
import { GenerateIds } from '../../src/slack/listeners/generate/ids.js';
import { SettingsCallback, SettingsInput } from '../../src/slack/listeners/settings/ids.js';
import type { View } from '../stand-ins/slack/index.js';
import { type Harness, startHarness } from './harness.js';
import { configureUser } from './support/configure-user.js';
import { eventually, textOf } from './support/observe.js';

/** What the test resolver answers; tests change it to rebind a name. */
const dns: Record<string, string[]> = {};
const asked: string[] = [];
const resolveHost: HostResolver = async (hostname) => {
  asked.push(hostname);
  const addresses = dns[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let h: Harness;
let port: number;
const servers: Server[] = [];
/** Connections the not-allowed loopback service (127.0.0.2, the stand-in's port) received. */
let notAllowedConnections = 0;

async function listen(server: Server, host: string, onPort = 0): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(onPort, host, resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  h = await startHarness({ env: { VISEN_BASE_URL_ALLOW: '127.0.0.1' }, resolveHost });
  port = Number(new URL(h.openai.baseUrl).port);
  const notAllowed = createServer((_req, res) => res.end('{"object":"list","data":[]}'));
  notAllowed.on('connection', () => notAllowedConnections++);
  await listen(notAllowed, '127.0.0.2', port);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await h?.stop();
});

let counter = 0;
const nextUser = () => `U0URL${String(++counter).padStart(3, '0')}`;

/** Opens /visen settings and submits a complete form with `baseUrl`; returns the error shown under each field. */
async function submitWithBaseUrl(baseUrl: string): Promise<Record<string, string> | undefined> {
  const userId = nextUser();
  const integration = h.notion.createIntegration({ name: 'Visen URL' });
  const page = h.notion.addPage({ title: 'Space', sharedWith: [integration.secret] });
  const db = h.notion.addDatabase({ title: 'Connections', parentPageId: page.id, properties: connectionsPropertiesConfig() });
  const key = h.openai.addKey();
  h.slack.forbiddenStrings.add(key);
  const before = new Set(h.slack.views.opened.map((v) => v.id));
  expect((await h.slack.slashCommand({ userId, text: 'settings' })).acked).toBe(true);
  const form: View = await h.slack.waitFor(() => h.slack.views.opened.find((v) => !before.has(v.id) && v.callback_id === SettingsCallback.form));
  const entries = { notionSecret: integration.secret, openaiKey: key, connectionsUrl: db.url, openaiBaseUrl: baseUrl };
  const values = Object.fromEntries(
    Object.entries(entries).map(([field, value]) => {
      const ids = SettingsInput[field as keyof typeof SettingsInput];
      return [ids.block, { [ids.action]: value }];
    }),
  );
  const delivery = await h.slack.viewSubmission({ userId, view: form, values });
  expect(delivery.acked).toBe(true);
  const errors = delivery.ackPayload?.errors as Record<string, string> | undefined;
  if (errors) expect(await h.visen.services.settings.load({ teamId: h.slack.teamId, userId })).toBeUndefined();
  return errors;
}

const baseUrlError = (errors: Record<string, string> | undefined) => errors?.[SettingsInput.openaiBaseUrl.block];
const chatRequests = () => h.openai.requests.filter((r) => r.path.includes('/chat/completions')).length;

describe("a user's OpenAI base URL, refused at settings time with words under the field", () => {
  it('a base URL with a query string (it would swallow the API path): refused before any request', async () => {
    const requestsBefore = h.openai.requests.length;
    const errors = await submitWithBaseUrl(`http://models.test:${port}/internal/admin?next=`);
    expect(baseUrlError(errors)).toMatch(/^The base URL cannot have a query \(\?…\) or a fragment \(#…\)/);
    expect(baseUrlError(await submitWithBaseUrl(`http://models.test:${port}/v1#x`))).toMatch(/cannot have a query/);
    expect(h.openai.requests.length).toBe(requestsBefore);
    expect(asked).not.toContain('models.test');
  });

  it('a host name that resolves to the link-local metadata address: refused, and nothing connects', async () => {
    dns['metadata.test'] = ['169.254.169.254'];
    const errors = await submitWithBaseUrl('http://metadata.test/latest');
    expect(baseUrlError(errors)).toBe(
      'Visen never connects to `metadata.test` (169.254.169.254, a link-local address, where clouds serve instance credentials), whatever the settings say. Use the address of your model server instead.',
    );
    expect(asked.filter((n) => n === 'metadata.test')).toEqual(['metadata.test']); // asked once: refused, not retried
  });

  it('a host name that resolves to 0.0.0.0 (which reaches this machine) or to an IPv4-mapped loopback address: refused', async () => {
    const requestsBefore = h.openai.requests.length;
    dns['zero.test'] = ['0.0.0.0'];
    expect(baseUrlError(await submitWithBaseUrl(`http://zero.test:${port}/v1`))).toMatch(
      /^Visen never connects to `zero\.test` \(0\.0\.0\.0, the unspecified address/,
    );
    dns['mapped.test'] = ['::ffff:127.0.0.2'];
    expect(baseUrlError(await submitWithBaseUrl(`http://mapped.test:${port}/v1`))).toMatch(
      /^Visen is not allowed to connect to `mapped\.test` \(::ffff:127\.0\.0\.2, a loopback address/,
    );
    expect(h.openai.requests.length).toBe(requestsBefore); // 0.0.0.0:<port> would have reached the stand-in
    expect(notAllowedConnections).toBe(0);
  });

  it('a loopback address the operator did not allow (by name or typed): the message names VISEN_BASE_URL_ALLOW; no connection', async () => {
    dns['lan.test'] = ['127.0.0.2'];
    expect(baseUrlError(await submitWithBaseUrl(`http://lan.test:${port}/v1`))).toBe(
      'Visen is not allowed to connect to `lan.test` (127.0.0.2, a loopback address on the machine Visen runs on). Ask whoever runs Visen to allow it with VISEN_BASE_URL_ALLOW, or use a public endpoint.',
    );
    expect(baseUrlError(await submitWithBaseUrl(`http://127.0.0.2:${port}/v1`))).toBe(
      'Visen is not allowed to connect to `127.0.0.2` (a loopback address on the machine Visen runs on). Ask whoever runs Visen to allow it with VISEN_BASE_URL_ALLOW, or use a public endpoint.',
    );
    expect(notAllowedConnections).toBe(0);
  });

  it('a redirect from an allowed server to an address that is not allowed: refused, not followed', async () => {
    let redirected = 0;
    const redirector = createServer((_req, res) => {
      redirected++;
      res.writeHead(307, { location: `http://127.0.0.2:${port}/v1/models` }).end();
    });
    const redirectorPort = await listen(redirector, '127.0.0.1');
    const errors = await submitWithBaseUrl(`http://127.0.0.1:${redirectorPort}/v1`);
    expect(baseUrlError(errors)).toBe(
      `The server answered with a redirect (HTTP 307) to \`http://127.0.0.2:${port}\`. Visen does not follow redirects from a base URL, so that requests with your key go only where you pointed them. If that is the right server, enter its address as the base URL in \`/visen settings\`.`,
    );
    expect(redirected).toBe(1);
    expect(notAllowedConnections).toBe(0);
  });
});

describe('an allowed loopback endpoint, and a DNS rebinding after the settings were saved', () => {
  it('saves and generates through a name on the allowed address; once the name points elsewhere, the run is refused', async () => {
    dns['models.test'] = ['127.0.0.1'];
    const userId = nextUser();
    const c = await configureUser(h, userId, { openaiBaseUrl: `http://models.test:${port}/v1` });
    expect((await h.visen.services.settings.load({ teamId: c.teamId, userId }))?.openaiBaseUrl).toBe(`http://models.test:${port}/v1`);

    const run = async (title: string) => {
      const page = h.notion.addPage({ title, sharedWith: [c.notionSecret] });
      const d = await h.slack.slashCommand({ userId, teamId: c.teamId, text: `generate ${page.url} Write a short plan` });
      expect(d.acked).toBe(true);
      return eventually(() => {
        const last = h.slack.responseUrlPosts.filter((p) => p.url === d.responseUrl && p.ok).at(-1)?.body as { blocks?: unknown } | undefined;
        const text = last ? textOf(last.blocks) : '';
        return last && !JSON.stringify(last.blocks).includes(GenerateIds.cancelAction) && !text.includes('Working on it') ? text : undefined;
      }, 'the final message');
    };

    const chatsBefore = chatRequests();
    expect(await run('Allowed')).toContain('Done');
    expect(chatRequests()).toBe(chatsBefore + 1);

    dns['models.test'] = ['127.0.0.2']; // the name now points at a service the operator did not allow
    const refused = await run('Rebound');
    expect(refused).toContain(
      'Visen is not allowed to connect to `models.test` (127.0.0.2, a loopback address on the machine Visen runs on). Ask whoever runs Visen to allow it with VISEN_BASE_URL_ALLOW',
    );
    expect(chatRequests()).toBe(chatsBefore + 1);
    expect(notAllowedConnections).toBe(0);
  });
});
