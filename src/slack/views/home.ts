import type { HomeView, KnownBlock } from '@slack/types';
import type { HomeFault, HomeModel } from '../../services/home/types.js';
import { COMMAND } from '../ids.js';
import { HomeAction, HomeBlock } from '../listeners/home/ids.js';
import { actions, button, context, WITH_EMOJI } from './blocks.js';
import { faultSection, type HomeRenderOptions, homeHeader, homeView, pushNotice, warningSection } from './home-frame.js';
import { buildOnboardingView } from './home-onboarding.js';
import { buildSetUpView } from './home-set-up.js';

/**
 * The Home tab, as pure functions of the Home service's model: no clock, network or environment. Four
 * shapes: the onboarding (not set up, `home-onboarding.ts`), the set-up view with the user's connections
 * (one page of them at a time, `home-set-up.ts`), its empty state, and a warning variant when Notion or the
 * local store failed, which always keeps what can still be shown. Every text is cut to Slack's limits, and a
 * page never passes 100 blocks. What an action on the tab carries is read by `home-state.ts`.
 */

/** The Home view for a model: onboarding, set up (with its list, empty state or warning), or a warning alone. */
export function buildHomeView(model: HomeModel, options: HomeRenderOptions = {}): HomeView {
  if (!model.settings) return buildFaultOnlyView(model.fault, options);
  if (!model.settings.configured) return buildOnboardingView(model.settings, options, model.fault);
  return buildSetUpView(model, options);
}

/** When even the settings could not be read. */
export function buildFaultOnlyView(fault: HomeFault | undefined, options: HomeRenderOptions = {}): HomeView {
  const blocks: KnownBlock[] = [homeHeader('Visen')];
  pushNotice(blocks, options.notice);
  blocks.push(
    fault ? faultSection(fault, undefined, undefined) : warningSection('Visen could not read your settings', 'Press *Refresh* to try again.'),
    actions([button('Refresh', HomeAction.refresh, { style: 'primary', ...WITH_EMOJI })], { blockId: HomeBlock.mainActions }),
    context(`\`${COMMAND} help\` lists what Visen can do.`),
  );
  return homeView(blocks);
}
