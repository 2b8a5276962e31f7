import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { ThreadIds } from './ids.js';
import { SlackPeople } from './people.js';
import { ThreadRefresher } from './refresh.js';
import { type ThreadReaderFor, threadReaderFor } from './rerun.js';
import type { ThreadRuntime } from './runtime.js';
import { shareHandler } from './share.js';
import { shortcutHandler } from './shortcut.js';
import { DEFAULT_REFRESH_MS, threadSubmitHandler } from './submit.js';

export { ThreadIds } from './ids.js';
export type { ThreadReaderFor } from './rerun.js';

/**
 * "Send to Notion": the message shortcut, its modal's submission, the note's "Share in thread" button, and the
 * message events that refresh threads kept current. Returns what ends the refresh timers, and the thread reader the
 * Home tab's Run again uses.
 */
export function registerThreadListeners(app: App, deps: SlackDeps): { close(): void; readerFor: ThreadReaderFor } {
  const rt: ThreadRuntime = { deps, people: new SlackPeople() };
  const refresher = new ThreadRefresher(rt, deps.threadRefreshMs ?? DEFAULT_REFRESH_MS);
  app.shortcut({ type: 'message_action', callback_id: ThreadIds.shortcutCallback }, shortcutHandler(rt));
  app.view({ type: 'view_submission', callback_id: ThreadIds.modalCallback }, threadSubmitHandler(rt));
  app.action({ type: 'block_actions', action_id: ThreadIds.shareAction }, shareHandler(rt));
  app.event('message', refresher.handler());
  return { close: () => refresher.close(), readerFor: threadReaderFor(rt) };
}
