/**
 * `/visen settings` (the modal, its live checks and the confirmation) and `/visen clear` (asks to confirm;
 * the Clear and Cancel buttons are handled in clear.ts). The user is always the one in the Slack payload's own `user` field:
 * never an id from a button value or private_metadata.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, StoreError, userMessageFor } from '../../../errors.js';
import type { SettingsErrors, SettingsSubmission, SettingsSummary, SubmitOutcome } from '../../../services/settings/types.js';
import { type UserRef, userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { Subcommand } from '../../ids.js';
import type { ListenerRegistry } from '../../listener-router.js';
import { userFromCommand, userFromInteraction } from '../../users.js';
import { buildClearConfirmation } from '../../views/clear-confirmation.js';
import {
  buildSettingsCheckingView,
  buildSettingsModal,
  buildSettingsProblemView,
  type HeldSecretsView,
  type SettingsFormEntries,
} from '../../views/settings-modal.js';
import { entriesOfSubmission, errorsByBlockId, parseSettingsSubmission } from '../../views/settings-modal-state.js';
import { buildSettingsNotSavedMessage, buildSettingsSavedMessage, buildSettingsSavedView } from '../../views/settings-saved.js';
import type { CommandArgs, SubcommandHandler } from '../commands/visen.js';
import { registerClearListeners } from './clear.js';
import { SettingsCallback } from './ids.js';
import { directMessage, noUser } from './replies.js';

export { SettingsAction, SettingsCallback, SettingsInput } from './ids.js';

export interface SettingsListenerOptions {
  /**
   * How long a submission's live checks may take before the ack. Slack wants the ack within 3 seconds of
   * sending; this leaves a second for delivery and the ack itself.
   */
  readonly checkDeadlineMs?: number;
  /** After the ack, how long the checks may go on before the user is told they took too long. */
  readonly checkTimeoutMs?: number;
  /** How long `/visen settings` waits for the saved summary (local store) before opening the modal anyway. */
  readonly summaryWaitMs?: number;
}

const DEFAULTS = { checkDeadlineMs: 2_000, checkTimeoutMs: 90_000, summaryWaitMs: 1_000 } as const;

const CHECKS_TOO_SLOW = 'Notion or OpenAI did not answer in time, so nothing was saved. Your entries are kept below: please save again in a moment.';

/** `/visen settings` and `/visen clear`. */
export function settingsSubcommands(deps: SlackDeps, options: SettingsListenerOptions = {}): { settings: SubcommandHandler; clear: SubcommandHandler } {
  return {
    [Subcommand.settings]: async (args: CommandArgs) => {
      // Nothing slow before views.open: the trigger_id is valid for 3 seconds from Slack's send.
      await args.ack();
      const user = userFromCommand(args.command);
      try {
        await openSettingsModal(args.client, args.command.trigger_id, user, deps, options);
      } catch (err) {
        deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not open the settings modal');
        const text =
          err instanceof StoreError
            ? `:warning: ${userMessageFor(err)}`
            : `:warning: Slack did not let me open the settings form (it allows only a few seconds). Please run \`/visen settings\` again.`;
        await args
          .respond({ response_type: 'ephemeral', text })
          .catch((respondError: unknown) => deps.logger.warn({ err: describeForLog(respondError) }, 'could not tell the user'));
      }
    },
    [Subcommand.clear]: async (args: CommandArgs) => {
      await args.ack({ response_type: 'ephemeral', ...buildClearConfirmation() });
      deps.logger.info({ user: userKey(userFromCommand(args.command)) }, 'asked to confirm /visen clear');
    },
  } as { settings: SubcommandHandler; clear: SubcommandHandler };
}

/**
 * Opens the settings modal for `user` with the saved summary (local store only, no Notion or OpenAI call).
 * Used by `/visen settings` and by the Home tab's Settings button (through the Home listeners).
 */
export async function openSettingsModal(
  client: WebClient,
  triggerId: string,
  user: UserRef,
  deps: SlackDeps,
  options: SettingsListenerOptions = {},
): Promise<void> {
  const summary = await summaryWithin(deps, user, options.summaryWaitMs ?? DEFAULTS.summaryWaitMs);
  await client.views.open({ trigger_id: triggerId, view: buildSettingsModal({ summary, defaultModel: deps.defaultModel }) });
  deps.logger.info({ user: userKey(user), configured: summary?.configured }, 'opened the settings modal');
}

export function registerSettingsListeners(listeners: ListenerRegistry, deps: SlackDeps, options: SettingsListenerOptions = {}): void {
  listeners.view<ViewSubmitAction>(SettingsCallback.form, settingsSubmissionHandler(deps, options));
  registerClearListeners(listeners, deps);
}

type Settled = { kind: 'done'; outcome: SubmitOutcome } | { kind: 'failed'; error: unknown };

/**
 * The submit design: the live checks run with a deadline inside the 3-second ack window. If they finish,
 * the ack carries the result (`errors` next to the fields, or `update` to the saved view). If not, the ack
 * updates the modal to "Checking…" and the checks go on; when they end, `views.update` shows the saved view
 * or the form again with every entry kept and the problems inline. Typed secrets are then held encrypted in
 * the local store (never in private_metadata) so a blank field uses them on the next submit.
 */
function settingsSubmissionHandler(deps: SlackDeps, options: SettingsListenerOptions) {
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const started = Date.now();
    const user = userFromInteraction(body);
    if (!user) {
      await ack();
      return noUser(deps, SettingsCallback.form);
    }
    const submission = parseSettingsSubmission(view.state.values, view.private_metadata);
    const controller = new AbortController();
    const work: Promise<Settled> = deps.services.settings.submit(user, submission, { signal: controller.signal }).then(
      (outcome) => ({ kind: 'done', outcome }),
      (error: unknown) => ({ kind: 'failed', error }),
    );

    const early = await raceTimeout(work, options.checkDeadlineMs ?? DEFAULTS.checkDeadlineMs);
    // An entry the checks changed (a database was created) cannot be shown through `errors`: go the long way.
    const mustRedraw = early?.kind === 'done' && !early.outcome.ok && Object.keys(early.outcome.corrected).length > 0;
    if (early && !mustRedraw) {
      await ackWithResult(early, { ack, client, user, deps });
      deps.logger.info({ user: userKey(user), result: resultName(early), ms: Date.now() - started, path: 'in-ack' }, 'settings submission handled');
      return;
    }

    await ack({ response_action: 'update', view: buildSettingsCheckingView() });
    const late = early ?? (await raceTimeout(work, options.checkTimeoutMs ?? DEFAULTS.checkTimeoutMs));
    if (!late) controller.abort();
    const result: Settled = late ?? { kind: 'failed', error: new Error('checks timed out') };
    await finishAfterAck(result, { client, viewId: view.id, user, submission, deps, timedOut: !late });
    deps.logger.info(
      { user: userKey(user), result: late ? resultName(late) : 'timed-out', ms: Date.now() - started, path: 'after-ack' },
      'settings submission handled',
    );
  };
}

interface AckContext {
  readonly ack: SlackViewMiddlewareArgs<ViewSubmitAction>['ack'];
  readonly client: WebClient;
  readonly user: UserRef;
  readonly deps: SlackDeps;
}

async function ackWithResult(result: Settled, { ack, client, user, deps }: AckContext): Promise<void> {
  if (result.kind === 'failed') {
    deps.logger.error({ user: userKey(user), err: describeForLog(result.error) }, 'settings submission failed');
    // Pushed on top, so "Back" returns to the form with everything the user typed.
    await ack({ response_action: 'push', view: buildSettingsProblemView(userMessageFor(result.error)) });
    return;
  }
  const outcome = result.outcome;
  if (outcome.ok) {
    const saved = savedModel(outcome);
    await ack({ response_action: 'update', view: buildSettingsSavedView(saved) });
    await directMessage(client, user, deps, buildSettingsSavedMessage(saved));
    return;
  }
  await ack({ response_action: 'errors', errors: errorsByBlockId(outcome.errors) });
}

interface FinishContext {
  readonly client: WebClient;
  readonly viewId: string;
  readonly user: UserRef;
  readonly submission: SettingsSubmission;
  readonly deps: SlackDeps;
  readonly timedOut: boolean;
}

async function finishAfterAck(result: Settled, ctx: FinishContext): Promise<void> {
  const { client, viewId, user, submission, deps } = ctx;
  if (result.kind === 'done' && result.outcome.ok) {
    const saved = savedModel(result.outcome);
    await updateView(client, viewId, buildSettingsSavedView(saved), deps, user);
    await directMessage(client, user, deps, buildSettingsSavedMessage(saved));
    return;
  }

  let notice: string;
  let errors: SettingsErrors = {};
  let corrected: Partial<SettingsFormEntries> = {};
  if (result.kind === 'done' && !result.outcome.ok) {
    errors = result.outcome.errors;
    corrected = result.outcome.corrected;
    notice = 'Nothing was saved yet: some settings need fixing (see the warnings under the fields).';
  } else {
    if (!ctx.timedOut && result.kind === 'failed') {
      deps.logger.error({ user: userKey(user), err: describeForLog(result.error) }, 'settings submission failed');
    }
    notice = ctx.timedOut
      ? CHECKS_TOO_SLOW
      : `${userMessageFor(result.kind === 'failed' ? result.error : undefined)} Nothing was saved; your entries are kept below.`;
  }

  let held: HeldSecretsView | undefined;
  try {
    held = await deps.services.settings.holdSecrets(user, submission);
  } catch (err) {
    deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not hold the typed secrets');
    notice = `${notice} Please enter your secrets again.`;
  }
  const summary = await summaryWithin(deps, user, 1_000);
  const form = buildSettingsModal({
    summary,
    defaultModel: deps.defaultModel,
    entries: { ...entriesOfSubmission(submission), ...corrected },
    ...(held ? { held } : {}),
    errors,
    notice,
  });
  const shown = await updateView(client, viewId, form, deps, user);
  if (!shown)
    await directMessage(client, user, deps, buildSettingsNotSavedMessage(errors, ctx.timedOut ? 'Notion or OpenAI did not answer in time.' : undefined));
}

// ---- helpers ----

function savedModel(outcome: Extract<SubmitOutcome, { ok: true }>) {
  return { summary: outcome.summary, createdDatabase: outcome.createdDatabase, addedProperties: outcome.addedProperties };
}

/**
 * The saved summary, or undefined when reading it is slow or the store is busy (the form opens anyway). A store
 * that cannot be used at all (Redis unreachable) throws: the user is told so instead of shown an empty form.
 */
async function summaryWithin(deps: SlackDeps, user: UserRef, ms: number): Promise<SettingsSummary | undefined> {
  const read = deps.services.settings.summary(user).then(
    (summary) => ({ summary }),
    (err: unknown) => {
      deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not read the saved settings summary');
      return { err };
    },
  );
  const settled = await raceTimeout(read, ms);
  if (settled && 'err' in settled && settled.err instanceof StoreError && settled.err.code === 'unavailable') throw settled.err;
  return settled && 'summary' in settled ? settled.summary : undefined;
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function updateView(
  client: WebClient,
  viewId: string,
  view: Parameters<WebClient['views']['update']>[0]['view'],
  deps: SlackDeps,
  user: UserRef,
): Promise<boolean> {
  try {
    await client.views.update({ view_id: viewId, view });
    return true;
  } catch (err) {
    // Most often the user closed the modal; they get a message instead.
    deps.logger.info({ user: userKey(user), err: describeForLog(err) }, 'could not update the settings modal');
    return false;
  }
}

function resultName(result: Settled): string {
  if (result.kind === 'failed') return 'failed';
  return result.outcome.ok ? 'saved' : 'rejected';
}
