/** What the settings listeners say outside the modal: direct messages, and the log line for a payload without a user. */
import type { WebClient } from '@slack/web-api';
import { describeForLog } from '../../../errors.js';
import { type UserRef, userKey } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import type { SlackMessage } from '../../views/blocks.js';

export function noUser(deps: SlackDeps, id: string): void {
  deps.logger.warn({ id }, 'settings payload without a user or team: ignored');
}

export async function directMessage(client: WebClient, user: UserRef, deps: SlackDeps, message: SlackMessage): Promise<void> {
  try {
    await client.chat.postMessage({ channel: user.userId, text: message.text, ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}) });
  } catch (err) {
    deps.logger.warn({ user: userKey(user), err: describeForLog(err) }, 'could not send a direct message');
  }
}
