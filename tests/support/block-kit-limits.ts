/**
 * Slack's Block Kit limits for view-builder tests: the Slack stand-in's own checker (tests/stand-ins/slack/limits.ts,
 * each limit cited there from Slack's docs), so a builder test and an end-to-end test judge a view by the same rules,
 * written independently of the builders' constants.
 */
import { messageProblems, viewProblems } from '../stand-ins/slack/limits.js';

/** Every limit a modal breaks (empty when Slack would accept it). */
export function modalLimitProblems(view: object): string[] {
  return viewProblems({ type: 'modal', ...view });
}

/** Every limit a Home tab view breaks. */
export function homeLimitProblems(view: object): string[] {
  return viewProblems({ type: 'home', ...view });
}

/** Every limit a message (`text` + `blocks`) breaks. */
export function messageLimitProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  return messageProblems(message).problems;
}
