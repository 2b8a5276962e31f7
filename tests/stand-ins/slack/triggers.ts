// trigger_id rules (https://api.slack.com/docs/triggers, "Sequencing interactions with triggers"): a trigger
// expires three seconds after the interaction and may be exchanged only once. views.open and views.push answer
// `expired_trigger_id`, `exchanged_trigger_id` or `invalid_trigger_id` (https://docs.slack.dev/reference/methods/views.open).
import { newTriggerId } from './ids.js';

export interface Trigger {
  id: string;
  userId: string;
  teamId: string;
  /** The modal view the interaction happened in (block action in a modal, view submission), if any. */
  viewId?: string;
  /** Set when the payload carrying the trigger is first sent to the app: the three seconds start then. */
  issuedAt?: number;
  exchangedBy?: string;
}

export type TriggerError = 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id';

export class TriggerBook {
  private readonly triggers = new Map<string, Trigger>();

  constructor(private readonly ttlMs: number) {}

  issue(context: { userId: string; teamId: string; viewId?: string }): string {
    const id = newTriggerId();
    this.triggers.set(id, { id, ...context });
    return id;
  }

  /** Starts the trigger's clock (idempotent). */
  arm(id: string | undefined): void {
    const trigger = id ? this.triggers.get(id) : undefined;
    if (trigger && trigger.issuedAt === undefined) trigger.issuedAt = Date.now();
  }

  /** Exchanges a trigger for `method`, or says why it cannot be. */
  exchange(id: unknown, method: string): { trigger: Trigger } | { error: TriggerError; detail: string } {
    const trigger = typeof id === 'string' ? this.triggers.get(id) : undefined;
    if (!trigger || trigger.issuedAt === undefined) {
      return { error: 'invalid_trigger_id', detail: `trigger_id ${JSON.stringify(id)} was never issued to the app` };
    }
    if (trigger.exchangedBy) {
      return { error: 'exchanged_trigger_id', detail: `trigger_id already exchanged by ${trigger.exchangedBy}` };
    }
    const age = Date.now() - trigger.issuedAt;
    if (age > this.ttlMs) {
      return { error: 'expired_trigger_id', detail: `trigger_id used ${age} ms after the interaction (limit ${this.ttlMs} ms)` };
    }
    trigger.exchangedBy = method;
    return { trigger };
  }
}
