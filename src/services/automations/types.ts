import type { UserRef } from '../../users.js';
import type { GenerationRequest, ProgressListener, StartedRun } from '../generation/types.js';

/**
 * Automations (issue 13): connections that run by themselves. This file is the contract between the automation
 * engine (services/automations) and the Slack surface (the `--watch` / `--every` options, the modal's "Run" choice,
 * the Home tab and `/visen automations`, the direct messages): plain values, no Slack or SDK types.
 */

/** How a connection runs, as the connections database's `Trigger` select says it. */
export const AUTOMATION_TRIGGERS = ['Manual', 'Watch', 'Schedule'] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

/** What a user asks for when making a connection automatic. */
export type AutomationSpec =
  /** Database targets: fill rows as they are added, and again when the template's inputs change. */
  | { readonly trigger: 'Watch' }
  /**
   * Page or database targets: run on a schedule, a preset (`hourly`, `daily 09:00`, `weekdays 09:00`,
   * `mondays 08:30`) or a five-field cron expression, in `timeZone` (an IANA name, Slack's `users.info` `tz`).
   */
  | { readonly trigger: 'Schedule'; readonly schedule: string; readonly timeZone: string };

/** The outcome of an automation's latest run, as plain values. */
export interface AutomationRunResult {
  readonly at: string;
  readonly written: number;
  readonly failed: number;
  /** A safe, actionable message when the run (or rows of it) failed. */
  readonly error?: string | undefined;
}

/** One automatic connection of a user, for the Home tab and `/visen automations`. */
export interface AutomationSummary {
  /** The connection row's Notion page id (the automation's id too). */
  readonly connectionId: string;
  readonly connectionName: string;
  /** The connection row's Notion URL. */
  readonly connectionUrl: string;
  readonly targetUrl: string;
  readonly trigger: Exclude<AutomationTrigger, 'Manual'>;
  /** Schedules: the schedule as the user gave it, and its time zone. */
  readonly schedule?: string | undefined;
  readonly timeZone?: string | undefined;
  readonly paused: boolean;
  /** Why it is paused when Visen paused it (5 failures in a row, a revoked secret or key); absent when the user did. */
  readonly pausedReason?: string | undefined;
  /** ISO time of the next poll or scheduled run; absent while paused. */
  readonly nextRun?: string | undefined;
  readonly lastRun?: AutomationRunResult | undefined;
}

/** An automatic run that wrote or failed something (runs that did nothing are never reported). */
export interface AutomationRunReport {
  readonly owner: UserRef;
  readonly automation: AutomationSummary;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly written: number;
  readonly failed: number;
  /** Links to what was written (capped, newest last). */
  readonly writtenLinks: ReadonlyArray<{ readonly title: string; readonly url: string }>;
  /** Failed rows with their reasons (capped). */
  readonly failures: ReadonlyArray<{ readonly title: string; readonly reason: string }>;
  /** A scheduled run that ran late (after a restart or sleep): the slot it was meant for. */
  readonly lateFor?: string | undefined;
  readonly tokens?: { readonly prompt: number; readonly completion: number } | undefined;
}

/** What the owner is told; the Slack surface turns each into a direct message (folding runs as the issue says). */
export type AutomationNotice =
  | { readonly kind: 'run'; readonly report: AutomationRunReport }
  /** Visen paused automations by itself: one connection after 5 failed runs in a row, or all of a user's after a revoked secret or key. */
  | {
      readonly kind: 'paused';
      readonly owner: UserRef;
      readonly automations: readonly AutomationSummary[];
      readonly cause: 'failures' | 'credentials';
      readonly reason: string;
    };

export type AutomationNoticeListener = (notice: AutomationNotice) => void | Promise<void>;

export interface AutomationsService {
  /**
   * Makes a connection automatic from a generate request: checks everything `generation.start` checks, plus the
   * schedule (a bad one throws a UserInputError saying how to write it), records the connection with `Trigger`,
   * `Schedule` and `Next run`. A watch fills the rows that are empty now as a normal run (its progress goes to
   * `listener`, and `run` is returned); a schedule waits for its first slot (`run` absent).
   */
  create(
    user: UserRef,
    request: GenerationRequest,
    spec: AutomationSpec,
    listener: ProgressListener,
    notifyState: unknown,
  ): Promise<{ readonly automation: AutomationSummary; readonly run?: StartedRun }>;
  /** This user's automatic connections (paused ones too). */
  list(user: UserRef): Promise<AutomationSummary[]>;
  /** Pause or resume one of the user's automations; the connection row's `Trigger` follows. Unknown ids throw a UserInputError. */
  pause(user: UserRef, connectionId: string): Promise<AutomationSummary>;
  resume(user: UserRef, connectionId: string): Promise<AutomationSummary>;
  /** Notices for owners (the Slack surface sends them); returns an unsubscribe function. */
  subscribe(listener: AutomationNoticeListener): () => void;
  /** Begin polling and scheduling (after a restart: catch up from the stored cursors, run missed schedules once). */
  start(): void;
  /** Stop polling and scheduling; runs in flight end as generation's shutdown says. */
  shutdown(): Promise<void>;
  /** `/visen clear`: stop and forget all of this user's automations (their rows get `Trigger` `Manual` where reachable). */
  forgetUser(user: UserRef): Promise<void>;
}
