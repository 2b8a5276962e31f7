import type { Logger } from 'pino';
import type { NotionGateway } from '../../adapters/notion/index.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog, UserInputError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { ConnectionsService } from '../connections/types.js';
import type { GenerationRequest, GenerationService, ProgressListener } from '../generation/types.js';
import type { SettingsService } from '../settings/types.js';
import { type CheckedSpec, checkAutomationRequest } from './create-checks.js';
import { type AutomationClock, type AutomationOptions, DEFAULT_AUTOMATION_OPTIONS } from './deps.js';
import { AutomationEngine } from './engine.js';
import { cancelAutomaticRuns } from './run.js';
import { type AutomationRecord, AutomationStore, isOwnedBy } from './store.js';
import { fireInTeam } from './team-firing.js';
import { type AutomationTriggers, timingOf } from './triggers.js';
import type { AutomationSpec, AutomationsService } from './types.js';

export interface AutomationsServiceDeps {
  readonly store: LocalStore;
  readonly settings: Pick<SettingsService, 'load' | 'require'>;
  readonly connections: ConnectionsService;
  readonly generation: GenerationService;
  readonly notion: NotionGateway;
  readonly logger: Logger;
  /** Real time unless a test hands in a fake clock. */
  readonly clock?: AutomationClock;
  readonly options?: Partial<AutomationOptions>;
  /** Team mode: shared triggers fire each automation on one worker instead of this process's timer. */
  readonly triggers?: AutomationTriggers;
}

/** The service plus what tests drive it with: run what is due now (on the clock), and wait for work under way. */
export interface AutomationsEngineHandle extends AutomationsService {
  runDue(): Promise<void>;
  idle(): Promise<void>;
}

/** Automations (issue 13): records in the local store, runs through the generation service, control from Notion and Slack. */
export function createAutomationsService(deps: AutomationsServiceDeps): AutomationsEngineHandle {
  const options = { ...DEFAULT_AUTOMATION_OPTIONS, ...deps.options };
  const clock = deps.clock ?? { now: () => Date.now() };
  const logger = deps.logger.child({ component: 'automations' });
  const store = new AutomationStore(deps.store);
  const { triggers } = deps;
  const engine = new AutomationEngine({ ...deps, store, logger, clock, options, triggers });
  const lifecycle = automationsLifecycle({ engine, store, logger, options, triggers });
  const owned = async (user: UserRef, connectionId: string): Promise<AutomationRecord> => {
    await lifecycle.loaded();
    const record = await engine.current(connectionId);
    if (!record || !isOwnedBy(record, user)) throw new UserInputError('That automation is gone: it was cleared, or it is not yours.', 'connection');
    return record;
  };

  return {
    create: async (user, request, spec, listener, notifyState) => {
      await lifecycle.loaded();
      return create({ deps, engine, clock }, user, request, spec, listener, notifyState);
    },
    async list(user) {
      await lifecycle.loaded();
      return (await engine.all()).filter((record) => isOwnedBy(record, user)).map((record) => engine.summary(record));
    },
    async pause(user, connectionId) {
      const record = await owned(user, connectionId);
      await engine.pause(record, 'user');
      if (options.cancelRunOnPause) await cancelAutomaticRuns(deps.generation, record, logger);
      return engine.summary(record);
    },
    async resume(user, connectionId) {
      const record = await owned(user, connectionId);
      engine.restart(record);
      await writeTrigger(deps, record);
      await engine.save(record);
      return engine.summary(record);
    },
    subscribe: (listener) => engine.subscribe(listener),
    start: lifecycle.start,
    shutdown: lifecycle.shutdown,
    async forgetUser(user) {
      await lifecycle.loaded();
      await forgetAutomationsOf(deps, engine, user);
    },
    runDue: lifecycle.runDue,
    idle: () => engine.idle(),
  };
}

interface LifecycleParts {
  readonly engine: AutomationEngine;
  readonly store: AutomationStore;
  readonly logger: Logger;
  readonly options: AutomationOptions;
  readonly triggers: AutomationTriggers | undefined;
}

/**
 * Start and shutdown: the records loaded from the store (commands wait for `loaded()`), then the firing, by this
 * process's timer or, in team mode, by the shared triggers.
 */
function automationsLifecycle({ engine, store, logger, options, triggers }: LifecycleParts) {
  let loaded: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let armed: Promise<void> = Promise.resolve();
  const runDue = async () => {
    await loaded;
    if (!closed) await engine.runDue();
  };
  return {
    loaded: () => loaded,
    runDue,
    start() {
      closed = false;
      loaded = store.loadAll().then((records) => {
        for (const record of records) engine.track(record);
        logger.info({ automations: records.length }, 'automations loaded');
      });
      loaded.catch((err: unknown) => logger.error({ err: describeForLog(err) }, 'could not load the automations'));
      if (triggers) {
        // Apart from `loaded`: a worker whose triggers could not start still serves commands; the others fire.
        armed = loaded.then(() => startTriggers(engine, triggers, () => closed));
        armed.catch((err: unknown) => logger.error({ err: describeForLog(err) }, 'this worker takes no automation firings (restart it)'));
        return;
      }
      timer = setInterval(() => void runDue().catch(() => undefined), options.tickMs);
      timer.unref();
    },
    async shutdown() {
      // Runs in flight end as the generation service's shutdown (which follows) says.
      closed = true;
      if (timer) clearInterval(timer);
      await armed.catch(() => undefined);
      await triggers?.close();
      // The store closes after this: let a load still reading it finish first.
      await loaded.catch(() => undefined);
    },
  };
}

interface CreateContext {
  readonly deps: AutomationsServiceDeps;
  readonly engine: AutomationEngine;
  readonly clock: AutomationClock;
}

/**
 * Records the connection and makes it automatic; a watch then fills the rows empty now as a normal run (progress to
 * `listener`). A watch whose first run cannot start is undone (its row's `Trigger` back to Manual).
 */
async function create(ctx: CreateContext, user: UserRef, request: GenerationRequest, spec: AutomationSpec, listener: ProgressListener, notifyState: unknown) {
  const { deps, engine, clock } = ctx;
  const checked: CheckedSpec = await checkAutomationRequest(deps, user, request, spec);
  const registered = await deps.generation.register(user, request);
  const record: AutomationRecord = {
    version: 1,
    id: registered.connectionId,
    owner: user,
    connectionName: registered.connectionName,
    connectionUrl: registered.connectionUrl,
    targetUrl: registered.targetUrl,
    targetKind: registered.targetKind,
    dataSourceId: checked.dataSourceId,
    request: { ...request, onlyEmpty: request.onlyEmpty ?? true },
    trigger: spec.trigger,
    ...(checked.schedule ? { schedule: checked.schedule.text, timeZone: checked.schedule.timeZone } : {}),
    createdAt: new Date(clock.now()).toISOString(),
    paused: false,
    rowTrigger: 'automatic',
    failures: 0,
  };
  if (record.trigger === 'Schedule') record.nextRun = engine.nextRunOf(record);
  await deps.connections.setAutomation(user, checked.settings, record.id, {
    trigger: record.trigger,
    schedule: checked.schedule ? `${checked.schedule.text} (${checked.schedule.timeZone})` : '',
    nextRun: record.nextRun ?? null,
  });
  engine.track(record);
  await engine.save(record, true);
  if (record.trigger === 'Schedule') return { automation: engine.summary(record) };
  try {
    // Team mode: the watch is armed when this first fill ends, which only this worker hears: it runs here.
    const armed = engine.deps.triggers ? armWhenEnded(engine, record.id, listener) : listener;
    const run = await deps.generation.start(user, request, armed, notifyState, engine.deps.triggers !== undefined);
    return { automation: engine.summary(record), run };
  } catch (err) {
    await engine.drop(record.id);
    await deps.connections.setAutomation(user, checked.settings, record.id, { trigger: 'Manual' }).catch(() => undefined);
    throw err;
  }
}

/** The row's `Trigger` (and a schedule's `Next run`) after a resume, where Notion can be reached. */
async function writeTrigger(deps: AutomationsServiceDeps, record: AutomationRecord): Promise<void> {
  const settings = await deps.settings.require(record.owner);
  await deps.connections.setAutomation(record.owner, settings, record.id, { trigger: record.trigger, ...(record.nextRun ? { nextRun: record.nextRun } : {}) });
  record.rowTrigger = 'automatic';
}

/**
 * Team mode's start: every recorded automation gets its trigger (made before team mode, or moved in by
 * `store:migrate`; one already there is left as it is), then this worker takes its share of the firings.
 */
async function startTriggers(engine: AutomationEngine, triggers: AutomationTriggers, closed: () => boolean) {
  for (const record of [...engine.records.values()]) await triggers.upsert(record.id, timingOf(record, engine.deps.options.pollIntervalMs));
  await triggers.start(async (id, slotMs) => {
    if (!closed()) await fireInTeam(engine, id, slotMs);
  });
}

/** `/visen clear`: the user's automations stop everywhere and are forgotten; their rows say Manual where reachable. */
async function forgetAutomationsOf(deps: AutomationsServiceDeps, engine: AutomationEngine, user: UserRef): Promise<void> {
  const settings = await deps.settings.load(user);
  await engine.refresh(user);
  for (const record of engine.recordsOf(user)) {
    await engine.drop(record.id);
    if (!settings) continue;
    await deps.connections
      .setAutomation(user, settings, record.id, { trigger: 'Manual', nextRun: null })
      .catch((err: unknown) =>
        engine.deps.logger.warn({ err: describeForLog(err), automation: record.id }, 'could not set Trigger to Manual on a cleared automation'),
      );
  }
}

/**
 * Team mode: a new watch's trigger is made when its first fill ends, so no worker polls the rows that fill is still
 * writing (a worker that stops first leaves it to the next worker's start, which makes every missing trigger).
 */
function armWhenEnded(engine: AutomationEngine, id: string, listener: ProgressListener): ProgressListener {
  return async (progress) => {
    await listener(progress);
    if (progress.state === 'succeeded' || progress.state === 'failed' || progress.state === 'cancelled') {
      await engine.arm(id).catch((err: unknown) => engine.deps.logger.warn({ err: describeForLog(err), automation: id }, 'could not schedule a new watch'));
    }
  };
}
