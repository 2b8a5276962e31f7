import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { ThreadIds } from './ids.js';
import { SlackPeople } from './people.js';
import type { ThreadRuntime } from './runtime.js';
import { shareHandler } from './share.js';
import { shortcutHandler } from './shortcut.js';
import { threadSubmitHandler } from './submit.js';

export { ThreadIds } from './ids.js';

/** "Send to Notion": the message shortcut, its modal's submission and the note's "Share in thread" button. */
export function registerThreadListeners(app: App, deps: SlackDeps): void {
  const rt: ThreadRuntime = { deps, people: new SlackPeople() };
  app.shortcut({ type: 'message_action', callback_id: ThreadIds.shortcutCallback }, shortcutHandler(rt));
  app.view({ type: 'view_submission', callback_id: ThreadIds.modalCallback }, threadSubmitHandler(rt));
  app.action({ type: 'block_actions', action_id: ThreadIds.shareAction }, shareHandler(rt));
}
