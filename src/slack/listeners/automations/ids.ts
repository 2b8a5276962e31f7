/**
 * Ids of the automations feature: the Pause and Resume buttons (on the Home tab, in `/visen automations` and in the
 * direct messages) and the blocks of its views. Every id starts with `auto_`, so no other feature's can collide.
 */
export const AutomationAction = {
  pause: 'auto_pause',
  resume: 'auto_resume',
} as const;

export const AutomationBlock = {
  homeHeader: 'auto_home_header',
  homeEmpty: 'auto_home_empty',
  homeMore: 'auto_home_more',
  /** `auto_item_<n>`, n the position in the list (unique in the view or message). */
  item: (n: number) => `auto_item_${n}`,
  listIntro: 'auto_list_intro',
  listNotice: 'auto_list_notice',
  listMore: 'auto_list_more',
  created: 'auto_created',
  createdNote: 'auto_created_note',
  runSummary: 'auto_run_summary',
  runWritten: 'auto_run_written',
  runFailures: 'auto_run_failures',
  runFooter: 'auto_run_footer',
  paused: 'auto_paused',
} as const;
