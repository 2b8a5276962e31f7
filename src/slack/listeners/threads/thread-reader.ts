import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { describeForLog } from '../../../errors.js';
import type { ThreadMessage } from '../../../services/threads/types.js';
import type { ThreadInclude, ThreadLocation, ThreadProblem } from '../../views/thread-modal.js';
import type { SlackPeople } from './people.js';

/**
 * Reading a conversation from Slack for "Send to Notion": the one place that calls conversations.replies and
 * chat.getPermalink, and turns Slack's answers into plain values (ThreadMessage) and its errors into ThreadProblem.
 * 429s are the Web API client's to handle: it waits the Retry-After Slack sends (tier 3 for replies,
 * https://docs.slack.dev/reference/methods/conversations.replies) and tries again (see web-api-fetch.ts).
 */

/** Messages asked for per page (Slack: "no more than 200 results at a time … recommended"). */
export const REPLIES_PAGE_SIZE = 200;
/** The newest this many messages of a thread are held at most (the model gets fewer: the context budget). */
export const MAX_THREAD_MESSAGES = 10_000;
/**
 * Pages read at most (20,000 messages): bounds the time one run spends reading at tier 3 (50 calls a minute). A
 * longer thread is read up to there; the formatted text then keeps the newest of what was read.
 */
export const MAX_REPLIES_PAGES = 100;

export interface SlackMessageLike {
  readonly ts?: string;
  readonly user?: string;
  readonly username?: string;
  readonly bot_profile?: { readonly name?: string };
  readonly text?: string;
  readonly files?: ReadonlyArray<{ readonly name?: string; readonly title?: string }>;
  readonly reply_count?: number;
}

export class ThreadUnreadable extends Error {
  constructor(readonly problem: ThreadProblem) {
    super(`thread unreadable: ${problem.code}`);
  }
}

/** Can Visen read this conversation? One cheap call (the parent only); the reply count when it can. */
export async function checkThreadAccess(client: WebClient, location: ThreadLocation, logger: Logger): Promise<{ replies: number } | ThreadProblem> {
  try {
    const res = await client.conversations.replies({ channel: location.channelId, ts: location.threadTs, limit: 1 });
    const parent = (res.messages as SlackMessageLike[] | undefined)?.[0];
    return { replies: parent?.reply_count ?? 0 };
  } catch (err) {
    return problemOf(err, location.channelId, logger);
  }
}

export interface ReadThread {
  readonly messages: ThreadMessage[];
  readonly permalink: string;
}

/** The thread (or the one message), oldest first, with authors' names; throws ThreadUnreadable. */
export async function readThread(
  client: WebClient,
  people: SlackPeople,
  location: ThreadLocation,
  include: ThreadInclude,
  logger: Logger,
): Promise<ReadThread> {
  try {
    const raw = await readReplies(client, location, include);
    const messages = await Promise.all(raw.map((m) => toThreadMessage(m, people, client)));
    const permalinkOf = include === 'thread' ? location.threadTs : location.messageTs;
    const link = await client.chat.getPermalink({ channel: location.channelId, message_ts: permalinkOf });
    if (typeof link.permalink !== 'string' || !link.permalink.startsWith('https://')) throw new ThreadUnreadable({ code: 'slack_unavailable' });
    return { messages, permalink: link.permalink };
  } catch (err) {
    if (err instanceof ThreadUnreadable) throw err;
    throw new ThreadUnreadable(problemOf(err, location.channelId, logger));
  }
}

/** Every page of the thread, newest MAX_THREAD_MESSAGES kept; for one message, pages only until it is found. */
async function readReplies(client: WebClient, location: ThreadLocation, include: ThreadInclude): Promise<SlackMessageLike[]> {
  const kept: SlackMessageLike[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    pages++;
    const res = await client.conversations.replies({
      channel: location.channelId,
      ts: location.threadTs,
      limit: REPLIES_PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    const page = (res.messages ?? []) as SlackMessageLike[];
    if (include === 'message') {
      const found = page.find((m) => m.ts === location.messageTs);
      if (found) return [found];
    } else {
      kept.push(...page);
      if (kept.length > MAX_THREAD_MESSAGES) kept.splice(0, kept.length - MAX_THREAD_MESSAGES);
    }
    cursor = res.has_more ? res.response_metadata?.next_cursor || undefined : undefined;
  } while (cursor && pages < MAX_REPLIES_PAGES);
  if (include === 'message') throw new ThreadUnreadable({ code: 'message_gone' });
  return kept;
}

async function toThreadMessage(m: SlackMessageLike, people: SlackPeople, client: WebClient): Promise<ThreadMessage> {
  const author = m.user ? await people.displayName(client, m.user) : (m.bot_profile?.name ?? m.username ?? 'An app');
  return {
    author,
    postedAt: Math.round(Number.parseFloat(m.ts ?? '0') * 1000),
    text: await plainMessageText(m.text ?? '', people, client),
    fileNames: (m.files ?? []).flatMap((f) => (f.name || f.title ? [f.name || (f.title as string)] : [])),
  };
}

/** Mentions to names, links to their labels and URLs, and Slack's three escapes undone (https://docs.slack.dev/messaging/formatting-message-text). */
async function plainMessageText(text: string, people: SlackPeople, client: WebClient): Promise<string> {
  const mentioned = [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((match) => match[1] as string))].slice(0, 20);
  const names = new Map(await Promise.all(mentioned.map(async (id) => [id, await people.displayName(client, id)] as const)));
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `@${names.get(id) ?? label ?? id}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Slack's answer as a ThreadProblem; the channel's id prefix tells a DM (D) and a group DM (G) from a channel. */
export function problemOf(err: unknown, channelId: string, logger: Logger): ThreadProblem {
  const data = (err as { data?: { error?: string; needed?: string } }).data;
  switch (data?.error) {
    case 'not_in_channel':
      return { code: 'not_in_channel' };
    case 'channel_not_found':
      return channelId.startsWith('D') ? { code: 'direct_message' } : channelId.startsWith('G') ? { code: 'group_dm' } : { code: 'private_channel' };
    case 'missing_scope':
      return { code: 'missing_scope', needed: data.needed ?? 'channels:history' };
    case 'thread_not_found':
    case 'message_not_found':
      return { code: 'message_gone' };
    default:
      logger.warn({ err: describeForLog(err), channel: channelId }, 'could not read a Slack thread');
      return { code: 'slack_unavailable' };
  }
}
