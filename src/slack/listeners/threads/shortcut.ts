import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog } from '../../../errors.js';
import type { UserRef } from '../../../users.js';
import { userFromInteraction } from '../../users.js';
import {
  buildThreadModal,
  initialThreadValues,
  MAX_RECENT_TARGETS,
  type ThreadAccess,
  type ThreadLocation,
  type ThreadModalModel,
} from '../../views/thread-modal.js';
import type { ThreadRuntime } from './runtime.js';
import { checkThreadAccess, problemOf } from './thread-reader.js';

type ShortcutArgs = SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs;

/**
 * The message shortcut: ack, then views.open with the trigger id before any other call (it is valid 3 seconds),
 * showing the form with the access check pending; then the check (can Visen read this conversation?) and the
 * user's recent targets, and views.update with what they found.
 */
export function shortcutHandler(rt: ThreadRuntime) {
  return async ({ ack, shortcut, client, body }: ShortcutArgs): Promise<void> => {
    await ack();
    const user = userFromInteraction(body);
    const message = shortcut.message as { ts: string; thread_ts?: string; reply_count?: number };
    const location: ThreadLocation = { channelId: shortcut.channel.id, messageTs: message.ts, threadTs: message.thread_ts ?? message.ts };
    const inThread = (message.reply_count ?? 0) > 0 || location.threadTs !== location.messageTs;
    const model: ThreadModalModel = { location, values: initialThreadValues(inThread ? 1 : 0), access: { kind: 'checking' }, recentTargets: [] };
    const opened = await client.views.open({ trigger_id: shortcut.trigger_id, view: buildThreadModal(model) });
    const view = opened.view as { id?: string; hash?: string } | undefined;
    if (!view?.id || !user) return;
    const [access, recent] = await Promise.all([accessOf(rt, client, location, user), recentTargetsOf(rt, user)]);
    const replies = access.kind === 'readable' ? access.replies : 0;
    const checked: ThreadModalModel = { ...model, access, ...recent, values: initialThreadValues(inThread || replies > 0 ? 1 : 0) };
    try {
      await client.views.update({ view_id: view.id, ...(view.hash ? { hash: view.hash } : {}), view: buildThreadModal(checked) });
    } catch (err) {
      rt.deps.logger.debug({ err: describeForLog(err), user: user.userId }, 'the Send to Notion modal changed or closed before the check; update dropped');
    }
  };
}

/** Reading the thread, and the people in it (users:read, asked with the user's own name): both checked before the form is used. */
async function accessOf(rt: ThreadRuntime, client: WebClient, location: ThreadLocation, user: UserRef): Promise<ThreadAccess> {
  const found = await checkThreadAccess(client, location, rt.deps.logger);
  if ('code' in found) return { kind: 'blocked', problem: found };
  try {
    await rt.people.displayName(client, user.userId);
  } catch (err) {
    return { kind: 'blocked', problem: problemOf(err, location.channelId, rt.deps.logger) };
  }
  return { kind: 'readable', replies: found.replies };
}

/** The targets of the user's connections this form can write to, most recently run first; none when settings or Notion are not there. */
async function recentTargetsOf(rt: ThreadRuntime, user: UserRef): Promise<Pick<ThreadModalModel, 'recentTargets' | 'configured'>> {
  try {
    const settings = await rt.deps.services.settings.load(user);
    if (!settings) return { recentTargets: [], configured: false };
    const rows = await rt.deps.services.connections.list(user, settings, { sort: 'last_run' });
    // Pages, and databases this user has sent threads to as new rows: what this form can write to.
    const recentTargets = rows
      .filter((row) => row.target && (row.type === 'Page' || row.source))
      .slice(0, MAX_RECENT_TARGETS * 3)
      .map((row) => ({ title: row.name, url: row.target }));
    return { recentTargets, configured: true };
  } catch (err) {
    rt.deps.logger.info({ err: describeForLog(err), user: user.userId }, 'could not list recent targets for the Send to Notion modal');
    return { recentTargets: [] };
  }
}
