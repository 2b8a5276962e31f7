import type {
  AnyMiddlewareArgs,
  BlockAction,
  MessageShortcut,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

/** Where Visen's listeners register: Bolt's listener methods by exact id, plus the Web API client. */
export interface ListenerRegistry {
  readonly client: WebClient;
  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void;
  /** A `block_actions` interaction whose (first) action has this `action_id`. */
  action<A extends SlackAction = BlockAction>(actionId: string, listener: Middleware<SlackActionMiddlewareArgs<A>>): void;
  /** A `view_submission` of the view with this `callback_id`. */
  view<V extends SlackViewAction = ViewSubmitAction>(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<V>>): void;
  /** A message shortcut (`message_action`) with this `callback_id`. */
  messageShortcut(callbackId: string, listener: Middleware<SlackShortcutMiddlewareArgs<MessageShortcut>>): void;
  /** An Events API event of this type. */
  event<E extends string>(type: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void;
}

type AnyListener = (args: AnyMiddlewareArgs & { client: WebClient }) => Promise<void>;

/**
 * Hands each envelope to the one listener registered for it, found by kind and id in a map, from a single Bolt
 * middleware. Why not Bolt's own `app.action(…)` and friends: Bolt passes every envelope through every listener's
 * matchers, copying the listener arguments at each step (App.processEvent → processMiddleware), so its cost per
 * envelope grows with the number of listeners. Profiles of the workers during an ack burst put that copying, and
 * the garbage it leaves, at the top of a worker's CPU; a lookup costs the same for 1 listener or 40.
 * Ids are exact strings: one listener per id (a second registration is a programming error and throws).
 */
export class ListenerRouter implements ListenerRegistry {
  readonly #listeners = new Map<string, AnyListener>();

  constructor(readonly client: WebClient) {}

  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void {
    this.#add(`command:${name}`, listener);
  }

  action<A extends SlackAction = BlockAction>(actionId: string, listener: Middleware<SlackActionMiddlewareArgs<A>>): void {
    this.#add(`block_actions:${actionId}`, listener);
  }

  view<V extends SlackViewAction = ViewSubmitAction>(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<V>>): void {
    this.#add(`view_submission:${callbackId}`, listener);
  }

  messageShortcut(callbackId: string, listener: Middleware<SlackShortcutMiddlewareArgs<MessageShortcut>>): void {
    this.#add(`message_action:${callbackId}`, listener);
  }

  event<E extends string>(type: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void {
    this.#add(`event:${type}`, listener);
  }

  /**
   * The Bolt global middleware that dispatches, registered last. Then it calls `next()`, so a listener added to
   * the app with Bolt's own methods still runs (Visen registers none). Errors a listener throws reach Bolt's error
   * handler as before.
   */
  middleware(): Middleware<AnyMiddlewareArgs> {
    return async (args) => {
      const key = routeOf(args.body);
      const listener = key === undefined ? undefined : this.#listeners.get(key);
      if (listener) await listener(args);
      await args.next();
    };
  }

  #add(key: string, listener: unknown): void {
    if (this.#listeners.has(key)) throw new Error(`two listeners for ${key}`);
    this.#listeners.set(key, listener as AnyListener);
  }
}

/** The map key of an envelope, from the fields Slack identifies it by; undefined for kinds Visen does not listen to. */
export function routeOf(body: unknown): string | undefined {
  const b = body as {
    command?: unknown;
    type?: unknown;
    actions?: Array<{ action_id?: unknown }>;
    view?: { callback_id?: unknown };
    callback_id?: unknown;
    event?: { type?: unknown };
  };
  if (!b || typeof b !== 'object') return undefined;
  if (typeof b.command === 'string') return `command:${b.command}`;
  switch (b.type) {
    case 'block_actions':
      return keyed('block_actions', b.actions?.[0]?.action_id);
    case 'view_submission':
      return keyed('view_submission', b.view?.callback_id);
    case 'message_action':
      return keyed('message_action', b.callback_id);
    case 'event_callback':
      return keyed('event', b.event?.type);
    default:
      return undefined;
  }
}

function keyed(kind: string, id: unknown): string | undefined {
  return typeof id === 'string' ? `${kind}:${id}` : undefined;
}
