import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor, VisenError } from '../../../errors.js';
import { MAX_PROMPT_CHARS } from '../../../services/generation/limits.js';
import type { GenerationRequest } from '../../../services/generation/types.js';
import type { UserRef } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { userFromInteraction } from '../../users.js';
import { buildGenerateModal, EMPTY_VALUES, type GenerateModalModel, MAX_PROMPT_BOXES, splitPrompt } from '../../views/generate-modal.js';
import { type ModalViewLike, readGenerateModal } from '../../views/generate-modal-state.js';
import { requestFromModal } from './modal-request.js';
import { checkTargetUrl } from './request-rules.js';
import { type GenerateRuntime, runtimeFor } from './runtime.js';
import { startRunWithDmProgress } from './start-run.js';

/** What the modal can be opened with (the Home tab's "New generation"; a GenerationRequest fits). */
export type GenerateModalInitial = Partial<GenerationRequest>;

/**
 * Opens the generate modal. Call it right after `ack()`: `views.open` is the first thing it does, with no
 * slow call before it, so the trigger id (valid 3 seconds) is still good. With an initial target, the
 * modal is then updated with what the target offers (its properties, placeholders), keeping what the user
 * typed in the meantime. Throws when Slack refuses to open the view (e.g. an expired trigger).
 */
export async function openGenerateModal(
  client: WebClient,
  triggerId: string,
  user: UserRef,
  deps: SlackDeps,
  initial: GenerateModalInitial = {},
): Promise<void> {
  const model = initialModel(initial);
  const opened = await client.views.open({ trigger_id: triggerId, view: buildGenerateModal(model) });
  const view = opened.view as { id?: string; hash?: string } | undefined;
  if (!initial.targetUrl || !view?.id || !checkTargetUrl(initial.targetUrl).ok) return;
  const rt = runtimeFor(deps);
  const described = await describeInto(rt, user, model);
  await updateModal(rt, client, view.id, view.hash, described);
}

export function initialModel(initial: GenerateModalInitial): GenerateModalModel {
  const { parts, cut } = splitPrompt(initial.prompt ?? '');
  const output = initial.output;
  return {
    values: {
      ...EMPTY_VALUES,
      targetUrl: initial.targetUrl ?? '',
      promptParts: parts,
      output: output?.kind === 'properties' ? 'property' : output?.kind === 'new-row' ? undefined : output?.kind,
      into: output?.kind === 'property' ? [output.property] : output?.kind === 'properties' ? output.outputs : [],
      newOptions: output?.kind === 'properties' && output.newOptions === true,
      onlyEmpty: initial.onlyEmpty ?? true,
      readPage: initial.context ?? true,
      limit: initial.limit !== undefined ? String(initial.limit) : '',
      connectionName: initial.connectionName ?? '',
    },
    notice: cut
      ? `This prompt is longer than the form can hold, so its end was cut. Prompts can have at most ${MAX_PROMPT_CHARS.toLocaleString('en-US')} characters.`
      : undefined,
  };
}

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The target URL was entered (Enter in a dispatch_action input): describe it and update the modal. */
export function targetEnteredHandler(rt: GenerateRuntime) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const view = body.view;
    const user = userFromInteraction(body);
    if (!view || !user) return;
    const model = readGenerateModal(view as ModalViewLike);
    const described = await describeInto(rt, user, model);
    await updateModal(rt, client, view.id, view.hash, described);
  };
}

/** "Need more room? Add a box": one more prompt box, up to three. */
export function addPromptBoxHandler(rt: GenerateRuntime) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const model = readGenerateModal(view as ModalViewLike);
    const parts = model.values.promptParts.length < MAX_PROMPT_BOXES ? [...model.values.promptParts, ''] : model.values.promptParts;
    await updateModal(rt, client, view.id, view.hash, { ...model, values: { ...model.values, promptParts: parts } });
  };
}

/** Submit: only fast checks before the ack (field errors stay in the modal); the run's progress is a DM. */
export function submitHandler(rt: GenerateRuntime) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const model = readGenerateModal(view as ModalViewLike);
    const checked = requestFromModal(model);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: { ...checked.errors } });
      return;
    }
    await ack({ response_action: 'clear' });
    const user = userFromInteraction(body);
    if (!user) {
      rt.deps.logger.warn('generate modal submitted without a user or team: ignored');
      return;
    }
    const request = checked.request;
    await startRunWithDmProgress(client, user, (listener, notifyState) => rt.deps.services.generation.start(user, request, listener, notifyState), rt.deps);
  };
}

async function describeInto(rt: GenerateRuntime, user: UserRef, model: GenerateModalModel): Promise<GenerateModalModel> {
  const typed = model.values.targetUrl;
  const checked = checkTargetUrl(typed);
  if (!checked.ok) return { ...model, target: undefined, targetError: checked.problem, notice: undefined };
  try {
    const d = await rt.deps.services.generation.describeTarget(user, checked.value);
    return {
      ...model,
      notice: undefined,
      targetError: undefined,
      target: {
        kind: d.kind,
        title: d.title,
        url: d.url,
        source: typed,
        propertyNames: d.propertyNames,
        richTextPropertyNames: d.richTextPropertyNames,
        ...(d.writableProperties ? { writableProperties: d.writableProperties } : {}),
      },
    };
  } catch (err) {
    const level = err instanceof VisenError ? 'info' : 'error';
    rt.deps.logger[level]({ err: describeForLog(err), user: user.userId }, 'could not describe the generate target');
    return { ...model, target: undefined, targetError: userMessageFor(err), notice: undefined };
  }
}

/** views.update with the view's hash: if the modal changed meanwhile (a newer update), this one is dropped. */
async function updateModal(rt: GenerateRuntime, client: WebClient, viewId: string, hash: string | undefined, model: GenerateModalModel): Promise<void> {
  try {
    await client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view: buildGenerateModal(model) });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'hash_conflict' || code === 'not_found') {
      rt.deps.logger.debug({ code }, 'generate modal changed or closed before the update; update dropped');
      return;
    }
    rt.deps.logger.warn({ err: describeForLog(err) }, 'could not update the generate modal');
  }
}
