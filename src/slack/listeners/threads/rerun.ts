import type { WebClient } from '@slack/web-api';
import type { ThreadSourceReader } from '../../../services/generation/types.js';
import type { UserRef } from '../../../users.js';
import type { ThreadRuntime } from './runtime.js';
import { readThreadSource } from './submit.js';

/** Makes, for one user's click, the reader Run again on the Home tab gives the generation service for a thread connection. */
export type ThreadReaderFor = (client: WebClient, user: UserRef) => ThreadSourceReader;

/**
 * Run again of a thread connection from the Home tab: the service knows where the thread is (kept when the shortcut
 * sent it); this reads it as the shortcut does, with the same reader and the same words when Visen cannot
 * (`/invite @Visen`, a missing scope named), so the run replaces last time's output with the thread as it is now.
 */
export function threadReaderFor(rt: ThreadRuntime): ThreadReaderFor {
  return (client, user) => async (origin) => {
    const { source } = await readThreadSource(rt, client, user, origin, origin.include);
    return source;
  };
}
