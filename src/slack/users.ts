/**
 * Who is acting, from a Slack payload: the one rule every listener uses, so the same person gets the same
 * UserRef (and so the same settings, connections and runs) from a slash command, a button, a modal and the
 * Home tab. The acting user is always the payload's own user field, never an id carried in a button value
 * or private_metadata, which the client could have altered or which may name someone else.
 *
 * The team is the workspace the payload happened in: `team.id` for interactions (the user's own
 * `user.team_id` when Slack sends no team, as for some org-wide installs), `team_id` for slash commands,
 * and `team_id` (else the first authorization's) for Events API envelopes.
 */
import type { UserRef } from '../users.js';

/** The user who typed a slash command. */
export function userFromCommand(command: { readonly team_id: string; readonly user_id: string }): UserRef {
  return { teamId: command.team_id, userId: command.user_id };
}

/** The user behind a block action or view submission; undefined when Slack sent no user or no team. */
export function userFromInteraction(body: unknown): UserRef | undefined {
  const b = body as { user?: { id?: unknown; team_id?: unknown }; team?: { id?: unknown } | null };
  const userId = b.user?.id;
  const teamId = nonEmpty(b.team?.id) ?? nonEmpty(b.user?.team_id);
  return typeof userId === 'string' && userId && teamId ? { teamId, userId } : undefined;
}

/** The team of an Events API envelope: the workspace the event happened in. */
export function teamOfEvent(body: unknown): string | undefined {
  const b = body as { team_id?: unknown; authorizations?: ReadonlyArray<{ team_id?: unknown }> };
  return nonEmpty(b.team_id) ?? nonEmpty(b.authorizations?.[0]?.team_id);
}

/**
 * Only the acting user's id, from any payload (command, interaction or event): for the allow-list and for
 * telling someone about a failure, where the team does not matter.
 */
export function actingUserId(body: unknown): string | undefined {
  const b = body as { user_id?: unknown; user?: { id?: unknown } | string; event?: { user?: unknown } };
  if (typeof b.user_id === 'string') return nonEmpty(b.user_id);
  if (typeof b.user === 'object' && b.user !== null) return nonEmpty(b.user.id);
  return nonEmpty(b.event?.user);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
