// chat.postMessage / chat.postEphemeral / chat.update (https://docs.slack.dev/reference/methods/chat.postMessage,
// .../chat.postEphemeral, .../chat.update). Messages over the limits get `msg_too_long` or `invalid_blocks` (with
// `response_metadata.messages`); a channel that is a user id means the app's DM with that user, as in Slack.
// All three need chat:write (each method's page, "Required scopes"); posting in a seeded channel the bot is not in
// answers `not_in_channel` (chat:write.public would allow it; the stand-in does not grant that). The bot's posts
// and edits land in the seeded conversation, so conversations.replies sees them as Slack's would.
// chat.getPermalink (https://docs.slack.dev/reference/methods/chat.getPermalink, no scope): Slack's permalink
// format, `https://<domain>.slack.com/archives/<channel>/p<ts without the dot>`, and for a reply
// `?thread_ts=<parent ts>&cid=<channel>`.
import { isChannelId, isUserId, newMessageTs } from '../ids.js';
import { messageProblems } from '../limits.js';
import type { AnyObject } from '../types.js';
import type { ApiContext, MethodResult, MethodSpec } from './method.js';

const key = (channel: string, ts: string) => `${channel}/${ts}`;
const chatWrite = () => 'chat:write';

/** The conversation a `channel` argument names, or undefined when it names none. */
function resolveChannel(channel: unknown, ctx: ApiContext): string | undefined {
  if (typeof channel !== 'string') return undefined;
  if (isUserId(channel)) return ctx.directory.directMessageWith(channel).id;
  return isChannelId(channel) ? channel : undefined;
}

/** Limits and forbidden strings; the refusal Slack would answer with, if any. */
function checkMessage(args: AnyObject, ctx: ApiContext, method: string): MethodResult | undefined {
  const check = messageProblems({ text: args.text, blocks: args.blocks });
  ctx.records.warnings.push(...check.warnings.map((w) => `${method}: ${w}`));
  if (check.error) {
    const extra = check.error === 'invalid_blocks' ? { response_metadata: { messages: check.problems } } : undefined;
    return { ok: false, error: check.error, detail: check.problems.join('; '), extra };
  }
  return undefined;
}

const channelNotFound = (channel: unknown): MethodResult => ({ ok: false, error: 'channel_not_found', detail: `channel ${JSON.stringify(channel)}` });

export const chatPostMessage: MethodSpec = {
  token: 'bot',
  args: ['channel', 'text', 'blocks', 'thread_ts'],
  scope: chatWrite,
  handle(args, ctx) {
    const channel = resolveChannel(args.channel, ctx);
    if (!channel) return channelNotFound(args.channel);
    const seeded = ctx.directory.conversations.get(channel);
    if (seeded && !seeded.members.has(ctx.identity.botUserId)) return { ok: false, error: 'not_in_channel', expected: true };
    const refusal = checkMessage(args, ctx, 'chat.postMessage');
    if (refusal) return refusal;
    const ts = newMessageTs();
    const threadTs = typeof args.thread_ts === 'string' && ctx.directory.find(channel, args.thread_ts) ? args.thread_ts : undefined;
    if (seeded) ctx.directory.addMessage(channel, { user: ctx.identity.botUserId, text: args.text ?? '', threadTs, botId: ctx.identity.botId, ts });
    ctx.posted.set(key(channel, ts), { channel, ts, text: args.text, blocks: args.blocks });
    ctx.records.messages.push({ channel, ts, text: args.text, blocks: args.blocks, thread_ts: args.thread_ts, kind: 'post', via: 'api' });
    const message = {
      type: 'message',
      text: args.text ?? '',
      user: ctx.identity.botUserId,
      bot_id: ctx.identity.botId,
      app_id: ctx.identity.appId,
      ts,
      team: ctx.identity.teamId,
      blocks: args.blocks,
    };
    return { ok: true, body: { channel, ts, message } };
  },
};

export const chatPostEphemeral: MethodSpec = {
  token: 'bot',
  args: ['channel', 'user', 'text', 'blocks', 'thread_ts'],
  scope: chatWrite,
  handle(args, ctx) {
    const channel = resolveChannel(args.channel, ctx);
    if (!channel) return channelNotFound(args.channel);
    if (typeof args.user !== 'string' || !isUserId(args.user)) return { ok: false, error: 'user_not_in_channel', detail: `user ${JSON.stringify(args.user)}` };
    const refusal = checkMessage(args, ctx, 'chat.postEphemeral');
    if (refusal) return refusal;
    const ts = newMessageTs();
    ctx.records.messages.push({ channel, ts, text: args.text, blocks: args.blocks, user: args.user, thread_ts: args.thread_ts, kind: 'ephemeral', via: 'api' });
    return { ok: true, body: { message_ts: ts } };
  },
};

export const chatUpdate: MethodSpec = {
  token: 'bot',
  args: ['channel', 'ts', 'text', 'blocks'],
  scope: chatWrite,
  handle(args, ctx) {
    const channel = resolveChannel(args.channel, ctx);
    if (!channel) return channelNotFound(args.channel);
    const posted = typeof args.ts === 'string' ? ctx.posted.get(key(channel, args.ts)) : undefined;
    if (!posted) return { ok: false, error: 'message_not_found', detail: `no message ${JSON.stringify(args.ts)} from the bot in ${channel}` };
    const refusal = checkMessage(args, ctx, 'chat.update');
    if (refusal) return refusal;
    posted.text = args.text;
    posted.blocks = args.blocks;
    const stored = ctx.directory.find(channel, posted.ts);
    if (stored) stored.text = args.text ?? '';
    ctx.records.messages.push({ channel, ts: posted.ts, text: args.text, blocks: args.blocks, kind: 'update', via: 'api' });
    const message = { type: 'message', text: args.text ?? '', user: ctx.identity.botUserId, bot_id: ctx.identity.botId, blocks: args.blocks };
    return { ok: true, body: { channel, ts: posted.ts, text: args.text ?? '', message } };
  },
};

export const chatGetPermalink: MethodSpec = {
  token: 'bot',
  args: ['channel', 'message_ts'],
  handle(args, ctx) {
    const channel = resolveChannel(args.channel, ctx);
    if (!channel) return channelNotFound(args.channel);
    const ts = typeof args.message_ts === 'string' ? args.message_ts : '';
    const stored = ctx.directory.find(channel, ts);
    if (!stored && !ctx.posted.has(key(channel, ts)))
      return { ok: false, error: 'message_not_found', expected: true, detail: `no message ${JSON.stringify(ts)} in ${channel}` };
    const base = `https://${ctx.identity.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    const reply = stored?.thread_ts && stored.thread_ts !== stored.ts;
    return { ok: true, body: { channel, permalink: reply ? `${base}?thread_ts=${stored.thread_ts}&cid=${channel}` : base } };
  },
};
