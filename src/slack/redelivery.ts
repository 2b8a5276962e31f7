import { type App, type ReceiverEvent, SocketModeReceiver, type SocketModeReceiverOptions } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Slack delivers an envelope again when its ack did not arrive: over Socket Mode an envelope that was not
 * acked when its socket went away is sent on the next connection with `retry_attempt` + 1
 * (https://docs.slack.dev/apis/events-api/using-socket-mode). The ack can be lost after the app handled the
 * envelope (it was written to a socket that the other end had already dropped), and Bolt does not dedupe
 * retries, so without this a dropped connection runs the same `/visen generate` twice.
 *
 * The guard remembers, per envelope, that it was handled and what the ack said:
 * - a redelivery of a handled envelope is acked again with that same payload (so the user still sees the
 *   answer the lost ack carried) and is not handled a second time;
 * - an ack that cannot be sent because the socket is gone is not an error of the listener: the listener goes
 *   on (the work is done once, here) and the redelivery that Slack will send gets the ack.
 * Envelopes are recognised by what Slack keeps across redeliveries: a slash command's or an interaction's
 * `trigger_id` (one per user action), an event's `event_id`, a closed view's id and hash. Memory is bounded;
 * a restart forgets, which is safe because an envelope the old process never acked is exactly one to handle.
 * In team mode the workers also share a record of handled envelopes: a first delivery is recorded without waiting
 * (nothing has handled it yet), a redelivery is claimed there before it is handled.
 */
export interface RedeliveryGuardOptions {
  /** How long a handled envelope is remembered (Slack retries within minutes). */
  readonly ttlMs?: number;
  /** At most this many remembered envelopes (oldest forgotten first). */
  readonly maxEntries?: number;
  /** How long a redelivery waits for the first attempt's listener to ack before acking empty. */
  readonly waitForFirstAckMs?: number;
  readonly now?: () => number;
  /**
   * Team mode: records an envelope in the store all workers share; false when another worker recorded it
   * first (Slack may redeliver on any of the app's sockets). Undefined with one process.
   */
  readonly claimShared?: (key: string, ttlMs: number) => Promise<boolean>;
}

interface Handled {
  readonly at: number;
  /** Resolves with the first attempt's ack payload once its listener acked (sent or not). */
  readonly acked: Promise<unknown>;
}

const DEFAULTS = { ttlMs: 15 * 60_000, maxEntries: 5_000, waitForFirstAckMs: 2_000 };
/**
 * A redelivery's shared claim is the one store call before its ack: bounded well inside Slack's 3 seconds. When the
 * store does not answer in time the envelope is handled (its listener then reports the store trouble to the user).
 */
const CLAIM_TIMEOUT_MS = 500;

export class RedeliveryGuard {
  readonly #handled = new Map<string, Handled>();
  readonly #options: Required<Omit<RedeliveryGuardOptions, 'now' | 'claimShared'>> & Pick<RedeliveryGuardOptions, 'claimShared'> & { now: () => number };

  constructor(
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    options: RedeliveryGuardOptions = {},
  ) {
    this.#options = { ...DEFAULTS, ...options, now: options.now ?? Date.now };
  }

  /** Hands `event` to `process` unless it is a redelivery of one already handled. */
  async process(event: ReceiverEvent, process: (event: ReceiverEvent) => Promise<void>): Promise<void> {
    const key = envelopeKey(event.body);
    if (key === undefined) return process(event);
    this.#forgetExpired();

    const seen = this.#handled.get(key);
    if (seen) {
      const payload = await Promise.race([seen.acked, delay(this.#options.waitForFirstAckMs)]);
      this.logger.info(
        { envelope: key.split(':')[0], retryNum: event.retryNum, retryReason: event.retryReason },
        'redelivered envelope already handled: acked again, not handled twice',
      );
      await event.ack(payload ?? undefined);
      return;
    }

    let markAcked: (payload: unknown) => void = () => undefined;
    const acked = new Promise<unknown>((resolve) => (markAcked = resolve));
    this.#remember(key, { at: this.#options.now(), acked });
    if (!event.retryNum) {
      // A first delivery cannot have been handled anywhere yet: it is recorded for the workers without waiting.
      this.#recordShared(key);
    } else if (!(await this.#claimShared(key))) {
      markAcked(undefined);
      this.logger.info({ envelope: key.split(':')[0], retryNum: event.retryNum }, 'envelope already handled by another worker: acked, not handled twice');
      await event.ack();
      return;
    }
    const ack = event.ack;
    const guardedAck = async (response?: unknown): Promise<void> => {
      markAcked(response);
      try {
        await ack(response as never);
      } catch (err) {
        if (!isSocketGone(err)) throw err;
        this.logger.warn(
          { envelope: key.split(':')[0], code: (err as { code?: string }).code },
          'ack not sent: the socket closed; Slack will redeliver and gets the ack then',
        );
      }
    };
    return process({ ...event, ack: guardedAck });
  }

  /**
   * Records a first delivery in the shared store, in the background: the ack does not wait on a store round trip.
   * Slack sends a redelivery only after the ack deadline or a reconnect, seconds later, by when the record is there.
   */
  #recordShared(key: string): void {
    const claim = this.#options.claimShared;
    if (!claim) return;
    claim(key, this.#options.ttlMs).then(
      (claimed) => {
        if (!claimed) this.logger.warn({ envelope: key.split(':')[0] }, 'a first delivery was already recorded by another worker; handled here too');
      },
      (err: unknown) =>
        this.logger.warn({ envelope: key.split(':')[0], message: (err as Error).message }, 'could not record the envelope for the other workers'),
    );
  }

  /**
   * For a redelivery: true unless another worker already recorded this envelope; a store that does not answer in
   * time counts as true.
   */
  async #claimShared(key: string): Promise<boolean> {
    const claim = this.#options.claimShared;
    if (!claim) return true;
    try {
      const claimed = await Promise.race([claim(key, this.#options.ttlMs), delay(CLAIM_TIMEOUT_MS)]);
      return claimed !== false;
    } catch (err) {
      this.logger.warn({ envelope: key.split(':')[0], message: (err as Error).message }, 'shared redelivery check failed; handling the envelope');
      return true;
    }
  }

  #remember(key: string, entry: Handled): void {
    this.#handled.set(key, entry);
    while (this.#handled.size > this.#options.maxEntries) {
      const oldest = this.#handled.keys().next().value;
      if (oldest === undefined) break;
      this.#handled.delete(oldest);
    }
  }

  #forgetExpired(): void {
    const cutoff = this.#options.now() - this.#options.ttlMs;
    for (const [key, entry] of this.#handled) {
      if (entry.at >= cutoff) break; // insertion order is time order
      this.#handled.delete(key);
    }
  }
}

/** What identifies one user action across Slack's redeliveries; undefined when nothing does. */
export function envelopeKey(body: unknown): string | undefined {
  const b = body as {
    command?: unknown;
    trigger_id?: unknown;
    type?: unknown;
    event_id?: unknown;
    view?: { id?: unknown; hash?: unknown };
    actions?: Array<{ action_ts?: unknown }>;
  };
  if (!b || typeof b !== 'object') return undefined;
  if (typeof b.command === 'string' && typeof b.trigger_id === 'string') return `command:${b.trigger_id}`;
  if (b.type === 'event_callback' && typeof b.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b.type === 'string' && typeof b.trigger_id === 'string') return `${b.type}:${b.trigger_id}`;
  if (b.type === 'view_closed' && typeof b.view?.id === 'string') return `view_closed:${b.view.id}:${String(b.view.hash ?? '')}`;
  return undefined;
}

/** @slack/socket-mode's "not connected" send errors (its ErrorCode values). */
function isSocketGone(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    code === 'slack_socket_mode_send_while_disconnected_error' ||
    code === 'slack_socket_mode_send_while_not_ready_error' ||
    code === 'slack_socket_mode_websocket_error'
  );
}

const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref());

/**
 * Bolt's SocketModeReceiver with the guard in front of the app: a drop-in for `new SocketModeReceiver(...)`.
 * Bolt hands every envelope to `app.processEvent(event)`; the guard sits exactly there.
 */
export class GuardedSocketModeReceiver extends SocketModeReceiver {
  readonly #guard: RedeliveryGuard;

  constructor(options: SocketModeReceiverOptions & { guardLogger: Pick<Logger, 'info' | 'warn'>; guard?: RedeliveryGuardOptions }) {
    const { guardLogger, guard, ...receiverOptions } = options;
    super(receiverOptions);
    this.#guard = new RedeliveryGuard(guardLogger, guard);
  }

  override init(app: App): void {
    const guard = this.#guard;
    const guarded = Object.create(app) as App;
    guarded.processEvent = (event: ReceiverEvent) => guard.process(event, (e) => app.processEvent(e));
    super.init(guarded);
  }
}
