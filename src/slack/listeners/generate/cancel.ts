import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeForLog, userMessageFor } from '../../../errors.js';
import { parseCancelButtonValue } from '../../views/progress-message.js';
import { escapeMrkdwn } from '../../views/text.js';
import type { GenerateRuntime } from './runtime.js';

type CancelArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The progress message's Cancel button. Only the user who started the run may stop it: the button carries
 * the owner, the clicking user is compared with it, and the service is asked on the owner's behalf (it
 * also refuses runs that are not that user's). The progress message then shows "stopping" until the run
 * reports that it stopped. The button's value arrives from Slack as the clicker sent it, so it may be forged:
 * its owner id is echoed only when it has the shape of a Slack user id.
 */
export function cancelHandler(rt: GenerateRuntime) {
  return async ({ ack, body, action, respond }: CancelArgs): Promise<void> => {
    await ack();
    const logger = rt.deps.logger;
    const say = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch((err: unknown) =>
        logger.warn({ err: describeForLog(err) }, 'could not answer a cancel click'),
      );
    const target = parseCancelButtonValue(action.type === 'button' ? action.value : undefined);
    if (!target) {
      await say('This button no longer works. Your runs and their state are on the Home tab of Visen.');
      return;
    }
    if (target.user.userId !== body.user.id) {
      logger.info({ user: body.user.id, owner: target.user.userId, runId: target.runId }, 'refused to cancel another user’s run');
      await say(
        isSlackUserId(target.user.userId)
          ? `Only <@${target.user.userId}>, who started this run, can cancel it.`
          : 'Only the person who started this run can cancel it.',
      );
      return;
    }
    let stopped: boolean;
    try {
      stopped = await rt.deps.services.generation.cancel(target.user, target.runId);
    } catch (err) {
      logger.warn({ err: describeForLog(err), runId: target.runId }, 'cancelling a run failed');
      await say(`:warning: ${escapeMrkdwn(userMessageFor(err))}`);
      return;
    }
    logger.info({ user: body.user.id, runId: target.runId, stopped }, 'cancel requested');
    const reporter = rt.reporters.get(target.runId);
    if (stopped && reporter) reporter.requestCancel();
    // Team mode: the run's message is updated by the worker that runs it, once the run has stopped.
    else if (stopped) await say('Cancelling… The run’s message says so once it has stopped.');
    else await say('This run is not running any more: it has finished or was stopped already.');
  };
}

/** `U…` or `W…` (Enterprise Grid) and capitals and digits: what Slack's user ids look like; nothing else is echoed as a mention. */
function isSlackUserId(id: string): boolean {
  return /^[UW][A-Z0-9]{1,20}$/.test(id);
}
