// Shapes shared by the Slack stand-in's modules and exported to tests.

export type AnyObject = Record<string, any>;

/** A view as Slack returns it from views.open/update/push/publish (https://docs.slack.dev/reference/views/modal-views). */
export interface View {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  title?: AnyObject;
  submit?: AnyObject;
  close?: AnyObject;
  blocks: AnyObject[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: StateValues };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string | null;
  previous_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

/** `view.state.values`: block_id -> action_id -> the element's value as Slack reports it. */
export type StateValues = Record<string, Record<string, AnyObject>>;

/**
 * What a test gives for one input when submitting a view: a string (text input value, or the `value` of the option
 * to select), an array of option values (multi-selects, checkboxes), null (left empty), or the full state object.
 */
export type StateValueInput = string | string[] | null | AnyObject;
export type StateValuesInput = Record<string, Record<string, StateValueInput>>;

/** The result of delivering one envelope over Socket Mode. */
export interface Delivery {
  envelopeId: string;
  /** True when some attempt was acked within the deadline. */
  acked: boolean;
  /** Milliseconds from sending the (last) attempt to its ack, or to giving up. */
  ackMs: number;
  /** The `payload` of the ack message, when the app sent one. */
  ackPayload?: AnyObject;
  /** How many times the envelope was sent (redeliveries after a dropped socket count). */
  attempts: number;
  /** The Socket Mode connection the (last) attempt went out on. */
  connectionId?: number;
  /** Why it was not acked: no ack before the deadline, no connection to send it on, or the stand-in closed. */
  reason?: 'timeout' | 'no_connection' | 'closed' | 'too_many_retries';
  responseUrl?: string;
  triggerId?: string;
  viewId?: string;
}

export interface ApiCallRecord {
  method: string;
  /** The token the call used (Authorization header, else the `token` argument). */
  token: string | undefined;
  /** Arguments with JSON-string fields (`view`, `blocks`, ...) parsed and `token` removed. */
  body: AnyObject;
  at: number;
  ok: boolean;
  error?: string;
  httpStatus: number;
}

export interface ResponseUrlPost {
  url: string;
  body: any;
  at: number;
  ok: boolean;
  error?: string;
}

/** One thing the app made visible in a conversation, in the order it happened. */
export interface MessageRecord {
  channel: string;
  ts: string;
  text: string | undefined;
  blocks: AnyObject[] | undefined;
  /** For ephemeral messages: who sees it. */
  user?: string;
  thread_ts?: string;
  kind: 'post' | 'ephemeral' | 'update' | 'delete';
  /** How it got there: a Web API call, a response_url post, or the payload of a slash command's ack. */
  via: 'api' | 'response_url' | 'ack';
}

export interface ViewRecords {
  opened: View[];
  updated: View[];
  pushed: View[];
  /** userId -> every Home tab view published for that user, oldest first. */
  published: Map<string, View[]>;
  closed: View[];
  /** `response_action: errors` acks: which view, and the errors shown next to its inputs. */
  errorsShown: Array<{ viewId: string; errors: Record<string, string> }>;
}
