import type { WebClient } from '@slack/web-api';
import { describeForLog, userMessageFor, VisenError } from '../../../errors.js';
import type { AutomationSpec } from '../../../services/automations/types.js';
import type { GenerationRequest } from '../../../services/generation/types.js';
import { type UserRef, userKey } from '../../../users.js';
import { timeZoneFallbackNote } from '../../time-zone.js';
import { buildAutomationCreatedMessage } from '../../views/automation-notices.js';
import type { SlackMessage } from '../../views/blocks.js';
import type { RequestedAutomation } from './parse-command.js';
import type { GenerateRuntime } from './runtime.js';

/** Where the answer goes: the slash command's response_url, or (the modal) a direct message. */
export interface AutomationReplyTo {
  readonly responseUrl?: { readonly url: string; readonly issuedAt: number } | undefined;
}

/**
 * Makes a connection automatic (`--watch`, `--every`, the form's Run choice), after the ack. A schedule gets the
 * user's time zone from Slack first (UTC, said so, when it cannot be read). A watch's first fill of the rows empty now
 * is an ordinary run whose progress shows as a run's does; the confirmation (trigger, next run, Pause) replaces the
 * "Working on it…" message of a schedule and comes as a direct message otherwise. Problems (a bad schedule, a watch on
 * a page, settings) replace it with what to do. Never throws.
 */
export async function startAutomation(
  rt: GenerateRuntime,
  client: WebClient,
  user: UserRef,
  request: GenerationRequest,
  requested: RequestedAutomation,
  replyTo: AutomationReplyTo,
): Promise<void> {
  const logger = rt.deps.logger;
  const { spec, note } = await specFor(rt, client, user, requested);
  const reporter = rt.newReporter(client, { user, responseUrl: replyTo.responseUrl });
  let created: Awaited<ReturnType<typeof rt.deps.services.automations.create>>;
  try {
    created = await rt.deps.services.automations.create(user, request, spec, reporter.listener, reporter.notifyState);
  } catch (err) {
    if (err instanceof VisenError) logger.info({ err: describeForLog(err), user: user.userId }, 'automation not created');
    else logger.error({ err: describeForLog(err), user: user.userId }, 'automation failed to be created');
    reporter.showError(userMessageFor(err));
    return;
  }
  logger.info({ user: userKey(user), trigger: spec.trigger, firstRun: created.run?.runId }, 'automation created');
  if (created.run) reporter.attach(created.run);
  const confirmation = buildAutomationCreatedMessage(created.automation, note);
  if (!created.run && replyTo.responseUrl) {
    try {
      await rt.postToResponseUrl(replyTo.responseUrl.url, { response_type: 'ephemeral', replace_original: true, ...confirmation });
      return;
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: user.userId }, 'could not answer through the response_url; sending a direct message');
    }
  }
  await directMessage(rt, client, user, confirmation);
}

async function specFor(
  rt: GenerateRuntime,
  client: WebClient,
  user: UserRef,
  requested: RequestedAutomation,
): Promise<{ spec: AutomationSpec; note: string | undefined }> {
  if (requested.trigger === 'Watch') return { spec: { trigger: 'Watch' }, note: undefined };
  const zone = await rt.timeZones.timeZoneOf(client, user.userId);
  return { spec: { trigger: 'Schedule', schedule: requested.schedule, timeZone: zone.timeZone }, note: timeZoneFallbackNote(zone) };
}

async function directMessage(rt: GenerateRuntime, client: WebClient, user: UserRef, message: SlackMessage): Promise<void> {
  try {
    await client.chat.postMessage({ channel: user.userId, text: message.text, blocks: message.blocks });
  } catch (err) {
    rt.deps.logger.warn({ err: describeForLog(err), user: user.userId }, 'could not send the automation confirmation');
  }
}
