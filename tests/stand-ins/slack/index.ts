/**
 * Slack stand-in: a real server on 127.0.0.1 (random port) speaking Slack's Web API, Socket Mode and response_url
 * protocols, so an unmodified Bolt `App` in Socket Mode connects to it.
 *
 *   const slack = await startSlackStandIn();
 *   const app = new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true,
 *     clientOptions: { slackApiUrl: slack.apiUrl } });   // App hands clientOptions on to its Socket Mode receiver
 *   // With your own SocketModeReceiver, also give it installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } }.
 *   await app.start();                                     // resolves once the stand-in said hello
 *   const d = await slack.slashCommand({ userId: 'U123', text: 'settings' });   // resolves on the ack
 *   const modal = await slack.waitFor(() => slack.modalStack('U123').at(-1));
 *   await slack.viewSubmission({ userId: 'U123', view: modal, values: { key_block: { key: 'sk-...' } } });
 *   expect(slack.failures).toEqual([]);
 *   await app.stop(); await slack.close();
 *
 * startSlackStandIn(options?): teamId, botToken (xoxb-), appToken (xapp-), botUserId, appId, ackDeadlineMs (3000),
 *   triggerTtlMs (3000), responseUrlMaxUses (5), responseUrlTtlMs (30 min), connectionWaitMs (how long an envelope
 *   waits for a connection before it counts as undeliverable, 15000), pingIntervalMs (server pings, 10000; 0 = off),
 *   app settings a start can trip over: botTokenAppId (the app auth.test names for the bot token; default appId),
 *   appTokenScopes (default ['connections:write']), socketModeEnabled (default true).
 *
 * Driving the app; each resolves with a Delivery once the app acks, or `{ acked: false, reason }` when it does not:
 *   slashCommand({ userId, text, command? ('/visen'), channelId?, teamId? })   with a response_url and a trigger_id
 *   viewSubmission({ userId, view, values? })   view: an open modal; values: block_id -> action_id -> a text, an
 *       option value (or values), null, or a full state object; inputs not given are sent empty, as Slack does
 *   blockAction({ userId, actionId, blockId?, value?, selectedOption?, container?, view?, message?, values? })
 *       container 'view' (default top modal), 'home' (or view: { type: 'home' }), 'message' (default: the latest
 *       message showing the action; the payload gets a response_url); the element must be on screen
 *   viewClosed({ userId, view })   closes it; sends view_closed only when the view has notify_on_close
 *   appHomeOpened({ userId, tab? })   an Events API envelope
 *   sendEnvelope(type, payload, { retryAttempt?, retryReason?, ackDeadlineMs? })   anything else, raw
 *   Every driver also takes ackDeadlineMs to override the deadline for one envelope.
 * Connection: waitForConnection(ms?), requestRefresh() (disconnect, reason refresh_requested), sendDisconnect(reason),
 *   dropConnections() (no close handshake), connectionCount(), connectionsOpened. An envelope still unacked when its
 *   socket goes away is sent again on the next connection with retry_attempt + 1 and retry_reason 'timeout'.
 *   Up to 10 connections (several workers of one app); envelopes go to them in turn, or all to one after
 *   routeTo(connectionId) (ids from activeConnectionIds(), Delivery.connectionId); redeliver(envelopeId) plays an
 *   ack that never reached Slack.
 * Records: apiCalls, callsTo(method), responseUrlPosts, messages (posts, ephemerals, updates and deletes, via the Web
 *   API, a response_url or a slash command's ack), views ({ opened, updated, pushed, published: Map<userId, View[]>,
 *   closed, errorsShown }), modalStack(userId), homeView(userId), warnings, failures (assert `[]`), takeFailures(),
 *   waitFor(probe, ms = 5000).
 * Workspace (directory.ts; users.info, conversations.info/replies, chat.getPermalink read it):
 *   seedUser({ id, name?, realName?, displayName?, tz?, deleted? }), seedConversation({ type: 'public_channel' |
 *   'private_channel' | 'im' | 'mpim', id?, name?, members?, botIsMember? (default true) }) -> Conversation,
 *   setMember(channelId, userId, member), seedThread({ channelId, parent: { user, text, files? }, replies? })
 *   -> { ts, replyTs } (a single message when there are no replies), directMessageWith(userId) (the app's DM).
 * Scopes: grantedScopes, a live Set (default: manifest.yml's bot scopes, or the `grantedScopes` option); a method
 *   whose scope is missing answers missing_scope with needed and provided. Rate limits by tier (rate-limits.ts):
 *   conversations.replies/info 50 per minute, users.info 100, on the `now` clock; injectApiFailure forces 429s.
 * Conversations (conversation-drivers.ts): triggerMessageShortcut({ userId, callbackId, channelId, messageTs }),
 *   declared in the manifest's features.shortcuts or refused; deliverMessageEvent({ channelId, user, text,
 *   threadTs?, files? }) -> { message, delivery?, notSent? }, sent when the manifest subscribes to it.
 * Faults and secrets: injectApiFailure(method, error, times | { times, retryAfterSeconds, httpStatus }) (not counted
 *   as failures; `ratelimited` is a 429 with Retry-After), clearApiFailures(); forbiddenStrings: a Set tests fill
 *   with secrets; any Web API argument, ack payload or response_url post containing one is a failure.
 *
 * Rules enforced, each citing Slack's page where it is implemented: tokens and token types (web-api.ts), the
 * 3-second ack deadline, ack matching and redelivery (socket-mode.ts), trigger_id expiry and single use
 * (triggers.ts), Block Kit, view and message limits (limits.ts), view stacks, hashes and submission acks
 * (view-store.ts), response_url 5 uses within 30 minutes (response-urls.ts). Deliberate differences from Slack, and
 * from its stale published specs (spec-check.ts), are named in a comment where they are made.
 */
import { ConversationDrivers, type MessageEventInput, type MessageEventResult, type MessageShortcutInput } from './conversation-drivers.js';
import { type Conversation, type ConversationType, Directory, type MessageInput, type SeedUserInput } from './directory.js';
import { FaultBook, type FaultOptions } from './faults.js';
import { newSecretPart } from './ids.js';
import { type BlockActionInput, Interactions, type SlashCommandInput, type ViewSubmissionInput } from './interactions.js';
import { readManifest } from './manifest.js';
import type { ApiContext, Identity, PostedMessage } from './methods/method.js';
import { RateLimiter, TIER_PER_MINUTE, type Tier } from './rate-limits.js';
import { Records, waitFor } from './records.js';
import { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, ResponseUrls } from './response-urls.js';
import { startServer } from './server.js';
import { type DisconnectReason, type EnvelopeType, SocketModeServer } from './socket-mode.js';
import { TriggerBook } from './triggers.js';
import type { AnyObject, ApiCallRecord, Delivery, MessageRecord, ResponseUrlPost, View, ViewRecords } from './types.js';
import { ViewStore } from './view-store.js';

export type { MessageEventInput, MessageEventResult, MessageShortcutInput } from './conversation-drivers.js';
export type { Conversation, ConversationType, MessageInput, SeedUserInput, StoredMessage } from './directory.js';
export type { FaultOptions } from './faults.js';
/** The app's DM channel id (`D...`) with a user, as conversations.open and posts to a user id answer it. */
export { directChannelFor } from './ids.js';
export type { BlockActionInput, SlashCommandInput, ViewSubmissionInput } from './interactions.js';
export { DEFAULT_CHANNEL_ID } from './interactions.js';
export { LIMITS, messageProblems, viewProblems } from './limits.js';
export { readManifest } from './manifest.js';
export type { DisconnectReason, EnvelopeType } from './socket-mode.js';
export type { AnyObject, ApiCallRecord, Delivery, MessageRecord, ResponseUrlPost, StateValues, StateValuesInput, View, ViewRecords } from './types.js';
export { METHODS } from './web-api.js';

export interface SlackStandInOptions {
  teamId?: string;
  botToken?: string;
  appToken?: string;
  botUserId?: string;
  appId?: string;
  ackDeadlineMs?: number;
  triggerTtlMs?: number;
  responseUrlMaxUses?: number;
  responseUrlTtlMs?: number;
  connectionWaitMs?: number;
  pingIntervalMs?: number;
  botTokenAppId?: string;
  appTokenScopes?: string[];
  socketModeEnabled?: boolean;
  /** The app manifest (as parsed from YAML); default the project's manifest.yml. */
  manifest?: Record<string, unknown>;
  /** The bot token's scopes; default the manifest's `oauth_config.scopes.bot`. */
  grantedScopes?: string[];
  /** Calls per minute per rate-limit tier (default Slack's 20 / 50 / 100). */
  tierPerMinute?: Partial<Record<Tier, number>>;
  /** The clock for rate-limit windows and time zone offsets (default Date.now). */
  now?: () => number;
}

export interface SeedThreadInput {
  channelId: string;
  parent: MessageInput;
  replies?: MessageInput[];
}

export interface SlackStandIn {
  /** `http://127.0.0.1:PORT/api/`: give it to Bolt as `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  slashCommand(o: SlashCommandInput): Promise<Delivery>;
  viewSubmission(o: ViewSubmissionInput): Promise<Delivery>;
  blockAction(o: BlockActionInput): Promise<Delivery>;
  viewClosed(o: { userId: string; view: Pick<View, 'id'>; teamId?: string }): Promise<Delivery | undefined>;
  appHomeOpened(o: { userId: string; teamId?: string; tab?: 'home' | 'messages' }): Promise<Delivery>;
  sendEnvelope(type: EnvelopeType, payload: AnyObject, o?: { retryAttempt?: number; retryReason?: string; ackDeadlineMs?: number }): Promise<Delivery>;

  /** Resolves once a connection got `hello` (and was not asked to disconnect). */
  waitForConnection(timeoutMs?: number): Promise<void>;
  /** Sends `{ type: 'disconnect', reason: 'refresh_requested' }`; later envelopes go to the next connection. */
  requestRefresh(): void;
  sendDisconnect(reason: DisconnectReason): void;
  /** Terminates every socket without a close handshake. */
  dropConnections(): void;
  connectionCount(): number;
  /** Ids of the connections that take envelopes, oldest first (Delivery.connectionId names one). */
  activeConnectionIds(): number[];
  /** Sends later envelopes on this connection while it is active; undefined spreads them over all again. */
  routeTo(connectionId: number | undefined): void;
  /** Delivers an envelope again as Slack does when the app's ack did not reach it (retry_attempt + 1). */
  redeliver(envelopeId: string): Promise<Delivery>;
  /** WebSocket connections accepted so far. */
  readonly connectionsOpened: number;

  readonly apiCalls: ApiCallRecord[];
  callsTo(method: string): ApiCallRecord[];
  readonly responseUrlPosts: ResponseUrlPost[];
  readonly views: ViewRecords;
  /** The user's open modal stack, root first. */
  modalStack(userId: string): View[];
  homeView(userId: string): View | undefined;
  readonly messages: MessageRecord[];
  readonly failures: string[];
  /** Returns the failures so far and forgets them (for tests that provoke one on purpose). */
  takeFailures(): string[];
  readonly warnings: string[];
  readonly forbiddenStrings: Set<string>;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;

  injectApiFailure(method: string, error: string, timesOrOptions?: number | FaultOptions): void;
  clearApiFailures(): void;

  /** The bot token's scopes, live: tests may add or remove one (an install that was not reinstalled). */
  readonly grantedScopes: Set<string>;
  seedUser(user: SeedUserInput): void;
  seedConversation(o: { type: ConversationType; id?: string; name?: string; members?: string[]; botIsMember?: boolean }): Conversation;
  setMember(channelId: string, userId: string, member: boolean): void;
  /** A message with replies (none: a single message); returns the parent's ts and the replies' ts, oldest first. */
  seedThread(o: SeedThreadInput): { ts: string; replyTs: string[] };
  /** The app's DM with a user (created on first use, as conversations.open or a post to the user id does). */
  directMessageWith(userId: string): Conversation;
  triggerMessageShortcut(o: MessageShortcutInput): Promise<Delivery>;
  deliverMessageEvent(o: MessageEventInput): Promise<MessageEventResult>;
  close(): Promise<void>;
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const teamId = options.teamId ?? 'T0VISEN001';
  const appId = options.appId ?? 'A0VISENAPP1';
  const manifest = readManifest(options.manifest);
  const now = options.now ?? Date.now;
  const identity: Identity = {
    teamId,
    teamName: 'Visen Stand-in',
    teamDomain: 'visen-stand-in',
    appId,
    botId: 'B0VISENBOT1',
    botUserId: options.botUserId ?? 'U0VISENBOT1',
    botToken: options.botToken ?? `xoxb-1-${newSecretPart()}`,
    appToken: options.appToken ?? `xapp-1-${appId}-1-${newSecretPart()}`,
    botTokenAppId: options.botTokenAppId ?? appId,
    appTokenScopes: options.appTokenScopes ?? ['connections:write'],
    socketModeEnabled: options.socketModeEnabled ?? true,
    grantedScopes: new Set(options.grantedScopes ?? manifest.botScopes),
  };
  const directory = new Directory(identity.botUserId);
  let port = 0;
  const httpBase = () => `http://127.0.0.1:${port}`;

  const records = new Records();
  const views = new ViewStore(identity);
  const triggers = new TriggerBook(options.triggerTtlMs ?? 3000);
  const faults = new FaultBook();
  const responseUrls = new ResponseUrls(httpBase, records, {
    maxUses: options.responseUrlMaxUses ?? RESPONSE_URL_MAX_USES,
    ttlMs: options.responseUrlTtlMs ?? RESPONSE_URL_TTL_MS,
  });
  const socketMode = new SocketModeServer(records, {
    appId,
    ackDeadlineMs: options.ackDeadlineMs ?? 3000,
    connectionWaitMs: options.connectionWaitMs ?? 15_000,
    pingIntervalMs: options.pingIntervalMs ?? 10_000,
  });
  const api: ApiContext = {
    identity,
    records,
    views,
    triggers,
    socketMode,
    faults,
    posted: new Map<string, PostedMessage>(),
    directory,
    manifest,
    rateLimiter: new RateLimiter({ ...TIER_PER_MINUTE, ...options.tierPerMinute }, now),
    now,
    wsBase: () => `ws://127.0.0.1:${port}`,
  };
  const interactions = new Interactions({ identity, records, views, triggers, responseUrls, socketMode });
  const drivers = new ConversationDrivers({ identity, directory, manifest, triggers, responseUrls, socketMode });
  const started = await startServer({ api, responseUrls, socketMode, records });
  port = started.port;

  return {
    apiUrl: `${httpBase()}/api/`,
    botToken: identity.botToken,
    appToken: identity.appToken,
    teamId,
    botUserId: identity.botUserId,
    botId: identity.botId,
    appId,

    slashCommand: (o) => interactions.slashCommand(o),
    viewSubmission: (o) => interactions.viewSubmission(o),
    blockAction: (o) => interactions.blockAction(o),
    viewClosed: (o) => interactions.viewClosed(o),
    appHomeOpened: (o) => interactions.appHomeOpened(o),
    sendEnvelope: (type, payload, o = {}) => socketMode.send(type, payload, { ...o, label: `${type} (raw)` }),

    waitForConnection: (timeoutMs = 10_000) => socketMode.waitForConnection(timeoutMs),
    requestRefresh: () => socketMode.disconnect('refresh_requested'),
    sendDisconnect: (reason) => socketMode.disconnect(reason),
    dropConnections: () => socketMode.dropAll(),
    connectionCount: () => socketMode.activeCount(),
    activeConnectionIds: () => socketMode.activeConnectionIds(),
    routeTo: (connectionId) => socketMode.routeTo(connectionId),
    redeliver: (envelopeId) => socketMode.redeliver(envelopeId),
    get connectionsOpened() {
      return socketMode.connectionsOpened;
    },

    apiCalls: records.apiCalls,
    callsTo: (method) => records.apiCalls.filter((call) => call.method === method),
    responseUrlPosts: records.responseUrlPosts,
    views: views.records,
    modalStack: (userId) => views.stackOf(userId),
    homeView: (userId) => views.homeOf(userId),
    messages: records.messages,
    failures: records.failures,
    takeFailures: () => records.failures.splice(0),
    warnings: records.warnings,
    forbiddenStrings: records.forbiddenStrings,
    waitFor: (probe, timeoutMs = 5000) => waitFor(probe, timeoutMs, records.failures),

    injectApiFailure: (method, error, timesOrOptions) => faults.add(method, error, timesOrOptions),
    clearApiFailures: () => faults.clear(),

    grantedScopes: identity.grantedScopes,
    seedUser: (user) => void directory.seedUser(user),
    seedConversation: (o) => directory.seedConversation(o),
    setMember: (channelId, userId, member) => directory.setMember(channelId, userId, member),
    seedThread(o) {
      const parent = directory.addMessage(o.channelId, o.parent);
      const replyTs = (o.replies ?? []).map((reply) => directory.addMessage(o.channelId, { ...reply, threadTs: parent.ts }).ts);
      return { ts: parent.ts, replyTs };
    },
    directMessageWith: (userId) => directory.directMessageWith(userId),
    triggerMessageShortcut: (o) => drivers.messageShortcut(o),
    deliverMessageEvent: (o) => drivers.messageEvent(o),
    async close() {
      await socketMode.close();
      started.server.closeAllConnections();
      await new Promise<void>((resolve) => started.server.close(() => resolve()));
    },
  };
}
