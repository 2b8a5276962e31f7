import type { SettingsField } from '../../../services/settings/types.js';

/**
 * Ids of the settings feature (`/visen settings`, `/visen clear`): the listeners match on these and the
 * view builders emit them. Every id starts with `settings_` so no other feature's can collide.
 */
export const SettingsCallback = {
  /** The form. */
  form: 'settings_form',
  /** "Checking…" while slow checks finish after the ack. */
  checking: 'settings_checking',
  /** Saved: what was saved and what to try next. */
  saved: 'settings_saved',
  /** Pushed over the form when saving failed for a reason no field can fix. */
  problem: 'settings_problem',
} as const;

/** Block id and action id of each form input, by the service's field name. */
export const SettingsInput: Readonly<Record<SettingsField, { readonly block: string; readonly action: string }>> = {
  notionSecret: { block: 'settings_notion_secret', action: 'settings_notion_secret_input' },
  openaiKey: { block: 'settings_openai_key', action: 'settings_openai_key_input' },
  openaiBaseUrl: { block: 'settings_openai_base_url', action: 'settings_openai_base_url_input' },
  model: { block: 'settings_model', action: 'settings_model_input' },
  connectionsUrl: { block: 'settings_connections_url', action: 'settings_connections_url_input' },
  parentPageUrl: { block: 'settings_parent_page_url', action: 'settings_parent_page_url_input' },
  addMissingProperties: { block: 'settings_add_missing', action: 'settings_add_missing_input' },
};

/** The value of the "Add the missing properties for me" checkbox option. */
export const ADD_MISSING_OPTION_VALUE = 'add_missing';

export const SettingsAction = {
  /** `/visen clear` confirmation message. */
  clearConfirm: 'settings_clear_confirm',
  clearCancel: 'settings_clear_cancel',
} as const;

export const SettingsBlock = {
  clearActions: 'settings_clear_actions',
  errorSuffix: '_error',
} as const;
