import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { Subcommand } from '../../ids.js';
import { buildHelpMessage } from '../../views/help.js';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * A `/visen` subcommand. It receives Bolt's arguments untouched and must call `ack()` before any I/O;
 * `rest` is the command text after the subcommand word.
 */
export type SubcommandHandler = (args: CommandArgs, rest: string) => Promise<void>;

/** Routes `/visen <subcommand> ...`; help, empty and unknown subcommands are answered in the ack itself. */
export function visenCommand(subcommands: Partial<Record<string, SubcommandHandler>>, deps: Pick<SlackDeps, 'logger'>) {
  return async (args: CommandArgs): Promise<void> => {
    const { word, rest } = splitSubcommand(args.command.text);
    const handler = word === Subcommand.help ? undefined : subcommands[word];
    if (!handler) {
      const help = buildHelpMessage(word === '' || word === Subcommand.help ? undefined : word);
      await args.ack({ response_type: 'ephemeral', ...help });
      deps.logger.info({ subcommand: word ? 'help-or-unknown' : 'empty', user: args.command.user_id }, 'answered with usage');
      return;
    }
    await handler(args, rest);
  };
}

export function splitSubcommand(text: string | undefined): { word: string; rest: string } {
  const trimmed = (text ?? '').trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (!match) return { word: '', rest: '' };
  return { word: (match[1] ?? '').toLowerCase(), rest: (match[2] ?? '').trim() };
}
