// What a Web API method handler gets and returns.
import type { FaultBook } from '../faults.js';
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
  handle(args: AnyObject, ctx: ApiContext): MethodResult;
}

export const invalidArguments = (messages: string[]): MethodResult => ({
  ok: false,
  error: 'invalid_arguments',
  detail: messages.join('; '),
  extra: { response_metadata: { messages } },
});
