import type { NotionWorkspace } from '../../adapters/notion/index.js';
import { describeForLog, NotionError } from '../../errors.js';
import type { UserSettings } from '../settings/types.js';
import type { EngineDeps } from './deps.js';
import { type AutomaticRunEnd, runAutomatically } from './run.js';
import type { AutomationRecord, Fingerprints } from './store.js';
import { planWatch, scanWatchedRows, type WatchPlan } from './watch.js';

/** What a poll needs of the engine. */
export interface PollHost {
  readonly deps: EngineDeps;
  save(record: AutomationRecord): Promise<void>;
  afterRun(record: AutomationRecord, end: AutomaticRunEnd, at: { startedAt: string }): Promise<void>;
}

/** One watch's poll: read the rows edited since its cursor, fill those to fill, keep their fingerprints. */
export class WatchPoller {
  /** Each watch's plan, kept for `planTtlMs` (its schema read costs a request). */
  readonly #plans = new Map<string, { plan: WatchPlan; at: number }>();

  constructor(private readonly engine: PollHost) {}

  forget(id: string): void {
    this.#plans.delete(id);
  }

  async poll(record: AutomationRecord, settings: UserSettings): Promise<void> {
    const { options, clock, store, generation, logger } = this.engine.deps;
    const startedAt = new Date(clock.now()).toISOString();
    const notion = this.engine.deps.notion.forSecret(settings.notionSecret);
    let toRun: Map<string, string>;
    let newestEdit: string | undefined;
    let since: string;
    let fingerprints: Fingerprints;
    let plan: WatchPlan;
    try {
      plan = await this.#planOf(record, notion);
      fingerprints = await store.fingerprints(record.id);
      const written = await generation.writtenRows(record.owner, record.id);
      const scan = await scanWatchedRows(
        notion,
        record,
        plan,
        { fingerprints, written },
        { contextChars: options.contextChars, perCell: options.relationTitlesPerCell },
      );
      Object.assign(fingerprints, scan.seen);
      ({ toRun, newestEdit, since } = scan);
    } catch (err) {
      this.#plans.delete(record.id);
      await this.#pollFailed(record, err, startedAt);
      return;
    }
    if (toRun.size === 0) {
      record.cursor = newestEdit;
      await store.saveFingerprints(record.id, fingerprints);
      await this.engine.save(record);
      return;
    }
    logger.info({ automation: record.id, rows: toRun.size }, 'a watch found rows to fill');
    const end = await runAutomatically(generation, record, { rows: [...toRun.keys()], rowsEditedSince: since, onlyEmpty: false }, logger);
    const allWritten = await this.#keepFingerprints(record, end, toRun, fingerprints, plan);
    if (allWritten) record.cursor = newestEdit;
    await this.engine.afterRun(record, end, { startedAt });
  }

  async #planOf(record: AutomationRecord, notion: NotionWorkspace): Promise<WatchPlan> {
    const kept = this.#plans.get(record.id);
    const now = this.engine.deps.clock.now();
    if (kept && now - kept.at < this.engine.deps.options.planTtlMs) return kept.plan;
    const plan = await planWatch(notion, record);
    record.dataSourceId = plan.dataSourceId;
    this.#plans.set(record.id, { plan, at: now });
    return plan;
  }

  /** Rows this run wrote keep the inputs they were filled from; true when every row to fill was written. */
  async #keepFingerprints(record: AutomationRecord, end: AutomaticRunEnd, toRun: Map<string, string>, fingerprints: Fingerprints, plan: WatchPlan) {
    const written = end.started ? await this.engine.deps.generation.writtenRows(record.owner, record.id) : new Map<string, string>();
    let all = true;
    for (const [rowId, hash] of toRun) {
      if (end.started && written.get(rowId) === end.runId) fingerprints[rowId] = plan.writesWhatItReads ? { hash, adopt: true } : { hash };
      else all = false;
    }
    await this.engine.deps.store.saveFingerprints(record.id, fingerprints);
    return all;
  }

  /** A poll that could not read Notion: a passing fault waits for the next poll; anything else counts as a failed run. */
  async #pollFailed(record: AutomationRecord, err: unknown, startedAt: string): Promise<void> {
    this.engine.deps.logger.warn({ err: describeForLog(err), automation: record.id }, 'a watch could not poll its database');
    if (err instanceof NotionError && ['rate_limited', 'unavailable', 'timeout', 'outcome_unknown', 'conflict_error'].includes(err.code)) return;
    await this.engine.afterRun(record, { started: false, error: err }, { startedAt });
  }
}
