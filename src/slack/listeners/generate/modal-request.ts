import type { GenerationRequest, OutputChoice } from '../../../services/generation/types.js';
import { currentTarget, type GenerateModalModel, joinPromptParts } from '../../views/generate-modal.js';
import { GenerateIds } from './ids.js';
import { checkConnectionName, checkLimit, checkPrompt, checkPropertyName, checkTargetUrl } from './request-rules.js';

export type ModalRequestCheck =
  | { readonly ok: true; readonly request: GenerationRequest }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

/**
 * The modal's values to a GenerationRequest, with the same rules (and words) as the slash command, or the
 * problems keyed by the block they belong to (for `response_action: errors`). Fast and pure: the service
 * checks the rest (settings, reachability, placeholders, the property's type) after the modal closes.
 */
export function requestFromModal(model: GenerateModalModel): ModalRequestCheck {
  const v = model.values;
  const errors: Record<string, string> = {};
  const described = currentTarget(model);
  const kind = described?.kind;

  const target = checkTargetUrl(v.targetUrl);
  if (!target.ok) errors[GenerateIds.targetBlock] = target.problem;

  const prompt = checkPrompt(joinPromptParts(v.promptParts), { missingMessage: 'Write a prompt: what should Visen generate?' });
  if (!prompt.ok) errors[GenerateIds.promptBlocks[0]] = prompt.problem;

  let output: OutputChoice | undefined;
  const intoBlock = kind === 'Database' ? GenerateIds.intoSelectBlock : GenerateIds.intoTextBlock;
  switch (v.output) {
    case undefined:
      output = undefined;
      break;
    case 'append':
    case 'new-page':
      if (kind === 'Database') errors[GenerateIds.outputBlock] = 'This link is a database: choose its rows’ page bodies or a text property.';
      output = { kind: v.output };
      break;
    case 'page-body':
      if (kind === 'Page') errors[GenerateIds.outputBlock] = 'This link is a page: append to it or create a child page.';
      output = { kind: 'page-body' };
      break;
    case 'property': {
      if (kind === 'Page') {
        errors[GenerateIds.outputBlock] = 'This link is a page: append to it or create a child page.';
        break;
      }
      if (kind === 'Database' && described && described.richTextPropertyNames.length === 0) {
        errors[GenerateIds.outputBlock] = 'This database has no text properties; choose its rows’ page bodies.';
        break;
      }
      const name = checkPropertyName(v.into ?? '', 'Into a text property');
      if (!name.ok) errors[intoBlock] = 'Choose the text property the result goes into.';
      else output = { kind: 'property', property: name.value };
      break;
    }
  }

  let limit: number | undefined;
  if (kind !== 'Page' && v.limit.trim() !== '') {
    const checked = checkLimit(v.limit, 'The row limit');
    if (checked.ok) limit = checked.value;
    else errors[GenerateIds.limitBlock] = checked.problem;
  }

  const name = checkConnectionName(v.connectionName);
  if (!name.ok) errors[GenerateIds.connectionNameBlock] = name.problem;

  if (Object.keys(errors).length > 0 || !target.ok || !prompt.ok || !name.ok) return { ok: false, errors };
  const request: GenerationRequest = {
    targetUrl: target.value,
    prompt: prompt.value,
    ...(output ? { output } : {}),
    ...(kind !== 'Page' && !v.onlyEmpty ? { onlyEmpty: false } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(name.value ? { connectionName: name.value } : {}),
  };
  return { ok: true, request };
}
