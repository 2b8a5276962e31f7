/** A Slack user in a workspace: the unit that owns settings, connections and runs. */
export interface UserRef {
  readonly teamId: string;
  readonly userId: string;
}

/**
 * The exact store key of a user. Slack IDs are case-sensitive, and every lookup by this key is an exact
 * match (never SQL LIKE), so `T1:U_1` can never reach `T1:UA1`'s data.
 */
export function userKey(user: UserRef): string {
  return `${user.teamId}:${user.userId}`;
}

/** The `Slack user` property value in a connections database row: `<team id>:<user id>`. */
export const slackUserPropertyValue = userKey;
