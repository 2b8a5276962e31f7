/**
 * Every callback, block and action id in one place: listeners match on these and view builders emit them,
 * so a rename can never leave the two out of step.
 */
export const COMMAND = '/visen';

export const Subcommand = {
  settings: 'settings',
  generate: 'generate',
  clear: 'clear',
  help: 'help',
} as const;
