import type { Logger } from 'pino';
import type { HostResolver } from './adapters/net/guarded-fetch.js';
import { createNotionGateway, parseNotionUrl, type RateLimiterFactory } from './adapters/notion/index.js';
import { createOpenAiGateway } from './adapters/openai.js';
import type { RunControl } from './adapters/run-control.js';
import type { SecretBox } from './adapters/secret-box.js';
import type { LocalStore } from './adapters/store.js';
import type { VisenConfig } from './config.js';
import type { AutomationClock } from './services/automations/deps.js';
import { type AutomationsEngineHandle, createAutomationsService } from './services/automations/service.js';
import type { AutomationTriggers } from './services/automations/triggers.js';
import { createConnectionsService } from './services/connections/service.js';
import type { TeamRuns } from './services/generation/run-scheduler.js';
import { createGenerationService } from './services/generation/service.js';
import { createHomeService } from './services/home/index.js';
import type { VisenServices } from './services/index.js';
import { createSettingsService } from './services/settings/service.js';
import { createThreadWatches } from './services/threads/watches.js';
import type { UserRef } from './users.js';

export interface ComposeDeps {
  readonly config: VisenConfig;
  readonly store: LocalStore;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  /** How users' base URL host names are resolved (tests hand in a table; default: the system resolver). */
  readonly resolveHost?: HostResolver;
  /** The clock automations go by (tests hand in a fake one); real time by default. */
  readonly automationClock?: AutomationClock;
  /** Team mode: the run queue and connection holds (Redis), opened by visen.ts; absent for one process. */
  readonly teamRuns?: TeamRuns;
  /** Team mode: the shared triggers (BullMQ job schedulers) that fire each automation on one worker. */
  readonly automationTriggers?: AutomationTriggers;
  /** Team mode: each integration's Notion limiter, shared by every worker through Redis; one local bucket each by default. */
  readonly notionLimiterFor?: RateLimiterFactory;
  /** Team mode: Cancel, previews and Pause reach runs on other workers (Redis); one process needs none. */
  readonly runControl?: RunControl;
}

export interface ComposedServices extends VisenServices {
  /** The automations, with what tests drive them by (runDue, idle). */
  readonly automations: AutomationsEngineHandle;
  /** Stops taking work, lets runs in flight finish their current rows and records the rest. */
  shutdown(): Promise<void>;
}

/**
 * The composition root: adapters first, then services over them. Tests get here through startVisen.
 * `/visen clear` runs every feature's forgetUser: each service that keeps local data of a user adds its hook to
 * `forgetUserHooks`, which the settings service reads when a clear runs (so hooks may be added after it is built).
 */
export function composeServices(deps: ComposeDeps): ComposedServices {
  const forgetUserHooks: Array<(user: UserRef) => Promise<void>> = [];
  const { notionGateway, openAiGateway } = vendorGateways(deps);
  const settings = createSettingsService({
    store: deps.store,
    secretBox: deps.secretBox,
    logger: deps.logger,
    defaultModel: deps.config.openai.defaultModel,
    forgetUser: forgetUserHooks,
    notionFor: (secret) => notionGateway.forSecret(secret),
    openAiFor: ({ apiKey, baseUrl }) => openAiGateway.forUser({ apiKey, baseUrl }),
    parseNotionUrl,
  });
  const connections = createConnectionsService({ notion: notionGateway, store: deps.store, logger: deps.logger });
  const generation = createGenerationService({
    store: deps.store,
    settings,
    connections,
    notion: notionGateway,
    openai: openAiGateway,
    logger: deps.logger,
    options: { contextChars: deps.config.contextChars },
    team: deps.teamRuns,
    ...(deps.runControl ? { runControl: deps.runControl } : {}),
  });
  // The user's runs stop and record their end on their rows while Visen still knows those rows as its own; then
  // the record of the rows it created goes.
  forgetUserHooks.push((user) => generation.forgetUser(user));
  forgetUserHooks.push((user) => connections.forgetUser(user));
  const automations = createAutomationsService({
    store: deps.store,
    settings,
    connections,
    generation,
    notion: notionGateway,
    logger: deps.logger,
    ...(deps.automationClock ? { clock: deps.automationClock } : {}),
    ...(deps.automationTriggers ? { triggers: deps.automationTriggers } : {}),
    options: {
      cancelRunOnPause: deps.config.store.kind === 'redis',
      pollIntervalMs: deps.config.pollIntervalMs,
      contextChars: deps.config.contextChars,
    },
  });
  // First: a user's automations stop (and their rows say Manual) before their runs and records go.
  forgetUserHooks.unshift((user) => automations.forgetUser(user));
  const services: Omit<ComposedServices, 'home' | 'threadWatches'> = {
    settings,
    connections,
    generation,
    automations,
    shutdown: async () => {
      await automations.shutdown();
      await generation.shutdown();
    },
  };
  // Home reads the other three services.
  const home = createHomeService({ ...services, store: deps.store, logger: deps.logger });
  forgetUserHooks.push((user) => home.forgetUser(user));
  const threadWatches = createThreadWatches({ store: deps.store, logger: deps.logger });
  forgetUserHooks.push((user) => threadWatches.forgetUser(user));
  return { ...services, home, threadWatches };
}

/** The Notion and OpenAI adapters every service shares (one rate limiter per integration, one endpoint policy). */
function vendorGateways(deps: ComposeDeps) {
  const notionGateway = createNotionGateway({
    logger: deps.logger,
    ...(deps.config.notion.baseUrl ? { baseUrl: deps.config.notion.baseUrl } : {}),
    ...(deps.notionLimiterFor ? { limiterFor: deps.notionLimiterFor } : {}),
  });
  const openAiGateway = createOpenAiGateway({
    logger: deps.logger,
    timeoutMs: deps.config.modelIdleTimeoutMs,
    ...(deps.config.openai.baseUrl ? { defaultBaseUrl: deps.config.openai.baseUrl } : {}),
    userEndpoints: { allow: deps.config.openai.userBaseUrlAllow, ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}) },
  });
  return { notionGateway, openAiGateway };
}
