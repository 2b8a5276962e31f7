import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeForLog } from '../../../errors.js';
import { buildSharedMessage, decodeSharePayload } from '../../views/thread-note.js';
import type { ThreadRuntime } from './runtime.js';

type ShareArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * "Share in thread" on the note: only now does anyone else see that the thread went to Notion. Posted in the thread
 * the note is in (the conversation Slack names in the payload), and the note says it was shared.
 */
export function shareHandler(rt: ThreadRuntime) {
  return async ({ ack, body, action, client, respond }: ShareArgs): Promise<void> => {
    await ack();
    const payload = decodeSharePayload('value' in action ? (action.value as string | undefined) : undefined);
    const container = body.container as { channel_id?: string; thread_ts?: string } | undefined;
    const channel = container?.channel_id ?? body.channel?.id;
    const threadTs = (body.message as { thread_ts?: string } | undefined)?.thread_ts ?? container?.thread_ts;
    if (!payload || !channel) {
      rt.deps.logger.warn({ user: body.user.id }, 'Share in thread pressed without a link or a conversation: ignored');
      return;
    }
    try {
      await client.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), ...buildSharedMessage(body.user.id, payload) });
      await respond({ replace_original: true, response_type: 'ephemeral', text: 'Shared in the thread.' });
    } catch (err) {
      rt.deps.logger.warn({ err: describeForLog(err), user: body.user.id }, 'could not share a Send to Notion result in the thread');
      await respond({
        replace_original: false,
        response_type: 'ephemeral',
        text: ':warning: Visen could not post in this thread. Try again, or paste the link yourself.',
      }).catch(() => undefined);
    }
  };
}
