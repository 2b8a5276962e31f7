// Compares the stand-in's Web API methods with Slack's published Web API spec
// (../shared/specs/slack/web-api/slack_web_openapi_v2.json, slackapi/slack-api-specs, last changed 2020-10-06).
// The spec is stale, so these differences are deliberate, each following Slack's current method pages:
// - views.open/push/update/publish are GET with query parameters in the spec; Slack's pages
//   (https://docs.slack.dev/reference/methods/views.open etc.) say POST with form or JSON bodies, which is what
//   @slack/web-api sends, so the stand-in takes POST (and reads the query string too).
// - apps.connections.open (2021) is not in the spec: https://docs.slack.dev/reference/methods/apps.connections.open.
// - views.open/push also accept `interactivity_pointer` today; the stand-in does not implement it (absent either way).
// - conversations.replies answers `not_in_channel` and `invalid_cursor`, which the spec's error enum lacks and the
//   method's page lists (https://docs.slack.dev/reference/methods/conversations.replies#errors).
// - Scopes: the spec names the retired `chat:write:bot`; the stand-in requires today's `chat:write`
//   (https://docs.slack.dev/reference/scopes/chat.write). The other methods' scopes match the spec's `security`.
// - Events: the common event wrapper schema (../shared/specs/slack/events-api/slack_common_event_wrapper_schema.json)
//   requires `authed_users`, which Slack deprecated for `authorizations`
//   (https://docs.slack.dev/apis/events-api/#authorizations); the stand-in sends `authorizations` only.
import type { MethodSpec } from './methods/method.js';

interface SwaggerParameter {
  name: string;
  in: string;
  required?: boolean;
}
interface SwaggerOperation {
  parameters?: SwaggerParameter[];
  security?: Array<{ slackAuth?: string[] }>;
  responses?: Record<string, { schema?: { required?: string[] } }>;
}
export interface SlackWebApiSpec {
  paths: Record<string, Record<string, SwaggerOperation>>;
}

/** Methods the stand-in implements that the stale spec lacks. */
export const METHODS_BEYOND_SPEC = ['apps.connections.open'];

/** Event wrapper fields the spec requires that Slack no longer sends. */
export const DEPRECATED_WRAPPER_FIELDS = ['authed_users'];

function operationOf(spec: SlackWebApiSpec, method: string): SwaggerOperation | undefined {
  const path = spec.paths[`/${method}`];
  return path ? Object.values(path)[0] : undefined;
}

/** Arguments the spec declares for `method` (without `token`), and which of them it requires. */
export function specArguments(spec: SlackWebApiSpec, method: string): { declared: string[]; required: string[] } | undefined {
  const operation = operationOf(spec, method);
  if (!operation) return undefined;
  const parameters = (operation.parameters ?? []).filter((p) => p.name !== 'token');
  return { declared: parameters.map((p) => p.name), required: parameters.filter((p) => p.required).map((p) => p.name) };
}

/** Fields the spec requires in a successful answer of `method`. */
export function specSuccessFields(spec: SlackWebApiSpec, method: string): string[] {
  return operationOf(spec, method)?.responses?.['200']?.schema?.required ?? [];
}

/** Every way the stand-in's methods disagree with the spec, beyond the deliberate differences above. */
export function webApiSpecMismatches(spec: SlackWebApiSpec, methods: Readonly<Record<string, MethodSpec>>): string[] {
  const problems: string[] = [];
  for (const [method, implementation] of Object.entries(methods)) {
    const fromSpec = specArguments(spec, method);
    if (!fromSpec) {
      if (!METHODS_BEYOND_SPEC.includes(method)) problems.push(`${method}: not in Slack's Web API spec`);
      continue;
    }
    for (const arg of implementation.args) {
      if (!fromSpec.declared.includes(arg)) problems.push(`${method}: reads ${arg}, which the spec does not declare`);
    }
    for (const arg of fromSpec.required) {
      if (!implementation.args.includes(arg)) problems.push(`${method}: ignores ${arg}, which the spec requires`);
    }
  }
  return problems;
}

/** Scopes the spec lists for `method` (`none` when it needs none), with the retired chat:write:bot read as chat:write. */
export function specScopes(spec: SlackWebApiSpec, method: string): string[] {
  const listed = (operationOf(spec, method)?.security ?? []).flatMap((s) => s.slackAuth ?? []);
  return listed.map((scope) => (scope === 'chat:write:bot' ? 'chat:write' : scope));
}
