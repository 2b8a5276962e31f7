/**
 * Reading what the app showed a user, wherever it showed it: a command's ack, the command's replies
 * (response_url), direct messages, a modal's field errors (`response_action: errors`) or its later updates.
 */

import type { UserRef } from '../../../src/users.js';
import type { Harness } from '../../e2e/harness.js';
import { messagesFor, stringsOf } from '../../e2e/support/observe.js';
import type { AnyObject } from '../../stand-ins/slack/index.js';

/** Where to start looking: counts of each stand-in's records before an action. */
export interface Mark {
  readonly notion: number;
  readonly openai: number;
  readonly at: number;
}

export function mark(h: Harness): Mark {
  return { notion: h.notion.requests.length, openai: h.openai.requests.length, at: Date.now() };
}

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * Sends `/visen <text>` and returns everything the user was shown for it: the ack's text, then the replies
 * and direct messages that follow, waiting (up to `timeoutMs`) until `expected` appears or the app goes quiet.
 */
export async function answerTo(h: Harness, user: UserRef, text: string, expected: RegExp, timeoutMs = 10_000): Promise<string> {
  const from = h.slack.messages.length;
  const delivery = await h.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text });
  if (!delivery.acked) throw new Error(`the app did not ack /visen ${text.slice(0, 80)}: ${delivery.reason}`);
  const shown = () => [stringsOf(delivery.ackPayload), ...messagesFor(h, user.userId, from).map((m) => `${m.text ?? ''}\n${stringsOf(m.blocks)}`)].join('\n');
  await until(() => expected.test(shown()), timeoutMs);
  return shown();
}

/** The modal the app opened most recently for this user (after `from` views were opened). */
async function modalOpenedFor(h: Harness, userId: string, from: number, callbackId: string): Promise<AnyObject> {
  return h.slack.waitFor(
    () => h.slack.views.opened.slice(from).find((v) => v.callback_id === callbackId && h.slack.modalStack(userId).some((s) => s.id === v.id)),
    10_000,
  );
}

export type FieldValues = Record<string, Record<string, string | string[] | null>>;

/**
 * Opens a modal with a command, submits `values`, and returns what the user was shown: the ack's errors or
 * view, and later updates of that modal and direct messages, until `expected` appears.
 */
async function submitModal(
  h: Harness,
  user: UserRef,
  command: string,
  callbackId: string,
  values: FieldValues,
  expected: RegExp,
  timeoutMs: number,
): Promise<string> {
  const openedBefore = h.slack.views.opened.length;
  const opened = await h.slack.slashCommand({ userId: user.userId, teamId: user.teamId, text: command });
  if (!opened.acked) throw new Error(`the app did not ack /visen ${command}`);
  const view = await modalOpenedFor(h, user.userId, openedBefore, callbackId);
  const updatedBefore = h.slack.views.updated.length;
  const messagesBefore = h.slack.messages.length;
  const delivery = await h.slack.viewSubmission({ userId: user.userId, teamId: user.teamId, view: { id: view.id }, values });
  if (!delivery.acked) throw new Error(`the app did not ack the ${callbackId} submission: ${delivery.reason}`);
  const shown = () =>
    [
      stringsOf(delivery.ackPayload),
      ...h.slack.views.updated
        .slice(updatedBefore)
        .filter((v) => v.id === view.id)
        .map(stringsOf),
      ...messagesFor(h, user.userId, messagesBefore).map((m) => `${m.text ?? ''}\n${stringsOf(m.blocks)}`),
    ].join('\n');
  await until(() => expected.test(shown()), timeoutMs);
  // Leave no modal open for the next case.
  for (const open of h.slack.modalStack(user.userId).reverse()) {
    await h.slack.viewClosed({ userId: user.userId, teamId: user.teamId, view: { id: open.id } });
  }
  return shown();
}

export function submitSettingsModal(h: Harness, user: UserRef, values: FieldValues, expected: RegExp, timeoutMs = 15_000): Promise<string> {
  return submitModal(h, user, 'settings', 'settings_form', values, expected, timeoutMs);
}

export function submitGenerateModal(h: Harness, user: UserRef, values: FieldValues, expected: RegExp, timeoutMs = 10_000): Promise<string> {
  return submitModal(h, user, 'generate', 'visen_generate_modal', values, expected, timeoutMs);
}

/** Notion requests since `m` that change something (anything but reads, queries and search). */
export function writesSince(h: Harness, m: Mark): string[] {
  return h.notion.requests
    .slice(m.notion)
    .filter((r) => r.method !== 'GET' && !/\/query$|\/search$/.test(r.path))
    .map((r) => `${r.method} ${r.path} -> ${r.status}`);
}
