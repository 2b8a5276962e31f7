/**
 * The `/visen settings` modal: a pure builder (view model in, Block Kit view out); the parser of its
 * submitted state is `settings-modal-state.ts`, beside it. Saved secrets are never put into the view: a
 * secret field is always empty, and its hint says whether one is saved (with its last four characters) and
 * that a blank field keeps it. Each field is one entry of a table (ACCOUNT_FIELDS, CONNECTIONS_FIELDS)
 * rendered by `fieldBlocks`.
 */
import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import { CONNECTIONS_SCHEMA, describeDefinition } from '../../services/connections/schema.js';
import type { SettingsErrors, SettingsField, SettingsSummary } from '../../services/settings/types.js';
import { SettingsViewBlock } from '../ids.js';
import { ADD_MISSING_OPTION_VALUE, SettingsBlock, SettingsCallback, SettingsInput } from '../listeners/settings/ids.js';
import { context, divider, inputBlock, modalTexts, option, section, textInput } from './blocks.js';
import { endsIn, escapeMrkdwn } from './text.js';

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
  const form: SettingsForm = { model, entries: model.entries ?? entriesFromSummary(model.summary, model.defaultModel) };
  const errors = model.errors ?? {};
  const fields = (specs: readonly FieldSpec[]) => specs.flatMap((spec) => fieldBlocks(spec, form, errors));
  const blocks: KnownBlock[] = [
    ...introBlocks(model),
    ...fields(ACCOUNT_FIELDS),
    divider(),
    section(CONNECTIONS_INTRO, { blockId: SettingsViewBlock.connectionsIntro }),
    ...fields(CONNECTIONS_FIELDS),
    context(`The database needs these properties (other properties are fine): ${CONNECTIONS_SCHEMA.map(describeDefinition).join('; ')}.`, {
      blockId: SettingsViewBlock.schema,
    }),
    context('Secrets are stored encrypted on the computer running Visen and are never shown again, only their last four characters.', {
      blockId: SettingsViewBlock.privacy,
    }),
  ];
  const metadata: SettingsModalMetadata = model.held ? { held: model.held.token } : {};
  return {
    type: 'modal',
    callback_id: SettingsCallback.form,
    ...modalTexts({ title: SETTINGS_MODAL_TITLE, submit: 'Check and save', close: 'Cancel' }),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** Shown (through `response_action: update`) while checks that did not finish within the ack window go on. */
export function buildSettingsCheckingView(): ModalView {
  return {
    type: 'modal',
    callback_id: SettingsCallback.checking,
    ...modalTexts({ title: SETTINGS_MODAL_TITLE, close: 'Close' }),
    blocks: [
      section(
        ':hourglass_flowing_sand: *Checking your settings with Notion and OpenAI…*\nThey are answering slowly. This window updates by itself when the checks finish; if you close it, I will send you the result as a message.',
        { blockId: SettingsViewBlock.checking },
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
    ...modalTexts({ title: 'Not saved', close: 'Back' }),
    blocks: [
      section(`:warning: ${escapeMrkdwn(message)}\n\nNothing was saved. Click *Back* to return to your entries and save again.`, {
        blockId: SettingsViewBlock.problem,
      }),
    ],
  };
}

/** Why the form is back (if it is), what Visen needs, and whether the saved settings could be read. */
function introBlocks(model: SettingsModalModel): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (model.notice) blocks.push(section(`:warning: ${escapeMrkdwn(model.notice)}`, { blockId: SettingsViewBlock.notice }));
  blocks.push(section(INTRO, { blockId: SettingsViewBlock.intro }));
  if (model.summary === undefined) {
    blocks.push(
      context('Your saved settings could not be read just now. Blank secret fields still keep what is saved.', { blockId: SettingsViewBlock.summaryUnknown }),
    );
  } else if (model.summary.problem) {
    blocks.push(context(`:warning: ${escapeMrkdwn(model.summary.problem)}`, { blockId: SettingsViewBlock.summaryProblem }));
  }
  return blocks;
}

const INTRO =
  'Visen needs three things from you: a *Notion integration secret*, an *OpenAI key* (or any OpenAI-compatible endpoint), ' +
  'and a *connections database* in Notion where every connection you make is recorded. ' +
  'Everything is checked with Notion and OpenAI when you save.';

const CONNECTIONS_INTRO =
  '*Connections database.* Paste the URL of your connections database, *or* leave it blank and give a parent page: Visen then creates a “Visen connections” database in that page. ' +
  'Either must be connected to your integration in Notion: open it, click `•••` at the top right, choose *Connections*, find your integration by name, confirm.';

/** One field's input block, then its error (if any) in a context block right under it. */
function fieldBlocks(spec: FieldSpec, form: SettingsForm, errors: SettingsErrors): KnownBlock[] {
  const ids = SettingsInput[spec.field];
  const input = inputBlock({
    blockId: ids.block,
    optional: spec.optional(form),
    label: spec.label,
    hint: spec.hint === undefined ? undefined : formText(spec.hint, form),
    element: fieldElement(spec.input, ids.action, form),
  });
  const message = errors[spec.field];
  if (!message) return [input];
  return [input, context(`:warning: ${escapeMrkdwn(message)}`, { blockId: `${ids.block}${SettingsBlock.errorSuffix}` })];
}

function fieldElement(input: FieldInput, actionId: string, form: SettingsForm): InputBlock['element'] {
  switch (input.kind) {
    case 'secret':
      // Never an initial_value: saved secrets are not sent to Slack.
      return textInput(actionId, { placeholder: input.placeholder });
    case 'text':
      return textInput(actionId, { placeholder: formText(input.placeholder, form), initialValue: form.entries[input.entry] });
    case 'checkbox': {
      const box = option(input.option.text, input.option.value, { description: input.option.description });
      return { type: 'checkboxes', action_id: actionId, options: [box], ...(form.entries[input.entry] ? { initial_options: [box] } : {}) };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The fields: one description each, rendered by fieldBlocks.

/** What a field's texts and initial value are made from. */
interface SettingsForm {
  readonly model: SettingsModalModel;
  readonly entries: SettingsFormEntries;
}

/** A text as it stands, or made from the form (a default model, a saved secret's last four characters). */
type FormText = string | ((form: SettingsForm) => string);

function formText(text: FormText, form: SettingsForm): string {
  return typeof text === 'string' ? text : text(form);
}

type SecretField = 'notionSecret' | 'openaiKey';

/** The entries typed as text (kept across attempts and shown again). */
type TextEntry = 'openaiBaseUrl' | 'model' | 'connectionsUrl' | 'parentPageUrl';

type FieldInput =
  | { readonly kind: 'secret'; readonly placeholder: string }
  | { readonly kind: 'text'; readonly placeholder: FormText; readonly entry: TextEntry }
  | {
      readonly kind: 'checkbox';
      readonly option: { readonly text: string; readonly description: string; readonly value: string };
      readonly entry: 'addMissingProperties';
    };

/** A field of the form: its block and action ids and its error are those of `field` (SettingsInput, SettingsErrors). */
interface FieldSpec {
  readonly field: SettingsField;
  readonly label: string;
  readonly optional: (form: SettingsForm) => boolean;
  readonly hint?: FormText;
  readonly input: FieldInput;
}

const always = () => true;

/** A secret field may be left blank when a secret is already held (typed in an earlier attempt) or saved. */
function secretField(field: SecretField, texts: { label: string; placeholder: string; where: string }): FieldSpec {
  return {
    field,
    label: texts.label,
    optional: (form) => heldSecretLast4(form, field) !== undefined || savedSecretLast4(form, field) !== undefined,
    hint: (form) => secretHint(form, field, texts.where),
    input: { kind: 'secret', placeholder: texts.placeholder },
  };
}

/** A text field shows what was typed (or saved) again, and may always be left blank. */
function textField(field: TextEntry, texts: { label: string; placeholder: FormText; hint: FormText }): FieldSpec {
  return { field, label: texts.label, optional: always, hint: texts.hint, input: { kind: 'text', placeholder: texts.placeholder, entry: field } };
}

const ACCOUNT_FIELDS: readonly FieldSpec[] = [
  secretField('notionSecret', {
    label: 'Notion integration secret',
    placeholder: 'ntn_…',
    where: 'Create one at notion.so/profile/integrations (New integration, type Internal), then copy its Internal Integration Secret.',
  }),
  secretField('openaiKey', {
    label: 'OpenAI API key',
    placeholder: 'sk-…',
    where: 'From platform.openai.com/api-keys, or the key of your OpenAI-compatible server.',
  }),
  textField('openaiBaseUrl', {
    label: 'OpenAI base URL',
    placeholder: 'https://api.openai.com/v1',
    hint: 'Leave blank for the default endpoint. For Azure, Ollama, LM Studio, vLLM or another OpenAI-compatible server, its base URL.',
  }),
  textField('model', {
    label: 'Default model',
    placeholder: (form) => form.model.defaultModel,
    hint: (form) => `The model used when you do not name one. Leave blank for ${form.model.defaultModel}. It must be one your key can use.`,
  }),
];

const CONNECTIONS_FIELDS: readonly FieldSpec[] = [
  textField('connectionsUrl', {
    label: 'Connections database URL',
    placeholder: 'https://www.notion.so/…',
    hint: 'In Notion, open the database as a full page and copy its link (••• → Copy link).',
  }),
  textField('parentPageUrl', {
    label: 'Parent page URL (to create the database)',
    placeholder: 'https://www.notion.so/…',
    hint: 'Only when the connections database URL is blank: Visen creates “Visen connections” in this page and saves it.',
  }),
  {
    field: 'addMissingProperties',
    label: 'Database properties',
    optional: always,
    input: {
      kind: 'checkbox',
      option: { text: 'Add the missing properties for me', description: "If the database lacks any of Visen's properties", value: ADD_MISSING_OPTION_VALUE },
      entry: 'addMissingProperties',
    },
  },
];

function heldSecretLast4(form: SettingsForm, field: SecretField): string | undefined {
  const held = form.model.held;
  return field === 'notionSecret' ? held?.notionSecretLast4 : held?.openaiKeyLast4;
}

/** The last four characters of the saved secret, when the saved settings are complete. */
function savedSecretLast4(form: SettingsForm, field: SecretField): string | undefined {
  const summary = form.model.summary;
  if (summary?.configured !== true) return undefined;
  return field === 'notionSecret' ? summary.notionSecretLast4 : summary.openaiKeyLast4;
}

/** Whether a secret is held or saved (and its last four characters), else where to get one. */
function secretHint(form: SettingsForm, field: SecretField, where: string): string {
  const held = heldSecretLast4(form, field);
  if (held !== undefined) return `You entered one (${endsIn(held)}) that is not saved yet. Leave blank to use it, or type another.`;
  const saved = savedSecretLast4(form, field);
  const integration = form.model.summary?.integrationName;
  const note = field === 'notionSecret' && integration ? ` (integration “${integration}”)` : '';
  if (saved !== undefined) return `Saved, ${endsIn(saved)}${note}. Leave blank to keep it, or type a new one.`;
  return where;
}
