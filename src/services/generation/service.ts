import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSourceSchema, NotionGateway } from '../../adapters/notion/index.js';
import type { OpenAiGateway } from '../../adapters/openai.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog, NotionError, StoreError, UserInputError, userMessageFor, VisenError } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { type UserRef, userKey } from '../../users.js';
import type { ConnectionRecord, ConnectionsService, RunOutcome } from '../connections/types.js';
import type { SettingsService, UserSettings } from '../settings/types.js';
import { clip } from '../text.js';
import { ActiveRun, DEFAULT_GENERATION_OPTIONS, type GenerationOptions, progressOf, type RunContext } from './active-run.js';
import { runDatabase } from './database-run.js';
import { isTransientNotion } from './notion-writes.js';
import { checkOutput, outputLabel, parseOutputLabel } from './output.js';
import { rollbackPage, runPage } from './page-run.js';
import { ProgressEmitter } from './progress.js';
import { type RunRecord, type RunRequest, RunStore } from './run-store.js';
import { resolveTarget } from './target.js';
import { bindPlaceholders } from './template.js';
import type { GenerationRequest, GenerationService, ProgressListener, RunProgress, StartedRun, TargetDescription } from './types.js';

export interface GenerationServiceDeps {
  readonly store: LocalStore;
  readonly settings: Pick<SettingsService, 'load' | 'require'>;
  readonly connections: ConnectionsService;
  readonly notion: NotionGateway;
  readonly openai: OpenAiGateway;
  readonly logger: Logger;
  readonly options?: Partial<GenerationOptions>;
}

/** A prompt longer than this is refused before anything starts (it also has to fit the connection row). */
export const MAX_PROMPT_CHARS = 50_000;
const CONNECTION_NAME_MAX_CHARS = 100;
/** Attempts to record a run's end on its connection row before leaving it to the next start. */
const FINISH_ATTEMPTS = 3;

const INTERRUPTED_MESSAGE = 'Visen was restarted while writing this page, so the run was interrupted; what it had written was taken out again. Run it again.';

export function createGenerationService(deps: GenerationServiceDeps): GenerationService {
  const options: GenerationOptions = { ...DEFAULT_GENERATION_OPTIONS, ...deps.options };
  const logger = deps.logger.child({ service: 'generation' });
  const runStore = new RunStore(deps.store);
  const active = new Map<string, ActiveRun>();
  /** `<user>|<target id>|<output>|<prompt>` -> run id: one run of a connection at a time. */
  const runningSpecs = new Map<string, string>();
  const subscribers = new Set<ProgressListener>();
  /** Starts still checking the target: shutdown waits for them, so none meets a closed store half way. */
  const starting = new Set<Promise<unknown>>();
  let closing = false;

  const specKey = (user: UserRef, targetId: string, output: string, prompt: string) => `${userKey(user)}|${targetId}|${output}|${prompt}`;

  function start(user: UserRef, request: GenerationRequest, listener: ProgressListener, notifyState: unknown, connectionName?: string): Promise<StartedRun> {
    const started = checkAndLaunch(user, request, listener, notifyState, connectionName);
    starting.add(started);
    const forget = () => starting.delete(started);
    started.then(forget, forget);
    return started;
  }

  async function checkAndLaunch(
    user: UserRef,
    request: GenerationRequest,
    listener: ProgressListener,
    notifyState: unknown,
    connectionName?: string,
  ): Promise<StartedRun> {
    if (closing) throw new VisenError('shutting_down', 'Visen is restarting right now, so it did not start this. Try again in a minute.');
    const prompt = (request.prompt ?? '').trim();
    if (prompt === '')
      throw new UserInputError('The prompt is empty. Say what Visen should write, e.g. `/visen generate <Notion link> Summarise this project`.', 'prompt');
    if (prompt.length > MAX_PROMPT_CHARS) {
      throw new UserInputError(
        `The prompt is ${prompt.length.toLocaleString('en-US')} characters long; Visen takes at most ${MAX_PROMPT_CHARS.toLocaleString('en-US')}. Shorten it.`,
        'prompt',
      );
    }
    if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) {
      throw new UserInputError('The row limit must be a whole number of at least 1 (e.g. `--limit 10`).', 'limit');
    }
    const settings = await deps.settings.require(user);
    const notion = deps.notion.forSecret(settings.notionSecret);
    const target = await resolveTarget(notion, request.targetUrl);
    const output = checkOutput(target.ref.kind, request.output, target.schema);
    if (target.ref.kind === 'Database') bindPlaceholders(prompt, Object.keys(target.schema?.properties ?? {}));

    const label = outputLabel(output);
    const key = specKey(user, target.ref.id, label, prompt);
    const runningId = runningSpecs.get(key);
    if (runningId && active.has(runningId)) {
      throw new UserInputError('This connection is already running. Wait for it to finish (or cancel it) before starting it again.', 'target');
    }
    const runId = randomUUID();
    runningSpecs.set(key, runId);
    try {
      const name = (connectionName ?? request.connectionName ?? '').trim() || defaultName(target.ref.title, prompt);
      const connection = await deps.connections.beginRun(user, settings, {
        type: target.ref.kind,
        target: target.ref.url,
        targetId: target.ref.id,
        prompt,
        output: label,
        model: settings.model,
        name: clip(name, CONNECTION_NAME_MAX_CHARS),
        rename: Boolean(request.connectionName?.trim()),
      });
      const normalized: RunRequest = {
        targetUrl: request.targetUrl,
        prompt,
        output,
        onlyEmpty: request.onlyEmpty ?? true,
        limit: request.limit,
        connectionName: request.connectionName,
      };
      const now = new Date().toISOString();
      const record: RunRecord = {
        version: 1,
        runId,
        user: { teamId: user.teamId, userId: user.userId },
        request: normalized,
        target: target.ref,
        model: settings.model,
        connection: { id: connection.id, url: connection.url, name: connection.name, runsBefore: connection.runs },
        notifyState: notifyState ?? null,
        startedAt: now,
        state: 'starting',
        finalized: false,
        resumed: false,
        total: target.ref.kind === 'Page' ? 1 : undefined,
        done: 0,
        skipped: 0,
        failed: 0,
        failedRowIds: [],
        inFlight: [],
        written: [],
        error: undefined,
        page: undefined,
        updatedAt: now,
      };
      try {
        await runStore.createRun(record);
      } catch (err) {
        await finishConnection(user, settings, record, { ...outcomeOf(record), status: 'Failed', error: userMessageFor(err) }).catch(() => undefined);
        throw err;
      }
      const run = launch(record, settings, listener, target.schema);
      return { runId, progress: progressOf(run.record) };
    } catch (err) {
      if (runningSpecs.get(key) === runId && !active.has(runId)) runningSpecs.delete(key);
      throw err;
    }
  }

  /** A run uses only its own user's secrets: their Notion integration (and its limiter) and their OpenAI key. */
  function contextFor(run: ActiveRun, settings: UserSettings, startSchema?: DataSourceSchema): RunContext {
    return {
      run,
      settings,
      notion: deps.notion.forSecret(settings.notionSecret),
      openai: deps.openai.forUser({ apiKey: settings.openaiKey, baseUrl: settings.openaiBaseUrl }),
      store: runStore,
      options,
      logger: logger.child({ runId: run.record.runId, user: userKey(run.record.user) }),
      startSchema,
    };
  }

  /** Starts the work of a run in the background; its end is recorded on the connection row. */
  function launch(record: RunRecord, settings: UserSettings, listener: ProgressListener, startSchema?: DataSourceSchema): ActiveRun {
    const emitter = new ProgressEmitter(listener, () => subscribers, logger, options.progressIntervalMs);
    const run = new ActiveRun(record, emitter, runStore);
    active.set(record.runId, run);
    runningSpecs.set(specKey(record.user, record.target.id, outputLabel(record.request.output), record.request.prompt), record.runId);
    const ctx = contextFor(run, settings, startSchema);
    run.finished = (async () => {
      record.state = 'running';
      run.emit();
      let end: 'complete' | 'cancelled' | 'interrupted' | 'failed';
      try {
        end = record.target.kind === 'Page' ? await runPage(ctx) : await runDatabase(ctx);
      } catch (err) {
        end = 'failed';
        run.fatal ??= err;
        ctx.logger.warn({ err: describeForLog(run.fatal) }, 'run failed');
      }
      try {
        if (end === 'interrupted') {
          // Stopping for a restart: the record stays pending; resumeInterrupted picks it up.
          await run.save();
          ctx.logger.info({ done: record.done }, 'run interrupted by shutdown; it will resume after the restart');
          return;
        }
        record.state = end === 'complete' ? (record.failed > 0 ? 'failed' : 'succeeded') : end === 'cancelled' ? 'cancelled' : 'failed';
        if (end === 'failed') record.error = joinErrors(userMessageFor(run.fatal), record.error, record);
        else if (end === 'complete' && record.failed > 0)
          record.error = `${record.failed} of ${record.done + record.failed} rows failed. Last problem: ${record.error ?? 'unknown'} Run it again to retry them.`;
        await run.save();
        await finalize(run, settings);
      } catch (err) {
        ctx.logger.error({ err: describeForLog(err) }, 'could not record the end of a run');
      } finally {
        run.emitter.update(progressOf(record));
        run.emitter.close();
        active.delete(record.runId);
        const key = specKey(record.user, record.target.id, outputLabel(record.request.output), record.request.prompt);
        if (runningSpecs.get(key) === record.runId) runningSpecs.delete(key);
      }
    })();
    return run;
  }

  /** Records the run's end on the connection row, then drops it from the pending list. */
  async function finalize(run: ActiveRun, settings: UserSettings): Promise<void> {
    const record = run.record;
    try {
      await finishConnection(record.user, settings, record, outcomeOf(record));
    } catch (err) {
      // Notion busy or away: stay pending, so the next start records it. The row gone (deleted in Notion,
      // settings changed) or the secret revoked: nothing to record it on; the run itself is over.
      if (isTransientNotion(err) || !(err instanceof NotionError)) throw err;
      logger.warn({ err: describeForLog(err), runId: record.runId }, 'the connection row could not be updated with the end of the run');
    }
    await runStore.finishRun(record);
  }

  async function finishConnection(user: UserRef, settings: UserSettings, record: RunRecord, outcome: RunOutcome): Promise<void> {
    await withRetries(() => deps.connections.finishRun(user, settings, record.connection.id, outcome), {
      attempts: FINISH_ATTEMPTS,
      canRetry: () => true,
      delayMs: options.backoffMs,
      beforeRetry: (err, attempt) => logger.info({ err: describeForLog(err), runId: record.runId, attempt }, 'recording the end of a run failed; trying again'),
    });
  }

  function describeRunsOf(user: UserRef): ActiveRun[] {
    return [...active.values()].filter((run) => ownedBy(run, user));
  }

  async function resumeOne(runId: string, listenerFor: (notifyState: unknown, progress: RunProgress) => ProgressListener): Promise<RunProgress | undefined> {
    if (active.has(runId)) return undefined;
    const record = await runStore.loadRun(runId);
    if (!record || record.finalized) {
      await runStore.dropPending(runId);
      return undefined;
    }
    const settings = await deps.settings.load(record.user);
    if (!settings) {
      // The user cleared their settings: nothing can be resumed or recorded with their secrets.
      await runStore.dropPending(runId);
      return undefined;
    }
    const listener = listenerFor(record.notifyState, progressOf(record));
    if (record.state === 'succeeded' || record.state === 'failed' || record.state === 'cancelled') {
      // Finished, but its connection row was not updated before the restart.
      const emitter = new ProgressEmitter(listener, () => subscribers, logger, options.progressIntervalMs);
      const run = new ActiveRun(record, emitter, runStore);
      await finalize(run, settings);
      emitter.update(progressOf(record));
      emitter.close();
      return progressOf(record);
    }
    if (record.target.kind === 'Page') {
      const emitter = new ProgressEmitter(listener, () => subscribers, logger, options.progressIntervalMs);
      const run = new ActiveRun(record, emitter, runStore);
      const ctx = contextFor(run, settings);
      if (record.page?.complete) {
        record.state = 'succeeded';
      } else {
        await rollbackPage(ctx);
        record.state = 'failed';
        record.error = record.error?.includes('could not remove') ? `${INTERRUPTED_MESSAGE} ${record.error}` : INTERRUPTED_MESSAGE;
      }
      record.resumed = true;
      await run.save();
      await finalize(run, settings);
      emitter.update(progressOf(record));
      emitter.close();
      return progressOf(record);
    }
    record.resumed = true;
    record.state = 'running';
    await runStore.saveRun(record);
    const run = launch(record, settings, listener);
    logger.info({ runId, user: userKey(record.user), done: record.done }, 'resuming an interrupted database run');
    return progressOf(run.record);
  }

  return {
    start: (user, request, listener, notifyState) => start(user, request, listener, notifyState),

    async rerun(user, connectionId, listener, notifyState) {
      const settings = await deps.settings.require(user);
      const connection: ConnectionRecord | undefined = await deps.connections.get(user, settings, connectionId);
      if (!connection) throw new UserInputError('That connection is gone: it was deleted in Notion, or it is not yours.', 'connection');
      if (!connection.target)
        throw new UserInputError('That connection has no target link in Notion. Add it to the row’s Target, or start a new generation.', 'connection');
      return start(
        user,
        { targetUrl: connection.target, prompt: connection.prompt, output: parseOutputLabel(connection.output, connection.type), onlyEmpty: true },
        listener,
        notifyState,
        connection.name,
      );
    },

    async updateNotifyState(user, runId, notifyState) {
      const run = active.get(runId);
      if (!run || !ownedBy(run, user)) return;
      run.record.notifyState = notifyState;
      await run.save();
    },

    async cancel(user, runId) {
      const run = active.get(runId);
      if (!run || !ownedBy(run, user)) return false;
      if (run.record.state !== 'starting' && run.record.state !== 'running') return false;
      run.cancelRequested = true;
      // Stops every model stream of the run at once (the HTTP requests are aborted, so an endless answer stops
      // arriving). A page run then takes out what it wrote; a database run writes nothing of the rows whose
      // answers were still coming in (they stay to do) and takes no more. A row whose Notion write had already
      // started (its answer was complete) finishes it, so every row is whole or untouched.
      run.generation.abort(new VisenError('cancelled', 'Cancelled.'));
      run.emit();
      return true;
    },

    async describeTarget(user, targetUrl): Promise<TargetDescription> {
      const settings = await deps.settings.require(user);
      const target = await resolveTarget(deps.notion.forSecret(settings.notionSecret), targetUrl);
      const properties = Object.entries(target.schema?.properties ?? {});
      return {
        kind: target.ref.kind,
        title: target.ref.title,
        url: target.ref.url,
        propertyNames: properties.map(([name]) => name),
        richTextPropertyNames: properties.filter(([, p]) => p.type === 'rich_text').map(([name]) => name),
      };
    },

    activeRuns(user) {
      return describeRunsOf(user).map((run) => progressOf(run.record));
    },

    subscribe(listener) {
      subscribers.add(listener);
      return () => void subscribers.delete(listener);
    },

    async resumeInterrupted(listenerFor) {
      const results: RunProgress[] = [];
      for (const runId of await runStore.pendingRunIds()) {
        try {
          const progress = await resumeOne(runId, listenerFor);
          if (progress) results.push(progress);
        } catch (err) {
          const level = err instanceof StoreError ? 'warn' : 'error';
          logger[level]({ err: describeForLog(err), runId }, 'could not resume an interrupted run; it stays pending for the next start');
        }
      }
      return results;
    },

    async forgetUser(user) {
      const runs = describeRunsOf(user);
      for (const run of runs) {
        run.cancelRequested = true;
        run.generation.abort(new VisenError('cancelled', 'Cancelled.'));
      }
      await Promise.all(runs.map((run) => run.finished));
      await runStore.forgetUser(user);
    },

    async shutdown() {
      closing = true;
      await Promise.allSettled([...starting]);
      const runs = [...active.values()];
      for (const run of runs) {
        run.stopRequested = true;
      }
      // Rows in flight may finish; generations still going after the grace period are stopped (nothing of
      // theirs was written yet; they are redone after the restart).
      const grace = setTimeout(() => {
        for (const run of runs) run.generation.abort(new VisenError('shutting_down', 'Visen is restarting.'));
      }, options.shutdownGraceMs);
      try {
        await Promise.all(runs.map((run) => run.finished));
      } finally {
        clearTimeout(grace);
      }
    },
  };
}

function outcomeOf(record: RunRecord): RunOutcome {
  const status = record.state === 'succeeded' ? 'Succeeded' : record.state === 'cancelled' ? 'Cancelled' : 'Failed';
  return {
    status,
    finishedAt: new Date().toISOString(),
    runs: record.connection.runsBefore + 1,
    items: record.done,
    error: status === 'Failed' ? (record.error ?? 'The run failed.') : undefined,
  };
}

function joinErrors(fatal: string, rowError: string | undefined, record: RunRecord): string {
  if (record.target.kind === 'Page' || !rowError || record.failed === 0) return fatal;
  return `${fatal} (${record.failed} row${record.failed === 1 ? '' : 's'} failed before that.)`;
}

function defaultName(targetTitle: string, prompt: string): string {
  const snippet = prompt.replace(/\s+/g, ' ').trim();
  return `${targetTitle || 'Untitled'}: ${clip(snippet, 60)}`;
}

/** Only a run's own user may see, steer or cancel it (exact, case-sensitive ids). */
function ownedBy(run: ActiveRun, user: UserRef): boolean {
  return run.record.user.teamId === user.teamId && run.record.user.userId === user.userId;
}
