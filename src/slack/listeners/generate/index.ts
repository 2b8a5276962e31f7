import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../../deps.js';
import { Subcommand } from '../../ids.js';
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
export function registerGenerateListeners(app: App, deps: SlackDeps): void {
  const rt = runtimeFor(deps);
  app.action({ type: 'block_actions', action_id: GenerateIds.targetAction }, targetEnteredHandler(rt));
  app.action({ type: 'block_actions', action_id: GenerateIds.promptMoreAction }, addPromptBoxHandler(rt));
  app.action({ type: 'block_actions', action_id: GenerateIds.cancelAction }, cancelHandler(rt));
  app.action({ type: 'block_actions', action_id: GenerateIds.previewConfirmAction }, previewHandler(rt, 'confirm'));
  app.action({ type: 'block_actions', action_id: GenerateIds.previewCancelAction }, previewHandler(rt, 'cancel'));
  app.view({ type: 'view_submission', callback_id: GenerateIds.modalCallback }, submitHandler(rt));
}

/**
 * Called once Slack is connected: resumes database runs a restart interrupted and tells their users (one process);
 * in team mode, this worker starts taking runs off the team's queue instead.
 */
export async function onConnectedResumeRuns(client: WebClient, deps: SlackDeps): Promise<void> {
  await resumeInterruptedRuns(runtimeFor(deps), client);
  await serveQueuedRuns(runtimeFor(deps), client);
}
