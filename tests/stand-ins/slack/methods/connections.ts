// auth.test (https://docs.slack.dev/reference/methods/auth.test; with a bot token it also names the token's app
// in `app_id`, a field of @slack/web-api's AuthTestResponse, which is generated from recorded Slack answers),
// apps.connections.open (https://docs.slack.dev/reference/methods/apps.connections.open: app-level token in the
// Authorization header, answers `{ ok: true, url: 'wss://.../link/?ticket=...' }`; a token without the
// connections:write scope gets `missing_scope` with `needed` and `provided`, as Web API methods answer a
// missing scope: https://docs.slack.dev/apis/web-api/#responses). conversations.open is in conversations.ts.
import type { MethodSpec } from './method.js';

export const authTest: MethodSpec = {
  token: 'bot',
  args: [],
  handle(_args, ctx) {
    const id = ctx.identity;
    return {
      ok: true,
      body: {
        url: `https://${id.teamDomain}.slack.com/`,
        team: id.teamName,
        user: 'visen',
        team_id: id.teamId,
        user_id: id.botUserId,
        bot_id: id.botId,
        app_id: id.botTokenAppId,
        is_enterprise_install: false,
      },
    };
  },
};

export const appsConnectionsOpen: MethodSpec = {
  token: 'app',
  args: [],
  handle(_args, ctx) {
    const scopes = ctx.identity.appTokenScopes;
    if (!scopes.includes('connections:write')) {
      return { ok: false, error: 'missing_scope', expected: true, extra: { needed: 'connections:write', provided: scopes.join(',') } };
    }
    // Slack's method page lists no error of its own for an app whose Socket Mode is turned off; operators
    // report `not_allowed_token_type` for it (the page lists that error: "The token type used in this request
    // is not allowed"), so that is the answer here. An assumption, named as one: adjust it when Slack says more.
    if (!ctx.identity.socketModeEnabled) return { ok: false, error: 'not_allowed_token_type', expected: true };
    return { ok: true, body: { url: ctx.socketMode.issueUrl(ctx.wsBase()) } };
  },
};
