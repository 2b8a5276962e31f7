import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import type { DestinationStream, Logger } from 'pino';
import { prepareDataDir } from './adapters/data-dir.js';
import { type HealthServer, startHealthServer } from './adapters/health-server.js';
import type { HostResolver } from './adapters/net/guarded-fetch.js';
import type { RateLimiterFactory } from './adapters/notion/index.js';
import { acquireProcessLock } from './adapters/process-lock.js';
import type { RunControl } from './adapters/run-control.js';
import { loadOrCreateSecretKey, SecretBox } from './adapters/secret-box.js';
import { type LocalStore, openLocalStore } from './adapters/store.js';
import type { TeamRefreshClaims } from './adapters/team/refresh-claims.js';
import { type ComposeDeps, type ComposedServices, composeServices } from './compose.js';
import { formatConfigProblems, loadConfig, type VisenConfig } from './config.js';
import { describeForLog } from './errors.js';
import { createLogger } from './logger.js';
import type { AutomationClock } from './services/automations/deps.js';
import { type OpenNoticeMemory, storeNoticeMemory } from './services/automations/notice-memory.js';
import { nextCronSlot } from './services/automations/schedule.js';
import type { AutomationTriggers } from './services/automations/triggers.js';
import type { TeamRuns } from './services/generation/run-scheduler.js';
import { createSlackApp, onSlackConnected, type SlackSurface } from './slack/app.js';
import type { SlackDeps } from './slack/deps.js';
import { type BotIdentity, checkSlackTokens } from './slack/token-check.js';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(formatConfigProblems(problems));
    this.name = 'ConfigurationError';
  }
}

export interface VisenHandle {
  readonly config: VisenConfig;
  readonly logger: Logger;
  readonly app: App;
  readonly services: ComposedServices;
  /** Closes the socket, lets work in flight finish or be recorded, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Resolves the host names of users' base URLs (tests map names to loopback and link-local addresses). */
  resolveHost?: HostResolver;
  /** Aborted when the process is asked to stop while the start still waits for Slack. */
  signal?: AbortSignal;
  /** The clock automations go by (tests hand in a fake one and drive them with services.automations.runDue). */
  automationClock?: AutomationClock;
}

/**
 * Starts Visen from an environment: the one code path shared by `npm start` and the end-to-end tests.
 * Throws ConfigurationError (listing every problem), or a StoreError or SlackStartError with a message fit
 * for the terminal; a failed start leaves no lock behind.
 */
export async function startVisen(env: Readonly<Record<string, string | undefined>>, options: StartOptions = {}): Promise<VisenHandle> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new ConfigurationError(loaded.problems);
  const config = loaded.config;
  const logger = createVisenLogger(config, options);
  const slackState = { connected: () => false };
  const started = await openBeforeSlack(config, logger, options, () => slackState.connected());
  const services = composeServices(serviceDeps(config, started, logger, options));
  const deps = slackDeps(config, started.opened, services, logger);
  const slack = createSlackApp(config.slack, deps, started.bot);
  slackState.connected = slack.isConnected;
  const closeAll = async () => {
    await Promise.all([started.health?.close(), started.opened.close()]);
  };

  try {
    await slack.app.start();
  } catch (err) {
    logger.error({ err: describeForLog(err) }, 'could not connect to Slack');
    slack.close();
    await services.shutdown();
    await closeAll();
    throw err;
  }
  logger.info(config.store.kind === 'redis' ? { store: config.store.redactedUrl } : { dataDir: config.dataDir }, 'Visen is connected to Slack (Socket Mode)');
  // One process: interrupted runs resume. Team mode: this worker starts taking runs off the team's queue.
  await onSlackConnected(slack.app, deps).catch((err: unknown) => logger.error({ err: describeForLog(err) }, 'resuming interrupted runs failed'));
  // Automations catch up from their cursors and run missed schedules once (after interrupted runs resumed). In team
  // mode each fires through its shared trigger on one worker, whichever takes it.
  services.automations.start();
  return { config, logger, app: slack.app, services, stop: stopOnce(slack, services, closeAll, logger) };
}

function createVisenLogger(config: VisenConfig, options: StartOptions): Logger {
  const rootLogger = createLogger({ level: config.logLevel, ...(options.logDestination ? { destination: options.logDestination, pretty: false } : {}) });
  // Team mode: several workers write to one place, so every line says which worker wrote it.
  return config.store.kind === 'redis' ? rootLogger.child({ worker: workerId() }) : rootLogger;
}

interface OpenedBeforeSlack {
  readonly opened: OpenedStore;
  readonly health: HealthServer | undefined;
  readonly secretBox: SecretBox;
  readonly bot: BotIdentity;
}

/** The store, the health endpoints, the secret key and the Slack token check; on failure, closes what it opened. */
async function openBeforeSlack(config: VisenConfig, logger: Logger, options: StartOptions, slackConnected: () => boolean): Promise<OpenedBeforeSlack> {
  let opened: OpenedStore | undefined;
  let health: HealthServer | undefined;
  try {
    opened = await openStore(config, logger);
    health = await startHealthEndpoints(config, opened, slackConnected, logger);
    const secretBox = new SecretBox(loadOrCreateSecretKey(config.dataDir, config.secretKey));
    const bot = await checkSlackTokens(config.slack, { logger, waitMs: config.slack.startWaitMs, signal: options.signal });
    return { opened, health, secretBox, bot };
  } catch (err) {
    await health?.close();
    await opened?.close().catch(() => undefined);
    throw err;
  }
}

function serviceDeps(config: VisenConfig, started: OpenedBeforeSlack, logger: Logger, options: StartOptions): ComposeDeps {
  const { opened } = started;
  return {
    config,
    store: opened.store,
    secretBox: started.secretBox,
    logger,
    ...(opened.teamRuns ? { teamRuns: opened.teamRuns } : {}),
    ...(opened.automationTriggers ? { automationTriggers: opened.automationTriggers } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    ...(options.automationClock ? { automationClock: options.automationClock } : {}),
    ...(opened.notionLimiterFor ? { notionLimiterFor: opened.notionLimiterFor } : {}),
    ...(opened.runControl ? { runControl: opened.runControl } : {}),
  };
}

function slackDeps(config: VisenConfig, opened: OpenedStore, services: ComposedServices, logger: Logger): SlackDeps {
  return {
    services,
    logger,
    allowedUsers: config.allowedUsers,
    defaultModel: config.openai.defaultModel,
    contextChars: config.contextChars,
    threadRefreshMs: config.threadRefreshMs,
    ...teamSlackDeps(opened),
  };
}

/** Visen's stop: the socket, then the work in flight, then the store and health endpoints; the same promise twice. */
function stopOnce(slack: SlackSurface, services: ComposedServices, closeAll: () => Promise<void>, logger: Logger): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      logger.info('stopping Visen');
      slack.close();
      await slack.app.stop().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'closing the Slack socket failed'));
      await services.shutdown().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'finishing work in flight failed'));
      await closeAll();
      logger.info('Visen stopped');
    })());
}

/** What only team mode hands the Slack surface: the shared record of handled envelopes and of open automation messages, and the claims on thread refreshes. */
function teamSlackDeps(opened: OpenedStore): Pick<SlackDeps, 'claimEnvelope' | 'automationMessages' | 'refreshClaims'> {
  return {
    ...(opened.claimEnvelope ? { claimEnvelope: opened.claimEnvelope } : {}),
    ...(opened.refreshClaims ? { refreshClaims: opened.refreshClaims } : {}),
    ...(opened.automationMessages ? { automationMessages: opened.automationMessages } : {}),
  };
}

/** Most time a starting worker waits for its run control subscription (Redis answered the store just before). */
const SUBSCRIBE_WAIT_MS = 5_000;

interface OpenedStore {
  readonly store: LocalStore;
  /** Team mode only: the shared record of handled Slack envelopes. */
  readonly claimEnvelope?: (key: string, ttlMs: number) => Promise<boolean>;
  /** Team mode only: which worker schedules a kept-current thread's next refresh. */
  readonly refreshClaims?: TeamRefreshClaims;
  /** Team mode only: the run queue and connection holds (closed by the generation service's shutdown). */
  readonly teamRuns?: TeamRuns;
  /** Team mode only: automations' triggers on BullMQ job schedulers. */
  readonly automationTriggers?: AutomationTriggers;
  /** Team mode only: one Notion rate limit per integration across workers. */
  readonly notionLimiterFor?: RateLimiterFactory;
  /** Team mode only: Cancel, previews and Pause across workers. */
  readonly runControl?: RunControl;
  /** Team mode only: automation messages' open messages, shared, as consecutive runs may be on different workers. */
  readonly automationMessages?: OpenNoticeMemory;
  /** True when the store answers a read now (for /readyz); never throws. */
  answers(): Promise<boolean>;
  /** Closes the store and frees the data dir's lock (one process). */
  close(): Promise<void>;
}

/**
 * One process: the data dir (checked before any network call), its lock and the SQLite store. Team mode: Redis,
 * loaded only then (a dynamic import), with no data-dir lock since many workers share the store by design.
 */
async function openStore(config: VisenConfig, logger: Logger): Promise<OpenedStore> {
  const storeLogger = logger.child({ component: 'store' });
  if (config.store.kind === 'redis') {
    const { openRedisStore } = await import('./adapters/redis-store.js');
    const store = await openRedisStore({ url: config.store.url, redactedUrl: config.store.redactedUrl }, storeLogger);
    const { openRedisRunControl } = await import('./adapters/team/run-control.js');
    const runControl = openRedisRunControl(config.store.url, logger);
    const { openSharedLimiters } = await import('./adapters/team/notion-limiter.js');
    const limiters = openSharedLimiters(config.store.url, logger);
    const teamRuns = await openTeamRuns(config, config.store.url, logger);
    // Subscribed before Slack connects, so no Cancel clicked on another worker goes unheard here; Redis gone again
    // this very moment does not hold the start (the subscription is made as soon as it is back).
    await Promise.race([runControl.ready.catch(() => undefined), delay(SUBSCRIBE_WAIT_MS, undefined, { ref: false })]);
    const { openRefreshClaims } = await import('./adapters/team/refresh-claims.js');
    const refreshClaims = openRefreshClaims(config.store.url, logger);
    const { openAutomationSchedulers } = await import('./adapters/team/automation-triggers.js');
    const automationTriggers = openAutomationSchedulers({ url: config.store.url, nextCronSlot }, logger);
    return {
      store,
      claimEnvelope: (key, ttlMs) => store.claim('envelope', key, ttlMs),
      refreshClaims,
      runControl,
      automationMessages: storeNoticeMemory(store),
      notionLimiterFor: limiters.limiterFor,
      answers: () => store.ping(),
      teamRuns,
      automationTriggers,
      // The services closed the triggers and the run queue (shutdown); closing twice is harmless, and covers a start
      // that failed.
      close: async () => {
        await automationTriggers.close();
        await teamRuns.queue.close();
        teamRuns.holds.close();
        await runControl.close();
        refreshClaims.close();
        await limiters.close();
        await store.close();
      },
    };
  }
  prepareDataDir(config.dataDir);
  const lock = acquireProcessLock(config.dataDir);
  try {
    const store = await openLocalStore(config.dataDir, storeLogger);
    return {
      store,
      answers: () =>
        store.get('health', 'probe').then(
          () => true,
          () => false,
        ),
      close: async () => {
        await store.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * The optional /healthz and /readyz server (VISEN_HEALTH_PORT), or undefined when it is not asked for. Started
 * before the wait for Slack, so a probe sees "alive, not ready" rather than nothing.
 */
async function startHealthEndpoints(config: VisenConfig, store: OpenedStore, slackConnected: () => boolean, logger: Logger): Promise<HealthServer | undefined> {
  if (!config.health) return undefined;
  return startHealthServer({
    ...config.health,
    checks: { slackConnected, storeAnswers: () => store.answers() },
    logger: logger.child({ component: 'health' }),
  });
}

/** Team mode's run queue (BullMQ) and connection holds, loaded only then. */
async function openTeamRuns(config: VisenConfig, url: string, logger: Logger): Promise<TeamRuns> {
  const [{ openRunQueue }, { openConnectionHolds }] = await Promise.all([
    import('./adapters/team/run-queue.js'),
    import('./adapters/team/connection-holds.js'),
  ]);
  const teamLogger = logger.child({ component: 'team-runs' });
  return {
    queue: openRunQueue({ url, concurrency: config.workerConcurrency, workerName: workerId() }, teamLogger),
    holds: openConnectionHolds(url, teamLogger),
  };
}

/** A worker's name in team-mode logs: the host and the process, so an operator can find the one that logged. */
function workerId(): string {
  return `${hostname()}-${process.pid}`;
}
