import { ThreadIds } from '../../../src/slack/listeners/threads/ids.js';
import { KEEP_CURRENT_VALUE } from '../../../src/slack/views/thread-modal.js';
import type { Harness } from '../harness.js';
import { eventually } from './observe.js';

/**
 * "Send to Notion" as a user does it: the message shortcut on a thread, then the modal submitted with a page to append
 * to (the form's own prompt), with or without "Keep it current". Resolves once the submission was acked.
 */
export async function sendThreadToNotion(
  h: Harness,
  o: { userId: string; channelId: string; threadTs: string; pageUrl: string; keepCurrent: boolean },
): Promise<void> {
  const updatesBefore = h.slack.views.updated.length;
  await h.slack.triggerMessageShortcut({ userId: o.userId, callbackId: ThreadIds.shortcutCallback, channelId: o.channelId, messageTs: o.threadTs });
  const modal = await eventually(() => h.slack.views.updated.slice(updatesBefore).find((v) => v.callback_id === ThreadIds.modalCallback), 'the modal');
  const target = { [ThreadIds.targetBlock]: { [ThreadIds.targetAction]: o.pageUrl } };
  const values = o.keepCurrent ? { ...target, [ThreadIds.keepBlock]: { [ThreadIds.keepAction]: [KEEP_CURRENT_VALUE] } } : target;
  await h.slack.viewSubmission({ userId: o.userId, view: modal, values });
}
