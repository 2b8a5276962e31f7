import type { HomeView, KnownBlock } from '@slack/types';
import type { HomeFault } from '../../services/home/types.js';
import type { SettingsSummary } from '../../services/settings/types.js';
import { COMMAND } from '../ids.js';
import { HomeAction, HomeBlock } from '../listeners/home/ids.js';
import { actions, button, context, divider, section, WITH_EMOJI } from './blocks.js';
import { faultSection, type HomeRenderOptions, homeHeader, homeView, pushNotice, settingsProblemSection } from './home-frame.js';

/** The Home tab before Visen is set up: what it does, the three things it needs, and how to get each. */

const NOTION_INTEGRATIONS_URL = 'https://www.notion.so/profile/integrations';

/** What Visen does, the three things it needs, the steps to get each, and a button that opens the settings. */
export function buildOnboardingView(settings: SettingsSummary | undefined, options: HomeRenderOptions = {}, fault?: HomeFault): HomeView {
  const blocks: KnownBlock[] = [homeHeader('Welcome to Visen')];
  pushNotice(blocks, options.notice);
  if (settings?.problem) blocks.push(settingsProblemSection(settings.problem));
  if (fault) blocks.push(faultSection(fault, settings, undefined));
  blocks.push(...introBlocks(), divider(), ...stepBlocks(), ...startBlocks());
  return homeView(blocks);
}

function introBlocks(): KnownBlock[] {
  return [
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
  ];
}

function stepBlocks(): KnownBlock[] {
  return [
    section(
      '*Step 1. Create a Notion integration*\n' +
        `• Open <${NOTION_INTEGRATIONS_URL}|Notion integrations> and click *New integration*.\n` +
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
  ];
}

function startBlocks(): KnownBlock[] {
  return [
    actions(
      [
        button('Open settings', HomeAction.openSettings, { style: 'primary', ...WITH_EMOJI }),
        button('Create a Notion integration', HomeAction.openLink, { url: NOTION_INTEGRATIONS_URL, ...WITH_EMOJI }),
      ],
      { blockId: HomeBlock.mainActions },
    ),
    context(`Or type \`${COMMAND} settings\` in any channel. Visen checks everything when you save, and \`${COMMAND} help\` lists what it can do.`),
  ];
}
