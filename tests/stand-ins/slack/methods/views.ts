// views.open / views.push / views.update / views.publish
// (https://docs.slack.dev/reference/methods/views.open, .../views.push, .../views.update, .../views.publish).
// A view breaking a limit gets `invalid_arguments` with `response_metadata.messages`, as Slack answers.
import { viewProblems } from '../limits.js';
import type { AnyObject, View } from '../types.js';
import { invalidArguments, type MethodResult, type MethodSpec } from './method.js';

/** The `view` argument when it is within Slack's limits, else the error Slack answers with. */
function checkedView(args: AnyObject, method: string, expectedType?: 'modal' | 'home'): { view: AnyObject } | { refusal: MethodResult } {
  if (args.view === undefined) return { refusal: invalidArguments(['[ERROR] missing required field: view [json-pointer:/view]']) };
  const problems = viewProblems(args.view);
  if (expectedType && args.view?.type !== expectedType) problems.push(`[ERROR] ${method} takes a ${expectedType} view [json-pointer:/view/type]`);
  if (problems.some((p) => p.includes('view_too_large'))) return { refusal: { ok: false, error: 'view_too_large', detail: problems.join('; ') } };
  if (problems.length > 0) return { refusal: invalidArguments(problems) };
  return { view: args.view as AnyObject };
}

function answer(result: View | { error: string }, expected: string[] = []): MethodResult {
  if ('error' in result) return { ok: false, error: result.error, expected: expected.includes(result.error) };
  return { ok: true, body: { view: result } };
}

export const viewsOpen: MethodSpec = {
  token: 'bot',
  args: ['trigger_id', 'view'],
  handle(args, ctx) {
    const checked = checkedView(args, 'views.open', 'modal');
    if ('refusal' in checked) return checked.refusal;
    const exchanged = ctx.triggers.exchange(args.trigger_id, 'views.open');
    if ('error' in exchanged) return { ok: false, error: exchanged.error, detail: exchanged.detail };
    return answer(ctx.views.open(exchanged.trigger.userId, checked.view));
  },
};

export const viewsPush: MethodSpec = {
  token: 'bot',
  args: ['trigger_id', 'view'],
  handle(args, ctx) {
    const checked = checkedView(args, 'views.push', 'modal');
    if ('refusal' in checked) return checked.refusal;
    const exchanged = ctx.triggers.exchange(args.trigger_id, 'views.push');
    if ('error' in exchanged) return { ok: false, error: exchanged.error, detail: exchanged.detail };
    return answer(ctx.views.push(exchanged.trigger.userId, exchanged.trigger.viewId, checked.view));
  },
};

export const viewsUpdate: MethodSpec = {
  token: 'bot',
  args: ['view_id', 'external_id', 'view', 'hash'],
  handle(args, ctx) {
    if (!args.view_id && !args.external_id) return invalidArguments(['[ERROR] view_id or external_id is required [json-pointer:/view_id]']);
    const checked = checkedView(args, 'views.update');
    if ('refusal' in checked) return checked.refusal;
    // A hash that no longer matches means someone else updated the view first: a race the app must handle.
    return answer(ctx.views.update({ viewId: args.view_id, externalId: args.external_id }, checked.view, args.hash), ['hash_conflict']);
  },
};

export const viewsPublish: MethodSpec = {
  token: 'bot',
  args: ['user_id', 'view', 'hash'],
  handle(args, ctx) {
    if (typeof args.user_id !== 'string' || !/^[UW][A-Z0-9]+$/.test(args.user_id)) {
      return {
        ok: false,
        error: 'invalid_arguments',
        detail: `user_id ${JSON.stringify(args.user_id)} is not a user id`,
        extra: { response_metadata: { messages: ['[ERROR] invalid user_id [json-pointer:/user_id]'] } },
      };
    }
    const checked = checkedView(args, 'views.publish', 'home');
    if ('refusal' in checked) return checked.refusal;
    return answer(ctx.views.publish(args.user_id, checked.view, args.hash), ['hash_conflict']);
  },
};
