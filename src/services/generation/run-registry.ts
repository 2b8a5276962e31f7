import { UserInputError } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { ActiveRun } from './active-run.js';
import { outputLabel } from './output.js';
import type { RunRecord } from './run-store.js';
import type { ProgressListener } from './types.js';

/**
 * The runs this process is working on, and who watches them. One run of a connection at a time: a connection is
 * its user, target, output and prompt, and a start of it is refused while another of its runs is going. Starts
 * still checking their target are tracked, so shutdown waits for them and none meets a closed store half way.
 */
export class RunRegistry {
  readonly #active = new Map<string, ActiveRun>();
  /** Connection key (see `connectionKey`) -> the id of the run holding it. */
  readonly #connectionRuns = new Map<string, string>();
  readonly #subscribers = new Set<ProgressListener>();
  readonly #starting = new Set<Promise<unknown>>();
  #closing = false;

  /** True once shutdown began: no new run starts. */
  get closing(): boolean {
    return this.#closing;
  }

  has(runId: string): boolean {
    return this.#active.has(runId);
  }

  /** The run with this id, whoever's it is: for requests already checked against its owner (see run-steering.ts). */
  byId(runId: string): ActiveRun | undefined {
    return this.#active.get(runId);
  }

  all(): ActiveRun[] {
    return [...this.#active.values()];
  }

  /** Only a run's own user may see, steer or cancel it (exact, case-sensitive ids). */
  ofUser(user: UserRef): ActiveRun[] {
    return this.all().filter((run) => ownedBy(run, user));
  }

  /** This user's active run with this id, if any. */
  find(user: UserRef, runId: string): ActiveRun | undefined {
    const run = this.#active.get(runId);
    return run && ownedBy(run, user) ? run : undefined;
  }

  subscribers(): Iterable<ProgressListener> {
    return this.#subscribers;
  }

  /** Progress of every run goes to `listener` too; returns the unsubscribe function. */
  subscribe(listener: ProgressListener): () => void {
    this.#subscribers.add(listener);
    return () => void this.#subscribers.delete(listener);
  }

  /** Holds the connection for a run about to start; refused while another run of it is going. */
  reserve(key: string, runId: string): void {
    const holder = this.#connectionRuns.get(key);
    if (holder && this.#active.has(holder)) throw new ConnectionBusyError();
    this.#connectionRuns.set(key, runId);
  }

  /** Resolves once no automatic run holds the connection (at once when none does). */
  async automaticRunEnded(key: string): Promise<void> {
    for (;;) {
      const holder = this.#active.get(this.#connectionRuns.get(key) ?? '');
      if (!holder?.record.request.automatic) return;
      await holder.finished.catch(() => undefined);
    }
  }

  /** A start that failed lets go of its connection (unless its run got going after all). */
  unreserve(key: string, runId: string): void {
    if (this.#connectionRuns.get(key) === runId && !this.#active.has(runId)) this.#connectionRuns.delete(key);
  }

  add(run: ActiveRun): void {
    this.#active.set(run.record.runId, run);
    this.#connectionRuns.set(connectionKeyOf(run.record), run.record.runId);
  }

  remove(run: ActiveRun): void {
    const { runId } = run.record;
    this.#active.delete(runId);
    const key = connectionKeyOf(run.record);
    if (this.#connectionRuns.get(key) === runId) this.#connectionRuns.delete(key);
  }

  /** Keeps `started` until it settles, so `close` can wait for it. */
  track<T>(started: Promise<T>): Promise<T> {
    this.#starting.add(started);
    const forget = () => this.#starting.delete(started);
    started.then(forget, forget);
    return started;
  }

  /** No new runs from now on; resolves once the starts under way have settled. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#starting]);
  }
}

/** A connection as the one-run-at-a-time rule sees it: `<user>|<target id>|<output>|<prompt>`. */
/** `source`: a Send to Notion thread's permalink, part of what the connection is (two threads, two connections). */
export function connectionKey(user: UserRef, targetId: string, output: string, prompt: string, source?: string): string {
  return `${userKey(user)}|${targetId}|${output}|${prompt}|${source ?? ''}`;
}

/** A start refused because another run of its connection is going (this worker's or, in team mode, another's). */
export class ConnectionBusyError extends UserInputError {
  constructor() {
    super('This connection is already running. Wait for it to finish (or cancel it) before starting it again.', 'target');
  }
}

export function connectionKeyOf(record: RunRecord): string {
  return connectionKey(record.user, record.target.id, outputLabel(record.request.output), record.request.prompt, record.request.source?.permalink);
}

function ownedBy(run: ActiveRun, user: UserRef): boolean {
  return run.record.user.teamId === user.teamId && run.record.user.userId === user.userId;
}
