import type { ConnectionsService } from './connections/types.js';
import type { GenerationService } from './generation/types.js';
import type { HomeService } from './home/types.js';
import type { SettingsService } from './settings/types.js';
import type { ThreadWatchService } from './threads/watches.js';

/** The services the Slack surface calls. Built once by the entry point (see src/compose.ts). */
export interface VisenServices {
  readonly settings: SettingsService;
  readonly connections: ConnectionsService;
  readonly generation: GenerationService;
  /** The Home tab's view model, preferences and cache. */
  readonly home: HomeService;
  /** Threads kept current by Send to Notion (refreshed as replies arrive). */
  readonly threadWatches: ThreadWatchService;
}
