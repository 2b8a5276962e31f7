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
  const engine = new AutomationEngine({ ...deps, store, logger, clock, options });
  let loaded: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const owned = async (user: UserRef, connectionId: string): Promise<AutomationRecord> => {
    await loaded;
    const record = engine.records.get(connectionId);
    if (!record || !isOwnedBy(record, user)) throw new UserInputError('That automation is gone: it was cleared, or it is not yours.', 'connection');
    return record;
  };
  const runDue = async () => {
    await loaded;
    if (!closed) await engine.runDue();
  };

  return {
    create: async (user, request, spec, listener, notifyState) => {
      await loaded;
      return create({ deps, engine, clock, enabled: options.enabled }, user, request, spec, listener, notifyState);
    },
    async list(user) {
      await loaded;
      return [...engine.records.values()].filter((record) => isOwnedBy(record, user)).map((record) => engine.summary(record));
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
    start() {
      closed = false;
      loaded = store.loadAll().then((records) => {
        for (const record of records) engine.track(record);
        logger.info({ automations: records.length }, 'automations loaded');
      });
      loaded.catch((err: unknown) => logger.error({ err: describeForLog(err) }, 'could not load the automations'));
      timer = setInterval(() => void runDue().catch(() => undefined), options.tickMs);
      timer.unref();
    },
    async shutdown() {
      // Runs in flight end as the generation service's shutdown (which follows) says.
      closed = true;
      if (timer) clearInterval(timer);
      // The store closes after this: let a load still reading it finish first.
      await loaded.catch(() => undefined);
    },
    async forgetUser(user) {
      await loaded;
      const settings = await deps.settings.load(user);
      for (const record of [...engine.records.values()].filter((r) => isOwnedBy(r, user))) {
        engine.forget(record.id);
        await store.remove(record.id);
        if (settings) {
          await deps.connections
            .setAutomation(user, settings, record.id, { trigger: 'Manual', nextRun: null })
            .catch((err: unknown) =>
              logger.warn({ err: describeForLog(err), automation: record.id }, 'could not set Trigger to Manual on a cleared automation'),
            );
        }
      }
    },
    runDue,
    idle: () => engine.idle(),
  };
}

const TEAM_MODE_REFUSAL =
  'This Visen runs as a team of workers sharing one store, where automatic connections (`--watch`, `--every`) are not available yet. Run the connection by hand (`/visen generate` without them), or ask whoever runs Visen for a single Visen to run automations.';

interface CreateContext {
  readonly deps: AutomationsServiceDeps;
  readonly engine: AutomationEngine;
  readonly clock: AutomationClock;
  /** False in team mode, where automations are refused (see AutomationOptions.enabled). */
  readonly enabled: boolean;
}

/**
 * Records the connection and makes it automatic; a watch then fills the rows empty now as a normal run (progress to
 * `listener`). A watch whose first run cannot start is undone (its row's `Trigger` back to Manual).
 */
async function create(ctx: CreateContext, user: UserRef, request: GenerationRequest, spec: AutomationSpec, listener: ProgressListener, notifyState: unknown) {
  const { deps, engine, clock } = ctx;
  if (!ctx.enabled) throw new UserInputError(TEAM_MODE_REFUSAL);
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
  await engine.save(record);
  if (record.trigger === 'Schedule') return { automation: engine.summary(record) };
  try {
    const run = await deps.generation.start(user, request, listener, notifyState);
    return { automation: engine.summary(record), run };
  } catch (err) {
    engine.forget(record.id);
    await new AutomationStore(deps.store).remove(record.id);
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
