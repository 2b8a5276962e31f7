import type { HomeView, KnownBlock } from '@slack/types';
import type { HomeModel } from '../../services/home/types.js';
import type { SettingsSummary } from '../../services/settings/types.js';
import { HomeAction, HomeBlock } from '../listeners/home/ids.js';
import { homeAutomationsBlocks } from './automations-list.js';
import { actions, button, divider, section, WITH_EMOJI } from './blocks.js';
import { connectionBlocks } from './home-connection.js';
import { connectionsDatabaseLink, faultSection, type HomeRenderOptions, homeHeader, homeView, pushNotice, settingsProblemSection } from './home-frame.js';
import { emptyState, listControls, listFooter, pageOf, pagingBlocks } from './home-list.js';
import { activeRunsSection } from './home-runs.js';
import { inlineCode, inlineText, SLACK_LIMITS } from './text.js';

/** Automations listed on the Home tab; `/visen automations` lists them all. */
export const MAX_HOME_AUTOMATIONS = 10;

/** The Home tab once Visen is set up. */

/** The settings part, the main buttons, any warning, runs in progress, then one page of the user's connections. */
export function buildSetUpView(model: HomeModel, options: HomeRenderOptions = {}): HomeView {
  const settings = model.settings;
  const blocks: KnownBlock[] = [homeHeader('Visen'), section(settingsText(settings), { blockId: HomeBlock.settings }), mainActions()];
  pushNotice(blocks, options.notice);
  if (settings?.problem) blocks.push(settingsProblemSection(settings.problem));
  else if (model.fault) blocks.push(faultSection(model.fault, settings, model.connections));
  if (model.activeRuns.length > 0) blocks.push(activeRunsSection(model.activeRuns));
  const connections = [divider(), ...connectionsPart(model, options.refreshing ?? false)];
  if (options.automations) {
    // The section gets what the view's 100 blocks leave after the list (a divider, its header, "more" line).
    const room = SLACK_LIMITS.viewBlocks - blocks.length - connections.length - 3;
    blocks.push(divider(), ...homeAutomationsBlocks(options.automations, Math.min(MAX_HOME_AUTOMATIONS, room)));
  }
  blocks.push(...connections);
  return homeView(blocks);
}

function mainActions(): KnownBlock {
  return actions(
    [
      button('Settings', HomeAction.openSettings, WITH_EMOJI),
      button('New generation', HomeAction.newGeneration, { style: 'primary', ...WITH_EMOJI }),
      button('Refresh', HomeAction.refresh, WITH_EMOJI),
    ],
    { blockId: HomeBlock.mainActions },
  );
}

function settingsText(settings: SettingsSummary | undefined): string {
  if (!settings) return '';
  const integration = settings.integrationName ? ` with the integration *${inlineText(settings.integrationName, 100)}*` : '';
  const secret = settings.notionSecretLast4 ? ` (secret ending in ${inlineCode(settings.notionSecretLast4, 8)})` : '';
  const db = settings.connections ? `linked to ${connectionsDatabaseLink(settings)}` : 'linked, with no connections database yet';
  const key = settings.openaiKeyLast4 ? `key saved, ending in ${inlineCode(settings.openaiKeyLast4, 8)}` : 'no key saved';
  const endpoint = settings.openaiBaseUrl ? ` · endpoint ${inlineCode(settings.openaiBaseUrl, 200)}` : '';
  const lines = [`*Notion:* ${db}${integration}${secret}`, `*OpenAI:* ${key}${endpoint}`, `*Default model:* ${inlineCode(settings.model, 100) || 'not set'}`];
  return lines.join('\n');
}

/** "Your connections": still loading, the list's controls and one page of it (or its empty state), and the footer. */
function connectionsPart(model: HomeModel, refreshing: boolean): KnownBlock[] {
  const list = model.connections;
  const title = homeHeader(list ? `Your connections (${list.total.toLocaleString('en-US')})` : 'Your connections', HomeBlock.listHeader);
  if (!list) {
    const waiting = model.fault
      ? 'Your connections will be listed here again once Notion answers. Press *Refresh* to try again.'
      : ':hourglass_flowing_sand: Reading your connections from Notion…';
    return [title, section(waiting, { blockId: HomeBlock.empty })];
  }
  const blocks: KnownBlock[] = [title];
  if (list.total > 0) blocks.push(listControls(model.preferences));
  if (list.items.length === 0) blocks.push(...emptyState(list, model.preferences, model.settings));
  else blocks.push(...pageBlocks(list.items, model.preferences.page));
  blocks.push(listFooter(list, refreshing));
  return blocks;
}

/** One page of connections, a divider between each, and the paging buttons when there is more than one page. */
function pageBlocks(all: NonNullable<HomeModel['connections']>['items'], requested: number): KnownBlock[] {
  const page = pageOf(all.length, requested);
  const blocks: KnownBlock[] = [];
  all.slice(page.start, page.end).forEach((item, i) => {
    if (i > 0) blocks.push(divider());
    blocks.push(...connectionBlocks(item, i));
  });
  if (page.pageCount > 1) blocks.push(...pagingBlocks(page, all.length));
  return blocks;
}
