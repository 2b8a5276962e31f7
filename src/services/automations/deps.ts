import type { Logger } from 'pino';
import type { NotionGateway } from '../../adapters/notion/index.js';
import type { ConnectionsService } from '../connections/types.js';
import type { GenerationService } from '../generation/types.js';
import type { SettingsService } from '../settings/types.js';
import type { AutomationStore } from './store.js';
import type { AutomationTriggers } from './triggers.js';

/** Time as the engine sees it: real time by default, a fake clock in tests. */
export interface AutomationClock {
  now(): number;
}

export interface AutomationOptions {
  /**
   * Pause stops the automation's automatic run in progress, wherever it runs (team mode). One process lets that run
   * finish, as it always has.
   */
  readonly cancelRunOnPause: boolean;
  /** How often each watch is polled and connection rows are re-read (VISEN_POLL_SECONDS). */
  readonly pollIntervalMs: number;
  /** How often the engine looks for due work (cheap: no I/O unless something is due). */
  readonly tickMs: number;
  /** Automatic runs failing one after another before the automation pauses itself. */
  readonly maxFailures: number;
  /** A watch's bound template and schema are read again after this long. */
  readonly planTtlMs: number;
  readonly contextChars: number;
  readonly relationTitlesPerCell: number;
}

export const DEFAULT_AUTOMATION_OPTIONS: AutomationOptions = {
  cancelRunOnPause: false,
  pollIntervalMs: 60_000,
  tickMs: 1_000,
  maxFailures: 5,
  planTtlMs: 15 * 60_000,
  contextChars: 100_000,
  relationTitlesPerCell: 10,
};

export interface EngineDeps {
  readonly settings: Pick<SettingsService, 'load'>;
  readonly connections: ConnectionsService;
  readonly generation: GenerationService;
  readonly notion: NotionGateway;
  readonly store: AutomationStore;
  readonly logger: Logger;
  readonly clock: AutomationClock;
  readonly options: AutomationOptions;
  /** Team mode: the shared triggers that fire each automation on one worker (absent: this process's own timer). */
  readonly triggers?: AutomationTriggers | undefined;
}
