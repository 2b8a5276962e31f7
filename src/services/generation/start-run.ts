import { randomUUID } from 'node:crypto';
import type { NotionGateway } from '../../adapters/notion/index.js';
import { UserInputError, userMessageFor, VisenError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { ConnectionSpec, ConnectionsService } from '../connections/types.js';
import type { SettingsService, UserSettings } from '../settings/types.js';
import { characterCount, clip } from '../text.js';
import { MAX_PREVIEW_ROWS, MAX_PROMPT_CHARS } from './limits.js';
import { checkOutput, outputLabel } from './output.js';
import { bindRowTemplate } from './row-reader.js';
import type { RunLauncher } from './run-launcher.js';
import { newRunRecord, outcomeOf } from './run-record.js';
import { connectionKey, type RunRegistry } from './run-registry.js';
import type { RunScheduler } from './run-scheduler.js';
import type { RunRecord, RunStore } from './run-store.js';
import { type ResolvedTarget, resolveTarget } from './target.js';
import type { GenerationRequest, OutputChoice, ProgressListener, RegisteredConnection, StartedRun } from './types.js';

const CONNECTION_NAME_MAX_CHARS = 100;

export interface StartDeps {
  readonly settings: Pick<SettingsService, 'require'>;
  readonly connections: ConnectionsService;
  readonly notion: NotionGateway;
  readonly runStore: RunStore;
  readonly registry: RunRegistry;
  readonly launcher: RunLauncher;
  readonly scheduler: RunScheduler;
}

export interface StartInput {
  readonly user: UserRef;
  readonly request: GenerationRequest;
  readonly listener: ProgressListener;
  readonly notifyState: unknown;
  /** A rerun: the saved connection's name. */
  readonly connectionName?: string | undefined;
  /** Team mode: run it on this worker, whose caller follows it through `listener` (see GenerationService.start). */
  readonly followHere?: boolean;
}

/** A run's plan once everything that can be checked before generating was checked. */
interface CheckedStart {
  readonly prompt: string;
  readonly settings: UserSettings;
  readonly target: ResolvedTarget;
  readonly output: OutputChoice;
}

/** Checks the request, its target and its connection, then starts the run in the background. */
export async function startRun(deps: StartDeps, input: StartInput): Promise<StartedRun> {
  if (deps.registry.closing) throw new VisenError('shutting_down', 'Visen is restarting right now, so it did not start this. Try again in a minute.');
  const checked = await checkStart(deps, input);
  const key = connectionKey(input.user, checked.target.ref.id, outputLabel(checked.output), checked.prompt, input.request.source?.permalink);
  const runId = randomUUID();
  // One run of a connection at a time, a person's first: a manual start waits for an automatic run to end.
  if (!input.request.automatic) await deps.registry.automaticRunEnded(key);
  await deps.scheduler.reserve(key, runId, input.request.automatic === true);
  try {
    const record = await createRun(deps, input, checked, runId);
    return await submitRun(deps, record, checked, input.listener, input.followHere === true);
  } catch (err) {
    await deps.scheduler.unreserve(key, runId);
    throw err;
  }
}

/** Hands the recorded run to a worker; if that fails (Redis away), the run ends Failed, so none is left half-started. */
async function submitRun(deps: StartDeps, record: RunRecord, checked: CheckedStart, listener: ProgressListener, followHere: boolean): Promise<StartedRun> {
  try {
    return await deps.scheduler.submit({ record, settings: checked.settings, listener, startSchema: checked.target.schema, followHere });
  } catch (err) {
    record.state = 'failed';
    record.error = userMessageFor(err);
    await deps.launcher.recordOutcome(record.user, checked.settings, record, outcomeOf(record)).catch(() => undefined);
    await deps.runStore.finishRun(record).catch(() => undefined);
    throw err;
  }
}

/** The connection a request makes, checked like a start and recorded with Status Ready, without running it now. */
export async function registerConnection(deps: StartDeps, user: UserRef, request: GenerationRequest): Promise<RegisteredConnection> {
  const checked = await checkStart(deps, { user, request, listener: () => undefined, notifyState: undefined });
  const { target } = checked;
  const connection = await deps.connections.beginRun(user, checked.settings, { ...connectionSpec(checked, request), idle: true });
  return {
    connectionId: connection.id,
    connectionUrl: connection.url,
    connectionName: connection.name,
    targetKind: target.ref.kind,
    targetUrl: target.ref.url,
  };
}

async function checkStart(deps: StartDeps, { user, request }: StartInput): Promise<CheckedStart> {
  const prompt = checkedPrompt(request);
  const settings = await deps.settings.require(user);
  const target = await resolveTarget(deps.notion.forSecret(settings.notionSecret), request.targetUrl);
  const newRow = request.output?.kind === 'new-row';
  if (request.source && target.ref.kind === 'Database' && !newRow) {
    throw new UserInputError('That link is a Notion database: choose “A new row in the database” for it, or give the link of a page.', 'target');
  }
  if (newRow && !request.source) throw new UserInputError('A new row is made from a Slack thread: use *Send to Notion* on the thread.', 'output');
  const output = checkOutput(target.ref.kind, request.output, target.schema);
  if (target.ref.kind === 'Page' && request.preview !== undefined) {
    throw new UserInputError(
      '`--preview` is for a database: it shows the first rows before any is written. A page run writes one answer; leave it out.',
      'preview',
    );
  }
  if (target.ref.kind === 'Database' && target.schema) await bindRowTemplate(deps.notion.forSecret(settings.notionSecret), prompt, target.schema);
  return { prompt, settings, target, output };
}

/** The prompt, trimmed; an empty or too long prompt, or a bad row limit, is refused. */
function checkedPrompt(request: GenerationRequest): string {
  const prompt = (request.prompt ?? '').trim();
  if (prompt === '')
    throw new UserInputError('The prompt is empty. Say what Visen should write, e.g. `/visen generate <Notion link> Summarise this project`.', 'prompt');
  const length = characterCount(prompt);
  if (length > MAX_PROMPT_CHARS) {
    throw new UserInputError(
      `The prompt is ${length.toLocaleString('en-US')} characters long; Visen takes at most ${MAX_PROMPT_CHARS.toLocaleString('en-US')}. Shorten it.`,
      'prompt',
    );
  }
  const preview = request.preview;
  if (preview !== undefined && (!Number.isInteger(preview) || preview < 1 || preview > MAX_PREVIEW_ROWS)) {
    throw new UserInputError(`The preview takes a whole number of rows from 1 to ${MAX_PREVIEW_ROWS} (e.g. \`--preview 3\`).`, 'preview');
  }
  if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) {
    throw new UserInputError('The row limit must be a whole number of at least 1 (e.g. `--limit 10`).', 'limit');
  }
  return prompt;
}

/** The connection row a checked request is recorded as (its name: the one given, else one made from the target and prompt). */
function connectionSpec(checked: CheckedStart, request: GenerationRequest, givenName?: string): ConnectionSpec {
  const { target, prompt, output, settings } = checked;
  const name = (givenName ?? request.connectionName ?? '').trim() || defaultName(target.ref.title, prompt);
  return {
    type: target.ref.kind,
    target: target.ref.url,
    targetId: target.ref.id,
    prompt,
    output: outputLabel(output),
    model: settings.model,
    name: clip(name, CONNECTION_NAME_MAX_CHARS),
    rename: Boolean(request.connectionName?.trim()),
  };
}

/** Marks the connection row as running and stores the new run; if the store fails, the row says Failed. */
async function createRun(deps: StartDeps, input: StartInput, checked: CheckedStart, runId: string): Promise<RunRecord> {
  const { user, request } = input;
  const { prompt, settings, target, output } = checked;
  const connection = await deps.connections.beginRun(user, settings, {
    ...connectionSpec(checked, request, input.connectionName),
    ...(request.source ? { source: request.source.permalink } : {}),
  });
  if (request.source?.origin) await deps.runStore.setThreadOrigin(user, connection.id, request.source.origin);
  const record = newRunRecord({
    runId,
    user,
    request: {
      targetUrl: request.targetUrl,
      prompt,
      output,
      onlyEmpty: request.onlyEmpty ?? true,
      limit: request.limit,
      connectionName: request.connectionName,
      ...(request.context === false ? { context: false } : {}),
      ...(request.rows ? { rows: [...request.rows] } : {}),
      ...(request.rowsEditedSince ? { rowsEditedSince: request.rowsEditedSince } : {}),
      ...(request.automatic ? { automatic: true } : {}),
      ...(request.pageTitle ? { pageTitle: clip(request.pageTitle, CONNECTION_NAME_MAX_CHARS) } : {}),
      ...(request.source ? { source: request.source } : {}),
      ...(request.preview !== undefined ? { preview: request.preview } : {}),
    },
    target: target.ref,
    model: settings.model,
    connection: { id: connection.id, url: connection.url, name: connection.name, runsBefore: connection.runs },
    notifyState: input.notifyState,
  });
  try {
    await deps.runStore.createRun(record);
  } catch (err) {
    await deps.launcher.recordOutcome(user, settings, record, { ...outcomeOf(record), status: 'Failed', error: userMessageFor(err) }).catch(() => undefined);
    throw err;
  }
  return record;
}

function defaultName(targetTitle: string, prompt: string): string {
  const snippet = prompt.replace(/\s+/g, ' ').trim();
  return `${targetTitle || 'Untitled'}: ${clip(snippet, 60)}`;
}
