/**
 * Self-test of the Slack stand-in's workspace: scopes, users.info, conversations.info/replies, chat.getPermalink,
 * rate limits, DMs, message shortcuts and message events, driven by @slack/web-api and a Bolt app in Socket Mode.
 */
import { App, type Logger, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { Directory } from './slack/directory.js';
import { directChannelFor, METHODS, readManifest, type SlackStandIn, type SlackStandInOptions, startSlackStandIn } from './slack/index.js';
import type { ApiContext } from './slack/methods/method.js';
import { type SlackWebApiSpec, specScopes, specSuccessFields } from './slack/spec-check.js';
import { loadJsonSpec, specsDir } from './specs.js';

const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const READ_SCOPES = ['channels:history', 'groups:history', 'im:history', 'mpim:history', 'channels:read', 'groups:read', 'users:read'];
const quietLogger = (): Logger => {
  let level = LogLevel.ERROR;
  const none = () => undefined;
  return { debug: none, info: none, warn: none, error: none, setLevel: (l) => void (level = l), getLevel: () => level, setName: none };
};

let slack: SlackStandIn | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await slack?.close();
  app = undefined;
  slack = undefined;
});

async function standIn(options: SlackStandInOptions = {}): Promise<{ s: SlackStandIn; client: WebClient }> {
  slack = await startSlackStandIn(options);
  const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quietLogger() });
  return { s: slack, client };
}

const withReadScopes = () => ({ grantedScopes: [...readManifest().botScopes, ...READ_SCOPES] });

/** The error body of a failed Web API call (429s included). */
async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (e) {
    const err = e as { data?: Record<string, unknown>; code?: string; retryAfter?: number };
    return err.data ?? { code: err.code, retryAfter: err.retryAfter };
  }
  throw new Error('the call succeeded');
}

describe('Slack stand-in scopes', () => {
  it("grants the manifest's bot scopes by default and answers missing_scope with needed and provided", async () => {
    const { s, client } = await standIn();
    expect([...s.grantedScopes]).toEqual(readManifest().botScopes);
    // An install from before users:read was in the manifest.
    s.grantedScopes.delete('users:read');
    const provided = readManifest().botScopes.filter((scope) => scope !== 'users:read');
    s.seedUser({ id: ALICE });
    expect(await failure(client.users.info({ user: ALICE }))).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'users:read',
      provided: provided.join(','),
    });
    s.grantedScopes.add('users:read');
    expect((await client.users.info({ user: ALICE })).ok).toBe(true);
    expect(s.failures).toEqual([]);
  });

  it('asks for the history scope of the conversation type', async () => {
    const { s, client } = await standIn({ grantedScopes: ['channels:history'] });
    const secret = s.seedConversation({ type: 'private_channel', members: [ALICE] });
    const { ts } = s.seedThread({ channelId: secret.id, parent: { user: ALICE, text: 'hi' } });
    expect(await failure(client.conversations.replies({ channel: secret.id, ts }))).toMatchObject({ error: 'missing_scope', needed: 'groups:history' });
    const dm = s.seedConversation({ type: 'im', members: [ALICE] });
    expect(await failure(client.conversations.replies({ channel: dm.id, ts }))).toMatchObject({ needed: 'im:history' });
    expect(await failure(client.chat.postMessage({ channel: ALICE, text: 'x' }))).toMatchObject({ needed: 'chat:write', provided: 'channels:history' });
  });
});

describe('Slack stand-in users.info', () => {
  it('returns names and the time zone with its offset at the time of the call, and user_not_found', async () => {
    let now = Date.parse('2026-01-15T12:00:00Z');
    const { s, client } = await standIn({ ...withReadScopes(), now: () => now });
    s.seedUser({ id: ALICE, name: 'alice', realName: 'Alice Liddell', displayName: 'Ali', tz: 'Europe/Paris' });
    const winter = (await client.users.info({ user: ALICE })).user!;
    expect(winter).toMatchObject({
      id: ALICE,
      name: 'alice',
      real_name: 'Alice Liddell',
      deleted: false,
      tz: 'Europe/Paris',
      tz_label: 'Central European Standard Time',
      tz_offset: 3600,
      profile: { display_name: 'Ali', real_name: 'Alice Liddell' },
    });
    now = Date.parse('2026-07-15T12:00:00Z');
    expect((await client.users.info({ user: ALICE })).user).toMatchObject({ tz_offset: 7200, tz_label: 'Central European Summer Time' });
    s.seedUser({ id: BOB, tz: 'America/New_York', deleted: true });
    expect((await client.users.info({ user: BOB })).user).toMatchObject({ deleted: true, tz_offset: -4 * 3600 });
    expect(await failure(client.users.info({ user: 'U0NOBODY01' }))).toMatchObject({ error: 'user_not_found' });
    expect(s.failures).toEqual([]);
  });
});

describe('Slack stand-in conversations.replies', () => {
  it('pages through a thread with limit, next_cursor and has_more, parent first with reply_count and files', async () => {
    const { s, client } = await standIn(withReadScopes());
    const channel = s.seedConversation({ type: 'public_channel', name: 'incidents', members: [ALICE, BOB] });
    const replies = Array.from({ length: 24 }, (_, i) => ({ user: i % 2 ? BOB : ALICE, text: `reply ${i + 1}` }));
    const thread = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'outage', files: ['graph.png'] }, replies });
    const pages: Array<{ messages: Record<string, unknown>[]; has_more: boolean; cursor: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.replies({ channel: channel.id, ts: thread.replyTs[3]!, limit: 10, cursor });
      cursor = page.response_metadata?.next_cursor || undefined;
      pages.push({ messages: page.messages as Record<string, unknown>[], has_more: page.has_more!, cursor: cursor ?? '' });
    } while (cursor);
    expect(pages.map((p) => [p.messages.length, p.has_more])).toEqual([
      [10, true],
      [10, true],
      [5, false],
    ]);
    const all = pages.flatMap((p) => p.messages);
    expect(all[0]).toMatchObject({ user: ALICE, text: 'outage', ts: thread.ts, thread_ts: thread.ts, reply_count: 24, reply_users_count: 2 });
    expect(all[0]!.files).toEqual([expect.objectContaining({ name: 'graph.png', mimetype: 'image/png' })]);
    expect(all.slice(1).map((m) => m.text)).toEqual(replies.map((r) => r.text));
    expect(all.slice(1).every((m) => m.thread_ts === thread.ts && m.parent_user_id === ALICE)).toBe(true);
    expect(await failure(client.conversations.replies({ channel: channel.id, ts: thread.ts, cursor: 'bm9wZQ==' }))).toMatchObject({ error: 'invalid_cursor' });
    s.takeFailures();
  });

  it('answers thread_not_found, channel_not_found, and not_in_channel when the bot is not a member', async () => {
    const { s, client } = await standIn(withReadScopes());
    const open = s.seedConversation({ type: 'public_channel', members: [ALICE], botIsMember: false });
    const hidden = s.seedConversation({ type: 'private_channel', members: [ALICE], botIsMember: false });
    const mine = s.seedConversation({ type: 'public_channel', members: [ALICE] });
    const ts = s.seedThread({ channelId: open.id, parent: { user: ALICE, text: 'x' } }).ts;
    expect(await failure(client.conversations.replies({ channel: open.id, ts }))).toMatchObject({ error: 'not_in_channel' });
    expect(await failure(client.conversations.replies({ channel: hidden.id, ts }))).toMatchObject({ error: 'channel_not_found' });
    expect(await failure(client.conversations.replies({ channel: 'C0NOWHERE1', ts }))).toMatchObject({ error: 'channel_not_found' });
    expect(await failure(client.conversations.replies({ channel: mine.id, ts: '1.000001' }))).toMatchObject({ error: 'thread_not_found' });
    s.setMember(open.id, s.botUserId, true);
    expect((await client.conversations.replies({ channel: open.id, ts })).messages).toHaveLength(1);
    expect(s.failures).toEqual([]);
  });

  it('answers 429 with Retry-After beyond tier 3 (50 a minute) until the window moves on, and on an injected ratelimited', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const { s, client } = await standIn({ ...withReadScopes(), now: () => now });
    const channel = s.seedConversation({ type: 'public_channel' });
    const ts = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'x' } }).ts;
    for (let i = 0; i < 50; i += 1) {
      now += 100;
      await client.conversations.replies({ channel: channel.id, ts });
    }
    expect(await failure(client.conversations.replies({ channel: channel.id, ts }))).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 56 });
    expect(s.callsTo('conversations.replies').at(-1)).toMatchObject({ httpStatus: 429, error: 'ratelimited' });
    now += 55_100; // the first call (at +100 ms) leaves the 60-second window
    expect((await client.conversations.replies({ channel: channel.id, ts })).ok).toBe(true);
    now += 60_000; // an empty window: only the injected fault answers 429
    s.injectApiFailure('conversations.replies', 'ratelimited', { retryAfterSeconds: 7 });
    expect(await failure(client.conversations.replies({ channel: channel.id, ts }))).toMatchObject({ retryAfter: 7 });
    expect(s.failures).toEqual([]);
  });
});

describe('Slack stand-in conversations.info, chat.getPermalink and DMs', () => {
  it('describes each conversation type with is_member', async () => {
    const { s, client } = await standIn({ grantedScopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'] });
    const cases = [
      [s.seedConversation({ type: 'public_channel', name: 'general', botIsMember: false }), { is_channel: true, is_private: false, is_member: false }],
      [s.seedConversation({ type: 'private_channel', name: 'secret' }), { is_group: true, is_private: true, is_member: true }],
      [s.seedConversation({ type: 'mpim', members: [ALICE, BOB] }), { is_mpim: true, is_private: true }],
      [s.directMessageWith(ALICE), { is_im: true, user: ALICE }],
    ] as const;
    for (const [conversation, expected] of cases) {
      expect((await client.conversations.info({ channel: conversation.id })).channel).toMatchObject({ id: conversation.id, ...expected });
    }
    expect(s.failures).toEqual([]);
  });

  it("builds permalinks in Slack's format, with thread_ts for replies", async () => {
    const { s, client } = await standIn();
    const channel = s.seedConversation({ type: 'public_channel', id: 'C0PERMA001' });
    const thread = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'a' }, replies: [{ user: BOB, text: 'b' }] });
    const base = 'https://visen-stand-in.slack.com/archives/C0PERMA001/p';
    expect((await client.chat.getPermalink({ channel: channel.id, message_ts: thread.ts })).permalink).toBe(`${base}${thread.ts.replace('.', '')}`);
    expect((await client.chat.getPermalink({ channel: channel.id, message_ts: thread.replyTs[0]! })).permalink).toBe(
      `${base}${thread.replyTs[0]!.replace('.', '')}?thread_ts=${thread.ts}&cid=C0PERMA001`,
    );
    expect(await failure(client.chat.getPermalink({ channel: channel.id, message_ts: '1.000001' }))).toMatchObject({ error: 'message_not_found' });
  });

  it('posts to a user id as the DM with the app, updates it, and opens the same DM with im:write', async () => {
    const { s, client } = await standIn({ grantedScopes: ['chat:write', 'im:write', 'im:history'] });
    const posted = await client.chat.postMessage({ channel: ALICE, text: 'Filled 3 rows' });
    expect(posted.channel).toBe(directChannelFor(ALICE));
    await client.chat.update({ channel: posted.channel!, ts: posted.ts!, text: 'Filled 5 rows' });
    expect((await client.conversations.open({ users: ALICE })).channel?.id).toBe(posted.channel);
    expect(s.messages.filter((m) => m.channel === posted.channel).map((m) => [m.kind, m.text])).toEqual([
      ['post', 'Filled 3 rows'],
      ['update', 'Filled 5 rows'],
    ]);
    const history = await client.conversations.replies({ channel: posted.channel!, ts: posted.ts! });
    expect(history.messages).toEqual([expect.objectContaining({ user: s.botUserId, text: 'Filled 5 rows', bot_id: s.botId })]);
    s.grantedScopes.delete('im:write');
    expect(await failure(client.conversations.open({ users: ALICE }))).toMatchObject({ error: 'missing_scope', needed: 'im:write' });
  });

  it('refuses a post in a seeded channel the bot is not in', async () => {
    const { s, client } = await standIn();
    const channel = s.seedConversation({ type: 'public_channel', botIsMember: false });
    expect(await failure(client.chat.postMessage({ channel: channel.id, text: 'hi' }))).toMatchObject({ error: 'not_in_channel' });
  });
});

const MANIFEST_WITH_SHORTCUT = {
  features: { shortcuts: [{ name: 'Send to Notion', type: 'message', callback_id: 'send_to_notion', description: 'Summarise into Notion' }] },
  oauth_config: { scopes: { bot: ['commands', 'chat:write', 'channels:history'] } },
  settings: { event_subscriptions: { bot_events: ['message.channels'] } },
};

async function connectedApp(s: SlackStandIn): Promise<App> {
  app = new App({ token: s.botToken, appToken: s.appToken, socketMode: true, clientOptions: { slackApiUrl: s.apiUrl }, logger: quietLogger() });
  return app;
}

describe('Slack stand-in message shortcuts and message events', () => {
  it('delivers a declared message shortcut with a 3-second trigger_id the app opens a modal with', async () => {
    const { s } = await standIn({ manifest: MANIFEST_WITH_SHORTCUT });
    const channel = s.seedConversation({ type: 'public_channel', name: 'decisions', members: [ALICE] });
    const thread = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'We ship Friday' }, replies: [{ user: BOB, text: 'ok' }] });
    const bodies: Record<string, any>[] = [];
    const a = await connectedApp(s);
    a.shortcut('send_to_notion', async ({ ack, body, client }) => {
      await ack();
      bodies.push(body);
      await client.views.open({ trigger_id: body.trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'Send' }, blocks: [] } });
    });
    await a.start();
    const delivery = await s.triggerMessageShortcut({ userId: ALICE, callbackId: 'send_to_notion', channelId: channel.id, messageTs: thread.ts });
    expect(delivery.acked).toBe(true);
    await s.waitFor(() => s.views.opened.length > 0);
    expect(bodies[0]).toMatchObject({
      type: 'message_action',
      callback_id: 'send_to_notion',
      trigger_id: delivery.triggerId,
      response_url: delivery.responseUrl,
      user: { id: ALICE },
      channel: { id: channel.id, name: 'decisions' },
      team: { id: s.teamId },
      message_ts: thread.ts,
      message: { ts: thread.ts, thread_ts: thread.ts, text: 'We ship Friday', user: ALICE, reply_count: 1 },
    });
    expect(s.failures).toEqual([]);
  });

  it("refuses views.open with the shortcut's trigger_id once it expired", async () => {
    const { s } = await standIn({ manifest: MANIFEST_WITH_SHORTCUT, triggerTtlMs: 50 });
    const channel = s.seedConversation({ type: 'public_channel' });
    const { ts } = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'x' } });
    const errors: string[] = [];
    const a = await connectedApp(s);
    a.shortcut('send_to_notion', async ({ ack, body, client }) => {
      await ack();
      await new Promise((resolve) => setTimeout(resolve, 150));
      const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Send' }, blocks: [] };
      await client.views.open({ trigger_id: body.trigger_id, view }).catch((e: { data?: { error: string } }) => errors.push(e.data?.error ?? String(e)));
    });
    await a.start();
    await s.triggerMessageShortcut({ userId: ALICE, callbackId: 'send_to_notion', channelId: channel.id, messageTs: ts });
    expect(await s.waitFor(() => errors[0])).toBe('expired_trigger_id');
    s.takeFailures();
  });

  it('refuses a shortcut the manifest does not declare, or without the commands scope', async () => {
    const { s } = await standIn({ manifest: MANIFEST_WITH_SHORTCUT });
    const channel = s.seedConversation({ type: 'public_channel' });
    const { ts } = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'x' } });
    expect(() => s.triggerMessageShortcut({ userId: ALICE, callbackId: 'other', channelId: channel.id, messageTs: ts })).toThrow(
      /declares no message shortcut/,
    );
    s.grantedScopes.delete('commands');
    expect(() => s.triggerMessageShortcut({ userId: ALICE, callbackId: 'send_to_notion', channelId: channel.id, messageTs: ts })).toThrow(/commands scope/);
  });

  it('delivers message events in threads when subscribed, and only posts the message otherwise', async () => {
    const { s } = await standIn({ manifest: MANIFEST_WITH_SHORTCUT });
    const channel = s.seedConversation({ type: 'public_channel', members: [ALICE] });
    const group = s.seedConversation({ type: 'private_channel', members: [ALICE] });
    const thread = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'topic' } });
    const events: Record<string, any>[] = [];
    const a = await connectedApp(s);
    a.event('message', async ({ event }) => void events.push(event));
    await a.start();
    const sent = await s.deliverMessageEvent({ channelId: channel.id, user: BOB, text: 'a reply', threadTs: thread.ts, files: ['notes.pdf'] });
    expect(sent.delivery?.acked).toBe(true);
    await s.waitFor(() => events.length > 0);
    expect(events[0]).toMatchObject({ type: 'message', channel: channel.id, channel_type: 'channel', user: BOB, text: 'a reply', ts: sent.message.ts });
    expect(events[0]).toMatchObject({ thread_ts: thread.ts, parent_user_id: ALICE, files: [{ name: 'notes.pdf' }] });
    const quiet = await s.deliverMessageEvent({ channelId: group.id, user: ALICE, text: 'private' });
    expect(quiet).toMatchObject({ notSent: 'the manifest does not subscribe to message.groups' });
    expect(quiet.delivery).toBeUndefined();
    s.setMember(channel.id, s.botUserId, false);
    expect((await s.deliverMessageEvent({ channelId: channel.id, user: BOB, text: 'later' })).notSent).toMatch(/not a member/);
    expect(s.failures).toEqual([]);
  });
});

describe.skipIf(!specsDir)("Slack stand-in's new methods against Slack's published spec", () => {
  it('requires, for every conversation type, a scope the spec lists for the method, and none where it lists none', () => {
    const spec = loadJsonSpec<SlackWebApiSpec>('slack/web-api/slack_web_openapi_v2.json');
    const directory = new Directory('U0VISENBOT1');
    const ctx = { directory } as unknown as ApiContext;
    const channels = (['public_channel', 'private_channel', 'im', 'mpim'] as const).map((type) => directory.seedConversation({ type, members: [ALICE] }));
    for (const [method, implementation] of Object.entries(METHODS)) {
      if (method === 'apps.connections.open') continue; // app-level token; its connections:write check is in connections.ts
      const listed = specScopes(spec, method);
      if (!implementation.scope) expect(listed, method).toEqual(['none']);
      for (const channel of implementation.scope ? channels : []) {
        expect(listed, `${method} in a ${channel.type}`).toContain(implementation.scope!({ channel: channel.id, users: ALICE }, ctx));
      }
    }
  });

  it('answer with the fields the Web API spec requires', async () => {
    const spec = loadJsonSpec<SlackWebApiSpec>('slack/web-api/slack_web_openapi_v2.json');
    const { s, client } = await standIn(withReadScopes());
    s.seedUser({ id: ALICE });
    const channel = s.seedConversation({ type: 'public_channel' });
    const { ts } = s.seedThread({ channelId: channel.id, parent: { user: ALICE, text: 'x' } });
    const answers: Record<string, object> = {
      'users.info': await client.users.info({ user: ALICE }),
      'conversations.info': await client.conversations.info({ channel: channel.id }),
      'conversations.replies': await client.conversations.replies({ channel: channel.id, ts }),
      'chat.getPermalink': await client.chat.getPermalink({ channel: channel.id, message_ts: ts }),
    };
    for (const [method, answer] of Object.entries(answers)) {
      expect(Object.keys(answer), method).toEqual(expect.arrayContaining(specSuccessFields(spec, method)));
    }
  });
});
