// The words an operator reads when Slack refuses a token or cannot be reached at start: each names the
// variable and the page of the app's settings (https://api.slack.com/apps -> your app) where the fix is.

const APPS_PAGE = 'https://api.slack.com/apps';

const BOT_TOKEN_FIX =
  `Copy the Bot User OAuth Token (xoxb-...) again from ${APPS_PAGE} -> your app -> OAuth & Permissions ` +
  '(click Install to Workspace there first if no token is shown, or Reinstall if it was revoked) and put it in SLACK_BOT_TOKEN.';

const APP_TOKEN_FIX =
  `Generate an app-level token with the connections:write scope at ${APPS_PAGE} -> your app -> Basic Information -> ` +
  'App-Level Tokens and put it in SLACK_APP_TOKEN.';

const SOCKET_MODE_FIX = `Turn on "Enable Socket Mode" at ${APPS_PAGE} -> your app -> Socket Mode.`;

/** Errors Slack gives for a token that is wrong, revoked, expired or of a deleted user or workspace. */
const REJECTED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'team_disabled', 'user_removed_from_team']);

export function tokenProblem(variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN', slackError: string): string {
  if (variable === 'SLACK_BOT_TOKEN') return botTokenProblem(slackError);
  return appTokenProblem(slackError);
}

function botTokenProblem(slackError: string): string {
  if (REJECTED.has(slackError))
    return `Slack rejected SLACK_BOT_TOKEN (${slackError}): it is mistyped, revoked, or of an app no longer installed. ${BOT_TOKEN_FIX}`;
  if (slackError === 'not_allowed_token_type' || slackError === 'not_a_bot_token') {
    return `SLACK_BOT_TOKEN is not a bot token (Slack said ${slackError}). ${BOT_TOKEN_FIX}`;
  }
  return `Slack refused SLACK_BOT_TOKEN (${slackError}). ${BOT_TOKEN_FIX} If SLACK_API_URL is set, check that it is Slack's Web API address.`;
}

function appTokenProblem(slackError: string): string {
  if (slackError === 'missing_scope') {
    return `SLACK_APP_TOKEN lacks the connections:write scope that Socket Mode needs (Slack said missing_scope). ${APP_TOKEN_FIX}`;
  }
  // Slack's method page lists no error of its own for Socket Mode being off; it is reported as
  // not_allowed_token_type (see tests/stand-ins/slack/methods/connections.ts).
  if (slackError === 'not_allowed_token_type') {
    return `Slack refused a Socket Mode connection for SLACK_APP_TOKEN (not_allowed_token_type): Socket Mode is turned off for this app. ${SOCKET_MODE_FIX} If it is on, check that SLACK_APP_TOKEN is an app-level token (xapp-...): ${APP_TOKEN_FIX}`;
  }
  if (REJECTED.has(slackError)) {
    return `Slack rejected SLACK_APP_TOKEN (${slackError}): it is mistyped or was revoked. ${APP_TOKEN_FIX} Also check that Socket Mode is on: ${SOCKET_MODE_FIX}`;
  }
  return `Slack refused SLACK_APP_TOKEN (${slackError}). ${APP_TOKEN_FIX} ${SOCKET_MODE_FIX}`;
}

export function tokensOfDifferentApps(botApp: string, appTokenApp: string): string {
  return (
    `SLACK_BOT_TOKEN belongs to the Slack app ${botApp} but SLACK_APP_TOKEN to the app ${appTokenApp}: both must come from the same app. ` +
    `At ${APPS_PAGE}, open the app that the manifest created and take both tokens from it (OAuth & Permissions for SLACK_BOT_TOKEN, ` +
    'Basic Information -> App-Level Tokens for SLACK_APP_TOKEN).'
  );
}

export function unreachable(apiUrl: string, lastReason: string, attempts: number, elapsedMs: number): string {
  return (
    `Slack could not be reached at ${apiUrl} (${lastReason}) after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${formatDuration(elapsedMs)}. ` +
    'Check the network, proxy and firewall of this machine (Visen needs outbound HTTPS to slack.com and WebSockets to wss-*.slack.com). ' +
    'To keep waiting for the network instead (under a supervisor, or at boot), set VISEN_SLACK_WAIT_SECONDS=forever.'
  );
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.round(seconds / 60)} min`;
}
