import type { Logger } from 'pino';
import type { HostResolver } from './adapters/net/guarded-fetch.js';
import { createNotionGateway, parseNotionUrl } from './adapters/notion/index.js';
import { createOpenAiGateway } from './adapters/openai.js';
import type { SecretBox } from './adapters/secret-box.js';
import type { LocalStore } from './adapters/store.js';
import type { VisenConfig } from './config.js';
import { createConnectionsService } from './services/connections/service.js';
import { createGenerationService } from './services/generation/service.js';
import { createHomeService } from './services/home/index.js';
import type { VisenServices } from './services/index.js';
import { createSettingsService } from './services/settings/service.js';
import type { UserRef } from './users.js';

export interface ComposeInput {
  readonly config: VisenConfig;
  readonly store: LocalStore;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  /** How users' base URL host names are resolved (tests hand in a table; default: the system resolver). */
  readonly resolveHost?: HostResolver;
}

export interface ComposedServices extends VisenServices {
  /** Stops taking work, lets runs in flight finish their current rows and records the rest. */
  shutdown(): Promise<void>;
}

/** The composition root: adapters first, then services over them. Tests get here through startVisen. */
export function composeServices(input: ComposeInput): ComposedServices {
  // Settings (issue 3). Each feature that keeps local data of a user adds its forgetUser here (`/visen clear`).
  const forgetUserHooks: Array<(user: UserRef) => Promise<void>> = [];
  const notionGateway = createNotionGateway({ logger: input.logger, ...(input.config.notion.baseUrl ? { baseUrl: input.config.notion.baseUrl } : {}) });
  const openAiGateway = createOpenAiGateway({
    logger: input.logger,
    timeoutMs: input.config.modelIdleTimeoutMs,
    ...(input.config.openai.baseUrl ? { defaultBaseUrl: input.config.openai.baseUrl } : {}),
    userEndpoints: { allow: input.config.openai.userBaseUrlAllow, ...(input.resolveHost ? { resolve: input.resolveHost } : {}) },
  });
  const settings = createSettingsService({
    store: input.store,
    secretBox: input.secretBox,
    logger: input.logger,
    defaultModel: input.config.openai.defaultModel,
    forgetUser: forgetUserHooks,
    notionFor: (secret) => notionGateway.forSecret(secret),
    openAiFor: ({ apiKey, baseUrl }) => openAiGateway.forUser({ apiKey, baseUrl }),
    parseNotionUrl,
  });
  // Connections and generation (issue 4).
  const connections = createConnectionsService({ notion: notionGateway, store: input.store, logger: input.logger });
  forgetUserHooks.push((user) => connections.forgetUser(user));
  const generation = createGenerationService({ store: input.store, settings, connections, notion: notionGateway, openai: openAiGateway, logger: input.logger });
  forgetUserHooks.push((user) => generation.forgetUser(user));
  const services: Omit<ComposedServices, 'home'> = {
    settings,
    connections,
    generation,
    shutdown: () => generation.shutdown(),
  };
  // Home (issue 5): reads the other three; its forgetUser belongs in the settings service's forgetUser hooks.
  const home = createHomeService({ ...services, store: input.store, logger: input.logger });
  forgetUserHooks.push((user) => home.forgetUser(user));
  return { ...services, home };
}
