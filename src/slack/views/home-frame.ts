import type { HomeView, KnownBlock, SectionBlock } from '@slack/types';
import type { HomeConnectionList, HomeFault } from '../../services/home/types.js';
import type { SettingsSummary } from '../../services/settings/types.js';
import { HomeBlock, HomeCallback } from '../listeners/home/ids.js';
import type { HomeAutomations } from './automations-list.js';
import { header, section, WITH_EMOJI } from './blocks.js';
import { escapeMrkdwn, inlineText, mrkdwnLink, slackDate } from './text.js';

/**
 * What every shape of the Home tab shares: the view itself, its header, the notice of the last action, and
 * the warnings (a settings problem, or a fault of Notion or the local store).
 */

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
  /** The "Automatic connections" section, when Visen has automations (absent: no section). */
  readonly automations?: HomeAutomations | undefined;
}

export function homeView(blocks: KnownBlock[]): HomeView {
  return { type: 'home', callback_id: HomeCallback, blocks };
}

export function homeHeader(text: string, blockId: string = HomeBlock.header): KnownBlock {
  return header(text, { blockId, ...WITH_EMOJI });
}

export function pushNotice(blocks: KnownBlock[], notice: HomeNotice | undefined): void {
  if (!notice) return;
  const emoji = notice.kind === 'error' ? ':warning:' : notice.kind === 'success' ? ':white_check_mark:' : ':information_source:';
  blocks.push(section(`${emoji} ${escapeMrkdwn(notice.text)}`, { blockId: HomeBlock.notice }));
}

export function warningSection(title: string, body: string): SectionBlock {
  return section(`:warning: *${title}*\n${body}`, { blockId: HomeBlock.warning });
}

export function settingsProblemSection(problem: string): SectionBlock {
  return warningSection('Your saved settings cannot be used', escapeMrkdwn(problem));
}

/** The connections database as a link, for sentences about it. */
export function connectionsDatabaseLink(settings: SettingsSummary | undefined): string {
  return settings?.connections
    ? mrkdwnLink(settings.connections.url, settings.connections.title || 'your connections database', 100)
    : 'your connections database';
}

/** The words for each fault: what happened and what to do. The settings part stays above it. */
export function faultSection(fault: HomeFault, settings: SettingsSummary | undefined, list: HomeConnectionList | undefined): SectionBlock {
  const integration = settings?.integrationName ? `*${inlineText(settings.integrationName, 100)}*` : 'your integration';
  const database = connectionsDatabaseLink(settings);
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
        'Visen could not read its saved data',
        'Press *Refresh* to try again; if it keeps failing, ask whoever runs Visen to check its log.',
      );
    case 'unexpected':
      return warningSection(
        'Something went wrong reading your connections',
        `${stale ? `${stale.trim()} ` : ''}Press *Refresh* to try again; if it keeps happening, ask whoever runs Visen to check its log.`,
      );
  }
}
