import { describeForLog } from '../../../errors.js';
import { userFromCommand } from '../../users.js';
import { buildUsageErrorMessage, buildWorkingMessage } from '../../views/progress-message.js';
import type { SubcommandHandler } from '../commands/visen.js';
import { openGenerateModal } from './modal.js';
import { parseGenerateCommand } from './parse-command.js';
import type { GenerateRuntime } from './runtime.js';
import { startAutomation } from './start-automation.js';
import { startRunWithResponseUrl } from './start-run.js';

/**
 * `/visen generate ...`. Everything before the ack is pure (parsing): the ack carries either the problems
 * and the usage, or "Working on it…". Then the service checks what it can and starts the run; its progress
 * replaces that message (see progress-reporter.ts for the response_url budget). `/visen generate` alone
 * opens the modal right after the ack, within the trigger's 3 seconds. With `--watch` or `--every` the connection is
 * made automatic instead (start-automation.ts).
 */
export function generateCommand(rt: GenerateRuntime): SubcommandHandler {
  return async (args, rest) => {
    const { command, client } = args;
    const user = userFromCommand(command);
    const logger = rt.deps.logger;

    if (rest.trim() === '') {
      await args.ack();
      try {
        await openGenerateModal(client, command.trigger_id, user, rt.deps);
      } catch (err) {
        logger.warn({ err: describeForLog(err), user: user.userId }, 'could not open the generate modal');
        await args
          .respond({
            response_type: 'ephemeral',
            text: ':warning: I could not open the form in time. Please run `/visen generate` again, or type the command in full: `/visen generate <Notion URL> <prompt>`.',
          })
          .catch(() => undefined);
      }
      return;
    }

    const parsed = parseGenerateCommand(rest);
    if (!parsed.ok) {
      await args.ack({ response_type: 'ephemeral', ...buildUsageErrorMessage(parsed.problems, parsed.usage) });
      logger.info({ user: user.userId, problems: parsed.problems.length }, 'generate command not understood');
      return;
    }

    await args.ack({ response_type: 'ephemeral', ...buildWorkingMessage() });
    const issuedAt = rt.now();
    const request = parsed.request;
    if (parsed.automation) {
      await startAutomation(rt, client, user, request, parsed.automation, { responseUrl: { url: command.response_url, issuedAt } });
      return;
    }
    await startRunWithResponseUrl(rt, client, user, command.response_url, issuedAt, (listener, notifyState) =>
      rt.deps.services.generation.start(user, request, listener, notifyState),
    );
  };
}
