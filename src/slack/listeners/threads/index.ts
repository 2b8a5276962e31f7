import type { SlackDeps } from '../../deps.js';
import type { ListenerRegistry } from '../../listener-router.js';
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
export function registerThreadListeners(listeners: ListenerRegistry, deps: SlackDeps): { close(): void; readerFor: ThreadReaderFor } {
  const rt: ThreadRuntime = { deps, people: new SlackPeople() };
  const refresher = new ThreadRefresher(rt, deps.threadRefreshMs ?? DEFAULT_REFRESH_MS);
  listeners.messageShortcut(ThreadIds.shortcutCallback, shortcutHandler(rt));
  listeners.view(ThreadIds.modalCallback, threadSubmitHandler(rt));
  listeners.action(ThreadIds.shareAction, shareHandler(rt));
  listeners.event('message', refresher.handler());
  return { close: () => refresher.close(), readerFor: threadReaderFor(rt) };
}
