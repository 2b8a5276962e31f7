import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeForLog, userMessageFor } from '../../../errors.js';
import type { PreviewAnswer } from '../../../services/generation/types.js';
import { parseCancelButtonValue } from '../../views/progress-message.js';
import { escapeMrkdwn } from '../../views/text.js';
import type { GenerateRuntime } from './runtime.js';

type PreviewArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * A waiting preview's buttons: **Write these and run the rest** and **Cancel**. Acked first; only the run's owner
 * may press them (the button names the owner, and the service refuses runs that are not that user's); the service
 * decides once, so a double click acts once and the second click is told so. The run's progress message then
 * shows what happened (the service reports it).
 */
export function previewHandler(rt: GenerateRuntime, choice: 'confirm' | 'cancel') {
  return async ({ ack, body, action, respond }: PreviewArgs): Promise<void> => {
    await ack();
    const logger = rt.deps.logger;
    const say = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch((err: unknown) =>
        logger.warn({ err: describeForLog(err) }, 'could not answer a preview click'),
      );
    const target = parseCancelButtonValue(action.type === 'button' ? action.value : undefined);
    if (!target) {
      await say('This button no longer works. Your runs and their state are on the Home tab of Visen.');
      return;
    }
    if (target.user.userId !== body.user.id) {
      logger.info({ user: body.user.id, owner: target.user.userId, runId: target.runId }, 'refused a preview click by another user');
      const owner = /^[UW][A-Z0-9]{1,20}$/.test(target.user.userId) ? `<@${target.user.userId}>, who started this run,` : 'the person who started this run';
      await say(`Only ${owner} can write or cancel this preview.`);
      return;
    }
    let answer: PreviewAnswer;
    try {
      const generation = rt.deps.services.generation;
      answer = await (choice === 'confirm' ? generation.confirmPreview(target.user, target.runId) : generation.cancelPreview(target.user, target.runId));
    } catch (err) {
      logger.warn({ err: describeForLog(err), runId: target.runId }, 'answering a preview failed');
      await say(`:warning: ${escapeMrkdwn(userMessageFor(err))}`);
      return;
    }
    logger.info({ user: body.user.id, runId: target.runId, choice, answer }, 'preview answered');
    if (answer === 'already-decided') await say('This preview was already answered; the run’s message shows what happens next.');
    if (answer === 'not-waiting') await say('This preview is no longer waiting: the run has ended or was stopped. Start it again with `/visen generate`.');
  };
}
