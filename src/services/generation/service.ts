import type { Logger } from 'pino';
import type { NotionGateway } from '../../adapters/notion/index.js';
import type { OpenAiGateway } from '../../adapters/openai.js';
import { localRunControl, type RunControl } from '../../adapters/run-control.js';
import type { LocalStore } from '../../adapters/store.js';
import { UserInputError, VisenError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { ConnectionsService } from '../connections/types.js';
import type { SettingsService } from '../settings/types.js';
import type { ThreadOrigin } from '../threads/types.js';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptions, progressOf } from './active-run.js';
import { parseOutputLabel } from './output.js';
import { isWritableType } from './outputs/kinds.js';
import { shareProgressAcrossWorkers } from './progress-sharing.js';
import { serveQueuedRuns } from './queued-run.js';
import { type ResumeDeps, resumeInterrupted } from './resume.js';
import { relationReadingsOf } from './row-reader.js';
import { RunLauncher } from './run-launcher.js';
import { hasEnded } from './run-record.js';
import { RunRegistry } from './run-registry.js';
import { inProcessScheduler, queuedScheduler, type TeamRuns } from './run-scheduler.js';
import type { SteeringDeps } from './run-steering.js';
import * as steering from './run-steering.js';
import { RunStore } from './run-store.js';
import { registerConnection, type StartDeps, type StartInput, startRun } from './start-run.js';
import { resolveTarget } from './target.js';
import type { GenerationService, RunProgress, TargetDescription, ThreadSourceReader } from './types.js';

export interface GenerationServiceDeps {
  readonly store: LocalStore;
  readonly settings: Pick<SettingsService, 'load' | 'require'>;
  readonly connections: ConnectionsService;
  readonly notion: NotionGateway;
  readonly openai: OpenAiGateway;
  readonly logger: Logger;
  readonly options?: Partial<GenerationOptions>;
  /** Team mode: the team's run queue and connection holds (Redis); absent for one process. */
  readonly team?: TeamRuns | undefined;
  /** Team mode: Cancel and previews reach runs on other workers (see run-control.ts); one process: none needed. */
  readonly runControl?: RunControl;
}

/** Wires the run registry, the launcher, start and resume into the service the Slack surface calls. */
export function createGenerationService(deps: GenerationServiceDeps): GenerationService {
  const options: GenerationOptions = { ...DEFAULT_GENERATION_OPTIONS, ...deps.options };
  const engine = engineOf(deps, options);
  const { registry, runStore } = engine;
  const team = deps.team;
  const stopListening = applyRequestsFromOtherWorkers(engine);
  const stopSharingProgress = shareProgressAcrossWorkers(registry, runStore, engine.control, engine.logger);
  const start = (input: StartInput) => registry.track(startRun(engine, input));

  return {
    start: (user, request, listener, notifyState, followHere) => start({ user, request, listener, notifyState, ...(followHere ? { followHere } : {}) }),
    register: (user, request) => registry.track(registerConnection(engine, user, request)),
    rerun: async (user, connectionId, listener, notifyState, readThread) =>
      start({ ...(await rerunOf(engine, user, connectionId, readThread)), listener, notifyState }),
    async updateNotifyState(user, runId, notifyState) {
      const run = registry.find(user, runId);
      if (!run) return;
      run.record.notifyState = notifyState;
      await run.save();
    },
    cancel: (user, runId) => steering.cancel(engine, user, runId),
    confirmPreview: (user, runId) => steering.answerPreview(engine, user, runId, 'confirm-preview'),
    cancelPreview: (user, runId) => steering.answerPreview(engine, user, runId, 'cancel-preview'),
    describeTarget: (user, targetUrl) => describeTarget(engine, user, targetUrl),
    activeRuns: (user) => registry.ofUser(user).map((run) => progressOf(run.record)),
    runsInProgress: (user) => runsInProgress(engine, user),
    subscribe: (listener) => registry.subscribe(listener),
    // Team mode: the queue is the truth of which runs still need a worker (serveQueuedRuns), not a starting worker.
    resumeInterrupted: async (listenerFor) => (team ? [] : resumeInterrupted(engine, listenerFor)),
    serveQueuedRuns: async (listenerFor) => {
      if (team) await serveQueuedRuns({ ...engine, team }, listenerFor);
    },
    writtenRows: (user, connectionId) => runStore.writtenRows(user, connectionId),
    async forgetUser(user) {
      const runs = await steering.cancelAllOf(engine, user);
      await Promise.all(runs.map((run) => run.finished));
      await runStore.forgetUser(user);
    },
    shutdown: async () => {
      // Runs finishing their rows may still be cancelled from another worker: listen until they are done.
      await shutdown(registry, options.shutdownGraceMs, team);
      stopListening();
      stopSharingProgress();
    },
  };
}

type Engine = StartDeps & ResumeDeps & SteeringDeps & { readonly settings: GenerationServiceDeps['settings'] };

/** The run store, registry, run control, launcher and scheduler that the service's operations share. */
function engineOf(deps: GenerationServiceDeps, options: GenerationOptions) {
  const logger = deps.logger.child({ component: 'generation' });
  const runStore = new RunStore(deps.store);
  const registry = new RunRegistry();
  const control = deps.runControl ?? localRunControl();
  // Runs at work ride out a short store outage; starts and reads for a person are told at once.
  const launcher = new RunLauncher({
    connections: deps.connections,
    notion: deps.notion,
    openai: deps.openai,
    runStore: runStore.patient(),
    registry,
    control,
    options,
    logger,
  });
  const scheduler = deps.team ? queuedScheduler(registry, launcher, deps.team, logger) : inProcessScheduler(registry, launcher);
  return { ...deps, runStore, registry, launcher, scheduler, control, logger } satisfies Engine;
}

/**
 * Requests from other workers (Cancel, a preview's answer), applied here when this worker runs the run (its owner was
 * checked by the sender). Returns what stops listening.
 */
function applyRequestsFromOtherWorkers({ control, registry, logger }: Engine): () => void {
  return control.onRequest((runId, action) => {
    const run = registry.byId(runId);
    if (!run) return;
    logger.info({ runId, action }, 'applying a run control request from another worker');
    steering.applyRequest(run, action);
    // The click was answered on another worker: the run's own message, shown from here, says it is stopping.
    if (run.cancelRequested && !hasEnded(run.record)) run.emitter.update({ ...progressOf(run.record), cancelRequested: true });
  });
}

/** One process: its own runs. Team mode: the user's runs on every worker, as last saved, with this worker's own as they are now. */
async function runsInProgress(engine: Engine, user: UserRef): Promise<RunProgress[]> {
  const local = engine.registry.ofUser(user).map((run) => progressOf(run.record));
  if (!engine.control.acrossWorkers) return local;
  const shown = new Set(local.map((run) => run.runId));
  const shared = (await steering.sharedRunsOf(engine.runStore, user)).filter((record) => !shown.has(record.runId));
  return [...local, ...shared.map(progressOf)];
}

/** What running a saved connection again starts: its target, prompt, output and name (and its thread, read now). */
async function rerunOf(
  engine: Engine,
  user: UserRef,
  connectionId: string,
  readThread: ThreadSourceReader | undefined,
): Promise<Omit<StartInput, 'listener' | 'notifyState'>> {
  const settings = await engine.settings.require(user);
  const connection = await engine.connections.get(user, settings, connectionId);
  if (!connection) throw new UserInputError('That connection is gone: it was deleted in Notion, or it is not yours.', 'connection');
  if (!connection.target)
    throw new UserInputError('That connection has no target link in Notion. Add it to the row’s Target, or start a new generation.', 'connection');
  // The thread is read in Slack, which a service cannot do: the caller that can gives the reader.
  if (connection.source && !readThread) {
    throw new UserInputError(
      `That connection is made from a Slack thread. To run it again with the thread as it is now, open the thread (${connection.source}) and use *Send to Notion* on it.`,
      'connection',
    );
  }
  const output = parseOutputLabel(connection.output, connection.type);
  if (connection.source && readThread) {
    const source = await readThread(await threadOriginOf(engine, user, connection.id, connection.source));
    return { user, request: { targetUrl: connection.target, prompt: connection.prompt, output, source }, connectionName: connection.name };
  }
  const request = { targetUrl: connection.target, prompt: connection.prompt, output, onlyEmpty: true };
  return { user, request, connectionName: connection.name };
}

/**
 * Where the connection's thread is, as the shortcut recorded it. Only that thread is read: the `Source` in Notion can
 * be edited by anyone who can edit the row, and must not lead Visen to read a conversation its user never sent.
 */
async function threadOriginOf(engine: Engine, user: UserRef, connectionId: string, source: string): Promise<ThreadOrigin> {
  const origin = await engine.runStore.threadOrigin(user, connectionId);
  if (!origin) {
    throw new UserInputError(
      `Visen does not know where this connection's thread is in Slack (it was sent before Visen kept that). Use *Send to Notion* on the thread once (${source}); after that, Run again works here too.`,
      'connection',
    );
  }
  if (origin.permalink !== source) {
    throw new UserInputError(
      `This connection's Source was changed in Notion, so Visen did not run it: it reads only the thread you sent (${origin.permalink}). Put that link back in Source, or use *Send to Notion* on the thread you mean.`,
      'connection',
    );
  }
  return origin;
}

async function describeTarget(engine: Engine, user: UserRef, targetUrl: string): Promise<TargetDescription> {
  const settings = await engine.settings.require(user);
  const notion = engine.notion.forSecret(settings.notionSecret);
  const target = await resolveTarget(notion, targetUrl);
  const properties = Object.entries(target.schema?.properties ?? {});
  const relationReadings = target.schema ? await relationReadingsOf(notion, target.schema) : [];
  return {
    kind: target.ref.kind,
    title: target.ref.title,
    url: target.ref.url,
    propertyNames: properties.map(([name]) => name),
    richTextPropertyNames: properties.filter(([, p]) => p.type === 'rich_text').map(([name]) => name),
    ...(relationReadings.length > 0 ? { relationReadings } : {}),
    writableProperties: properties.filter(([, p]) => isWritableType(p.type)).map(([name, p]) => ({ name, type: p.type })),
  };
}

/**
 * Takes no new work; rows in flight may finish, and generations still going after the grace period are stopped.
 * Team mode: the worker takes no more runs off the queue, and hands the interrupted ones back to it.
 */
async function shutdown(registry: RunRegistry, graceMs: number, team: TeamRuns | undefined): Promise<void> {
  await registry.close();
  const served = team?.queue.stopServing();
  await stopRuns(registry, graceMs);
  await served;
  await team?.queue.close();
  team?.holds.close();
}

async function stopRuns(registry: RunRegistry, graceMs: number): Promise<void> {
  const runs = registry.all();
  for (const run of runs) {
    run.stopRequested = true;
    // A preview waiting for its owner stops at once; nothing of it was written.
    run.preview?.wake();
  }
  // Nothing of the stopped generations was written yet; they are redone after the restart.
  const grace = setTimeout(() => {
    for (const run of runs) run.generation.abort(new VisenError('shutting_down', 'Visen is restarting.'));
  }, graceMs);
  try {
    await Promise.all(runs.map((run) => run.finished));
  } finally {
    clearTimeout(grace);
  }
}
