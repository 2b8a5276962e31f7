/**
 * Callback, block and action ids, so a rename can never leave a listener and a view builder out of step.
 * Each feature's ids that listeners match on live in `listeners/<feature>/ids.ts`; this file holds the
 * command and the block ids that only views emit (no listener matches them, tests and logs read them).
 */
export const COMMAND = '/visen';

export const Subcommand = {
  settings: 'settings',
  generate: 'generate',
  clear: 'clear',
  automations: 'automations',
  help: 'help',
} as const;

/** Blocks of the settings views and messages (`/visen settings`, `/visen clear`). */
export const SettingsViewBlock = {
  notice: 'settings_notice',
  intro: 'settings_intro',
  summaryUnknown: 'settings_summary_unknown',
  summaryProblem: 'settings_summary_problem',
  connectionsIntro: 'settings_connections_intro',
  schema: 'settings_schema',
  privacy: 'settings_privacy',
  checking: 'settings_checking',
  problem: 'settings_problem',
  savedHeader: 'settings_saved_header',
  savedDetails: 'settings_saved_details',
  savedNext: 'settings_saved_next',
  notSavedHeader: 'settings_not_saved_header',
  notSavedDetails: 'settings_not_saved_details',
  notSavedNext: 'settings_not_saved_next',
  clearQuestion: 'settings_clear_question',
  clearDone: 'settings_clear_done',
  clearCancelled: 'settings_clear_cancelled',
  clearFailed: 'settings_clear_failed',
} as const;
