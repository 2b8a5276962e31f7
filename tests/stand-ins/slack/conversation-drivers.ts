// What people do in conversations, delivered to the app as Slack would:
// - message shortcuts (https://docs.slack.dev/interactivity/implementing-shortcuts): the `message_action` payload
//   with a trigger_id (valid 3 seconds, single use, as for slash commands) and a response_url. Slack shows only the
//   shortcuts the app's configuration declares (`features.shortcuts`, type `message`) and shortcuts need the
//   `commands` scope, so the stand-in refuses (throws) to deliver one the manifest or the granted scopes lack.
// - message events (https://docs.slack.dev/reference/events/message, events_api envelopes): sent only when the
//   manifest subscribes to the event for the conversation's type (message.channels / message.groups / message.im /
//   message.mpim), the matching history scope is granted, and the bot is a member; otherwise the message is still
//   posted (conversations.replies sees it) but the app hears nothing, as with Slack.
import type { Conversation, ConversationType, Directory, MessageInput, StoredMessage } from './directory.js';
import type { AppManifest } from './manifest.js';
import { messageObject } from './methods/conversations.js';
import type { Identity } from './methods/method.js';
import { eventCallback, messageActionPayload, type Workspace } from './payloads.js';
import type { ResponseUrls } from './response-urls.js';
import type { SocketModeServer } from './socket-mode.js';
import type { TriggerBook } from './triggers.js';
import type { Delivery } from './types.js';

export interface MessageShortcutInput {
  userId: string;
  callbackId: string;
  channelId: string;
  /** The message the shortcut was used on (a seeded message, or one the bot posted in a seeded conversation). */
  messageTs: string;
  teamId?: string;
  ackDeadlineMs?: number;
}

export interface MessageEventInput extends MessageInput {
  channelId: string;
  /** A reply in this thread. */
  threadTs?: string;
}

export interface MessageEventResult {
  message: StoredMessage;
  /** Present when Slack would send the event. */
  delivery?: Delivery;
  /** Why no event was sent, when none was. */
  notSent?: string;
}

const EVENT_BY_TYPE: Record<ConversationType, { event: string; channelType: string; scope: string }> = {
  public_channel: { event: 'message.channels', channelType: 'channel', scope: 'channels:history' },
  private_channel: { event: 'message.groups', channelType: 'group', scope: 'groups:history' },
  im: { event: 'message.im', channelType: 'im', scope: 'im:history' },
  mpim: { event: 'message.mpim', channelType: 'mpim', scope: 'mpim:history' },
};

export interface DriverContext {
  identity: Identity;
  directory: Directory;
  manifest: AppManifest;
  triggers: TriggerBook;
  responseUrls: ResponseUrls;
  socketMode: SocketModeServer;
}

export class ConversationDrivers {
  private readonly workspace: Workspace;

  constructor(private readonly ctx: DriverContext) {
    const id = ctx.identity;
    this.workspace = { teamId: id.teamId, teamDomain: id.teamDomain, appId: id.appId, botUserId: id.botUserId };
  }

  messageShortcut(o: MessageShortcutInput): Promise<Delivery> {
    if (!this.ctx.manifest.messageShortcuts.includes(o.callbackId)) {
      throw new Error(`Slack stand-in: the manifest declares no message shortcut with callback_id ${o.callbackId} (features.shortcuts, type message)`);
    }
    if (!this.ctx.identity.grantedScopes.has('commands')) throw new Error('Slack stand-in: shortcuts need the commands scope, which is not granted');
    const conversation = this.conversation(o.channelId);
    const stored = this.ctx.directory.find(conversation.id, o.messageTs);
    if (!stored) throw new Error(`Slack stand-in: no message ${o.messageTs} in ${o.channelId} to use the shortcut on`);
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    const triggerId = this.ctx.triggers.issue({ userId: o.userId, teamId });
    const responseUrl = this.ctx.responseUrls.issue({ userId: o.userId, channelId: conversation.id, origin: `of message shortcut ${o.callbackId}` });
    const channel = { id: conversation.id, name: conversation.type === 'im' ? 'directmessage' : conversation.name };
    const message = messageObject(stored, this.ctx);
    const payload = messageActionPayload(this.workspace, { teamId, userId: o.userId, callbackId: o.callbackId, triggerId, responseUrl, channel, message });
    return this.ctx.socketMode.send('interactive', payload, {
      label: `message_action ${o.callbackId}`,
      ackDeadlineMs: o.ackDeadlineMs,
      meta: { triggerId, responseUrl },
      onFirstSend: () => this.ctx.triggers.arm(triggerId),
    });
  }

  async messageEvent(o: MessageEventInput): Promise<MessageEventResult> {
    const conversation = this.conversation(o.channelId);
    const stored = this.ctx.directory.addMessage(conversation.id, { user: o.user, text: o.text, files: o.files, threadTs: o.threadTs });
    const kind = EVENT_BY_TYPE[conversation.type];
    const notSent = !this.ctx.manifest.botEvents.includes(kind.event)
      ? `the manifest does not subscribe to ${kind.event}`
      : !this.ctx.identity.grantedScopes.has(kind.scope)
        ? `${kind.event} needs the ${kind.scope} scope, which is not granted`
        : !conversation.members.has(this.ctx.identity.botUserId)
          ? `the bot is not a member of ${conversation.id}`
          : undefined;
    if (notSent) return { message: stored, notSent };
    const event = { ...messageObject(stored, this.ctx), channel: conversation.id, event_ts: stored.ts, channel_type: kind.channelType };
    const payload = eventCallback(this.workspace, this.ctx.identity.teamId, event);
    const delivery = await this.ctx.socketMode.send('events_api', payload, { label: `message event in ${conversation.id}` });
    return { message: stored, delivery };
  }

  private conversation(channelId: string): Conversation {
    const conversation = this.ctx.directory.conversations.get(channelId);
    if (!conversation) throw new Error(`Slack stand-in: no conversation ${channelId} was seeded (seedConversation)`);
    return conversation;
  }
}
