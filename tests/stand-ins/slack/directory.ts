// The workspace tests seed: users (https://docs.slack.dev/reference/objects/user-object), conversations with their
// members (https://docs.slack.dev/reference/objects/conversation-object) and the messages and threads in them
// (https://docs.slack.dev/messaging/#threading). users.info, conversations.info/replies and chat.getPermalink read
// it; the bot's own posts land in it; message shortcuts and message events start from it.
import { directChannelFor, newMessageTs } from './ids.js';

export type ConversationType = 'public_channel' | 'private_channel' | 'im' | 'mpim';

export interface SeedUserInput {
  id: string;
  name?: string;
  realName?: string;
  displayName?: string;
  /** IANA time zone, as Slack reports it in `tz` (default America/Los_Angeles, Slack's own default). */
  tz?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export interface Conversation {
  id: string;
  name: string;
  type: ConversationType;
  members: Set<string>;
  /** For an im: the other user. */
  user?: string;
  created: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  user: string;
  text: string;
  thread_ts?: string;
  /** File names; Slack sends full file objects, of which the stand-in keeps id, name, title and mimetype. */
  files?: string[];
  bot_id?: string;
}

export interface MessageInput {
  user: string;
  text: string;
  files?: string[];
}

const ID_PREFIX: Record<ConversationType, string> = { public_channel: 'C', private_channel: 'C', im: 'D', mpim: 'G' };
let conversationCounter = 0;

export class Directory {
  readonly users = new Map<string, SeedUserInput>();
  readonly conversations = new Map<string, Conversation>();
  private readonly messages = new Map<string, StoredMessage[]>();

  constructor(private readonly botUserId: string) {}

  seedUser(input: SeedUserInput): SeedUserInput {
    this.users.set(input.id, input);
    return input;
  }

  /** A conversation; the bot is a member unless `botIsMember: false` (its own DMs always include it). */
  seedConversation(o: { id?: string; name?: string; type: ConversationType; members?: string[]; botIsMember?: boolean }): Conversation {
    conversationCounter += 1;
    const id = o.id ?? `${ID_PREFIX[o.type]}0SEED${String(conversationCounter).padStart(5, '0')}`;
    const members = new Set(o.members ?? []);
    if (o.botIsMember !== false) members.add(this.botUserId);
    const others = [...members].filter((m) => m !== this.botUserId);
    const conversation: Conversation = {
      id,
      name: o.name ?? (o.type === 'mpim' ? `mpdm-${others.join('--')}-1` : o.type === 'im' ? id : `channel-${conversationCounter}`),
      type: o.type,
      members,
      user: o.type === 'im' ? others[0] : undefined,
      created: Math.floor(Date.now() / 1000),
    };
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** The app's DM with a user (conversations.open, chat.postMessage to a user id), created on first use. */
  directMessageWith(userId: string): Conversation {
    const id = directChannelFor(userId);
    return this.conversations.get(id) ?? this.seedConversation({ id, type: 'im', members: [userId] });
  }

  setMember(channel: string, userId: string, member: boolean): void {
    const conversation = this.conversations.get(channel);
    if (!conversation) throw new Error(`Slack stand-in: no conversation ${channel} was seeded`);
    if (member) conversation.members.add(userId);
    else conversation.members.delete(userId);
  }

  /** Adds a message (a reply when `threadTs` is given) and returns it. */
  addMessage(channel: string, m: MessageInput & { threadTs?: string; botId?: string; ts?: string }): StoredMessage {
    if (!this.conversations.has(channel)) throw new Error(`Slack stand-in: no conversation ${channel} was seeded (seedConversation)`);
    if (m.threadTs && !this.find(channel, m.threadTs)) throw new Error(`Slack stand-in: no message ${m.threadTs} in ${channel} to reply to`);
    const stored: StoredMessage = { channel, ts: m.ts ?? newMessageTs(), user: m.user, text: m.text };
    if (m.threadTs) stored.thread_ts = m.threadTs;
    if (m.files?.length) stored.files = m.files;
    if (m.botId) stored.bot_id = m.botId;
    const list = this.messages.get(channel) ?? [];
    list.push(stored);
    this.messages.set(channel, list);
    return stored;
  }

  find(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /** The thread `ts` belongs to (parent first, replies oldest first), or the single message when it has none. */
  thread(channel: string, ts: string): StoredMessage[] | undefined {
    const message = this.find(channel, ts);
    if (!message) return undefined;
    const parentTs = message.thread_ts ?? message.ts;
    const all = this.messages.get(channel) ?? [];
    const parent = all.find((m) => m.ts === parentTs);
    const replies = all.filter((m) => m.thread_ts === parentTs && m.ts !== parentTs);
    return parent ? [parent, ...replies] : replies;
  }

  /** Replies to a parent message. */
  repliesTo(channel: string, parentTs: string): StoredMessage[] {
    return (this.messages.get(channel) ?? []).filter((m) => m.thread_ts === parentTs && m.ts !== parentTs);
  }
}
