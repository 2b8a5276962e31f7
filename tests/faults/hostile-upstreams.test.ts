/**
 * Upstreams that misbehave on purpose (issue 9, items 2 and 6), each through the stand-ins:
 * - Notion answers one user's write with `429 Retry-After: 999999`: that user is told at once how long Notion
 *   asked for, their next request (the Home tab) does not hang and sends nothing, and another user's run goes on;
 * - Slack answers one Web API call with `429 Retry-After: 999999`: the SDK must not pause everyone's calls;
 * - an OpenAI-compatible server (through a hostile proxy) answers `/models` with a 5 MB error page, with a
 *   `503 Retry-After: 999999`, and with a body that echoes parts of the key: a clear message each time, and the
 *   log keeps small lines with no part of the key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../e2e/harness.js';
import { type ConfiguredUser, configureUser } from '../e2e/support/configure-user.js';
import { eventually, messagesFor, stringsOf, textOf } from '../e2e/support/observe.js';
import { type HostileProxy, startHostileProxy } from '../stand-ins/hostile-proxy.js';
import { generate } from './support/runs.js';

let h: Harness;
let proxy: HostileProxy;
let alice: ConfiguredUser;
let bob: ConfiguredUser;
/** Where the log lines of a test start. */
let logFrom = 0;

/** Far below the 10 MiB one line once held; room for our own context around a clipped upstream text. */
const MAX_LOG_LINE_CHARS = 8_000;

beforeAll(async () => {
  proxy = await startHostileProxy();
  // Every user's model server is the hostile proxy, which passes to the OpenAI stand-in what it does not answer.
  h = await startHarness({ env: { OPENAI_BASE_URL: `${proxy.origin}/v1`, LOG_LEVEL: 'debug' } });
  proxy.target = h.openai.baseUrl;
  h.openai.setResponder(() => 'Alpha line.\n\nBeta line.');
  alice = await configureUser(h, 'U0ALICE');
  bob = await configureUser(h, 'U0BOB');
}, 60_000);

afterEach(() => {
  expect(h.notion.failures).toEqual([]);
  expect(h.slack.failures).toEqual([]);
});

afterAll(async () => {
  await h?.stop();
  await proxy?.close();
});

function newLogLines(): string[] {
  const lines = h.logLines().slice(logFrom);
  logFrom = h.logLines().length;
  return lines;
}

/** No line is long, and none holds 8 characters in a row of any of these secrets. */
function expectSmallCleanLog(lines: string[], secrets: string[]): void {
  for (const line of lines) {
    expect(line.length).toBeLessThan(MAX_LOG_LINE_CHARS);
    for (const secret of secrets) {
      for (let i = 0; i + 8 <= secret.length; i++) expect(line).not.toContain(secret.slice(i, i + 8));
    }
  }
}

describe('Notion asks one user to wait 11.6 days', () => {
  it('that user is told at once, is not locked out, and another user is not held up', { timeout: 60_000 }, async () => {
    newLogLines();
    const page = h.notion.addPage({ title: 'Locked out?', parentPageId: alice.parentPageId });
    h.notion.injectFault({
      status: 429,
      retryAfterSeconds: 999_999,
      match: { secret: alice.notionSecret, method: 'PATCH', pathIncludes: `/v1/blocks/${page.id}/children` },
    });
    const from = h.slack.messages.length;
    const delivery = await h.slack.slashCommand({ userId: alice.userId, text: `generate ${page.url} Two lines` });
    expect(delivery.acked).toBe(true);
    const told = await eventually(
      () =>
        messagesFor(h, alice.userId, from)
          .map((m) => `${m.text ?? ''} ${stringsOf(m.blocks)}`)
          .find((t) => /Notion asked Visen to wait about 12 days/.test(t)),
      'the user is told how long Notion asked for',
    );
    expect(told).toMatch(/try again later/);

    // Bob's integration has its own limiter: his run is not held up.
    const bobPage = h.notion.addPage({ title: 'Bob goes on', parentPageId: bob.parentPageId });
    const { row } = await generate(h, bob, `${bobPage.url} Two lines`, bobPage.url, /Done/);
    expect(row?.status).toBe('Succeeded');

    // Alice's next request does not wait for 11.6 days, nor for a queue: her Home says so at once, and nothing
    // more is sent to Notion with her secret while it asks her to wait.
    const sentBefore = h.notion.requests.length;
    const published = h.slack.callsTo('views.publish').length;
    await h.slack.appHomeOpened({ userId: alice.userId });
    const home = await eventually(() => {
      const mine = h.slack
        .callsTo('views.publish')
        .slice(published)
        .map((c) => textOf(c.body))
        .filter((t) => t.includes('Notion asked Visen to slow down'));
      return mine[0];
    }, 'a Home view saying Notion asked to slow down');
    expect(home).toMatch(/Refresh\* in a minute/);
    expect(h.notion.requests.slice(sentBefore).filter((r) => JSON.stringify(r).includes(alice.notionSecret))).toEqual([]);
    expectSmallCleanLog(newLogLines(), [alice.notionSecret, alice.openaiKey, bob.notionSecret, bob.openaiKey]);
  });
});

describe('Slack asks Visen to wait 11.6 days', () => {
  it('fails that one call and does not pause anyone else’s', { timeout: 30_000 }, async () => {
    h.slack.injectApiFailure('views.publish', 'ratelimited', { retryAfterSeconds: 999_999 });
    const published = h.slack.callsTo('views.publish').length;
    await h.slack.appHomeOpened({ userId: alice.userId });
    await eventually(() => h.slack.callsTo('views.publish').length > published, 'the rate-limited publish');
    // Before the fix the SDK paused its queue for 11.6 days: Bob's Home was never published.
    const before = h.slack.callsTo('views.publish').length;
    await h.slack.appHomeOpened({ userId: bob.userId });
    await eventually(
      () =>
        h.slack
          .callsTo('views.publish')
          .slice(before)
          .find((c) => JSON.stringify(c.body).includes(bob.userId)),
      'Bob’s Home published',
    );
  });
});

describe('a hostile OpenAI-compatible server', () => {
  async function settingsFailure(userId: string, openaiKey: string): Promise<string> {
    return configureUser(h, userId, { openaiKey }).then(
      () => 'saved',
      (err: unknown) => (err as Error).message,
    );
  }

  it('a 5 MB error page from /models: a clear message, and a few hundred characters of it in the log', { timeout: 30_000 }, async () => {
    newLogLines();
    const key = h.openai.addKey();
    proxy.answer({ secret: key, pathIncludes: '/models', status: 400, body: `<html>${'<p>flood</p>'.repeat(450_000)}</html>` });
    const shown = await settingsFailure('U0FLOOD', key);
    expect(shown).toMatch(/No OpenAI-compatible API answered at/);
    expect(proxy.answered.length).toBeGreaterThan(0);
    const lines = newLogLines();
    expectSmallCleanLog(lines, [key]);
    expect(lines.some((l) => l.includes('flood'))).toBe(true); // the log still shows what came back, cut short
  });

  it('a 503 with Retry-After 999999 on /models: the check fails at once instead of sleeping 11.6 days', { timeout: 30_000 }, async () => {
    const key = h.openai.addKey();
    proxy.answer({
      secret: key,
      pathIncludes: '/models',
      status: 503,
      headers: { 'retry-after': '999999', 'content-type': 'application/json' },
      body: '{"error":{"message":"later","type":"server_error"}}',
    });
    const shown = await settingsFailure('U0SLEEPY', key);
    expect(shown).toMatch(/server error \(HTTP 503\)/);
  });

  it('a body echoing parts of the key: none of them reaches the log', { timeout: 30_000 }, async () => {
    newLogLines();
    const key = `k${h.openai.addKey().replace(/\W/g, '')}Zq`;
    h.openai.addKey(key);
    proxy.answer({
      secret: key,
      pathIncludes: '/models',
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: (credential) =>
        JSON.stringify({
          error: {
            message: `bad key ${credential.slice(0, 20)}… wrapped:\n${credential.slice(0, 12)}\n${credential.slice(12)} tail ${credential.slice(-9)}`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }),
    });
    const shown = await settingsFailure('U0ECHO', key);
    expect(shown).toMatch(/rejected this key/);
    expectSmallCleanLog(newLogLines(), [key]);
  });
});
