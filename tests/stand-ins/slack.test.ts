/**
 * Self-test of the Slack stand-in, driven by a real @slack/bolt App in Socket Mode (as the app runs it) and by
 * raw @slack/web-api and WebSocket clients where a test needs to break the protocol on purpose.
 */
import { App, type Logger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { METHODS, messageProblems, readManifest, type SlackStandIn, startSlackStandIn, viewProblems } from './slack/index.js';
import { DEPRECATED_WRAPPER_FIELDS, type SlackWebApiSpec, specSuccessFields, webApiSpecMismatches } from './slack/spec-check.js';
import { ViewStore } from './slack/view-store.js';
import { loadJsonSpec, specsDir } from './specs.js';

const USER = 'U0TESTER01';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Slack SDKs' logger for these clients. Many tests break Slack's rules on purpose, and the SDKs log the error
 * they get back before throwing it; the tests assert on the thrown error, so the log lines are kept here instead of
 * being printed as `[ERROR]` in the test output.
 */
const sdkLogLines: string[] = [];
function recordingLogger(): Logger {
  let level = LogLevel.ERROR;
  const record =
    (kind: string) =>
    (...msg: unknown[]) =>
      void sdkLogLines.push(`${kind} ${msg.map(String).join(' ')}`);
  return {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** The app as src/slack/app.ts builds it: Bolt's default Socket Mode receiver, pointed at the stand-in. */
function boltApp(slack: SlackStandIn): App {
  return new App({
    token: slack.botToken,
    appToken: slack.appToken,
    socketMode: true,
    clientOptions: { slackApiUrl: slack.apiUrl },
    logger: recordingLogger(),
  });
}

/** Same, with a 2 s client ping timeout: @slack/socket-mode waits that long before reconnecting (default 5 s). */
function quickReconnectApp(slack: SlackStandIn): App {
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logger: recordingLogger(),
    clientPingTimeout: 2000,
    installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
  });
  return new App({ token: slack.botToken, receiver, clientOptions: { slackApiUrl: slack.apiUrl }, logger: recordingLogger() });
}

const webClient = (slack: SlackStandIn, token: string) =>
  new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: recordingLogger() });

/** The Slack error code of a failed Web API call, with Slack's `response_metadata.messages`. */
async function slackError(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (e) {
    const data = (e as { data?: { error: string; response_metadata?: { messages?: string[] } } }).data;
    return { error: data?.error ?? String(e), messages: data?.response_metadata?.messages ?? [] };
  }
  return { error: 'none', messages: [] };
}

const modal = (o: { title?: string; blocks?: object[]; privateMetadata?: string; callbackId?: string } = {}) => ({
  type: 'modal' as const,
  callback_id: o.callbackId ?? 'name_modal',
  title: { type: 'plain_text' as const, text: o.title ?? 'Your name' },
  submit: { type: 'plain_text' as const, text: 'Save' },
  private_metadata: o.privateMetadata ?? '',
  blocks: (o.blocks ?? [
    { type: 'input', block_id: 'name_block', label: { type: 'plain_text', text: 'Name' }, element: { type: 'plain_text_input', action_id: 'name' } },
  ]) as never[],
});

describe('Slack stand-in with Bolt as the app runs it', () => {
  let slack: SlackStandIn;
  let app: App;
  const triggerErrors: string[] = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    app = boltApp(slack);
    app.command('/visen', async ({ ack, respond }) => {
      await ack();
      await respond('hi');
    });
    app.command('/modal', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({ trigger_id: body.trigger_id, view: modal() });
      triggerErrors.push((await slackError(client.views.open({ trigger_id: body.trigger_id, view: modal() }))).error);
    });
    app.view('name_modal', async ({ ack, view }) => {
      const name = view.state.values.name_block?.name?.value ?? '';
      if (name.length < 3) await ack({ response_action: 'errors', errors: { name_block: 'At least 3 characters' } });
      else await ack();
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: {
          type: 'home',
          blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'refresh', text: { type: 'plain_text', text: 'Refresh' }, value: 'r1' }] }],
        },
      });
    });
    app.action('refresh', async ({ ack }) => ack());
    app.command('/stack', async ({ ack, body, client }) => {
      await ack();
      const nav = { type: 'actions', block_id: 'nav', elements: [{ type: 'button', action_id: 'more', text: { type: 'plain_text', text: 'More' } }] };
      await client.views.open({ trigger_id: body.trigger_id, view: { ...modal({ callbackId: 'stack_root', blocks: [nav] }), notify_on_close: true } });
    });
    app.action('more', async ({ ack, body, client }) => {
      await ack();
      await client.views.push({ trigger_id: (body as { trigger_id: string }).trigger_id, view: modal({ callbackId: 'stack_child' }) });
    });
    app.view({ callback_id: 'stack_root', type: 'view_closed' }, async ({ ack }) => ack());
    app.command('/post', async ({ ack, body, client }) => {
      await ack();
      const button = { type: 'button', action_id: 'done', text: { type: 'plain_text', text: 'Done' }, value: 'job-1' };
      await client.chat.postMessage({
        channel: body.user_id,
        text: 'Job ready',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Job ready' }, accessory: button }] as never[],
      });
    });
    app.action('done', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Job done' });
    });
    app.command('/leak', async ({ ack }) => ack({ text: 'key is sk-test-secret-123' }));
    await app.start();
    await slack.waitForConnection();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('connects with the app token through apps.connections.open and says hello', () => {
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(slack.callsTo('apps.connections.open')[0]).toMatchObject({ token: slack.appToken, ok: true });
    expect(slack.callsTo('auth.test')[0]).toMatchObject({ token: slack.botToken, ok: true });
    expect(slack.connectionCount()).toBe(1);
    expect(slack.failures).toEqual([]);
  });

  it('delivers a slash command, acked within the deadline, and records the response_url post', async () => {
    const delivery = await slack.slashCommand({ userId: USER, text: 'hello' });
    expect(delivery).toMatchObject({ acked: true, attempts: 1 });
    expect(delivery.ackMs).toBeLessThan(3000);
    const post = await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.url === delivery.responseUrl));
    expect(post).toMatchObject({ ok: true, body: { text: 'hi' } });
    expect(slack.messages.at(-1)).toMatchObject({ text: 'hi', kind: 'ephemeral', user: USER, via: 'response_url' });
    expect(slack.failures).toEqual([]);
  });

  it('opens a modal with the trigger once, refuses its reuse, and applies submission acks to the view stack', async () => {
    await slack.slashCommand({ userId: USER, text: '', command: '/modal' });
    const opened = await slack.waitFor(() => slack.views.opened.at(-1));
    expect(opened).toMatchObject({ type: 'modal', callback_id: 'name_modal', id: expect.stringMatching(/^V/) });
    await slack.waitFor(() => triggerErrors.length > 0);
    expect(triggerErrors).toEqual(['exchanged_trigger_id']);
    expect(slack.takeFailures()).toEqual([expect.stringContaining('exchanged_trigger_id')]);

    const rejected = await slack.viewSubmission({ userId: USER, view: opened, values: { name_block: { name: 'ab' } } });
    expect(rejected.ackPayload).toEqual({ response_action: 'errors', errors: { name_block: 'At least 3 characters' } });
    expect(slack.modalStack(USER).map((v) => v.id)).toEqual([opened.id]);

    await slack.viewSubmission({ userId: USER, view: opened, values: { name_block: { name: 'Ada' } } });
    expect(slack.modalStack(USER)).toEqual([]);
    expect(slack.views.closed.map((v) => v.id)).toContain(opened.id);
    expect(slack.failures).toEqual([]);
  });

  it('sends app_home_opened and lets the user click what the app published', async () => {
    const delivery = await slack.appHomeOpened({ userId: USER });
    expect(delivery.acked).toBe(true);
    const home = await slack.waitFor(() => slack.homeView(USER));
    const click = await slack.blockAction({ userId: USER, actionId: 'refresh', view: { type: 'home' } });
    expect(click).toMatchObject({ acked: true, viewId: home.id });
    expect(slack.failures).toEqual([]);
  });

  it('pushes onto the modal stack with a trigger from the modal, checks view hashes, and closes views', async () => {
    await slack.slashCommand({ userId: USER, text: '', command: '/stack' });
    const root = await slack.waitFor(() => slack.modalStack(USER)[0]);
    const click = await slack.blockAction({ userId: USER, actionId: 'more', container: 'view' });
    expect(click).toMatchObject({ acked: true, viewId: root.id });
    const child = await slack.waitFor(() => slack.modalStack(USER)[1]);
    expect(child).toMatchObject({ callback_id: 'stack_child', root_view_id: root.id, previous_view_id: root.id });

    const bot = webClient(slack, slack.botToken);
    // views.update replaces the whole definition, notify_on_close included.
    await bot.views.update({ view_id: root.id, hash: root.hash, view: { ...modal({ callbackId: 'stack_root', title: 'Renamed' }), notify_on_close: true } });
    expect((await slackError(bot.views.update({ view_id: root.id, hash: root.hash, view: modal() }))).error).toBe('hash_conflict');

    expect(await slack.viewClosed({ userId: USER, view: child })).toBeUndefined();
    expect(await slack.viewClosed({ userId: USER, view: root })).toMatchObject({ acked: true });
    expect(slack.modalStack(USER)).toEqual([]);
    expect(slack.failures).toEqual([]);
  });

  it('clicks a button in a message and lets the app replace it through the response_url', async () => {
    await slack.slashCommand({ userId: USER, text: '', command: '/post' });
    const posted = await slack.waitFor(() => slack.messages.find((m) => m.text === 'Job ready'));
    expect(posted).toMatchObject({ kind: 'post', via: 'api', channel: expect.stringMatching(/^D/) });
    const click = await slack.blockAction({ userId: USER, actionId: 'done', container: 'message' });
    expect(click).toMatchObject({ acked: true, responseUrl: expect.stringContaining('/response/') });
    const replaced = await slack.waitFor(() => slack.messages.find((m) => m.text === 'Job done'));
    expect(replaced).toMatchObject({ kind: 'update', channel: posted.channel, ts: posted.ts, via: 'response_url' });
    expect(slack.failures).toEqual([]);
  });

  it('records outbound content containing a forbidden string, without repeating it', async () => {
    slack.forbiddenStrings.add('sk-test-secret-123');
    await slack.slashCommand({ userId: USER, text: '', command: '/leak' });
    const failures = slack.takeFailures();
    expect(failures).toEqual([expect.stringContaining('forbidden string #1')]);
    expect(failures.join()).not.toContain('sk-test-secret-123');
    slack.forbiddenStrings.clear();
  });
});

describe('Slack stand-in protocol violations', () => {
  let slack: SlackStandIn;
  let app: App;
  const errors: Record<string, Array<{ error: string; messages: string[] }>> = {};
  const note = (key: string, value: { error: string; messages: string[] }) => (errors[key] ??= []).push(value);

  beforeAll(async () => {
    slack = await startSlackStandIn({ ackDeadlineMs: 400, triggerTtlMs: 400 });
    app = boltApp(slack);
    app.command('/slow', async ({ ack }) => {
      await sleep(700);
      await ack();
    });
    app.command('/late-modal', async ({ ack, body, client }) => {
      await ack();
      await sleep(700);
      note('late-modal', await slackError(client.views.open({ trigger_id: body.trigger_id, view: modal() })));
    });
    app.command('/limits', async ({ ack, body, client }) => {
      await ack();
      const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
      note('limits', await slackError(client.views.open({ trigger_id: body.trigger_id, view: modal({ blocks: Array(101).fill(section) }) })));
      note('limits', await slackError(client.views.open({ trigger_id: body.trigger_id, view: modal({ title: 'x'.repeat(25) }) })));
      note('limits', await slackError(client.views.open({ trigger_id: body.trigger_id, view: modal({ privateMetadata: 'x'.repeat(3001) }) })));
      note('limits', await slackError(client.chat.postMessage({ channel: body.user_id, text: 'many', blocks: Array(51).fill(section) })));
    });
    app.command('/chatty', async ({ ack, respond }) => {
      await ack();
      for (let i = 1; i <= 6; i += 1) {
        try {
          await respond(`update ${i}`);
        } catch (e) {
          note('chatty', { error: String((e as { statusCode?: number }).statusCode), messages: [] });
        }
      }
    });
    await app.start();
    await slack.waitForConnection();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('records a late ack as a failure', async () => {
    const delivery = await slack.slashCommand({ userId: USER, text: '', command: '/slow' });
    expect(delivery).toMatchObject({ acked: false, reason: 'timeout' });
    await slack.waitFor(() => slack.failures.some((f) => f.includes('late ack')));
    expect(slack.takeFailures()).toEqual([expect.stringContaining('not acked within 400 ms'), expect.stringContaining('late ack')]);
  });

  it('refuses an expired trigger_id', async () => {
    await slack.slashCommand({ userId: USER, text: '', command: '/late-modal' });
    await slack.waitFor(() => errors['late-modal']);
    expect(errors['late-modal']).toEqual([{ error: 'expired_trigger_id', messages: [] }]);
    expect(slack.takeFailures()).toEqual([expect.stringContaining('expired_trigger_id')]);
  });

  it('rejects views and messages over Block Kit limits as Slack does', async () => {
    await slack.slashCommand({ userId: USER, text: '', command: '/limits' });
    const seen = await slack.waitFor(() => errors.limits?.length === 4 && errors.limits);
    expect(seen).toEqual([
      { error: 'invalid_arguments', messages: ['[ERROR] must be less than 101 items [json-pointer:/view/blocks]'] },
      { error: 'invalid_arguments', messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] },
      { error: 'invalid_arguments', messages: ['[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]'] },
      { error: 'invalid_blocks', messages: ['[ERROR] must be less than 51 items [json-pointer:/blocks]'] },
    ]);
    expect(slack.takeFailures()).toHaveLength(4);
  });

  it('accepts five response_url posts and refuses the sixth', async () => {
    const delivery = await slack.slashCommand({ userId: USER, text: '', command: '/chatty' });
    await slack.waitFor(() => errors.chatty);
    const posts = slack.responseUrlPosts.filter((p) => p.url === delivery.responseUrl);
    expect(posts.map((p) => p.ok)).toEqual([true, true, true, true, true, false]);
    expect(posts[5]).toMatchObject({ error: 'used_url', body: { text: 'update 6' } });
    expect(errors.chatty).toEqual([{ error: '404', messages: [] }]);
    expect(slack.takeFailures()).toEqual([expect.stringContaining('used more than 5 times')]);
  });

  it("answers token and method mistakes with Slack's errors", async () => {
    expect((await slackError(webClient(slack, 'xoxb-not-the-token').auth.test())).error).toBe('invalid_auth');
    expect((await slackError(webClient(slack, slack.appToken).chat.postMessage({ channel: USER, text: 'x' }))).error).toBe('not_allowed_token_type');
    expect((await slackError(webClient(slack, slack.botToken).apps.connections.open({}))).error).toBe('not_allowed_token_type');
    expect((await slackError(webClient(slack, slack.botToken).apiCall('chat.nonexistent'))).error).toBe('unknown_method');
    expect((await slackError(webClient(slack, slack.botToken).views.update({ view_id: 'VNOTTHERE', view: modal() }))).error).toBe('not_found');
    expect(slack.takeFailures().map((f) => f.split(':')[1]?.trim())).toEqual([
      'invalid_auth (unknown xoxb-... token)',
      'not_allowed_token_type (chat.postMessage takes a bot token, got the app token)',
      'not_allowed_token_type (apps.connections.open takes a app token, got the bot token)',
      expect.stringMatching(/^unknown_method/),
      'not_found',
    ]);
  });

  it('flags an ack for an envelope it never sent, and a reused WebSocket ticket', async () => {
    const { url } = (await webClient(slack, slack.appToken).apps.connections.open({})) as { url: string };
    const socket = new WebSocket(url);
    const hello = await new Promise<Record<string, any>>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    expect(hello).toMatchObject({ type: 'hello', num_connections: 2, connection_info: { app_id: slack.appId }, debug_info: { host: expect.any(String) } });
    socket.send(JSON.stringify({ envelope_id: 'never-sent' }));
    await slack.waitFor(() => slack.failures.length > 0);
    const reuse = new WebSocket(url);
    await new Promise((resolve) => reuse.once('error', resolve));
    socket.terminate();
    expect(slack.takeFailures()).toEqual([
      expect.stringContaining('ack for unknown envelope_id "never-sent"'),
      expect.stringContaining('without a valid one-time ticket'),
    ]);
  });
});

describe('Slack stand-in Web API transport', () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    slack = await startSlackStandIn();
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('takes JSON bodies with the token in the Authorization header, and refuses it in a JSON body', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'json' } }];
    expect(await post({ authorization: `Bearer ${slack.botToken}` }, { channel: 'C0GENERAL01', text: 'json', blocks })).toMatchObject({
      ok: true,
      channel: 'C0GENERAL01',
    });
    expect(slack.messages.at(-1)).toMatchObject({ text: 'json', blocks });
    expect(await post({}, { token: slack.botToken, channel: 'C0GENERAL01', text: 'json' })).toEqual({ ok: false, error: 'not_authed' });
    expect(slack.takeFailures()).toEqual([expect.stringContaining('not_authed')]);
  });

  it('answers an injected ratelimited with 429 and Retry-After, which the WebClient waits out', async () => {
    slack.injectApiFailure('chat.postMessage', 'ratelimited', { times: 1, retryAfterSeconds: 0 });
    const client = new WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
      logger: recordingLogger(),
    });
    await client.chat.postMessage({ channel: USER, text: 'eventually' });
    expect(
      slack
        .callsTo('chat.postMessage')
        .slice(-2)
        .map((c) => [c.httpStatus, c.error]),
    ).toEqual([
      [429, 'ratelimited'],
      [200, undefined],
    ]);
    expect(slack.failures).toEqual([]);
  });
});

describe('Slack stand-in reconnects', () => {
  let slack: SlackStandIn;
  let app: App;
  const hangAttempts: Array<{ retryNum?: number; retryReason?: string }> = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    app = quickReconnectApp(slack);
    app.command('/visen', async ({ ack }) => ack());
    app.command('/hang', async ({ ack, context }) => {
      hangAttempts.push({ retryNum: context.retryNum, retryReason: context.retryReason });
      if (hangAttempts.length > 1) await ack();
    });
    await app.start();
    await slack.waitForConnection();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('keeps delivering after a refresh_requested disconnect', async () => {
    slack.requestRefresh();
    expect(slack.connectionCount()).toBe(0);
    await slack.waitForConnection();
    expect(slack.connectionsOpened).toBe(2);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect((await slack.slashCommand({ userId: USER, text: 'after refresh' })).acked).toBe(true);
  });

  it('reconnects after the socket drops and redelivers the unacked envelope as retry 1', async () => {
    const delivery = slack.slashCommand({ userId: USER, text: '', command: '/hang' });
    await slack.waitFor(() => hangAttempts.length === 1);
    slack.dropConnections();
    expect(await delivery).toMatchObject({ acked: true, attempts: 2 });
    expect(hangAttempts).toEqual([
      { retryNum: undefined, retryReason: undefined },
      { retryNum: 1, retryReason: 'timeout' },
    ]);
    expect(slack.connectionsOpened).toBe(3);
    expect((await slack.slashCommand({ userId: USER, text: 'after drop' })).acked).toBe(true);
    expect(slack.failures).toEqual([]);
  });
});

describe('Slack stand-in with several connections of one app (several workers)', () => {
  let slack: SlackStandIn;
  const apps: App[] = [];
  /** Which app (by index) handled each command text. */
  const handledBy: Array<{ app: number; text: string; retryNum: number | undefined }> = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    for (let i = 0; i < 2; i++) {
      const app = boltApp(slack);
      app.command('/visen', async ({ ack, command, context }) => {
        handledBy.push({ app: i, text: command.text, retryNum: context.retryNum });
        await ack();
      });
      await app.start();
      await slack.waitFor(() => slack.activeConnectionIds().length === i + 1);
      apps.push(app);
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await slack?.close();
  });

  it('hands each envelope to one connection, spreading them over all of them', async () => {
    handledBy.length = 0;
    const deliveries = [];
    for (let n = 0; n < 6; n++) deliveries.push(await slack.slashCommand({ userId: USER, text: `spread ${n}` }));
    expect(handledBy.map((h) => h.text)).toEqual(['spread 0', 'spread 1', 'spread 2', 'spread 3', 'spread 4', 'spread 5']);
    expect(new Set(handledBy.map((h) => h.app))).toEqual(new Set([0, 1]));
    expect(new Set(deliveries.map((d) => d.connectionId))).toEqual(new Set(slack.activeConnectionIds()));
  });

  it('sends on the chosen connection, and redelivers an acked envelope as a retry wherever routed', async () => {
    const [first, second] = slack.activeConnectionIds();
    handledBy.length = 0;
    slack.routeTo(first);
    const original = await slack.slashCommand({ userId: USER, text: 'once' });
    slack.routeTo(second);
    const again = await slack.redeliver(original.envelopeId);
    slack.routeTo(undefined);
    expect([original.connectionId, again.connectionId]).toEqual([first, second]);
    expect(handledBy).toEqual([
      { app: 0, text: 'once', retryNum: undefined },
      { app: 1, text: 'once', retryNum: 1 },
    ]);
    expect(slack.failures).toEqual([]);
  });

  it('refuses an eleventh connection of the app', async () => {
    const client = webClient(slack, slack.appToken);
    const extra: WebSocket[] = [];
    try {
      for (let i = slack.activeConnectionIds().length; i < 10; i++) {
        const { url } = (await client.apps.connections.open({})) as { url: string };
        const socket = new WebSocket(url);
        await new Promise((resolve) => socket.once('message', resolve));
        extra.push(socket);
      }
      expect(slack.activeConnectionIds()).toHaveLength(10);
      const { url } = (await client.apps.connections.open({})) as { url: string };
      const eleventh = new WebSocket(url);
      await new Promise((resolve) => eleventh.once('error', resolve));
      expect(slack.takeFailures()).toEqual([expect.stringContaining('at most 10 connections')]);
    } finally {
      for (const socket of extra) socket.terminate();
    }
  });
});

describe('Slack stand-in limits and view stack rules (no server)', () => {
  const text = (n: number) => ({ type: 'plain_text', text: 'x'.repeat(n) });
  const button = (o: { text?: number; value?: number; actionId?: string } = {}) => ({
    type: 'button',
    action_id: o.actionId ?? 'b',
    text: text(o.text ?? 4),
    value: 'v'.repeat(o.value ?? 1),
  });
  const options = (n: number) => Array.from({ length: n }, (_, i) => ({ text: text(3), value: `o${i}` }));

  it("reports each Block Kit limit with Slack's message and a JSON pointer", () => {
    const view = {
      type: 'home',
      blocks: [
        { type: 'header', text: text(151) },
        { type: 'section', block_id: 'dup', fields: Array(11).fill(text(1)) },
        { type: 'section', block_id: 'dup', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
        { type: 'actions', elements: [button({ text: 76 }), button({ value: 2001, actionId: 'c' }), button({ actionId: 'c' })] },
        { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ actionId: `a${i}` })) },
        { type: 'context', elements: Array(11).fill({ type: 'mrkdwn', text: 'c' }) },
        { type: 'input', block_id: 'in', label: text(5), element: { type: 'plain_text_input', action_id: 'i', max_length: 10, initial_value: 'x'.repeat(11) } },
        { type: 'input', block_id: 'in2', label: text(5), element: { type: 'plain_text_input', action_id: 'i', max_length: 3001 } },
        { type: 'section', block_id: 's', text: text(3), accessory: { type: 'static_select', action_id: 'pick', options: options(101) } },
        { type: 'section', block_id: 'x'.repeat(256), text: text(1) },
      ],
    };
    expect(viewProblems(view)).toEqual([
      '[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/text/text]',
      '[ERROR] must be less than 11 items [json-pointer:/view/blocks/1/fields]',
      '[ERROR] duplicate block_id "dup" [json-pointer:/view/blocks/2/block_id]',
      '[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/2/text/text]',
      '[ERROR] must be less than 76 characters [json-pointer:/view/blocks/3/elements/0/text/text]',
      '[ERROR] must be less than 2001 characters [json-pointer:/view/blocks/3/elements/1/value]',
      '[ERROR] duplicate action_id "c" in the block [json-pointer:/view/blocks/3/elements/2/action_id]',
      '[ERROR] must be less than 26 items [json-pointer:/view/blocks/4/elements]',
      '[ERROR] must be less than 11 items [json-pointer:/view/blocks/5/elements]',
      '[ERROR] must be less than 11 characters [json-pointer:/view/blocks/6/element/initial_value]',
      '[ERROR] must be less than 3001 [json-pointer:/view/blocks/7/element/max_length]',
      '[ERROR] must be less than 101 items [json-pointer:/view/blocks/8/accessory/options]',
      '[ERROR] must be less than 256 characters [json-pointer:/view/blocks/9/block_id]',
    ]);
    expect(viewProblems({ ...modal(), callback_id: 'c'.repeat(256), submit: text(25) })).toEqual([
      '[ERROR] must be less than 25 characters [json-pointer:/view/submit/text]',
      '[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]',
    ]);
    expect(messageProblems({ text: 'x'.repeat(40_001) })).toMatchObject({ error: 'msg_too_long' });
    expect(messageProblems({ text: 'x'.repeat(4_001) })).toEqual({ problems: [], warnings: [expect.stringContaining('fewer than 4000')] });
  });

  it('applies view_submission acks: update replaces, push stacks (at most 3), clear closes all', () => {
    const store = new ViewStore({ teamId: 'T1', appId: 'A1', botId: 'B1' });
    const root = store.open(USER, modal()) as { id: string; hash: string };
    expect(store.applySubmissionAck(root.id, { response_action: 'update', view: modal({ title: 'Step 2' }) })).toEqual([]);
    expect(store.stackOf(USER)).toEqual([expect.objectContaining({ id: root.id, title: expect.objectContaining({ text: 'Step 2' }) })]);
    expect(store.stackOf(USER)[0]!.hash).not.toBe(root.hash);
    expect(store.applySubmissionAck(root.id, { response_action: 'push', view: modal({ title: 'Step 3' }) })).toEqual([]);
    const second = store.stackOf(USER)[1]!;
    expect(store.applySubmissionAck(second.id, { response_action: 'push', view: modal() })).toEqual([]);
    expect(store.applySubmissionAck(second.id, { response_action: 'push', view: modal() })).toEqual([
      'view_submission ack response_action push: push_limit_reached',
    ]);
    expect(store.applySubmissionAck(second.id, { response_action: 'update', view: modal({ title: 'x'.repeat(25) }) })).toEqual([
      expect.stringContaining('must be less than 25 characters'),
    ]);
    expect(store.applySubmissionAck(second.id, { response_action: 'errors', errors: { nope: 'bad' } })).toEqual([
      expect.stringContaining('"nope" is not the block_id of an input block'),
    ]);
    expect(store.applySubmissionAck(second.id, { response_action: 'clear' })).toEqual([]);
    expect(store.stackOf(USER)).toEqual([]);
    expect(store.records.closed).toHaveLength(3);
  });
});

describe.skipIf(!specsDir)("Slack stand-in against Slack's published specs", () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    // conversations.open needs im:write, which the app does not ask for.
    slack = await startSlackStandIn({ grantedScopes: [...readManifest().botScopes, 'im:write'] });
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('reads only the arguments the Web API spec declares, and every one it requires', () => {
    const spec = loadJsonSpec<SlackWebApiSpec>('slack/web-api/slack_web_openapi_v2.json');
    expect(webApiSpecMismatches(spec, METHODS)).toEqual([]);
    expect(METHODS['views.open']!.args).toEqual(['trigger_id', 'view']);
  });

  it('answers with the fields the Web API spec requires', async () => {
    const spec = loadJsonSpec<SlackWebApiSpec>('slack/web-api/slack_web_openapi_v2.json');
    const client = webClient(slack, slack.botToken);
    const posted = await client.chat.postMessage({ channel: USER, text: 'spec' });
    const answers: Record<string, object> = {
      'auth.test': await client.auth.test(),
      'chat.postMessage': posted,
      'chat.postEphemeral': await client.chat.postEphemeral({ channel: posted.channel!, user: USER, text: 'spec' }),
      'chat.update': await client.chat.update({ channel: posted.channel!, ts: posted.ts!, text: 'spec 2' }),
      'conversations.open': await client.conversations.open({ users: USER }),
    };
    for (const [method, answer] of Object.entries(answers)) {
      expect(Object.keys(answer), method).toEqual(expect.arrayContaining(specSuccessFields(spec, method)));
    }
    expect(slack.failures).toEqual([]);
  });

  it('wraps app_home_opened as the Events API wrapper schema describes', async () => {
    const schema = loadJsonSpec<Record<string, any>>('slack/events-api/slack_common_event_wrapper_schema.json');
    schema.required = (schema.required as string[]).filter((field) => !DEPRECATED_WRAPPER_FIELDS.includes(field));
    type AjvLike = new (o: object) => { compile(s: object): ((v: unknown) => boolean) & { errors?: unknown } };
    const Ajv = ((AjvModule as unknown as { default?: AjvLike }).default ?? AjvModule) as AjvLike;
    const validate = new Ajv({ strict: false }).compile(schema);

    const app = boltApp(slack);
    const bodies: unknown[] = [];
    app.event('app_home_opened', async ({ body }) => {
      bodies.push(body);
    });
    await app.start();
    try {
      await slack.waitForConnection();
      await slack.appHomeOpened({ userId: USER, tab: 'messages' });
      const body = await slack.waitFor(() => bodies[0]);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(body).toMatchObject({
        type: 'event_callback',
        team_id: slack.teamId,
        api_app_id: slack.appId,
        event: { type: 'app_home_opened', user: USER, tab: 'messages', channel: expect.stringMatching(/^D/) },
      });
    } finally {
      await app.stop();
    }
  });
});
