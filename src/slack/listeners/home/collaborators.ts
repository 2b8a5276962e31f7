import type { WebClient } from '@slack/web-api';
import type { UserRef } from '../../../users.js';
import type { SlackDeps } from '../../deps.js';
import { openGenerateModal, startRunWithDmProgress } from '../generate/index.js';
import { openSettingsModal } from '../settings/index.js';
import type { ThreadReaderFor } from '../threads/index.js';

/** What the Home tab asks of the other features: their modals and the run-with-progress flow. */
export interface HomeCollaborators {
  openSettingsModal(client: WebClient, triggerId: string, user: UserRef): Promise<void>;
  openGenerateModal(client: WebClient, triggerId: string, user: UserRef): Promise<void>;
  /**
   * Runs a saved connection again, its progress in a direct message (as the generate feature shows it).
   * False when it did not start (the direct message says why); throws only for what it could not tell.
   */
  rerun(client: WebClient, user: UserRef, connectionId: string): Promise<boolean>;
}

/**
 * The real collaborators: the settings and generate features' own flows; a thread connection's thread is read
 * with the Send to Notion feature's reader (without one, the service says to use the shortcut on the thread).
 */
export function defaultCollaborators(deps: SlackDeps, threadReaderFor?: ThreadReaderFor): HomeCollaborators {
  return {
    openSettingsModal: (client, triggerId, user) => openSettingsModal(client, triggerId, user, deps),
    openGenerateModal: (client, triggerId, user) => openGenerateModal(client, triggerId, user, deps),
    rerun: async (client, user, connectionId) => {
      const started = await startRunWithDmProgress(
        client,
        user,
        (listener, notifyState) => deps.services.generation.rerun(user, connectionId, listener, notifyState, threadReaderFor?.(client, user)),
        deps,
      );
      return started !== undefined;
    },
  };
}
