// conversations.open (https://docs.slack.dev/reference/methods/conversations.open: scopes im:write / mpim:write;
// a user's DM with the app, a `D...` channel), conversations.info
// (https://docs.slack.dev/reference/methods/conversations.info: channels:read / groups:read / im:read / mpim:read by
// conversation type) and conversations.replies (https://docs.slack.dev/reference/methods/conversations.replies:
// channels:history / groups:history / im:history / mpim:history by type; tier 3; cursor pagination with `limit`
// (default and maximum 1000), `response_metadata.next_cursor` and `has_more`; errors `channel_not_found`,
// `thread_not_found`, `not_in_channel`, `invalid_cursor`). A conversation the bot cannot see (a private channel,
// DM or group DM it is not in) is `channel_not_found`, as Slack hides it; a public channel it is not in answers
// `not_in_channel` (Slack's stale spec lacks that error; the method page lists it).
import type { Conversation, ConversationType, StoredMessage } from '../directory.js';
import { isUserId } from '../ids.js';
import type { AnyObject } from '../types.js';
import type { ApiContext, MethodResult, MethodSpec } from './method.js';

const SCOPE_PREFIX: Record<ConversationType, string> = { public_channel: 'channels', private_channel: 'groups', im: 'im', mpim: 'mpim' };

/** The scope `<prefix>:<suffix>` for the conversation `args.channel` names (public channel when unknown). */
const scopeByType = (suffix: string) => (args: AnyObject, ctx: ApiContext) => {
  const conversation = typeof args.channel === 'string' ? ctx.directory.conversations.get(args.channel) : undefined;
  return `${SCOPE_PREFIX[conversation?.type ?? 'public_channel']}:${suffix}`;
};

/** The conversation, when it exists and the bot may see it. */
function visible(args: AnyObject, ctx: ApiContext): Conversation | MethodResult {
  const conversation = typeof args.channel === 'string' ? ctx.directory.conversations.get(args.channel) : undefined;
  const seen = conversation && (conversation.type === 'public_channel' || conversation.members.has(ctx.identity.botUserId));
  if (!conversation || !seen) return { ok: false, error: 'channel_not_found', expected: true, detail: `channel ${JSON.stringify(args.channel)}` };
  return conversation;
}

export function conversationObject(c: Conversation, botUserId: string): AnyObject {
  const base: AnyObject = { id: c.id, created: c.created, is_archived: false, is_org_shared: false, is_ext_shared: false };
  if (c.type === 'im') return { ...base, is_im: true, user: c.user, is_user_deleted: false, is_open: true };
  return {
    ...base,
    name: c.name,
    name_normalized: c.name,
    is_channel: c.type === 'public_channel',
    is_group: c.type === 'private_channel',
    is_im: false,
    is_mpim: c.type === 'mpim',
    is_private: c.type !== 'public_channel',
    is_general: false,
    is_member: c.members.has(botUserId),
  };
}

export const conversationsOpen: MethodSpec = {
  token: 'bot',
  args: ['users', 'channel', 'return_im'],
  scope: (args) => (typeof args.users === 'string' && args.users.includes(',') ? 'mpim:write' : 'im:write'),
  handle(args, ctx) {
    if (typeof args.channel === 'string' && args.channel) return { ok: true, body: { channel: { id: args.channel } } };
    const users =
      typeof args.users === 'string'
        ? args.users
            .split(',')
            .map((u) => u.trim())
            .filter(Boolean)
        : [];
    if (users.length === 0) return { ok: false, error: 'users_list_not_supplied' };
    if (users.length > 1) return { ok: false, error: 'method_not_supported_for_channel_type', detail: 'the stand-in opens direct messages only' };
    const [user] = users as [string];
    if (!isUserId(user)) return { ok: false, error: 'user_not_found', detail: `user ${JSON.stringify(user)}` };
    const im = ctx.directory.directMessageWith(user);
    const channel = args.return_im ? { id: im.id, is_im: true, user, created: im.created, is_open: true } : { id: im.id };
    return { ok: true, body: { channel } };
  },
};

export const conversationsInfo: MethodSpec = {
  token: 'bot',
  args: ['channel', 'include_locale', 'include_num_members'],
  scope: scopeByType('read'),
  tier: 3,
  handle(args, ctx) {
    const found = visible(args, ctx);
    if ('ok' in found) return found;
    const channel = conversationObject(found, ctx.identity.botUserId);
    if (args.include_num_members === true || args.include_num_members === 'true') channel.num_members = found.members.size;
    return { ok: true, body: { channel } };
  },
};

const MAX_LIMIT = 1000;
// Slack's cursors are opaque base64 strings (`bmV4dF90czox...` decodes to `next_ts:1...`); these look the same.
const cursorFor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString('base64');
const tsOfCursor = (cursor: string) => /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))?.[1];

export const conversationsReplies: MethodSpec = {
  token: 'bot',
  args: ['channel', 'ts', 'limit', 'cursor'],
  scope: scopeByType('history'),
  tier: 3,
  handle(args, ctx) {
    const found = visible(args, ctx);
    if ('ok' in found) return found;
    if (!found.members.has(ctx.identity.botUserId)) return { ok: false, error: 'not_in_channel', expected: true };
    const thread = typeof args.ts === 'string' ? ctx.directory.thread(found.id, args.ts) : undefined;
    if (!thread) return { ok: false, error: 'thread_not_found', expected: true, detail: `no message ${JSON.stringify(args.ts)} in ${found.id}` };
    const limitArg = Number(args.limit);
    const limit = Number.isInteger(limitArg) && limitArg > 0 ? Math.min(limitArg, MAX_LIMIT) : MAX_LIMIT;
    let start = 0;
    if (typeof args.cursor === 'string' && args.cursor) {
      const from = tsOfCursor(args.cursor);
      start = thread.findIndex((m) => m.ts === from);
      if (start < 0) return { ok: false, error: 'invalid_cursor', detail: `cursor ${JSON.stringify(args.cursor)} is not one this thread handed out` };
    }
    const page = thread.slice(start, start + limit);
    const next = thread[start + limit];
    return {
      ok: true,
      body: {
        messages: page.map((m) => messageObject(m, ctx)),
        has_more: next !== undefined,
        response_metadata: { next_cursor: next ? cursorFor(next.ts) : '' },
      },
    };
  },
};

/** A message as conversations.replies returns it (https://docs.slack.dev/reference/objects/message-object). */
export function messageObject(m: StoredMessage, ctx: Pick<ApiContext, 'identity' | 'directory'>): AnyObject {
  const out: AnyObject = { type: 'message', user: m.user, text: m.text, ts: m.ts, team: ctx.identity.teamId };
  if (m.bot_id) out.bot_id = m.bot_id;
  if (m.files) out.files = m.files.map((name, i) => ({ id: `F${m.ts.replace('.', '')}${i}`, name, title: name, mimetype: mimeOf(name) }));
  const replies = m.thread_ts === undefined || m.thread_ts === m.ts ? ctx.directory.repliesTo(m.channel, m.ts) : [];
  if (m.thread_ts && m.thread_ts !== m.ts) {
    out.thread_ts = m.thread_ts;
    out.parent_user_id = ctx.directory.find(m.channel, m.thread_ts)?.user;
  } else if (replies.length > 0) {
    const replyUsers = [...new Set(replies.map((r) => r.user))];
    Object.assign(out, { thread_ts: m.ts, reply_count: replies.length, reply_users: replyUsers, reply_users_count: replyUsers.length });
    Object.assign(out, { latest_reply: replies.at(-1)!.ts, subscribed: false });
  }
  return out;
}

const MIME: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', txt: 'text/plain', csv: 'text/csv' };
const mimeOf = (name: string) => MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
