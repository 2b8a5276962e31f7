/** The records a run keeps in the local store (see run-store.ts for the keys). */
import type { NotionBlock, PropertyWrites } from '../../adapters/notion/index.js';
import type { UserRef } from '../../users.js';
import type { ConnectionType } from '../connections/types.js';
import type { ThreadSource } from '../threads/types.js';
import type { ReplacedNote } from './thread-output.js';
import type { TokenTally } from './tokens.js';
import type { GenerationRequest, OutputChoice, PageContextNote, PreviewRow, RunState } from './types.js';

export interface TargetRef {
  readonly kind: ConnectionType;
  /** The page id, or the database id. */
  readonly id: string;
  readonly url: string;
  readonly title: string;
  /** Database targets: the data source whose rows are filled. */
  readonly dataSourceId?: string;
  /** Database targets: the database's description (its owner's standing instructions), bounded; absent when none. */
  readonly description?: string;
}

/** Automations' fields (rows, rowsEditedSince, automatic, pageTitle) are kept as GenerationRequest says them. */
export interface RunRequest extends Pick<GenerationRequest, 'rows' | 'rowsEditedSince' | 'automatic' | 'pageTitle'> {
  readonly targetUrl: string;
  readonly prompt: string;
  readonly output: OutputChoice;
  readonly onlyEmpty: boolean;
  readonly limit: number | undefined;
  readonly connectionName: string | undefined;
  /** False: the page is not given to the model (`--no-context`); absent in records saved before it existed: true. */
  readonly context?: boolean;
  /** The Slack thread the content is made from (kept, so a restart knows it). */
  readonly source?: ThreadSource;
  /** Rows to preview before anything is written (see GenerationRequest.preview); absent: none asked. */
  readonly preview?: number;
}

/** A database run's preview as kept in its record (see PreviewProgress); the held answers stay in memory. */
export interface PreviewRecord {
  readonly reason: 'asked' | 'large';
  readonly size: number;
  phase: 'generating' | 'waiting' | 'confirmed' | 'cancelled';
  rows: PreviewRow[];
  failed: number;
  /** Rows whose answers are held (under `held:`) until they are written or the preview is cancelled. */
  heldRowIds: string[];
  /** Rows counted by the query so far (the estimate's rows until the query ends). */
  rowsSeen: number;
  /** The run's tokens when the preview began: the preview's own are the difference. */
  readonly tokensBefore: TokenTally;
}

export interface ConnectionRef {
  readonly id: string;
  readonly url: string;
  readonly name: string;
  /** `Runs` before this run, so the final update (`runsBefore + 1`) can be repeated safely. */
  readonly runsBefore: number;
}

/** Page runs: what was written so far, so a failure or an interrupted run can be undone. */
export interface PageWriteState {
  /** new-page: the title being created (set before the create, to find the page if its answer is lost). */
  creatingTitle?: string;
  /** new-page: child page ids of the parent before the create. */
  childPagesBefore?: string[];
  /** new-page: the child page, once created. */
  createdPageId?: string;
  createdPageUrl?: string;
  /** new-page: the title came from a heading of the answer (else from the prompt, until a heading comes). */
  titleFromHeading?: boolean;
  /** append: the top-level blocks appended so far, in order (removed again if the run fails). */
  appendedBlockIds: string[];
  /** The batch being appended: on a restart, what of it landed is found on the page and removed too. */
  pendingBlocks?: NotionBlock[];
  /** The content is complete (only the final connection update may be missing). */
  complete: boolean;
  /** What was written has been removed again (or marked) after a failure or an interruption. */
  rolledBack?: boolean;
}

export interface RunRecord {
  readonly version: 1;
  readonly runId: string;
  readonly user: UserRef;
  readonly request: RunRequest;
  readonly target: TargetRef;
  readonly model: string;
  readonly connection: ConnectionRef;
  notifyState: unknown;
  readonly startedAt: string;
  state: RunState;
  /** The connection row carries this run's final status; the run needs nothing more. */
  finalized: boolean;
  resumed: boolean;
  total: number | undefined;
  done: number;
  skipped: number;
  failed: number;
  failedRowIds: string[];
  /** Rows whose write may have started (markers under `inflight:`). */
  inFlight: string[];
  written: Array<{ title: string; url: string }>;
  error: string | undefined;
  page: PageWriteState | undefined;
  /** Tokens of every answer so far, kept across restarts (records saved before counts existed get one on load). */
  tokens: TokenTally;
  /** Page runs: what the model was given of the page. */
  context?: PageContextNote | undefined;
  /** A failed run: the code and vendor of the error that ended it (automations tell revoked credentials apart). */
  errorCode?: string | undefined;
  errorSource?: 'notion' | 'openai' | undefined;
  /** Thread runs run again: what of the last run's output was replaced, and what was kept. */
  replaced?: ReplacedNote | undefined;
  /** Database runs with a preview (asked, or more than 500 rows). */
  preview?: PreviewRecord | undefined;
  updatedAt: string;
}

/** A row whose write may have started: enough to check it, and to finish it without generating again. */
export interface RowMarker {
  readonly rowId: string;
  /** The generated text: the property's text or the page body's Markdown ('' for a typed row without `@body`). */
  readonly text: string;
  readonly since: string;
  /** Typed rows: every property value of the row, as written in one page update (absent in markers of text rows). */
  readonly properties?: PropertyWrites;
}

/** A previewed row's answer, kept so a confirmation after a restart still writes it without generating again. */
export interface HeldAnswer extends Omit<RowMarker, 'since'> {
  readonly title: string;
  readonly url: string;
}
