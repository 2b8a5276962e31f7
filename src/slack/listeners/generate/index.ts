import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../../deps.js';
import { Subcommand } from '../../ids.js';
import type { ListenerRegistry } from '../../listener-router.js';
import type { SubcommandHandler } from '../commands/visen.js';
import { cancelHandler } from './cancel.js';
import { generateCommand } from './command.js';
import { GenerateIds } from './ids.js';
import { addPromptBoxHandler, submitHandler, targetEnteredHandler } from './modal.js';
import { previewHandler } from './preview.js';
import { resumeInterruptedRuns, serveQueuedRuns } from './resume.js';
import { runtimeFor } from './runtime.js';

export { GenerateIds } from './ids.js';
export { type GenerateModalInitial, openGenerateModal } from './modal.js';
export { GENERATE_USAGE, parseGenerateCommand } from './parse-command.js';
export { type RunStarter, startRunWithDmProgress } from './start-run.js';

/** `/visen generate`: with text, a run; alone, the modal. */
export function generateSubcommands(deps: SlackDeps): Record<string, SubcommandHandler> {
  return { [Subcommand.generate]: generateCommand(runtimeFor(deps)) };
}

/** The modal (target entered, extra prompt box, submit) and the progress message's Cancel and preview buttons. */
export function registerGenerateListeners(listeners: ListenerRegistry, deps: SlackDeps): void {
  const rt = runtimeFor(deps);
  listeners.action(GenerateIds.targetAction, targetEnteredHandler(rt));
  listeners.action(GenerateIds.promptMoreAction, addPromptBoxHandler(rt));
  listeners.action(GenerateIds.cancelAction, cancelHandler(rt));
  listeners.action(GenerateIds.previewConfirmAction, previewHandler(rt, 'confirm'));
  listeners.action(GenerateIds.previewCancelAction, previewHandler(rt, 'cancel'));
  listeners.view(GenerateIds.modalCallback, submitHandler(rt));
}

/**
 * Called once Slack is connected: resumes database runs a restart interrupted and tells their users (one process);
 * in team mode, this worker starts taking runs off the team's queue instead.
 */
export async function onConnectedResumeRuns(client: WebClient, deps: SlackDeps): Promise<void> {
  await resumeInterruptedRuns(runtimeFor(deps), client);
  await serveQueuedRuns(runtimeFor(deps), client);
}
