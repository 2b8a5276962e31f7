import type { Logger } from 'pino';
import type { DataSourceSchema, NotionGateway } from '../../adapters/notion/index.js';
import type { OpenAiGateway } from '../../adapters/openai.js';
import type { RunControl } from '../../adapters/run-control.js';
import { describeForLog, NotionError } from '../../errors.js';
import { withRetries } from '../../retry.js';
import type { UserRef } from '../../users.js';
import { userKey } from '../../users.js';
import type { ConnectionsService, RunOutcome } from '../connections/types.js';
import type { UserSettings } from '../settings/types.js';
import { ActiveRun, type GenerationOptions, type RunContext } from './active-run.js';
import { runDatabase } from './database-run.js';
import { isTransientNotion } from './notion-writes.js';
import { runPage } from './page-run.js';
import { ProgressEmitter } from './progress.js';
import { applyEnd, outcomeOf, type RunEnd } from './run-record.js';
import type { RunRegistry } from './run-registry.js';
import { applyRequest } from './run-steering.js';
import type { RunRecord, RunStore } from './run-store.js';
import { runThreadRow } from './thread-row-run.js';
import type { ProgressListener } from './types.js';

/** Attempts to record a run's end on its connection row before leaving it to the next start. */
const FINISH_ATTEMPTS = 3;

export interface RunLauncherDeps {
  readonly connections: ConnectionsService;
  readonly notion: NotionGateway;
  readonly openai: OpenAiGateway;
  readonly runStore: RunStore;
  readonly registry: RunRegistry;
  readonly control: RunControl;
  readonly options: GenerationOptions;
  readonly logger: Logger;
}

/** Makes active runs, does their work in the background, and records how each ended on its connection row. */
export class RunLauncher {
  constructor(private readonly deps: RunLauncherDeps) {}

  /** The one way an active run is made: its progress goes to `listener` and to every subscriber. */
  open(record: RunRecord, listener: ProgressListener): ActiveRun {
    const { registry, logger, options, runStore } = this.deps;
    const emitter = new ProgressEmitter(listener, () => registry.subscribers(), logger, options.progressIntervalMs);
    return new ActiveRun(record, emitter, runStore);
  }

  /** A run uses only its own user's secrets: their Notion integration (and its limiter) and their OpenAI key. */
  contextFor(run: ActiveRun, settings: UserSettings, startSchema?: DataSourceSchema): RunContext {
    const { notion, openai, runStore, options, logger } = this.deps;
    return {
      run,
      settings,
      notion: notion.forSecret(settings.notionSecret),
      openai: openai.forUser({ apiKey: settings.openaiKey, baseUrl: settings.openaiBaseUrl }),
      store: runStore,
      options,
      logger: logger.child({ runId: run.record.runId, user: userKey(run.record.user) }),
      startSchema,
    };
  }

  /** Starts the work of a run in the background; its end is recorded on the connection row. */
  launch(record: RunRecord, settings: UserSettings, listener: ProgressListener, startSchema?: DataSourceSchema): ActiveRun {
    const run = this.open(record, listener);
    this.deps.registry.add(run);
    run.finished = this.#work(run, this.contextFor(run, settings, startSchema));
    return run;
  }

  /** Records the run's end on the connection row, then drops it from the pending list. */
  async finalize(run: ActiveRun, settings: UserSettings): Promise<void> {
    const record = run.record;
    try {
      await this.recordOutcome(record.user, settings, record, outcomeOf(record));
    } catch (err) {
      // Notion busy or away: stay pending, so the next start records it. The row gone (deleted in Notion,
      // settings changed) or the secret revoked: nothing to record it on; the run itself is over.
      if (isTransientNotion(err) || !(err instanceof NotionError)) throw err;
      this.deps.logger.warn({ err: describeForLog(err), runId: record.runId }, 'the connection row could not be updated with the end of the run');
    }
    await this.deps.runStore.finishRun(record);
  }

  /** Writes `outcome` on the run's connection row, trying again a few times. */
  recordOutcome(user: UserRef, settings: UserSettings, record: RunRecord, outcome: RunOutcome): Promise<void> {
    const { connections, options, logger } = this.deps;
    return withRetries(() => connections.finishRun(user, settings, record.connection.id, outcome), {
      attempts: FINISH_ATTEMPTS,
      canRetry: () => true,
      delayMs: options.backoffMs,
      beforeRetry: (err, attempt) => logger.info({ err: describeForLog(err), runId: record.runId, attempt }, 'recording the end of a run failed; trying again'),
    });
  }

  async #work(run: ActiveRun, ctx: RunContext): Promise<void> {
    // Checked in team mode only: one process starts its runs at once, exactly as before.
    if (this.deps.control.acrossWorkers) await this.#applyKeptRequest(run, ctx);
    run.record.state = 'running';
    run.emit();
    const end = await doWork(run, ctx);
    try {
      await this.#recordEnd(run, ctx, end);
    } catch (err) {
      ctx.logger.error({ err: describeForLog(err) }, 'could not record the end of a run');
    } finally {
      run.sendFinalProgress();
      this.deps.registry.remove(run);
    }
  }

  /**
   * A Cancel or preview answer sent while no worker ran this run (team mode: it was queued, or its worker died) is
   * applied before any work: the run is in the registry by now, so a later request reaches it directly.
   */
  async #applyKeptRequest(run: ActiveRun, ctx: RunContext): Promise<void> {
    try {
      const kept = await this.deps.control.takeRequest(run.record.runId);
      if (!kept) return;
      ctx.logger.info({ action: kept }, 'applying a run control request kept for this run');
      applyRequest(run, kept);
    } catch (err) {
      // Redis away for a moment: the run goes on; a Cancel clicked again reaches it through the channel.
      ctx.logger.warn({ err: describeForLog(err) }, 'could not read the run control requests kept for this run');
    }
  }

  async #recordEnd(run: ActiveRun, ctx: RunContext, end: RunEnd): Promise<void> {
    if (end === 'interrupted') {
      // Stopping for a restart: the record stays pending; resumeInterrupted picks it up.
      await run.save();
      ctx.logger.info({ done: run.record.done }, 'run interrupted by shutdown; it will resume after the restart');
      return;
    }
    applyEnd(run.record, end, run.fatal);
    await run.save();
    await this.finalize(run, ctx.settings);
  }
}

/** The run's own work, page or database; a failure ends it as `failed` with the error kept as its cause. */
async function doWork(run: ActiveRun, ctx: RunContext): Promise<RunEnd> {
  try {
    if (run.record.request.output.kind === 'new-row') return await runThreadRow(ctx);
    return run.record.target.kind === 'Page' ? await runPage(ctx) : await runDatabase(ctx);
  } catch (err) {
    run.fatal ??= err;
    ctx.logger.warn({ err: describeForLog(run.fatal) }, 'run failed');
    return 'failed';
  }
}
