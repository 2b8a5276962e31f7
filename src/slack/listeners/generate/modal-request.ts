import type { GenerationRequest, OutputChoice } from '../../../services/generation/types.js';
import { currentTarget, type GenerateModalModel, joinPromptParts } from '../../views/generate-modal.js';
import { GenerateIds } from './ids.js';

import type { RequestedAutomation } from './parse-command.js';
import { checkConnectionName, checkLimit, checkPreview, checkPrompt, checkPropertyName, checkSchedule, checkTargetUrl } from './request-rules.js';

export type ModalRequestCheck =
  | { readonly ok: true; readonly request: GenerationRequest; readonly automation?: RequestedAutomation }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

/**
 * The modal's values to a GenerationRequest, with the same rules (and words) as the slash command, or the
 * problems keyed by the block they belong to (for `response_action: errors`). Fast and pure: the service
 * checks the rest (settings, reachability, placeholders, the property's type) after the modal closes.
 */
export function requestFromModal(model: GenerateModalModel): ModalRequestCheck {
  const v = model.values;
  const errors: Record<string, string> = {};
  const kind = currentTarget(model)?.kind;

  const target = checkTargetUrl(v.targetUrl);
  if (!target.ok) errors[GenerateIds.targetBlock] = target.problem;

  const prompt = checkPrompt(joinPromptParts(v.promptParts), { missingMessage: 'Write a prompt: what should Visen generate?' });
  if (!prompt.ok) errors[GenerateIds.promptBlocks[0]] = prompt.problem;

  const output = checkOutput(model, errors);
  const limit = kind === 'Page' ? undefined : checkRowLimit(v.limit, errors);
  const preview = kind === 'Page' || !v.preview ? undefined : checkPreviewRows(v.previewRows, errors);

  const name = checkConnectionName(v.connectionName);
  if (!name.ok) errors[GenerateIds.connectionNameBlock] = name.problem;
  const automation = checkRun(model, errors);
  if (automation && preview !== undefined) {
    errors[GenerateIds.previewBlock] = '“Preview first” is for a run now: untick it, or choose “Once, now” under Run.';
  }

  if (Object.keys(errors).length > 0 || !target.ok || !prompt.ok || !name.ok) return { ok: false, errors };
  const request: GenerationRequest = {
    targetUrl: target.value,
    prompt: prompt.value,
    ...(output ? { output } : {}),
    ...(kind !== 'Page' && !v.onlyEmpty ? { onlyEmpty: false } : {}),
    ...(kind !== 'Database' && !v.readPage ? { context: false } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(preview !== undefined ? { preview } : {}),
    ...(name.value ? { connectionName: name.value } : {}),
  };
  return { ok: true, request, ...(automation ? { automation } : {}) };
}

/** The Run choice: a watch needs a database; a schedule needs one written (the service checks it is a valid one). */
function checkRun(model: GenerateModalModel, errors: Record<string, string>): RequestedAutomation | undefined {
  const v = model.values;
  if (v.run === 'watch') {
    if (currentTarget(model)?.kind === 'Page') {
      errors[GenerateIds.runBlock] = 'This link is a page: only a database can be watched for new rows. Choose “On a schedule” for a page.';
    }
    return { trigger: 'Watch' };
  }
  if (v.run !== 'schedule') return undefined;
  const schedule = checkSchedule(v.schedule, 'Write the schedule');
  if (!schedule.ok) {
    errors[GenerateIds.scheduleBlock] = schedule.problem;
    return undefined;
  }
  return { trigger: 'Schedule', schedule: schedule.value };
}

const PAGE_OUTPUTS_ONLY = 'This link is a page: append to it or create a child page.';

/** The output the user chose, if it fits the described target; else its problem goes into `errors`. */
function checkOutput(model: GenerateModalModel, errors: Record<string, string>): OutputChoice | undefined {
  const v = model.values;
  const described = currentTarget(model);
  const kind = described?.kind;
  switch (v.output) {
    case undefined:
      return undefined;
    case 'append':
    case 'new-page':
      if (kind === 'Database') errors[GenerateIds.outputBlock] = 'This link is a database: choose its rows’ page bodies or a text property.';
      return { kind: v.output };
    case 'page-body':
      if (kind === 'Page') errors[GenerateIds.outputBlock] = PAGE_OUTPUTS_ONLY;
      return { kind: 'page-body' };
    case 'property': {
      if (kind === 'Page') {
        errors[GenerateIds.outputBlock] = PAGE_OUTPUTS_ONLY;
        return undefined;
      }
      if (kind === 'Database' && described && described.richTextPropertyNames.length === 0 && (described.writableProperties ?? []).length === 0) {
        errors[GenerateIds.outputBlock] = 'This database has no text properties; choose its rows’ page bodies.';
        return undefined;
      }
      return propertiesOutput(v.into, v.newOptions, kind, errors);
    }
  }
}

/** The chosen properties as the command's `--into` (one alone: the single-property output; several: typed outputs). */
function propertiesOutput(into: readonly string[], newOptions: boolean, kind: string | undefined, errors: Record<string, string>): OutputChoice | undefined {
  const names = into.map((raw) => checkPropertyName(raw, 'Into properties')).flatMap((c) => (c.ok ? [c.value] : []));
  if (names.length === 0) {
    errors[kind === 'Database' ? GenerateIds.intoSelectBlock : GenerateIds.intoTextBlock] = 'Choose the properties the result goes into.';
    return undefined;
  }
  if (names.length === 1 && !newOptions) return { kind: 'property', property: names[0]! };
  return { kind: 'properties', outputs: names, ...(newOptions ? { newOptions: true } : {}) };
}

/** The row limit, when one was typed; a bad one goes into `errors`. */
function checkRowLimit(raw: string, errors: Record<string, string>): number | undefined {
  if (raw.trim() === '') return undefined;
  const checked = checkLimit(raw, 'The row limit');
  if (checked.ok) return checked.value;
  errors[GenerateIds.limitBlock] = checked.problem;
  return undefined;
}

/** "Preview first" is ticked: the rows to preview (empty: the default); a bad number goes into `errors`. */
function checkPreviewRows(raw: string, errors: Record<string, string>): number | undefined {
  const checked = checkPreview(raw, 'The rows to preview');
  if (checked.ok) return checked.value;
  errors[GenerateIds.previewRowsBlock] = checked.problem;
  return undefined;
}
