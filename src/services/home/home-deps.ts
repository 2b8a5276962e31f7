import type { Logger } from 'pino';
import type { LocalStore } from '../../adapters/store.js';
import type { ConnectionsService } from '../connections/types.js';
import type { GenerationService } from '../generation/types.js';
import type { SettingsService } from '../settings/types.js';

/** What the units of the Home service share; `createHomeService` builds it (the Home logger, a clock). */
export interface HomeDeps {
  readonly settings: Pick<SettingsService, 'summary' | 'load'>;
  readonly connections: Pick<ConnectionsService, 'list' | 'trash'>;
  readonly generation: Pick<GenerationService, 'runsInProgress'>;
  readonly store: LocalStore;
  readonly logger: Logger;
  /** The clock (tests pass their own). */
  readonly now: () => Date;
}
