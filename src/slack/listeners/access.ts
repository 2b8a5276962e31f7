import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { actingUserId } from '../users.js';

export const NOT_ALLOWED_MESSAGE =
  'Sorry, this Visen is set up for a few people only, and you are not on its list. Ask whoever runs it to add your Slack user ID to VISEN_ALLOWED_USERS.';

/**
 * Global middleware: with VISEN_ALLOWED_USERS set, everyone else gets a polite refusal (acked first, so
 * Slack shows no error) and nothing runs for them.
 */
export function allowListMiddleware(deps: Pick<SlackDeps, 'allowedUsers' | 'logger'>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const allowed = deps.allowedUsers;
    const userId = actingUserId(args.body);
    if (!allowed || !userId || allowed.has(userId) || isThreadMessage(args.body)) {
      await args.next();
      return;
    }
    deps.logger.info({ user: userId }, 'refused a user not in VISEN_ALLOWED_USERS');
    const ack = (args as { ack?: (response?: unknown) => Promise<void> }).ack;
    const body = args.body as { command?: string; type?: string; response_url?: string };
    if (ack && body.command) {
      await ack({ response_type: 'ephemeral', text: NOT_ALLOWED_MESSAGE });
      return;
    }
    if (ack) await ack();
    // Interactions with no reply of their own (a button, a form, a message shortcut): told in a direct message.
    if (body.type === 'block_actions' || body.type === 'view_submission' || body.type === 'message_action') {
      await args.client.chat.postMessage({ channel: userId, text: NOT_ALLOWED_MESSAGE }).catch(() => undefined);
    }
  };
}

/**
 * A message in a channel (Events API `message`): its author is not using Visen, so the list does not apply; a
 * reply may refresh a thread an allowed user keeps current (the refresh is that user's, see threads/refresh.ts).
 */
function isThreadMessage(body: unknown): boolean {
  const b = body as { type?: string; event?: { type?: string } };
  return b.type === 'event_callback' && b.event?.type === 'message';
}
