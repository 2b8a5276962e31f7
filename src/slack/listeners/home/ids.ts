/**
 * Ids of the Home tab: the view builders emit them and the listeners match on them. Every id starts with
 * `home_` so no other feature's can collide.
 */
export const HomeCallback = 'visen_home';

export const HomeAction = {
  openSettings: 'home_open_settings',
  newGeneration: 'home_new_generation',
  refresh: 'home_refresh',
  sort: 'home_sort',
  filterType: 'home_filter_type',
  filterStatus: 'home_filter_status',
  clearFilters: 'home_clear_filters',
  pagePrevious: 'home_page_previous',
  pageNext: 'home_page_next',
  runAgain: 'home_run_again',
  delete: 'home_delete',
  /** Link buttons (the row, the target, Notion's pages in the onboarding): Slack still sends an action to ack. */
  openRow: 'home_open_row',
  openTarget: 'home_open_target',
  openLink: 'home_open_link',
} as const;

export type HomeActionId = (typeof HomeAction)[keyof typeof HomeAction];

export const HomeBlock = {
  header: 'home_header',
  settings: 'home_settings',
  mainActions: 'home_main_actions',
  notice: 'home_notice',
  warning: 'home_warning',
  activeRuns: 'home_active_runs',
  listHeader: 'home_list_header',
  listControls: 'home_list_controls',
  empty: 'home_empty',
  showAll: 'home_show_all',
  /** `home_conn_<n>` and `home_conn_actions_<n>`, n the position on the page (unique in the view). */
  connection: (n: number) => `home_conn_${n}`,
  connectionActions: (n: number) => `home_conn_actions_${n}`,
  paging: 'home_paging',
  pagingInfo: 'home_paging_info',
  footer: 'home_footer',
} as const;

/** The value of the "all" option in the type and status filters. */
export const FILTER_ALL = 'all';
