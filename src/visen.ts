import type { App } from '@slack/bolt';
import type { DestinationStream, Logger } from 'pino';
import { prepareDataDir } from './adapters/data-dir.js';
import type { HostResolver } from './adapters/net/guarded-fetch.js';
import { acquireProcessLock } from './adapters/process-lock.js';
import { loadOrCreateSecretKey, SecretBox } from './adapters/secret-box.js';
import { type LocalStore, openLocalStore } from './adapters/store.js';
import { type ComposedServices, composeServices } from './compose.js';
import { formatConfigProblems, loadConfig, type VisenConfig } from './config.js';
import { describeForLog } from './errors.js';
import { createLogger } from './logger.js';
import type { AutomationClock } from './services/automations/deps.js';
import { createSlackApp, onSlackConnected } from './slack/app.js';
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
  const logger = createLogger({ level: config.logLevel, ...(options.logDestination ? { destination: options.logDestination, pretty: false } : {}) });

  // Local checks first: a data dir Visen cannot use is reported at once, not after a wait for the network.
  prepareDataDir(config.dataDir);
  const lock = acquireProcessLock(config.dataDir);
  let store: LocalStore | undefined;
  let secretBox: SecretBox;
  let bot: BotIdentity;
  try {
    store = await openLocalStore(config.dataDir, logger.child({ component: 'store' }));
    secretBox = new SecretBox(loadOrCreateSecretKey(config.dataDir, config.secretKey));
    bot = await checkSlackTokens(config.slack, { logger, waitMs: config.slack.startWaitMs, signal: options.signal });
  } catch (err) {
    await store?.close().catch(() => undefined);
    lock.release();
    throw err;
  }
  const services = composeServices({
    config,
    store,
    secretBox,
    logger,
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    ...(options.automationClock ? { automationClock: options.automationClock } : {}),
  });
  const deps = {
    services,
    logger,
    allowedUsers: config.allowedUsers,
    defaultModel: config.openai.defaultModel,
    contextChars: config.contextChars,
    threadRefreshMs: config.threadRefreshMs,
  };
  const slack = createSlackApp(config.slack, deps, bot);
  const app = slack.app;

  try {
    await app.start();
  } catch (err) {
    logger.error({ err: describeForLog(err) }, 'could not connect to Slack');
    slack.close();
    await services.shutdown();
    await store.close();
    lock.release();
    throw err;
  }
  logger.info({ dataDir: config.dataDir }, 'Visen is connected to Slack (Socket Mode)');
  await onSlackConnected(app, deps).catch((err: unknown) => logger.error({ err: describeForLog(err) }, 'resuming interrupted runs failed'));
  // After interrupted runs resumed: automations catch up from their cursors and run missed schedules once.
  services.automations.start();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping Visen');
      slack.close();
      await app.stop().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'closing the Slack socket failed'));
      await services.shutdown().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'finishing work in flight failed'));
      await store.close();
      lock.release();
      logger.info('Visen stopped');
    })());

  return { config, logger, app, services, stop };
}
