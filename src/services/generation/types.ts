import type { UserRef } from '../../users.js';
import type { ConnectionType } from '../connections/types.js';
import type { ThreadOrigin, ThreadSource } from '../threads/types.js';
import type { TokenTally } from './tokens.js';

/**
 * Reads a "Send to Notion" connection's thread as it is now, where the shortcut found it. Throws a VisenError saying
 * what to do when it cannot be read.
 */
export type ThreadSourceReader = (origin: ThreadOrigin) => Promise<ThreadSource>;

/** Where generated content goes. */
export type OutputChoice =
  | { readonly kind: 'append' } //          page target: the end of the page body
  | { readonly kind: 'new-page' } //        page target: a new child page
  | { readonly kind: 'page-body' } //       database target: each row's page body
  | { readonly kind: 'property'; readonly property: string } // database target: a rich-text property, plain text as before
  /**
   * Database target, typed outputs: these properties (any writable type) and `@body` (the page body), filled from one
   * JSON answer per row; `newOptions`: select and multi-select values may be new options.
   */
  | { readonly kind: 'properties'; readonly outputs: readonly string[]; readonly newOptions?: boolean }
  /** Database target, from a Slack thread ("Send to Notion"): one new row, its title and properties filled from the thread. */
  | { readonly kind: 'new-row' };

export interface GenerationRequest {
  /** The target as the user gave it (a Notion page or database URL). */
  readonly targetUrl: string;
  /** The prompt, or for a database the template with `{{Property}}` placeholders. */
  readonly prompt: string;
  /** Omitted: `append` for pages, `page-body` for databases. */
  readonly output?: OutputChoice;
  /** Database runs: skip rows that already have output (default true; `--all` sets false). */
  readonly onlyEmpty?: boolean;
  /** Database runs: at most this many rows. */
  readonly limit?: number;
  readonly connectionName?: string;
  /** Page runs: give the model the page (for `new-page`, the parent page) as the document the prompt is about (default true). */
  readonly context?: boolean;
  /** Database runs: only these rows (page ids), e.g. the rows an automation found added or changed. */
  readonly rows?: readonly string[];
  /** With `rows`: they were all edited on or after this ISO time, so many of them are read with one query. */
  readonly rowsEditedSince?: string;
  /** Started by an automation, not by a person: a manual run of the same connection goes first (see RunRegistry). */
  readonly automatic?: boolean;
  /** Page runs with `new-page`: the new page's title (a scheduled run's date), instead of one from the answer. */
  readonly pageTitle?: string;
  /**
   * What the content is made from, instead of the page: a Slack thread ("Send to Notion"), for a page (append, new
   * page) or a new database row (`new-row`); the connection records its permalink in `Source`, and what is written
   * links back to it.
   */
  readonly source?: ThreadSource;
  /**
   * Database runs: generate the first this many rows (1-10) without writing anything, and wait for the owner to
   * confirm (`confirmPreview`) or cancel (`cancelPreview`). A run of more than 500 rows previews 3 rows even without it.
   */
  readonly preview?: number;
}

/** One previewed row: what would be written into it, as plain text (bounded). */
export interface PreviewRow {
  readonly title: string;
  readonly url: string;
  /** Each output's proposed value (`@body` for the page body), in the order of the outputs. */
  readonly values: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/**
 * A database run's preview: `generating` its first rows (nothing written), `waiting` for its owner, then
 * `confirmed` (the previewed values are written as they are, then the rest) or `cancelled` (nothing written).
 * `reason`: the user asked (`--preview`), or the run would touch more than 500 rows (`large`).
 */
export interface PreviewProgress {
  readonly reason: 'asked' | 'large';
  readonly size: number;
  readonly phase: 'generating' | 'waiting' | 'confirmed' | 'cancelled';
  readonly rows: readonly PreviewRow[];
  /** Rows of the preview whose generation failed (the run's error says why). */
  readonly failed: number;
  /** Tokens the preview's answers used (the sum is undefined when the server reported none). */
  readonly tokens: number | undefined;
  /** Rows this run would write, previewed ones included; `atLeast`: the query had not finished counting. */
  readonly rowsToDo: number;
  readonly atLeast: boolean;
  /** rowsToDo × tokens per previewed row; undefined when no usage was reported or no row was previewed. */
  readonly estimatedTokens: number | undefined;
}

/** What a click on a preview's buttons did. */
export type PreviewAnswer = 'confirmed' | 'cancelled' | 'already-decided' | 'not-waiting';

/** What a page run gave the model of its page: how much, or why it could not read it. */
export type PageContextNote =
  | { readonly read: true; readonly usedChars: number; readonly cut: boolean; readonly budget: number }
  | { readonly read: false; readonly reason: string };

export type RunState = 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A run's progress, as plain values; the Slack layer renders it. */
export interface RunProgress {
  readonly runId: string;
  readonly user: UserRef;
  readonly connectionId: string | undefined;
  readonly connectionName: string;
  readonly targetKind: ConnectionType;
  readonly targetUrl: string;
  readonly targetTitle: string;
  readonly state: RunState;
  /** Rows (or pages) to write in this run; undefined until known. */
  readonly total: number | undefined;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  /** Links to what was written (capped; the newest last). */
  readonly written: ReadonlyArray<{ readonly title: string; readonly url: string }>;
  /** A safe, actionable message when the run failed (or rows failed). */
  readonly error: string | undefined;
  /** True when this run was resumed after a restart. */
  readonly resumed: boolean;
  /** Tokens of the run's answers so far (see TokenTally); absent where a progress is not a run's own. */
  readonly tokens?: Readonly<TokenTally> | undefined;
  /** Page runs: the page's content given to the model (absent: not read, or turned off). */
  readonly context?: PageContextNote | undefined;
  /**
   * A page run stopping is taking out what it wrote (one Notion request per block, so it can take a while),
   * after a cancel or a failure; absent otherwise.
   */
  readonly rollingBack?: 'cancelled' | 'failed' | undefined;
  /** The run was started by an automation. */
  readonly automatic?: boolean | undefined;
  /** Sent once when a Cancel clicked on another worker (team mode) reached the run: its message shows it stopping. */
  readonly cancelRequested?: true | undefined;
  /** The code of the error that ended a failed run (e.g. `unauthorized`), for automations to tell revoked credentials apart. */
  readonly errorCode?: string | undefined;
  /** Which vendor that error came from. */
  readonly errorSource?: 'notion' | 'openai' | undefined;
  /** A thread connection run again: blocks of its last output removed, and blocks kept because the user edited them. */
  readonly replaced?: { readonly removed: number; readonly kept: number; readonly keptTexts?: readonly string[] } | undefined;
  /** Database runs with a preview (asked, or more than 500 rows); absent otherwise. */
  readonly preview?: PreviewProgress | undefined;
  readonly startedAt: string;
  readonly updatedAt: string;
}

/** Called on every meaningful change of a run; must not throw (errors are logged and ignored). */
export type ProgressListener = (progress: RunProgress) => void | Promise<void>;

/** What a target offers, for the generate modal: which outputs apply and which placeholders it can fill. */
export interface TargetDescription {
  readonly kind: ConnectionType;
  readonly title: string;
  readonly url: string;
  /** Database targets: every property name (placeholders) and the rich-text ones (`--into`). */
  readonly propertyNames: readonly string[];
  readonly richTextPropertyNames: readonly string[];
  /** Database targets: placeholders reading one step through a relation (`Client.Industry`), for the modal's hint. */
  readonly relationReadings?: readonly string[];
  /** Database targets: every property a run can write into (`--into`), with its Notion type, in schema order. */
  readonly writableProperties?: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}

export interface StartedRun {
  readonly runId: string;
  readonly progress: RunProgress;
  /**
   * Team mode: the run is on the team's queue, and the worker that takes it (maybe another) shows its progress from
   * its notifyState; the listener given to the start is not called.
   */
  readonly queued?: boolean;
}

/** A connection recorded without running it (see GenerationService.register). */
export interface RegisteredConnection {
  readonly connectionId: string;
  readonly connectionUrl: string;
  readonly connectionName: string;
  readonly targetKind: ConnectionType;
  readonly targetUrl: string;
}

export interface GenerationService {
  /**
   * Checks everything that can be checked before generating (settings saved, connections database
   * reachable, target reachable, placeholders known, `--into` property exists and is rich text) and then
   * starts the run in the background. Problems found here throw a VisenError with a userMessage; nothing
   * is written. `notifyState` is opaque JSON the caller wants back after a restart (where to show progress).
   * `followHere`: team mode runs the run on this worker (not through the queue), for a caller that must hear its
   * progress in this process (an automation arming its watch once the first fill ended).
   */
  start(user: UserRef, request: GenerationRequest, listener: ProgressListener, notifyState: unknown, followHere?: boolean): Promise<StartedRun>;
  /**
   * Checks a request as `start` does and records its connection (Status Ready) without running it: a schedule's
   * connection before its first slot. Throws the same errors as `start`.
   */
  register(user: UserRef, request: GenerationRequest): Promise<RegisteredConnection>;
  /**
   * Runs a saved connection again with its target, prompt and output. A connection made from a Slack thread
   * (`Source`) needs `readThread`, which the caller (the Slack layer, which can read Slack) gives; without it the
   * rerun is refused with words saying to use the shortcut on the thread.
   */
  rerun(user: UserRef, connectionId: string, listener: ProgressListener, notifyState: unknown, readThread?: ThreadSourceReader): Promise<StartedRun>;
  /** Where the run's progress is shown changed (e.g. moved to a direct message): keep it for a restart. */
  updateNotifyState(user: UserRef, runId: string, notifyState: unknown): Promise<void>;
  /**
   * Stops a run of this user at once: its model streams are aborted, nothing of an unfinished answer is
   * written, a page run takes out what it wrote. False if no such running run. Team mode: a run on another
   * worker (or waiting for one) is asked to stop through RunControl, and true is returned at once.
   */
  cancel(user: UserRef, runId: string): Promise<boolean>;
  /** The owner confirms a waiting preview: its rows are written as previewed (no second generation), then the rest. */
  confirmPreview(user: UserRef, runId: string): Promise<PreviewAnswer>;
  /** The owner cancels a waiting preview: nothing is written and the run ends as cancelled. */
  cancelPreview(user: UserRef, runId: string): Promise<PreviewAnswer>;
  describeTarget(user: UserRef, targetUrl: string): Promise<TargetDescription>;
  /** This user's runs in progress on this worker (the only one, in one process). */
  activeRuns(user: UserRef): RunProgress[];
  /** This user's runs in progress wherever they run (team mode: every worker's, as last saved); for the Home tab. */
  runsInProgress(user: UserRef): Promise<RunProgress[]>;
  /** Progress of every run (the Home tab listens); returns an unsubscribe function. */
  subscribe(listener: ProgressListener): () => void;
  /**
   * After a restart: database runs resume where they stopped, page runs are marked Failed ("interrupted").
   * `listenerFor` is given each run's notifyState and returns where its progress goes.
   */
  resumeInterrupted(listenerFor: (notifyState: unknown, progress: RunProgress) => ProgressListener): Promise<RunProgress[]>;
  /**
   * Team mode: queues the runs still pending in the store, and from now on this worker takes runs off the team's
   * queue (new ones, and those of workers that died or stopped). `listenerFor` is given each run's notifyState and
   * whether the run starts now (`fresh`) or is taken over. One process: nothing to do (its runs are launched here).
   */
  serveQueuedRuns(listenerFor: (notifyState: unknown, progress: RunProgress, fresh: boolean) => ProgressListener): Promise<void>;
  /** The rows of a database connection Visen has written into, ever (row id -> the run that wrote it). */
  writtenRows(user: UserRef, connectionId: string): Promise<ReadonlyMap<string, string>>;
  /** Forget this user's local run records (for /visen clear). Running runs are cancelled first. */
  forgetUser(user: UserRef): Promise<void>;
  /** Stop taking work; let rows in flight finish and persist state so a restart can resume. */
  shutdown(): Promise<void>;
}
