import { describeForLog, NotionError } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import type { EngineDeps } from './deps.js';
import { afterRun, pause, pauseForCredentials } from './outcomes.js';
import { WatchPoller } from './poll.js';
import { type AutomaticRunEnd, runAutomatically } from './run.js';
import { nextSlot, parseSchedule } from './schedule.js';
import { type AutomationRecord, isOwnedBy, type PausedBy } from './store.js';
import { summaryOf } from './summary.js';
import { saveInTeam } from './team-save.js';
import { nextEveryFiring, spreadOffset, timingOf } from './triggers.js';
import type { AutomationNotice, AutomationNoticeListener } from './types.js';

/** The running automations: which are due, their polls and scheduled runs, their failures and pauses. */
export class AutomationEngine {
  readonly records = new Map<string, AutomationRecord>();
  readonly #nextPoll = new Map<string, number>();
  readonly #nextControl = new Map<string, number>();
  /** Owners whose settings could not be read wait until then. */
  readonly #ownerWaitsUntil = new Map<string, number>();
  readonly #poller: WatchPoller;
  readonly #userTasks = new Map<string, Promise<void>>();
  readonly #listeners = new Set<AutomationNoticeListener>();

  constructor(readonly deps: EngineDeps) {
    this.#poller = new WatchPoller(this);
  }

  subscribe(listener: AutomationNoticeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Keeps the record and polls a watch within one interval, at an offset that spreads a secret's watches over it. */
  track(record: AutomationRecord, pollNow = false): void {
    this.records.set(record.id, record);
    const { pollIntervalMs } = this.deps.options;
    this.#nextPoll.set(record.id, this.deps.clock.now() + (pollNow ? 0 : spreadOffset(record.id, pollIntervalMs)));
  }

  forget(id: string): void {
    this.records.delete(id);
    this.#nextPoll.delete(id);
    this.#poller.forget(id);
  }

  nextPollOf(id: string): number | undefined {
    return this.#nextPoll.get(id);
  }

  resetPoll(id: string): void {
    this.#nextPoll.set(id, this.deps.clock.now());
  }

  /** Starts each owner's due work (owners side by side, one owner's automations one after another) and waits for it. */
  async runDue(): Promise<void> {
    const owners = new Map<string, UserRef>();
    for (const record of this.records.values()) owners.set(userKey(record.owner), record.owner);
    const started: Promise<void>[] = [];
    for (const [key, owner] of owners) {
      if (this.#userTasks.has(key) || !this.#hasDueWork(owner)) continue;
      const task = this.#runOwner(owner)
        .catch((err: unknown) => this.deps.logger.error({ err: describeForLog(err), user: key }, 'automations of a user failed'))
        .finally(() => this.#userTasks.delete(key));
      this.#userTasks.set(key, task);
      started.push(task);
    }
    await Promise.all(started);
  }

  /** Resolves once no owner's work is under way. */
  async idle(): Promise<void> {
    while (this.#userTasks.size > 0) await Promise.all([...this.#userTasks.values()]);
  }

  /**
   * `created`: a new record. Team mode checks the shared store instead of this worker's copies (a copy read again
   * meanwhile, say by a pause through this worker, still saves its run's outcome; the newer pause is kept).
   */
  async save(record: AutomationRecord, created = false): Promise<void> {
    if (this.deps.triggers) return saveInTeam(this, record, created);
    // A record forgotten meanwhile (`/visen clear`) is not written back.
    if (this.records.get(record.id) === record) await this.deps.store.save(record);
  }

  /** An automation as it is now: team mode reads the shared store (another worker may have changed or cleared it). */
  async current(id: string): Promise<AutomationRecord | undefined> {
    if (!this.deps.triggers) return this.records.get(id);
    const record = await this.deps.store.load(id);
    if (record) this.adopt(record);
    else this.forget(id);
    return record;
  }

  /** Every automation; team mode: those the shared store holds (made through other workers too). */
  async all(): Promise<AutomationRecord[]> {
    return this.deps.triggers ? this.deps.store.loadAll() : [...this.records.values()];
  }

  /** Team mode: the record as read from the shared store becomes this worker's copy. */
  adopt(record: AutomationRecord): void {
    this.records.set(record.id, record);
  }

  /** Team mode: this worker's copies of the owner's automations are read again (others may have changed them). */
  async refresh(owner: UserRef): Promise<void> {
    if (!this.deps.triggers) return;
    for (const record of await this.deps.store.loadAll()) if (isOwnedBy(record, owner)) this.adopt(record);
  }

  /** Team mode: the automation's trigger follows its record as the shared store holds it. */
  async arm(id: string): Promise<void> {
    const record = await this.current(id);
    if (record && this.deps.triggers) await this.deps.triggers.upsert(id, timingOf(record, this.deps.options.pollIntervalMs));
  }

  /** Stops and forgets an automation, its record and (team mode) its trigger. */
  async drop(id: string): Promise<void> {
    this.forget(id);
    await this.deps.store.remove(id);
    await this.deps.triggers?.remove(id);
  }

  async notify(notice: AutomationNotice): Promise<void> {
    for (const listener of this.#listeners) {
      try {
        await listener(notice);
      } catch (err) {
        this.deps.logger.warn({ err: describeForLog(err) }, 'an automation notice listener failed');
      }
    }
  }

  async #runOwner(owner: UserRef): Promise<void> {
    const settings = await this.deps.settings.load(owner);
    if (!settings) {
      // No settings (cleared, or not readable): look again in one interval, not at every tick.
      this.#ownerWaitsUntil.set(userKey(owner), this.deps.clock.now() + this.deps.options.pollIntervalMs);
      return;
    }
    await this.#controlFromNotion(owner, settings);
    const now = this.deps.clock.now();
    for (const record of this.recordsOf(owner)) {
      if (record.paused || this.records.get(record.id) !== record) continue;
      if (this.busy(record)) continue;
      if (now < this.#dueAt(record)) continue;
      if (record.trigger === 'Watch') {
        this.#nextPoll.set(record.id, this.deps.clock.now() + this.deps.options.pollIntervalMs);
        await this.#poller.poll(record, settings);
      } else await this.scheduledRun(record);
    }
  }

  /** Cheap, no I/O: the owner's connection rows are due for a read, or one of their automations for a poll or a run. */
  #hasDueWork(owner: UserRef): boolean {
    const now = this.deps.clock.now();
    if (now < (this.#ownerWaitsUntil.get(userKey(owner)) ?? 0)) return false;
    if (now >= (this.#nextControl.get(userKey(owner)) ?? 0)) return true;
    return this.recordsOf(owner).some((record) => !record.paused && now >= this.#dueAt(record));
  }

  #dueAt(record: AutomationRecord): number {
    if (record.trigger === 'Watch') return this.#nextPoll.get(record.id) ?? 0;
    return record.nextRun === undefined ? Number.POSITIVE_INFINITY : Date.parse(record.nextRun);
  }

  recordsOf(owner: UserRef): AutomationRecord[] {
    return [...this.records.values()].filter((record) => userKey(record.owner) === userKey(owner));
  }

  /** Any run of the connection going (a person's above all) comes first: the automation waits for the next tick. */
  busy(record: AutomationRecord): boolean {
    return this.deps.generation.activeRuns(record.owner).some((run) => run.connectionId === record.id || !run.automatic);
  }

  /**
   * Once a poll interval, one query of the owner's connections database: a row whose `Trigger` became Manual (or
   * that went to the trash) stops its automation; one set back to Watch or Schedule starts it again.
   */
  async #controlFromNotion(owner: UserRef, settings: UserSettings): Promise<void> {
    const key = userKey(owner);
    const now = this.deps.clock.now();
    if (now < (this.#nextControl.get(key) ?? 0)) return;
    this.#nextControl.set(key, now + this.deps.options.pollIntervalMs);
    let automatic: ReadonlyMap<string, string>;
    try {
      automatic = await this.deps.connections.automaticRows(owner, settings);
    } catch (err) {
      if (err instanceof NotionError && err.code === 'unauthorized') await this.pauseForCredentials(owner, err);
      else this.deps.logger.warn({ err: describeForLog(err), user: key }, 'could not read the connection rows of automations');
      return;
    }
    for (const record of this.recordsOf(owner)) await this.followRow(record, automatic.has(record.id));
  }

  poll(record: AutomationRecord, settings: UserSettings): Promise<void> {
    return this.#poller.poll(record, settings);
  }

  async followRow(record: AutomationRecord, automaticInNotion: boolean): Promise<void> {
    const was = record.rowTrigger ?? 'automatic';
    const now = automaticInNotion ? 'automatic' : 'manual';
    if (was === now) return;
    record.rowTrigger = now;
    if (now === 'manual') {
      record.paused = true;
      record.pausedBy = 'user';
      record.pausedReason = undefined;
    } else {
      this.restart(record);
    }
    this.deps.logger.info({ automation: record.id, paused: record.paused }, 'an automation follows its connection row in Notion');
    await this.save(record);
  }

  /** Running again: failures forgotten, a watch polled at once, a schedule waiting for its next slot. */
  restart(record: AutomationRecord): void {
    record.paused = false;
    record.pausedBy = undefined;
    record.pausedReason = undefined;
    record.failures = 0;
    record.control = (record.control ?? 0) + 1;
    if (record.trigger === 'Schedule') record.nextRun = this.nextRunOf(record);
    this.resetPoll(record.id);
  }

  nextRunOf(record: AutomationRecord): string {
    const schedule = parseSchedule(record.schedule ?? '', record.timeZone ?? 'UTC');
    return nextSlot(schedule, new Date(this.deps.clock.now())).toISOString();
  }

  /** `slot`: the slot this run is for (team mode: the one its trigger fired for); the record's next one by default. */
  async scheduledRun(record: AutomationRecord, slot = record.nextRun!): Promise<void> {
    const { clock, logger, options } = this.deps;
    const startedAt = new Date(clock.now()).toISOString();
    // Missed slots (a restart, a laptop asleep) run once, now, saying which slot it was.
    const lateFor = clock.now() - Date.parse(slot) > options.pollIntervalMs ? slot : undefined;
    record.nextRun = this.nextRunOf(record);
    await this.save(record);
    // A scheduled page run that writes a new page titles it with the day it ran for, in the owner's time zone.
    const newPage = record.targetKind === 'Page' && record.request.output?.kind === 'new-page';
    const pageTitle = newPage ? dayTitle(slot, record.timeZone ?? 'UTC') : undefined;
    const end = await runAutomatically(this.deps.generation, record, pageTitle ? { pageTitle } : {}, logger);
    await this.writeNextRun(record);
    await this.afterRun(record, end, { startedAt, lateFor });
  }

  /** `Next run` on the connection row follows the schedule (where Notion can be reached). */
  async writeNextRun(record: AutomationRecord): Promise<void> {
    const settings = await this.deps.settings.load(record.owner);
    if (!settings || record.nextRun === undefined) return;
    await this.deps.connections
      .setAutomation(record.owner, settings, record.id, { trigger: 'Schedule', nextRun: record.nextRun })
      .catch((err: unknown) => this.deps.logger.warn({ err: describeForLog(err), automation: record.id }, 'could not write Next run'));
  }

  afterRun(record: AutomationRecord, end: AutomaticRunEnd, at: { startedAt: string; lateFor?: string | undefined }): Promise<void> {
    return afterRun(this, record, end, at);
  }

  pauseForCredentials(owner: UserRef, err: unknown, message?: string): Promise<void> {
    return pauseForCredentials(this, owner, err, message);
  }

  pause(record: AutomationRecord, by: PausedBy, reason?: string): Promise<void> {
    return pause(this, record, by, reason);
  }

  summary(record: AutomationRecord) {
    const { triggers, options, clock } = this.deps;
    // Team mode: a watch polls when its shared trigger fires, whichever worker made it.
    const teamPoll = triggers
      ? nextEveryFiring({ everyMs: options.pollIntervalMs, offsetMs: spreadOffset(record.id, options.pollIntervalMs) }, clock.now())
      : undefined;
    return summaryOf(record, teamPoll ?? this.#nextPoll.get(record.id));
  }
}

/** `Tuesday, 2 June 2026`: the day of a slot where the owner lives. */
function dayTitle(slot: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(slot));
}
