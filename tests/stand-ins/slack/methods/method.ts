// What a Web API method handler gets and returns.
import type { Directory } from '../directory.js';
import type { FaultBook } from '../faults.js';
import type { AppManifest } from '../manifest.js';
import type { RateLimiter } from '../rate-limits.js';
import type { Records } from '../records.js';
import type { SocketModeServer } from '../socket-mode.js';
import type { TriggerBook } from '../triggers.js';
import type { AnyObject } from '../types.js';
import type { ViewStore } from '../view-store.js';

export interface Identity {
  teamId: string;
  teamName: string;
  teamDomain: string;
  appId: string;
  botId: string;
  botUserId: string;
  botToken: string;
  appToken: string;
  /** The app auth.test names for the bot token (normally appId; another app's for a mismatched pair). */
  botTokenAppId: string;
  /** The app-level token's scopes (Slack's app settings, Basic Information -> App-Level Tokens). */
  appTokenScopes: readonly string[];
  /** The app's Socket Mode toggle (Slack's app settings, Socket Mode). */
  socketModeEnabled: boolean;
  /** The bot token's granted scopes (default: the manifest's `oauth_config.scopes.bot`). */
  grantedScopes: Set<string>;
}

/** Messages the bot posted, so chat.update can find them. */
export interface PostedMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: AnyObject[];
}

export interface ApiContext {
  identity: Identity;
  records: Records;
  views: ViewStore;
  triggers: TriggerBook;
  socketMode: SocketModeServer;
  faults: FaultBook;
  posted: Map<string, PostedMessage>;
  directory: Directory;
  rateLimiter: RateLimiter;
  manifest: AppManifest;
  /** The stand-in's clock (rate-limit windows, time zone offsets). */
  now(): number;
  /** `ws://127.0.0.1:PORT` */
  wsBase(): string;
}

export type MethodResult =
  | { ok: true; body: AnyObject }
  | {
      ok: false;
      error: string;
      /** Why, for the failure record (never sent to the app). */
      detail?: string;
      /** Extra fields of Slack's error body, e.g. `response_metadata.messages`. */
      extra?: AnyObject;
      /** Legitimate outcomes the app must handle (e.g. `hash_conflict`), not protocol violations. */
      expected?: boolean;
    };

export interface MethodSpec {
  /** Which token type the method takes: bot token methods refuse the app-level token and vice versa. */
  token: 'bot' | 'app';
  /** Arguments the stand-in reads (checked against Slack's Web API spec in the self-test). */
  args: readonly string[];
  /**
   * The bot scope this call needs, as the method's page lists it (by conversation type where it depends on it);
   * undefined when none. Without it the call answers `missing_scope` with `needed` and `provided`.
   */
  scope?: (args: AnyObject, ctx: ApiContext) => string | undefined;
  /** Slack's rate-limit tier (https://docs.slack.dev/apis/web-api/rate-limits); methods without one are not limited. */
  tier?: 2 | 3 | 4;
  handle(args: AnyObject, ctx: ApiContext): MethodResult;
}

export const invalidArguments = (messages: string[]): MethodResult => ({
  ok: false,
  error: 'invalid_arguments',
  detail: messages.join('; '),
  extra: { response_metadata: { messages } },
});
