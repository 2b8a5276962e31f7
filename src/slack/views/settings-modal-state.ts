import type { SettingsErrors, SettingsField, SettingsSubmission } from '../../services/settings/types.js';
import { ADD_MISSING_OPTION_VALUE, SettingsInput } from '../listeners/settings/ids.js';
import type { SettingsFormEntries, SettingsModalMetadata } from './settings-modal.js';

/**
 * The state parser of `settings-modal.ts`: a submitted view's `state.values` (and private_metadata) back into
 * a submission, and a submission's entries and errors back into what the form and Slack's `errors` need.
 */

/** The part of Slack's `view.state.values` entries this form uses. */
export interface ViewStateEntry {
  readonly type?: string;
  readonly value?: string | null;
  readonly selected_options?: ReadonlyArray<{ readonly value?: string }> | null;
}
export type ViewStateValues = Readonly<Record<string, Readonly<Record<string, ViewStateEntry>>>>;

export function parseSettingsModalMetadata(privateMetadata: string | undefined): SettingsModalMetadata {
  if (!privateMetadata) return {};
  try {
    const parsed = JSON.parse(privateMetadata) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { held?: unknown }).held === 'string') {
      return { held: (parsed as { held: string }).held };
    }
  } catch {
    // A foreign or truncated value: treat as none.
  }
  return {};
}

/** The submission in the form's state: every field trimmed, blanks as ''. */
export function parseSettingsSubmission(values: ViewStateValues, privateMetadata: string | undefined): SettingsSubmission {
  const text = (field: SettingsField): string => {
    const entry = values[SettingsInput[field].block]?.[SettingsInput[field].action];
    return (entry?.value ?? '').trim();
  };
  const addMissing = values[SettingsInput.addMissingProperties.block]?.[SettingsInput.addMissingProperties.action];
  const metadata = parseSettingsModalMetadata(privateMetadata);
  const notionSecret = text('notionSecret');
  const openaiKey = text('openaiKey');
  return {
    notionSecret: notionSecret || undefined,
    openaiKey: openaiKey || undefined,
    openaiBaseUrl: text('openaiBaseUrl'),
    model: text('model'),
    connectionsUrl: text('connectionsUrl'),
    parentPageUrl: text('parentPageUrl'),
    addMissingProperties: (addMissing?.selected_options ?? []).some((o) => o.value === ADD_MISSING_OPTION_VALUE),
    heldSecretsToken: metadata.held,
  };
}

/** The non-secret entries of a submission, to show again in the form. */
export function entriesOfSubmission(submission: SettingsSubmission): SettingsFormEntries {
  return {
    openaiBaseUrl: submission.openaiBaseUrl,
    model: submission.model,
    connectionsUrl: submission.connectionsUrl,
    parentPageUrl: submission.parentPageUrl,
    addMissingProperties: submission.addMissingProperties,
  };
}

/** Per-field errors keyed by block id, as `response_action: errors` wants them. */
export function errorsByBlockId(errors: SettingsErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors) as Array<[SettingsField, string | undefined]>) {
    if (message) out[SettingsInput[field].block] = message;
  }
  return out;
}
