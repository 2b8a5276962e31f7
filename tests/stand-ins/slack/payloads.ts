// The payloads Slack puts inside Socket Mode envelopes, shaped as its docs show them:
// slash commands https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling,
// block_actions https://docs.slack.dev/reference/interaction-payloads/block_actions-payload,
// view_submission / view_closed https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload,
// app_home_opened https://docs.slack.dev/reference/events/app_home_opened inside the Events API wrapper
// https://docs.slack.dev/apis/events-api/#callback-field (Slack's AsyncAPI events spec lacks app_home_opened).
import { newEventId, newMessageTs } from './ids.js';
import type { AnyObject, View } from './types.js';

export interface Workspace {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
}

/** The verification token field Slack still includes in payloads; Socket Mode apps ignore it. */
const LEGACY_TOKEN = 'stand-in-verification-token';

const userOf = (userId: string, teamId: string) => ({ id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId });
const teamOf = (w: Workspace, teamId: string) => ({ id: teamId, domain: w.teamDomain });

export function slashCommandPayload(
  w: Workspace,
  o: { teamId: string; userId: string; channelId: string; command: string; text: string; responseUrl: string; triggerId: string },
): AnyObject {
  // Slash command payloads are form fields: every value is a string.
  return {
    token: LEGACY_TOKEN,
    team_id: o.teamId,
    team_domain: w.teamDomain,
    channel_id: o.channelId,
    channel_name: o.channelId.startsWith('D') ? 'directmessage' : 'general',
    user_id: o.userId,
    user_name: o.userId.toLowerCase(),
    command: o.command,
    text: o.text,
    api_app_id: w.appId,
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: o.triggerId,
  };
}

export function viewSubmissionPayload(w: Workspace, o: { teamId: string; userId: string; view: View; triggerId: string }): AnyObject {
  return {
    type: 'view_submission',
    team: teamOf(w, o.teamId),
    user: userOf(o.userId, o.teamId),
    api_app_id: w.appId,
    token: LEGACY_TOKEN,
    trigger_id: o.triggerId,
    view: o.view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function viewClosedPayload(w: Workspace, o: { teamId: string; userId: string; view: View; isCleared: boolean }): AnyObject {
  return {
    type: 'view_closed',
    team: teamOf(w, o.teamId),
    user: userOf(o.userId, o.teamId),
    api_app_id: w.appId,
    token: LEGACY_TOKEN,
    view: o.view,
    is_cleared: o.isCleared,
    is_enterprise_install: false,
    enterprise: null,
  };
}

export interface BlockActionSource {
  /** Where the element was: a message (channel + message) or a view (modal or Home tab). */
  container: AnyObject;
  channel?: { id: string; name: string };
  message?: AnyObject;
  view?: View;
  state?: AnyObject;
  responseUrl?: string;
}

export function blockActionsPayload(
  w: Workspace,
  o: { teamId: string; userId: string; triggerId: string; action: AnyObject; source: BlockActionSource },
): AnyObject {
  const payload: AnyObject = {
    type: 'block_actions',
    user: userOf(o.userId, o.teamId),
    api_app_id: w.appId,
    token: LEGACY_TOKEN,
    container: o.source.container,
    trigger_id: o.triggerId,
    team: teamOf(w, o.teamId),
    enterprise: null,
    is_enterprise_install: false,
    actions: [{ ...o.action, action_ts: newMessageTs() }],
  };
  if (o.source.channel) payload.channel = o.source.channel;
  if (o.source.message) payload.message = o.source.message;
  if (o.source.view) payload.view = o.source.view;
  if (o.source.state) payload.state = o.source.state;
  if (o.source.responseUrl) payload.response_url = o.source.responseUrl;
  return payload;
}

export function appHomeOpenedPayload(w: Workspace, o: { teamId: string; userId: string; channel: string; tab: 'home' | 'messages'; view?: View }): AnyObject {
  const now = Date.now();
  const event: AnyObject = { type: 'app_home_opened', user: o.userId, channel: o.channel, tab: o.tab, event_ts: `${(now / 1000).toFixed(6)}` };
  if (o.view) event.view = o.view;
  return eventCallback(w, o.teamId, event, now);
}

/** The Events API wrapper. `authorizations` replaced the deprecated `authed_users`. */
export function eventCallback(w: Workspace, teamId: string, event: AnyObject, now = Date.now()): AnyObject {
  return {
    token: LEGACY_TOKEN,
    team_id: teamId,
    api_app_id: w.appId,
    event,
    type: 'event_callback',
    event_id: newEventId(),
    event_time: Math.floor(now / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: w.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${newEventId()}`,
  };
}

/** `message_action` (https://docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload). */
export function messageActionPayload(
  w: Workspace,
  o: { teamId: string; userId: string; callbackId: string; triggerId: string; responseUrl: string; channel: { id: string; name: string }; message: AnyObject },
): AnyObject {
  return {
    type: 'message_action',
    token: LEGACY_TOKEN,
    action_ts: newMessageTs(),
    team: teamOf(w, o.teamId),
    user: userOf(o.userId, o.teamId),
    channel: o.channel,
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId,
    trigger_id: o.triggerId,
    response_url: o.responseUrl,
    message_ts: o.message.ts,
    message: o.message,
  };
}
