/**
 * The `/visen settings` modal: a pure builder (view model in, Block Kit view out) and, beside it, the parser
 * of its submitted state. Saved secrets are never put into the view: a secret field is always empty, and its
 * hint says whether one is saved (with its last four characters) and that a blank field keeps it.
 */
import type { ContextBlock, InputBlock, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { CONNECTIONS_SCHEMA, describeDefinition } from '../../services/connections/schema.js';
import type { SettingsErrors, SettingsField, SettingsSubmission, SettingsSummary } from '../../services/settings/types.js';
import { ADD_MISSING_OPTION_VALUE, SettingsBlock, SettingsCallback, SettingsInput } from '../listeners/settings/ids.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate, truncateMrkdwn } from './text.js';

export const SETTINGS_MODAL_TITLE = 'Visen settings';

/** The non-secret entries of the form: what the user typed, kept across attempts. */
export interface SettingsFormEntries {
  readonly openaiBaseUrl: string;
  readonly model: string;
  readonly connectionsUrl: string;
  readonly parentPageUrl: string;
  readonly addMissingProperties: boolean;
}

/** Secrets typed in an earlier attempt of this form and held (encrypted) by the service. */
export interface HeldSecretsView {
  readonly token: string;
  readonly notionSecretLast4: string | undefined;
  readonly openaiKeyLast4: string | undefined;
}

export interface SettingsModalModel {
  /** The saved settings; undefined when they could not be read just now. */
  readonly summary: SettingsSummary | undefined;
  readonly defaultModel: string;
  /** The non-secret fields; omitted: taken from the summary. */
  readonly entries?: SettingsFormEntries;
  readonly held?: HeldSecretsView;
  /** Shown under each field (after the ack Slack's `errors` response is no longer possible). */
  readonly errors?: SettingsErrors;
  /** A line at the top, e.g. why the form is back. */
  readonly notice?: string;
}

/** What the modal carries in private_metadata: never a secret, only the token of held secrets. */
export interface SettingsModalMetadata {
  readonly held?: string;
}

/** The entries a form opens with: the saved values, else the defaults. */
export function entriesFromSummary(summary: SettingsSummary | undefined, defaultModel: string): SettingsFormEntries {
  return {
    openaiBaseUrl: summary?.openaiBaseUrl ?? '',
    model: summary?.configured ? summary.model : defaultModel,
    connectionsUrl: summary?.connections?.url ?? '',
    parentPageUrl: '',
    addMissingProperties: false,
  };
}

export function buildSettingsModal(model: SettingsModalModel): ModalView {
  const entries = model.entries ?? entriesFromSummary(model.summary, model.defaultModel);
  const errors = model.errors ?? {};
  const summary = model.summary;
  const blocks: KnownBlock[] = [];

  if (model.notice) blocks.push(section(`:warning: ${escapeMrkdwn(model.notice)}`, 'settings_notice'));
  blocks.push(
    section(
      'Visen needs three things from you: a *Notion integration secret*, an *OpenAI key* (or any OpenAI-compatible endpoint), ' +
        'and a *connections database* in Notion where every connection you make is recorded. ' +
        'Everything is checked with Notion and OpenAI when you save.',
      'settings_intro',
    ),
  );
  if (summary === undefined) {
    blocks.push(context('Your saved settings could not be read just now. Blank secret fields still keep what is saved.', 'settings_summary_unknown'));
  } else if (summary.problem) {
    blocks.push(context(`:warning: ${escapeMrkdwn(summary.problem)}`, 'settings_summary_problem'));
  }

  const notionSaved = summary?.configured === true && summary.notionSecretLast4 !== undefined;
  const openaiSaved = summary?.configured === true && summary.openaiKeyLast4 !== undefined;
  const notionHeld = model.held?.notionSecretLast4 !== undefined;
  const openaiHeld = model.held?.openaiKeyLast4 !== undefined;
  blocks.push(
    secretInput(
      'notionSecret',
      'Notion integration secret',
      'ntn_…',
      secretHint({
        heldLast4: model.held?.notionSecretLast4,
        savedLast4: notionSaved ? summary?.notionSecretLast4 : undefined,
        savedNote: summary?.integrationName ? ` (integration “${summary.integrationName}”)` : '',
        where: 'Create one at notion.so/profile/integrations (New integration, type Internal), then copy its Internal Integration Secret.',
      }),
      notionHeld || notionSaved,
    ),
  );
  pushError(blocks, 'notionSecret', errors);

  blocks.push(
    secretInput(
      'openaiKey',
      'OpenAI API key',
      'sk-…',
      secretHint({
        heldLast4: model.held?.openaiKeyLast4,
        savedLast4: openaiSaved ? summary?.openaiKeyLast4 : undefined,
        savedNote: '',
        where: 'From platform.openai.com/api-keys, or the key of your OpenAI-compatible server.',
      }),
      openaiHeld || openaiSaved,
    ),
  );
  pushError(blocks, 'openaiKey', errors);

  blocks.push(
    textInput('openaiBaseUrl', 'OpenAI base URL', entries.openaiBaseUrl, {
      optional: true,
      placeholder: 'https://api.openai.com/v1',
      hint: 'Leave blank for the default endpoint. For Azure, Ollama, LM Studio, vLLM or another OpenAI-compatible server, its base URL.',
    }),
  );
  pushError(blocks, 'openaiBaseUrl', errors);

  blocks.push(
    textInput('model', 'Default model', entries.model, {
      optional: true,
      placeholder: model.defaultModel,
      hint: `The model used when you do not name one. Leave blank for ${model.defaultModel}. It must be one your key can use.`,
    }),
  );
  pushError(blocks, 'model', errors);

  blocks.push({ type: 'divider' });
  blocks.push(
    section(
      '*Connections database.* Paste the URL of your connections database, *or* leave it blank and give a parent page: Visen then creates a “Visen connections” database in that page. ' +
        'Either must be connected to your integration in Notion: open it, click `•••` at the top right, choose *Connections*, find your integration by name, confirm.',
      'settings_connections_intro',
    ),
  );
  blocks.push(
    textInput('connectionsUrl', 'Connections database URL', entries.connectionsUrl, {
      optional: true,
      placeholder: 'https://www.notion.so/…',
      hint: 'In Notion, open the database as a full page and copy its link (••• → Copy link).',
    }),
  );
  pushError(blocks, 'connectionsUrl', errors);

  blocks.push(
    textInput('parentPageUrl', 'Parent page URL (to create the database)', entries.parentPageUrl, {
      optional: true,
      placeholder: 'https://www.notion.so/…',
      hint: 'Only when the connections database URL is blank: Visen creates “Visen connections” in this page and saves it.',
    }),
  );
  pushError(blocks, 'parentPageUrl', errors);

  const addMissingOption = {
    text: { type: 'plain_text' as const, text: 'Add the missing properties for me' },
    description: { type: 'plain_text' as const, text: "If the database lacks any of Visen's properties" },
    value: ADD_MISSING_OPTION_VALUE,
  };
  const addMissing: InputBlock = {
    type: 'input',
    block_id: SettingsInput.addMissingProperties.block,
    optional: true,
    label: { type: 'plain_text', text: 'Database properties' },
    element: {
      type: 'checkboxes',
      action_id: SettingsInput.addMissingProperties.action,
      options: [addMissingOption],
      ...(entries.addMissingProperties ? { initial_options: [addMissingOption] } : {}),
    },
  };
  blocks.push(addMissing);
  pushError(blocks, 'addMissingProperties', errors);
  blocks.push(
    context(`The database needs these properties (other properties are fine): ${CONNECTIONS_SCHEMA.map(describeDefinition).join('; ')}.`, 'settings_schema'),
  );
  blocks.push(
    context('Secrets are stored encrypted on the computer running Visen and are never shown again, only their last four characters.', 'settings_privacy'),
  );

  const metadata: SettingsModalMetadata = model.held ? { held: model.held.token } : {};
  return {
    type: 'modal',
    callback_id: SettingsCallback.form,
    title: plain(SETTINGS_MODAL_TITLE),
    submit: plain('Check and save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** Shown (through `response_action: update`) while checks that did not finish within the ack window go on. */
export function buildSettingsCheckingView(): ModalView {
  return {
    type: 'modal',
    callback_id: SettingsCallback.checking,
    title: plain(SETTINGS_MODAL_TITLE),
    close: plain('Close'),
    blocks: [
      section(
        ':hourglass_flowing_sand: *Checking your settings with Notion and OpenAI…*\nThey are answering slowly. This window updates by itself when the checks finish; if you close it, I will send you the result as a message.',
        'settings_checking',
      ),
    ],
  };
}

/**
 * Pushed on top of the form when saving failed for a reason no field can fix (the local store was busy):
 * closing it ("Back") returns to the form with everything the user typed.
 */
export function buildSettingsProblemView(message: string): ModalView {
  return {
    type: 'modal',
    callback_id: SettingsCallback.problem,
    title: plain('Not saved'),
    close: plain('Back'),
    blocks: [section(`:warning: ${escapeMrkdwn(message)}\n\nNothing was saved. Click *Back* to return to your entries and save again.`, 'settings_problem')],
  };
}

function secretHint(options: { heldLast4: string | undefined; savedLast4: string | undefined; savedNote: string; where: string }): string {
  if (options.heldLast4 !== undefined) return `You entered one (${endsIn(options.heldLast4)}) that is not saved yet. Leave blank to use it, or type another.`;
  if (options.savedLast4 !== undefined) return `Saved, ${endsIn(options.savedLast4)}${options.savedNote}. Leave blank to keep it, or type a new one.`;
  return options.where;
}

function secretInput(field: SettingsField, label: string, placeholder: string, hint: string, optional: boolean): InputBlock {
  return {
    type: 'input',
    block_id: SettingsInput[field].block,
    optional,
    label: plain(label),
    hint: plain(truncate(hint, SLACK_LIMITS.inputHint)),
    // Never an initial_value: saved secrets are not sent to Slack.
    element: { type: 'plain_text_input', action_id: SettingsInput[field].action, placeholder: plain(placeholder) },
  };
}

function textInput(field: SettingsField, label: string, value: string, options: { optional: boolean; placeholder: string; hint: string }): InputBlock {
  return {
    type: 'input',
    block_id: SettingsInput[field].block,
    optional: options.optional,
    label: plain(label),
    hint: plain(truncate(options.hint, SLACK_LIMITS.inputHint)),
    element: {
      type: 'plain_text_input',
      action_id: SettingsInput[field].action,
      placeholder: plain(truncate(options.placeholder, SLACK_LIMITS.placeholder)),
      ...(value ? { initial_value: truncate(value, SLACK_LIMITS.plainTextInputMaxLength) } : {}),
    },
  };
}

function pushError(blocks: KnownBlock[], field: SettingsField, errors: SettingsErrors): void {
  const message = errors[field];
  if (!message) return;
  blocks.push(context(`:warning: ${escapeMrkdwn(message)}`, `${SettingsInput[field].block}${SettingsBlock.errorSuffix}`));
}

function section(text: string, blockId: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: { type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) } };
}

function context(text: string, blockId: string): ContextBlock {
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.contextText) }] };
}

function plain(text: string) {
  return { type: 'plain_text' as const, text };
}

// ---------------------------------------------------------------------------------------------------------
// The state parser: a submitted view's `state.values` (and private_metadata) back into a submission.

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

/** `ends in abcd` for a secret's last four characters (the only part of a secret ever shown). */
export function endsIn(last4: string | undefined): string {
  return last4 ? `ends in ${last4}` : 'ending hidden';
}
