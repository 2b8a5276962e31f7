import type { SlackDeps } from '../../deps.js';
import type { SlackPeople } from './people.js';

/** What the thread listeners share for one app: the deps and the cache of people's names and time zones. */
export interface ThreadRuntime {
  readonly deps: SlackDeps;
  readonly people: SlackPeople;
}
