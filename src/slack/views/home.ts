import type { ActionsBlock, Button, ConfirmationDialog, ContextBlock, HomeView, KnownBlock, PlainTextOption, SectionBlock, StaticSelect } from '@slack/types';
import { CONNECTION_STATUSES, type ConnectionSort, type ConnectionStatus, type ConnectionType } from '../../services/connections/types.js';
import { notionWebLink, parsePage, parseSort, parseStatus, parseType } from '../../services/home/list.js';
import type { HomeConnectionList, HomeFault, HomeListItem, HomeModel, HomePreferences, HomeRun } from '../../services/home/types.js';
import type { SettingsSummary } from '../../services/settings/types.js';
import { COMMAND } from '../ids.js';
import { FILTER_ALL, HomeAction, HomeBlock, HomeCallback } from '../listeners/home/ids.js';
import { escapeMrkdwn, inlineCode, inlineText, mrkdwnLink, plural, SLACK_LIMITS, safeUrl, slackDate, truncate, truncateMrkdwn } from './text.js';

/**
 * The Home tab, as pure functions of the Home service's model: no clock, network or environment. Four
 * shapes: the onboarding (not set up), the set-up view with the user's connections (one page of them at a
 * time), its empty state, and a warning variant when Notion or the local store failed, which always keeps
 * what can still be shown. Every text is cut to Slack's limits, and a page never passes 100 blocks.
 */

/** Connections per page: each takes 3 blocks (section, actions, divider), the rest of the view at most 13. */
export const HOME_PAGE_SIZE = 25;

/** At most this many runs are listed in the "In progress" block; the rest are counted. */
const MAX_LISTED_RUNS = 8;

/** Something the last action did, shown once at the top (Slack has no toast in the Home tab). */
export interface HomeNotice {
  readonly kind: 'success' | 'error' | 'info';
  /** Plain text (escaped here). */
  readonly text: string;
}

export interface HomeRenderOptions {
  readonly notice?: HomeNotice | undefined;
  /** A refresh from Notion is under way (said in the footer). */
  readonly refreshing?: boolean;
}

/** The Home view for a model: onboarding, set up (with its list, empty state or warning), or a warning alone. */
export function buildHomeView(model: HomeModel, options: HomeRenderOptions = {}): HomeView {
  if (!model.settings) return buildFaultOnlyView(model.fault, options);
  if (!model.settings.configured) return buildOnboardingView(model.settings, options, model.fault);
  return buildSetUpView(model, options);
}

// ---------------------------------------------------------------------------------------------------------
// Not set up yet

/** What Visen does, the three things it needs, the steps to get each, and a button that opens the settings. */
export function buildOnboardingView(settings: SettingsSummary | undefined, options: HomeRenderOptions = {}, fault?: HomeFault): HomeView {
  const blocks: KnownBlock[] = [header('Welcome to Visen')];
  pushNotice(blocks, options.notice);
  if (settings?.problem) blocks.push(warningSection('Your saved settings cannot be used', escapeMrkdwn(settings.problem)));
  if (fault) blocks.push(faultSection(fault, settings, undefined));
  blocks.push(
    section(
      'Visen writes AI content straight into your own Notion workspace, from Slack: ask for a page of content, ' +
        'or point a prompt template at a Notion database and have every row filled. Every connection you make is ' +
        'recorded in a Notion database of your own, and listed here with its runs.',
    ),
    section(
      '*Visen needs three things from you:*\n' +
        '1. A *Notion integration secret*, so Visen can write into the pages you choose (and only those).\n' +
        '2. An *OpenAI API key* (or the key and address of any OpenAI-compatible server) and a model.\n' +
        '3. A *connections database* in Notion, where every connection you make is recorded.',
    ),
    { type: 'divider' },
    section(
      '*Step 1. Create a Notion integration*\n' +
        '• Open <https://www.notion.so/profile/integrations|Notion integrations> and click *New integration*.\n' +
        '• Name it (for example “Visen”), choose your workspace, keep the type *Internal*, and save.\n' +
        '• Copy its *Internal Integration Secret*: you will paste it in the settings.',
    ),
    section(
      '*Step 2. Get a connections database*, one of two ways:\n' +
        '• *Duplicate* a connections database you already have (or make one with the properties listed below) and copy its URL; or\n' +
        '• *Let Visen create it*: in the settings, give the URL of a Notion page instead, and Visen creates “Visen connections” in it. ' +
        'Connect the integration to that page first (as in step 3).',
    ),
    context(
      'Properties: Name (title), Type (select: Page, Database), Target (URL), Prompt, Output, Model, Slack user (text), ' +
        'Status (select: Ready, Running, Succeeded, Failed, Cancelled), Last run (date), Runs, Items (number), Last error (text).',
    ),
    section(
      '*Step 3. Connect the integration to the database*\n' +
        '1. Open the database in Notion.\n' +
        '2. Click `•••` at the top right.\n' +
        '3. Choose *Connections*.\n' +
        '4. Find your integration by name and choose it.\n' +
        '5. Confirm.',
    ),
    section(
      '*Step 4. Get an OpenAI API key* at <https://platform.openai.com/api-keys|platform.openai.com>, or use the key and ' +
        'base URL of any OpenAI-compatible server (Azure, Ollama, LM Studio, vLLM).',
    ),
    {
      type: 'actions',
      block_id: HomeBlock.mainActions,
      elements: [
        button('Open settings', HomeAction.openSettings, { style: 'primary' }),
        button('Create a Notion integration', HomeAction.openLink, { url: 'https://www.notion.so/profile/integrations' }),
      ],
    },
    context(`Or type \`${COMMAND} settings\` in any channel. Visen checks everything when you save, and \`${COMMAND} help\` lists what it can do.`),
  );
  return homeView(blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Set up

/** The settings part, the main buttons, any warning, runs in progress, then one page of the user's connections. */
export function buildSetUpView(model: HomeModel, options: HomeRenderOptions = {}): HomeView {
  const settings = model.settings;
  const blocks: KnownBlock[] = [header('Visen')];
  blocks.push({ type: 'section', block_id: HomeBlock.settings, text: mrkdwn(settingsText(settings)) });
  blocks.push({
    type: 'actions',
    block_id: HomeBlock.mainActions,
    elements: [
      button('Settings', HomeAction.openSettings),
      button('New generation', HomeAction.newGeneration, { style: 'primary' }),
      button('Refresh', HomeAction.refresh),
    ],
  });
  pushNotice(blocks, options.notice);
  if (settings?.problem) blocks.push(warningSection('Your saved settings cannot be used', escapeMrkdwn(settings.problem)));
  else if (model.fault) blocks.push(faultSection(model.fault, settings, model.connections));
  if (model.activeRuns.length > 0) blocks.push(activeRunsSection(model.activeRuns));
  blocks.push({ type: 'divider' });

  const list = model.connections;
  blocks.push(header(list ? `Your connections (${list.total.toLocaleString('en-US')})` : 'Your connections', HomeBlock.listHeader));
  if (!list) {
    if (!model.fault)
      blocks.push({ type: 'section', block_id: HomeBlock.empty, text: mrkdwn(':hourglass_flowing_sand: Reading your connections from Notion…') });
    else
      blocks.push({
        type: 'section',
        block_id: HomeBlock.empty,
        text: mrkdwn('Your connections will be listed here again once Notion answers. Press *Refresh* to try again.'),
      });
    return homeView(blocks);
  }
  if (list.total > 0) blocks.push(listControls(model.preferences));
  if (list.items.length === 0) {
    blocks.push(...emptyState(list, model.preferences, settings));
  } else {
    const page = pageOf(list.items.length, model.preferences.page);
    const items = list.items.slice(page.start, page.end);
    items.forEach((item, i) => {
      if (i > 0) blocks.push({ type: 'divider' });
      blocks.push(...connectionBlocks(item, i));
    });
    if (page.pageCount > 1) blocks.push(...pagingBlocks(page, list.items.length));
  }
  blocks.push(footer(list, options.refreshing ?? false));
  return homeView(blocks);
}

function settingsText(settings: SettingsSummary | undefined): string {
  if (!settings) return '';
  const integration = settings.integrationName ? ` with the integration *${inlineText(settings.integrationName, 100)}*` : '';
  const secret = settings.notionSecretLast4 ? ` (secret ending in ${inlineCode(settings.notionSecretLast4, 8)})` : '';
  const db = settings.connections
    ? `linked to ${mrkdwnLink(settings.connections.url, settings.connections.title || 'your connections database', 100)}`
    : 'linked, with no connections database yet';
  const key = settings.openaiKeyLast4 ? `key saved, ending in ${inlineCode(settings.openaiKeyLast4, 8)}` : 'no key saved';
  const endpoint = settings.openaiBaseUrl ? ` · endpoint ${inlineCode(settings.openaiBaseUrl, 200)}` : '';
  const lines = [`*Notion:* ${db}${integration}${secret}`, `*OpenAI:* ${key}${endpoint}`, `*Default model:* ${inlineCode(settings.model, 100) || 'not set'}`];
  return truncateMrkdwn(lines.join('\n'), SLACK_LIMITS.sectionText);
}

/** The words for each fault: what happened and what to do. The settings part stays above it. */
function faultSection(fault: HomeFault, settings: SettingsSummary | undefined, list: HomeConnectionList | undefined): SectionBlock {
  const integration = settings?.integrationName ? `*${inlineText(settings.integrationName, 100)}*` : 'your integration';
  const database = settings?.connections
    ? mrkdwnLink(settings.connections.url, settings.connections.title || 'your connections database', 100)
    : 'your connections database';
  const stale = list?.stale ? ` Below is the list as it was ${slackDate(list.fetchedAt)}.` : '';
  switch (fault.code) {
    case 'notion_unauthorized':
      return warningSection(
        'Notion no longer accepts your integration secret',
        `It was probably revoked or regenerated. Open <https://www.notion.so/profile/integrations|your Notion integrations>, ` +
          `copy the current *Internal Integration Secret* of ${integration}, and paste it in *Settings* above. Your other settings are kept.`,
      );
    case 'connections_database_missing':
      return warningSection(
        'Visen cannot see your connections database',
        `Notion says ${database} does not exist or is not shared with ${integration}. If it is in Notion's trash, restore it. ` +
          'Otherwise connect the integration to it: open the database in Notion, click `•••` at the top right, choose *Connections*, ' +
          `find ${integration} and confirm. Or choose another database in *Settings* above.`,
      );
    case 'notion_unreachable':
      return warningSection(
        'Notion could not be reached',
        `Visen could not read your connections just now.${stale} Press *Refresh* in a minute; nothing was changed.`,
      );
    case 'notion_busy':
      return warningSection(
        'Notion asked Visen to slow down',
        `Too many requests went to Notion at once.${stale} Press *Refresh* in a minute; nothing was changed.`,
      );
    case 'notion_rejected':
      return warningSection(
        'Notion refused to list your connections',
        `${fault.detail ? `${inlineText(fault.detail, 600)} ` : ''}If a property of ${database} was renamed or removed, open *Settings* above and save: Visen checks the database and can add what is missing.`,
      );
    case 'store_busy':
      return warningSection('Visen’s local data is busy', 'Another program is holding Visen’s data file. Press *Refresh* in a few seconds.');
    case 'store_unavailable':
      return warningSection(
        'Visen could not read its local data',
        'Press *Refresh* to try again; if it keeps failing, ask whoever runs Visen to check its log.',
      );
    case 'unexpected':
      return warningSection(
        'Something went wrong reading your connections',
        `${stale ? `${stale.trim()} ` : ''}Press *Refresh* to try again; if it keeps happening, ask whoever runs Visen to check its log.`,
      );
  }
}

function warningSection(title: string, body: string): SectionBlock {
  return { type: 'section', block_id: HomeBlock.warning, text: mrkdwn(truncateMrkdwn(`:warning: *${title}*\n${body}`, SLACK_LIMITS.sectionText)) };
}

function activeRunsSection(runs: readonly HomeRun[]): SectionBlock {
  const lines = runs.slice(0, MAX_LISTED_RUNS).map((r) => {
    const target = mrkdwnLink(
      notionWebLink(r.targetUrl),
      r.targetTitle || notionUrlLabel(r.targetUrl, r.targetKind === 'Database' ? 'Notion database' : 'Notion page'),
      60,
    );
    return `• *${inlineText(r.connectionName, 80)}* → ${target}: ${runProgressText(r)}`;
  });
  if (runs.length > MAX_LISTED_RUNS) lines.push(`…and ${plural(runs.length - MAX_LISTED_RUNS, 'more run')}`);
  return {
    type: 'section',
    block_id: HomeBlock.activeRuns,
    text: mrkdwn(truncateMrkdwn(`:hourglass_flowing_sand: *In progress*\n${lines.join('\n')}`, SLACK_LIMITS.sectionText)),
  };
}

/** Progress of a run in a few words: "12 of 40 rows · 2 skipped · 1 failed". */
export function runProgressText(run: HomeRun): string {
  if (run.state === 'starting') return 'starting…';
  const unit = run.targetKind === 'Database' ? 'row' : 'page';
  const parts: string[] = [];
  if (run.targetKind === 'Page' && run.total !== undefined && run.total <= 1) parts.push(run.done >= 1 ? 'written' : 'writing…');
  else if (run.total !== undefined) parts.push(`${run.done.toLocaleString('en-US')} of ${plural(run.total, unit)} done`);
  else parts.push(`${plural(run.done, unit)} done`);
  if (run.skipped > 0) parts.push(`${run.skipped.toLocaleString('en-US')} skipped`);
  if (run.failed > 0) parts.push(`${run.failed.toLocaleString('en-US')} failed`);
  return parts.join(' · ');
}

const STATUS_EMOJI: Record<ConnectionStatus, string> = {
  Ready: ':white_circle:',
  Running: ':hourglass_flowing_sand:',
  Succeeded: ':white_check_mark:',
  Failed: ':x:',
  Cancelled: ':no_entry_sign:',
};

/** One connection: a section with its state, and its buttons. */
function connectionBlocks(item: HomeListItem, n: number): KnownBlock[] {
  const typeWord = item.type === 'Database' ? 'Database' : 'Page';
  // Links from a row go only into Notion: anyone with edit access to a shared database can type a Target.
  const name = mrkdwnLink(notionWebLink(item.url), item.name || 'Untitled connection', 150);
  const target = mrkdwnLink(notionWebLink(item.target), notionUrlLabel(item.target, `Notion ${typeWord.toLowerCase()}`), 80);
  const status = item.activeRun
    ? `${STATUS_EMOJI.Running} Running: ${runProgressText(item.activeRun)}`
    : item.status
      ? `${STATUS_EMOJI[item.status]} ${item.status}`
      : ':grey_question: No status';
  const unit = item.type === 'Database' ? 'row' : 'page';
  const facts = [`last run ${slackDate(item.lastRun)}`, plural(item.runs, 'run'), `${plural(item.items, unit)} written last time`];
  const lines = [`*${name}*  ·  ${typeWord} → ${target}`, `${status}  ·  ${facts.join('  ·  ')}`];
  if (item.output) lines.push(`Output: ${inlineText(item.output, 120)}`);
  if (item.status === 'Failed' && !item.activeRun && item.lastError) lines.push(`>${inlineText(item.lastError, 1_000)}`);

  const rowUrl = safeUrl(notionWebLink(item.url));
  const targetUrl = safeUrl(notionWebLink(item.target));
  const elements: Button[] = [];
  if (!item.activeRun) {
    elements.push(
      button('Run again', HomeAction.runAgain, {
        value: item.id,
        confirm: confirmDialog(
          'Run this connection again?',
          `Visen runs “${truncate(item.name || 'Untitled connection', 80)}” again with the same target, prompt and output, and sends its progress in a direct message.`,
          'Run again',
        ),
      }),
    );
  }
  if (rowUrl) elements.push(button('Open in Notion', HomeAction.openRow, { url: rowUrl, value: item.id }));
  if (targetUrl) elements.push(button(`Open ${typeWord.toLowerCase()}`, HomeAction.openTarget, { url: targetUrl, value: item.id }));
  elements.push(
    button('Delete', HomeAction.delete, {
      value: item.id,
      style: 'danger',
      confirm: confirmDialog(
        'Delete this connection?',
        `“${truncate(item.name || 'Untitled connection', 80)}” moves to Notion’s trash, where you can restore it. Its target and what was written there stay as they are.`,
        'Delete',
        'danger',
      ),
    }),
  );
  return [
    { type: 'section', block_id: HomeBlock.connection(n), text: mrkdwn(truncateMrkdwn(lines.join('\n'), SLACK_LIMITS.sectionText)) },
    { type: 'actions', block_id: HomeBlock.connectionActions(n), elements },
  ];
}

function emptyState(list: HomeConnectionList, prefs: HomePreferences, settings: SettingsSummary | undefined): KnownBlock[] {
  if (list.total > 0) {
    const filters = [prefs.type ? `type *${prefs.type}*` : undefined, prefs.status ? `status *${prefs.status}*` : undefined].filter(Boolean).join(' and ');
    return [
      { type: 'section', block_id: HomeBlock.empty, text: mrkdwn(`None of your ${plural(list.total, 'connection')} has ${filters || 'these filters'}.`) },
      { type: 'actions', block_id: HomeBlock.showAll, elements: [button('Show all', HomeAction.clearFilters)] },
    ];
  }
  const database = settings?.connections
    ? mrkdwnLink(settings.connections.url, settings.connections.title || 'your connections database', 100)
    : 'your connections database';
  return [
    {
      type: 'section',
      block_id: HomeBlock.empty,
      text: mrkdwn(
        '*No connections yet.* A connection is a prompt wired to a Notion page or database. Make your first one with ' +
          `*New generation* above, or type \`${COMMAND} generate &lt;Notion page URL&gt; &lt;prompt&gt;\` in any channel. ` +
          `Every run is recorded in ${database} and listed here.`,
      ),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Sort, filter, paging

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

function listControls(prefs: HomePreferences): ActionsBlock {
  return {
    type: 'actions',
    block_id: HomeBlock.listControls,
    elements: [
      staticSelect(HomeAction.sort, 'Sort', SORT_OPTIONS, prefs.sort),
      staticSelect(HomeAction.filterType, 'Type', TYPE_OPTIONS, prefs.type ?? FILTER_ALL),
      staticSelect(HomeAction.filterStatus, 'Status', STATUS_OPTIONS, prefs.status ?? FILTER_ALL),
    ],
  };
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

function pagingBlocks(page: PageWindow, count: number): KnownBlock[] {
  const elements: Button[] = [];
  if (page.page > 1) elements.push(button('← Previous', HomeAction.pagePrevious, { value: String(page.page - 1) }));
  if (page.page < page.pageCount) elements.push(button('Next →', HomeAction.pageNext, { value: String(page.page + 1) }));
  return [
    context(`Page ${page.page} of ${page.pageCount} · connections ${page.start + 1}–${page.end} of ${count.toLocaleString('en-US')}`, HomeBlock.pagingInfo),
    { type: 'actions', block_id: HomeBlock.paging, elements },
  ];
}

function footer(list: HomeConnectionList, refreshing: boolean): ContextBlock {
  const read = `Read from Notion ${slackDate(list.fetchedAt)}`;
  return context(refreshing ? `${read} · refreshing…` : `${read}. Sort, filter and delete rows in Notion too: the list follows.`, HomeBlock.footer);
}

// ---------------------------------------------------------------------------------------------------------
// When even the settings could not be read

export function buildFaultOnlyView(fault: HomeFault | undefined, options: HomeRenderOptions = {}): HomeView {
  const blocks: KnownBlock[] = [header('Visen')];
  pushNotice(blocks, options.notice);
  blocks.push(
    fault ? faultSection(fault, undefined, undefined) : warningSection('Visen could not read your settings', 'Press *Refresh* to try again.'),
    { type: 'actions', block_id: HomeBlock.mainActions, elements: [button('Refresh', HomeAction.refresh, { style: 'primary' })] },
    context(`\`${COMMAND} help\` lists what Visen can do.`),
  );
  return homeView(blocks);
}

// ---------------------------------------------------------------------------------------------------------
// State parsers: what an action on this view carries, checked (a value from Slack is input like any other)

export type FilterChoice<T> = { readonly ok: true; readonly value: T | undefined } | { readonly ok: false };

export function parseSortChoice(value: string | undefined): ConnectionSort | undefined {
  return parseSort(value);
}

export function parseTypeChoice(value: string | undefined): FilterChoice<ConnectionType> {
  if (value === FILTER_ALL) return { ok: true, value: undefined };
  const type = parseType(value);
  return type ? { ok: true, value: type } : { ok: false };
}

export function parseStatusChoice(value: string | undefined): FilterChoice<ConnectionStatus> {
  if (value === FILTER_ALL) return { ok: true, value: undefined };
  const status = parseStatus(value);
  return status ? { ok: true, value: status } : { ok: false };
}

export function parsePageChoice(value: string | undefined): number | undefined {
  return parsePage(value);
}

/** A connection id as this view writes it into a button's value (a Notion page id). */
export function parseConnectionId(value: string | undefined): string | undefined {
  return value !== undefined && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Small builders, each within Slack's limits

function homeView(blocks: KnownBlock[]): HomeView {
  return { type: 'home', callback_id: HomeCallback, blocks };
}

function header(text: string, blockId: string = HomeBlock.header): KnownBlock {
  return { type: 'header', block_id: blockId, text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

function mrkdwn(text: string) {
  return { type: 'mrkdwn' as const, text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function context(text: string, blockId?: string): ContextBlock {
  return { type: 'context', ...(blockId ? { block_id: blockId } : {}), elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.contextText) }] };
}

function pushNotice(blocks: KnownBlock[], notice: HomeNotice | undefined): void {
  if (!notice) return;
  const emoji = notice.kind === 'error' ? ':warning:' : notice.kind === 'success' ? ':white_check_mark:' : ':information_source:';
  blocks.push({ type: 'section', block_id: HomeBlock.notice, text: mrkdwn(truncateMrkdwn(`${emoji} ${escapeMrkdwn(notice.text)}`, SLACK_LIMITS.sectionText)) });
}

function button(
  text: string,
  actionId: string,
  extra: { value?: string; url?: string; style?: 'primary' | 'danger'; confirm?: ConfirmationDialog } = {},
): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.buttonText), emoji: true },
    ...(extra.value !== undefined ? { value: truncate(extra.value, SLACK_LIMITS.buttonValue) } : {}),
    ...(extra.url ? { url: extra.url } : {}),
    ...(extra.style ? { style: extra.style } : {}),
    ...(extra.confirm ? { confirm: extra.confirm } : {}),
  };
}

function confirmDialog(title: string, text: string, confirm: string, style?: 'danger'): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.confirmTitle) },
    text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.confirmText) },
    confirm: { type: 'plain_text', text: truncate(confirm, SLACK_LIMITS.confirmButton) },
    deny: { type: 'plain_text', text: 'Cancel' },
    ...(style ? { style } : {}),
  };
}

function staticSelect(actionId: string, placeholder: string, options: ReadonlyArray<{ value: string; text: string }>, selected: string): StaticSelect {
  const built: PlainTextOption[] = options.map((o) => ({
    text: { type: 'plain_text', text: truncate(o.text, SLACK_LIMITS.optionText), emoji: true },
    value: o.value,
  }));
  const initial = built.find((o) => o.value === selected) ?? built[0];
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: { type: 'plain_text', text: truncate(placeholder, SLACK_LIMITS.placeholder) },
    options: built,
    ...(initial ? { initial_option: initial } : {}),
  };
}

/**
 * A readable label for a Notion URL: the title slug of `https://www.notion.so/ws/My-Page-<32 hex>` is
 * "My Page"; otherwise the fallback.
 */
export function notionUrlLabel(url: string, fallback: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return fallback;
  }
  const last = decodeURIComponentSafe(path.split('/').filter(Boolean).pop() ?? '');
  const slug = last
    .replace(/-?[0-9a-f]{32}$/i, '')
    .replace(/-/g, ' ')
    .trim();
  return slug && !/^[0-9a-f-]{32,36}$/i.test(slug) ? slug : fallback;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
