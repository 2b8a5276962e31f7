import type { Logger } from 'pino';
import type { OpenNoticeMemory } from '../services/automations/notice-memory.js';
import type { VisenServices } from '../services/index.js';

/** What every listener receives: the services it calls and a logger. Listeners never read the environment. */
export interface SlackDeps {
  readonly services: VisenServices;
  readonly logger: Logger;
  /** Slack user IDs allowed to use Visen; undefined means everyone. */
  readonly allowedUsers: ReadonlySet<string> | undefined;
  readonly defaultModel: string;
  /** Team mode: the store-backed record of handled envelopes, shared by all workers (see redelivery.ts). */
  readonly claimEnvelope?: (key: string, ttlMs: number) => Promise<boolean>;
  /** Team mode: who schedules a kept-current thread's next refresh, across workers (see threads/refresh.ts). */
  readonly refreshClaims?: RefreshClaims;
  /** Team mode: automation messages' open messages in the shared store, so runs on any worker fold into one. */
  readonly automationMessages?: OpenNoticeMemory;
  /** VISEN_CONTEXT_CHARS: the most characters of a Slack thread given to the model (default 100,000). */
  readonly contextChars?: number;
  /** VISEN_THREAD_REFRESH_MINUTES: a kept-current thread refreshes at most this often (default 15 minutes). */
  readonly threadRefreshMs?: number;
}

/** Shared claims on a thread's next refresh (team mode: src/adapters/team/refresh-claims.ts). */
export interface RefreshClaims {
  /** True when this worker holds `key` for the next `ttlMs` (taken now, or its own claim extended); throws when it cannot tell. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Lets go of `key` if this worker's claim still holds it. */
  release(key: string): Promise<void>;
}
