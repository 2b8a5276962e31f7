// Drives the app the way a user in Slack would: each interaction becomes a payload, gets a trigger_id (and a
// response_url where Slack gives one), and goes out as a Socket Mode envelope. Throws when the test asks for
// something Slack could not send (submitting a view that is not open, clicking an element the app never rendered).
import { directChannelFor, newMessageTs } from './ids.js';
import { messageProblems } from './limits.js';
import type { Identity } from './methods/method.js';
import {
  appHomeOpenedPayload,
  type BlockActionSource,
  blockActionsPayload,
  slashCommandPayload,
  viewClosedPayload,
  viewSubmissionPayload,
  type Workspace,
} from './payloads.js';
import type { Records } from './records.js';
import type { ResponseUrls } from './response-urls.js';
import type { EnvelopeOptions, SocketModeServer } from './socket-mode.js';
import { buildStateValues, findOption } from './state-values.js';
import type { TriggerBook } from './triggers.js';
import type { AnyObject, Delivery, MessageRecord, StateValuesInput, View } from './types.js';
import type { ViewStore } from './view-store.js';

/** Where slash commands are typed unless a test says otherwise. */
export const DEFAULT_CHANNEL_ID = 'C0GENERAL01';

export interface InteractionContext {
  identity: Identity;
  records: Records;
  views: ViewStore;
  triggers: TriggerBook;
  responseUrls: ResponseUrls;
  socketMode: SocketModeServer;
}

export interface SlashCommandInput {
  userId: string;
  text: string;
  teamId?: string;
  channelId?: string;
  command?: string;
  ackDeadlineMs?: number;
}

export interface ViewSubmissionInput {
  userId: string;
  /** A view the app opened (from `views.opened`, `modalStack()`, ...); its current version is submitted. */
  view: Pick<View, 'id'>;
  /** block_id -> action_id -> a text value, an option value (or values), null, or a full state object. */
  values?: StateValuesInput;
  teamId?: string;
  ackDeadlineMs?: number;
}

export interface BlockActionInput {
  userId: string;
  actionId: string;
  blockId?: string;
  /** A button's value (defaults to the value the app rendered), or the value of a non-select element. */
  value?: string;
  /** For select menus, overflow menus, radio buttons: the `value` of the chosen option. */
  selectedOption?: string | { value: string };
  /** Where the element is. Default: `home` for `view: { type: 'home' }`, `view` for another view, else `message`. */
  container?: 'message' | 'view' | 'home';
  /** For `view`: the modal (default: the top of the user's stack). For `home`: the Home tab (default: the user's). */
  view?: { id?: string; type?: 'modal' | 'home' };
  /** For `message`: the message (default: the latest message with this action). */
  message?: Pick<MessageRecord, 'channel' | 'ts'>;
  /** Current input values of the view, as in viewSubmission. */
  values?: StateValuesInput;
  teamId?: string;
  ackDeadlineMs?: number;
}

export class Interactions {
  readonly workspace: Workspace;

  constructor(private readonly ctx: InteractionContext) {
    this.workspace = { teamId: ctx.identity.teamId, teamDomain: ctx.identity.teamDomain, appId: ctx.identity.appId, botUserId: ctx.identity.botUserId };
  }

  slashCommand(o: SlashCommandInput): Promise<Delivery> {
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    const channelId = o.channelId ?? DEFAULT_CHANNEL_ID;
    const command = o.command ?? '/visen';
    const triggerId = this.ctx.triggers.issue({ userId: o.userId, teamId });
    const responseUrl = this.ctx.responseUrls.issue({ userId: o.userId, channelId, origin: `of ${command} ${o.text}`.trim() });
    const payload = slashCommandPayload(this.workspace, { teamId, userId: o.userId, channelId, command, text: o.text, responseUrl, triggerId });
    return this.send('slash_commands', payload, {
      label: `slash command ${command} ${o.text}`.trim(),
      triggerId,
      ackDeadlineMs: o.ackDeadlineMs,
      meta: { responseUrl, triggerId },
      onAck: (ack) => this.applyCommandAck(ack, { userId: o.userId, channelId, label: `${command} ${o.text}` }),
    });
  }

  viewSubmission(o: ViewSubmissionInput): Promise<Delivery> {
    const view = this.openView(o.view.id, o.userId);
    if (view.type !== 'modal' || !view.submit) throw new Error(`Slack stand-in: view ${view.id} has no submit button, so it cannot be submitted`);
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    const submitted: View = { ...view, state: { values: buildStateValues(view.blocks, o.values) } };
    const triggerId = this.ctx.triggers.issue({ userId: o.userId, teamId, viewId: view.id });
    const payload = viewSubmissionPayload(this.workspace, { teamId, userId: o.userId, view: submitted, triggerId });
    return this.send('interactive', payload, {
      label: `view_submission ${view.callback_id || view.id}`,
      triggerId,
      ackDeadlineMs: o.ackDeadlineMs,
      meta: { triggerId, viewId: view.id },
      onAck: (ack) => this.ctx.views.applySubmissionAck(view.id, ack),
    });
  }

  /** The user closes a modal; Slack tells the app only when the view has `notify_on_close`. */
  async viewClosed(o: { userId: string; view: Pick<View, 'id'>; teamId?: string }): Promise<Delivery | undefined> {
    const view = this.openView(o.view.id, o.userId);
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    this.ctx.views.close(view.id, view.clear_on_close);
    if (!view.notify_on_close) return undefined;
    const payload = viewClosedPayload(this.workspace, { teamId, userId: o.userId, view, isCleared: view.clear_on_close });
    return this.send('interactive', payload, { label: `view_closed ${view.callback_id || view.id}` });
  }

  blockAction(o: BlockActionInput): Promise<Delivery> {
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    const container = o.container ?? (o.view?.type === 'home' ? 'home' : o.view ? 'view' : 'message');
    const { source, blocks, viewId } = this.actionSource(o, container);
    const found = findElement(blocks, o.actionId, o.blockId, o.value);
    if (!found)
      throw new Error(
        `Slack stand-in: no element with action_id ${o.actionId}${o.blockId ? ` in block ${o.blockId}` : ''} where the user clicked (${container})`,
      );
    const triggerId = this.ctx.triggers.issue({ userId: o.userId, teamId, viewId: container === 'view' ? viewId : undefined });
    const action = actionFor(found.element, found.blockId, o);
    const payload = blockActionsPayload(this.workspace, { teamId, userId: o.userId, triggerId, action, source });
    return this.send('interactive', payload, {
      label: `block_actions ${o.actionId}`,
      triggerId,
      ackDeadlineMs: o.ackDeadlineMs,
      meta: { triggerId, responseUrl: source.responseUrl, viewId },
    });
  }

  appHomeOpened(o: { userId: string; teamId?: string; tab?: 'home' | 'messages' }): Promise<Delivery> {
    const teamId = o.teamId ?? this.ctx.identity.teamId;
    const tab = o.tab ?? 'home';
    const view = tab === 'home' ? this.ctx.views.homeOf(o.userId) : undefined;
    const payload = appHomeOpenedPayload(this.workspace, { teamId, userId: o.userId, channel: directChannelFor(o.userId), tab, view });
    return this.send('events_api', payload, { label: `app_home_opened (${tab})` });
  }

  private send(type: 'slash_commands' | 'interactive' | 'events_api', payload: AnyObject, o: EnvelopeOptions & { triggerId?: string }): Promise<Delivery> {
    const { triggerId, ...options } = o;
    return this.ctx.socketMode.send(type, payload, { ...options, onFirstSend: () => this.ctx.triggers.arm(triggerId) });
  }

  private openView(viewId: string, userId: string): View {
    const view = this.ctx.views.get(viewId);
    if (!view) throw new Error(`Slack stand-in: view ${viewId} is not open, so the user cannot interact with it`);
    const owner = this.ctx.views.ownerOf(viewId);
    if (owner !== userId) throw new Error(`Slack stand-in: view ${viewId} belongs to ${owner}, not ${userId}`);
    return view;
  }

  private actionSource(o: BlockActionInput, container: 'message' | 'view' | 'home'): { source: BlockActionSource; blocks: AnyObject[]; viewId?: string } {
    if (container === 'view' || container === 'home') {
      const candidate = o.view?.id ?? (container === 'home' ? this.ctx.views.homeOf(o.userId)?.id : this.ctx.views.stackOf(o.userId).at(-1)?.id);
      if (!candidate) throw new Error(`Slack stand-in: ${o.userId} has no ${container === 'home' ? 'published Home tab' : 'open modal'}`);
      const view = this.openView(candidate, o.userId);
      const withState: View = { ...view, state: { values: buildStateValues(view.blocks, o.values) } };
      return { source: { container: { type: 'view', view_id: view.id }, view: withState }, blocks: view.blocks, viewId: view.id };
    }
    const message = this.findMessage(o);
    const ephemeral = message.kind === 'ephemeral' || message.user !== undefined;
    const responseUrl = this.ctx.responseUrls.issue({
      userId: o.userId,
      channelId: message.channel,
      source: { channel: message.channel, ts: message.ts, ephemeral },
      origin: `of block action ${o.actionId}`,
    });
    const source: BlockActionSource = {
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: ephemeral },
      channel: { id: message.channel, name: message.channel.startsWith('D') ? 'directmessage' : 'general' },
      message: {
        type: 'message',
        user: this.ctx.identity.botUserId,
        bot_id: this.ctx.identity.botId,
        text: message.text ?? '',
        blocks: message.blocks,
        ts: message.ts,
        team: this.ctx.identity.teamId,
      },
      state: { values: {} },
      responseUrl,
    };
    return { source, blocks: message.blocks ?? [] };
  }

  /** The message as it looks now: the given one, else the latest one showing this action. */
  private findMessage(o: BlockActionInput): MessageRecord {
    const history = this.ctx.records.messages;
    const latestOf = (channel: string, ts: string) => history.filter((m) => m.channel === channel && m.ts === ts).at(-1);
    if (o.message) {
      const current = latestOf(o.message.channel, o.message.ts);
      if (!current || current.kind === 'delete') throw new Error(`Slack stand-in: no message ${o.message.ts} in ${o.message.channel}`);
      return current;
    }
    for (let i = history.length - 1; i >= 0; i -= 1) {
      const candidate = history[i]!;
      const current = latestOf(candidate.channel, candidate.ts)!;
      if (current === candidate && current.kind !== 'delete' && findElement(current.blocks ?? [], o.actionId, o.blockId, o.value)) return current;
    }
    throw new Error(`Slack stand-in: no message shows an element with action_id ${o.actionId}`);
  }

  /** A slash command's ack may carry a message: Slack shows it (ephemeral unless `response_type: 'in_channel'`). */
  private applyCommandAck(ack: AnyObject | undefined, o: { userId: string; channelId: string; label: string }): string[] {
    if (!ack || (ack.text === undefined && ack.blocks === undefined)) return [];
    const check = messageProblems(ack);
    this.ctx.records.warnings.push(...check.warnings.map((w) => `ack of ${o.label}: ${w}`));
    if (check.error) return [`ack of ${o.label}: ${check.error}: ${check.problems.join('; ')}`];
    const inChannel = ack.response_type === 'in_channel';
    this.ctx.records.messages.push({
      channel: o.channelId,
      ts: newMessageTs(),
      text: ack.text,
      blocks: ack.blocks,
      user: inChannel ? undefined : o.userId,
      kind: inChannel ? 'post' : 'ephemeral',
      via: 'ack',
    });
    return [];
  }
}

/**
 * The interactive element with `actionId` (and `blockId`, when given) among the blocks. When several blocks hold
 * buttons with that action_id, the one whose value is `value` wins.
 */
export function findElement(blocks: AnyObject[], actionId: string, blockId?: string, value?: string): { element: AnyObject; blockId: string } | undefined {
  const matches: Array<{ element: AnyObject; blockId: string }> = [];
  for (const block of blocks) {
    if (blockId !== undefined && block.block_id !== blockId) continue;
    const candidates: AnyObject[] = [block.accessory, block.element, ...(Array.isArray(block.elements) ? block.elements : [])].filter(Boolean);
    for (const element of candidates) if (element.action_id === actionId) matches.push({ element, blockId: block.block_id ?? '' });
  }
  return matches.find((m) => value !== undefined && m.element.type === 'button' && m.element.value === value) ?? matches[0];
}

function actionFor(element: AnyObject, blockId: string, o: BlockActionInput): AnyObject {
  const base = { type: element.type, action_id: o.actionId, block_id: blockId };
  const chosen = typeof o.selectedOption === 'string' ? o.selectedOption : o.selectedOption?.value;
  switch (element.type) {
    case 'button':
      return { ...base, text: element.text, value: o.value ?? element.value, ...(element.style ? { style: element.style } : {}) };
    case 'static_select':
    case 'external_select':
    case 'overflow':
    case 'radio_buttons':
      if (chosen === undefined) throw new Error(`Slack stand-in: ${element.type} ${o.actionId} needs selectedOption`);
      return { ...base, selected_option: findOption(element, chosen) };
    case 'datepicker':
      return { ...base, selected_date: o.value ?? null };
    default:
      return { ...base, value: o.value ?? null };
  }
}
