// chat.postMessage / chat.postEphemeral / chat.update (https://docs.slack.dev/reference/methods/chat.postMessage,
// .../chat.postEphemeral, .../chat.update). Messages over the limits get `msg_too_long` or `invalid_blocks` (with
// `response_metadata.messages`); a channel that is a user id means the app's DM with that user, as in Slack.
import { directChannelFor, isChannelId, isUserId, newMessageTs } from '../ids.js';
import { messageProblems } from '../limits.js';
import type { AnyObject } from '../types.js';
import type { ApiContext, MethodResult, MethodSpec } from './method.js';

const key = (channel: string, ts: string) => `${channel}/${ts}`;

/** The conversation a `channel` argument names, or undefined when it names none. */
function resolveChannel(channel: unknown): string | undefined {
  if (typeof channel !== 'string') return undefined;
  if (isUserId(channel)) return directChannelFor(channel);
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
  handle(args, ctx) {
    const channel = resolveChannel(args.channel);
    if (!channel) return channelNotFound(args.channel);
    const refusal = checkMessage(args, ctx, 'chat.postMessage');
    if (refusal) return refusal;
    const ts = newMessageTs();
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
  handle(args, ctx) {
    const channel = resolveChannel(args.channel);
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
  handle(args, ctx) {
    const channel = resolveChannel(args.channel);
    if (!channel) return channelNotFound(args.channel);
    const posted = typeof args.ts === 'string' ? ctx.posted.get(key(channel, args.ts)) : undefined;
    if (!posted) return { ok: false, error: 'message_not_found', detail: `no message ${JSON.stringify(args.ts)} from the bot in ${channel}` };
    const refusal = checkMessage(args, ctx, 'chat.update');
    if (refusal) return refusal;
    posted.text = args.text;
    posted.blocks = args.blocks;
    ctx.records.messages.push({ channel, ts: posted.ts, text: args.text, blocks: args.blocks, kind: 'update', via: 'api' });
    const message = { type: 'message', text: args.text ?? '', user: ctx.identity.botUserId, bot_id: ctx.identity.botId, blocks: args.blocks };
    return { ok: true, body: { channel, ts: posted.ts, text: args.text ?? '', message } };
  },
};
