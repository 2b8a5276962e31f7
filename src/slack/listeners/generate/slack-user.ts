import type { UserRef } from '../../../users.js';

/** The user who typed a slash command. */
export function userFromCommand(command: { readonly team_id: string; readonly user_id: string }): UserRef {
  return { teamId: command.team_id, userId: command.user_id };
}

/**
 * The user behind a block action or view submission. The workspace is the payload's `team.id` (as for a
 * slash command's `team_id`), falling back to the user's own `team_id`, so the same person gets the same
 * UserRef from every surface.
 */
export function userFromInteraction(body: { readonly user: { readonly id: string; readonly team_id?: string }; readonly team?: { readonly id?: string } | null }): UserRef {
  return { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
}
