import type { ActionsBlock, Button, ContextBlock, KnownBlock, PlainTextOption } from '@slack/types';
import { CONNECTION_STATUSES, type ConnectionSort, type ConnectionStatus, type ConnectionType } from '../../services/connections/types.js';
import type { HomeConnectionList, HomePreferences } from '../../services/home/types.js';
import type { SettingsSummary } from '../../services/settings/types.js';
import { COMMAND } from '../ids.js';
import { FILTER_ALL, HomeAction, HomeBlock } from '../listeners/home/ids.js';
import { actions, button, context, option, section, staticSelect, WITH_EMOJI } from './blocks.js';
import { connectionsDatabaseLink } from './home-frame.js';
import { plural, slackDate } from './text.js';

/** The parts of the Home tab's connection list around its rows: sort and filters, empty state, paging, footer. */

/** Connections per page: each takes 3 blocks (section, actions, divider), the rest of the view at most 13. */
export const HOME_PAGE_SIZE = 25;

const SORT_OPTIONS: ReadonlyArray<{ value: ConnectionSort; text: string }> = [
  { value: 'last_run', text: 'Newest run first' },
  { value: 'name', text: 'Name (A–Z)' },
];
const TYPE_OPTIONS: ReadonlyArray<{ value: ConnectionType | typeof FILTER_ALL; text: string }> = [
  { value: FILTER_ALL, text: 'All types' },
  { value: 'Page', text: 'Pages' },
  { value: 'Database', text: 'Databases' },
];
const STATUS_OPTIONS: ReadonlyArray<{ value: ConnectionStatus | typeof FILTER_ALL; text: string }> = [
  { value: FILTER_ALL, text: 'All statuses' },
  ...CONNECTION_STATUSES.map((s) => ({ value: s, text: s })),
];

export function listControls(prefs: HomePreferences): ActionsBlock {
  return actions(
    [
      choiceSelect(HomeAction.sort, 'Sort', SORT_OPTIONS, prefs.sort),
      choiceSelect(HomeAction.filterType, 'Type', TYPE_OPTIONS, prefs.type ?? FILTER_ALL),
      choiceSelect(HomeAction.filterStatus, 'Status', STATUS_OPTIONS, prefs.status ?? FILTER_ALL),
    ],
    { blockId: HomeBlock.listControls },
  );
}

/** A select whose current choice is shown (the first option when the choice is not offered). */
function choiceSelect(actionId: string, placeholder: string, choices: ReadonlyArray<{ value: string; text: string }>, selected: string) {
  const options: PlainTextOption[] = choices.map((c) => option(c.text, c.value, WITH_EMOJI));
  const initial = options.find((o) => o.value === selected) ?? options[0];
  return staticSelect(actionId, { placeholder, options, initial });
}

/** No connection on this page: none match the filters, or none exist yet. */
export function emptyState(list: HomeConnectionList, prefs: HomePreferences, settings: SettingsSummary | undefined): KnownBlock[] {
  if (list.total > 0) {
    const filters = [prefs.type ? `type *${prefs.type}*` : undefined, prefs.status ? `status *${prefs.status}*` : undefined].filter(Boolean).join(' and ');
    return [
      section(`None of your ${plural(list.total, 'connection')} has ${filters || 'these filters'}.`, { blockId: HomeBlock.empty }),
      actions([button('Show all', HomeAction.clearFilters, WITH_EMOJI)], { blockId: HomeBlock.showAll }),
    ];
  }
  return [
    section(
      '*No connections yet.* A connection is a prompt wired to a Notion page or database. Make your first one with ' +
        `*New generation* above, or type \`${COMMAND} generate &lt;Notion page URL&gt; &lt;prompt&gt;\` in any channel. ` +
        `Every run is recorded in ${connectionsDatabaseLink(settings)} and listed here.`,
      { blockId: HomeBlock.empty },
    ),
  ];
}

export interface PageWindow {
  /** 1-based, clamped to the pages that exist. */
  readonly page: number;
  readonly pageCount: number;
  /** Slice bounds into the list. */
  readonly start: number;
  readonly end: number;
}

/** The window of a list shown on `requested` page (clamped: a list that shrank shows its last page). */
export function pageOf(count: number, requested: number, pageSize = HOME_PAGE_SIZE): PageWindow {
  const pageCount = Math.max(1, Math.ceil(count / pageSize));
  const page = Math.min(Math.max(1, Math.floor(requested) || 1), pageCount);
  const start = (page - 1) * pageSize;
  return { page, pageCount, start, end: Math.min(count, start + pageSize) };
}

export function pagingBlocks(page: PageWindow, count: number): KnownBlock[] {
  const elements: Button[] = [];
  if (page.page > 1) elements.push(button('← Previous', HomeAction.pagePrevious, { value: String(page.page - 1), ...WITH_EMOJI }));
  if (page.page < page.pageCount) elements.push(button('Next →', HomeAction.pageNext, { value: String(page.page + 1), ...WITH_EMOJI }));
  return [
    context(`Page ${page.page} of ${page.pageCount} · connections ${page.start + 1}–${page.end} of ${count.toLocaleString('en-US')}`, {
      blockId: HomeBlock.pagingInfo,
    }),
    actions(elements, { blockId: HomeBlock.paging }),
  ];
}

export function listFooter(list: HomeConnectionList, refreshing: boolean): ContextBlock {
  const read = `Read from Notion ${slackDate(list.fetchedAt)}`;
  return context(refreshing ? `${read} · refreshing…` : `${read}. Sort, filter and delete rows in Notion too: the list follows.`, {
    blockId: HomeBlock.footer,
  });
}
