import { type AnyMiddlewareArgs, App } from '@slack/bolt';
import type { Logger } from 'pino';
import { describeForLog, userMessageFor } from '../errors.js';
import { rememberSecretForRedaction } from '../log-redaction.js';
import { toSlackLogger } from '../logger.js';
import { createAutomationNotifier } from './automation-notifier.js';
import type { SlackDeps } from './deps.js';
import { COMMAND } from './ids.js';
import { ListenerRouter } from './listener-router.js';
import { allowListMiddleware } from './listeners/access.js';
import { automationsSubcommands, registerAutomationListeners } from './listeners/automations/index.js';
import { visenCommand } from './listeners/commands/visen.js';
import { generateSubcommands, onConnectedResumeRuns, registerGenerateListeners } from './listeners/generate/index.js';
import { registerHomeListeners } from './listeners/home/index.js';
import { registerSettingsListeners, settingsSubcommands } from './listeners/settings/index.js';
import { registerThreadListeners } from './listeners/threads/index.js';
import { GuardedSocketModeReceiver } from './redelivery.js';
import { postToResponseUrl } from './response-url.js';
import type { BotIdentity } from './token-check.js';
import { actingUserId } from './users.js';
import { escapeMrkdwn } from './views/text.js';
import { slackWebApiFetch } from './web-api-fetch.js';

export interface SlackConnection {
  readonly botToken: string;
  readonly appToken: string;
  /** Web API base (ends with a slash); also where Socket Mode asks `apps.connections.open` for its URL. */
  readonly apiUrl: string | undefined;
}

export interface SlackSurface {
  readonly app: App;
  /** Whether the Socket Mode socket is open and Slack said hello on it (for /readyz). */
  isConnected(): boolean;
  /** Ends the listeners' own timers and subscriptions; call before stopping the app. */
  close(): void;
}

/**
 * Builds the Bolt app in Socket Mode with every listener registered. Nothing here reads the environment.
 * `bot` comes from checkSlackTokens: given botId and botUserId, Bolt's constructor does not call auth.test
 * itself (a call nothing awaits, whose rejection would end the process with a stack trace).
 */
export function createSlackApp(slack: SlackConnection, deps: SlackDeps, bot: BotIdentity): SlackSurface {
  rememberSecretForRedaction(slack.botToken);
  rememberSecretForRedaction(slack.appToken);
  const slackLogger = toSlackLogger(deps.logger.child({ component: 'slack' }));
  // Every Web API client: a Retry-After past a minute fails that call instead of pausing everyone's (web-api-fetch.ts).
  const apiUrl = { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), fetch: slackWebApiFetch() };
  // Separate objects on purpose: the Socket Mode client writes its own retry policy (100 retries) into the
  // options it is given, which would otherwise leak into every Web API call of the app.
  const receiver = new GuardedSocketModeReceiver({
    guardLogger: deps.logger.child({ component: 'slack' }),
    appToken: slack.appToken,
    logger: slackLogger,
    installerOptions: { clientOptions: { ...apiUrl } },
    ...(deps.claimEnvelope ? { guard: { claimShared: deps.claimEnvelope } } : {}),
  });
  const app = new App({
    token: slack.botToken,
    botId: bot.botId,
    botUserId: bot.botUserId,
    receiver,
    logger: slackLogger,
    // A few quick retries: a modal's trigger_id is dead after 3 seconds, and progress updates are throttled anyway.
    clientOptions: { ...apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2_000 } },
    extendedErrorHandler: true,
    // Bolt's conversation store is unused here; left on, it is looked up (and misses, with an Error) per envelope.
    convoStore: false,
  });

  app.use(allowListMiddleware(deps));
  const listeners = new ListenerRouter(app.client);
  const subcommands = { ...settingsSubcommands(deps), ...generateSubcommands(deps), ...automationsSubcommands(deps) };
  listeners.command(COMMAND, visenCommand(subcommands, deps));
  registerSettingsListeners(listeners, deps);
  registerGenerateListeners(listeners, deps);
  const threads = registerThreadListeners(listeners, deps);
  const home = registerHomeListeners(listeners, deps, { threadReaderFor: threads.readerFor });
  registerAutomationListeners(listeners, deps, home);
  app.use(listeners.middleware());
  // Automatic runs tell their owners by direct message (folded per connection, see automation-notifier.ts).
  const notifier = createAutomationNotifier({
    client: app.client,
    logger: deps.logger.child({ component: 'automations' }),
    ...(deps.automationMessages ? { openMessages: deps.automationMessages } : {}),
  });
  const stopNotices = deps.services.automations.subscribe(notifier.listener);
  app.error(reportListenerError(app, deps.logger));
  const socket = socketState(receiver);
  return {
    app,
    isConnected: socket.isConnected,
    close: () => {
      stopNotices();
      home.close();
      threads.close();
    },
  };
}

/** Follows the Socket Mode client's own state events: connected at Slack's hello, not connected from a close on. */
function socketState(receiver: GuardedSocketModeReceiver): { isConnected(): boolean } {
  let connected = false;
  receiver.client.on('connected', () => {
    connected = true;
  });
  for (const state of ['close', 'reconnecting', 'disconnecting', 'disconnected']) {
    receiver.client.on(state, () => {
      connected = false;
    });
  }
  return { isConnected: () => connected };
}

/** Work that needs Slack to be connected first: resuming the runs a restart interrupted, and telling their users. */
export async function onSlackConnected(app: App, deps: SlackDeps): Promise<void> {
  await onConnectedResumeRuns(app.client, deps);
}

/**
 * Anything a listener did not handle: logged with context, and the user gets a short message instead of
 * silence (through the command's response_url, else a direct message). Never rethrown: one bad event must
 * not take the app down.
 */
function reportListenerError(app: App, logger: Logger) {
  return async ({ error, body }: { error: Error; body: AnyMiddlewareArgs['body'] }): Promise<void> => {
    const b = body as { type?: string; command?: string; response_url?: string };
    const userId = actingUserId(body);
    const cause = (error as { original?: unknown }).original ?? error;
    logger.error({ err: describeForLog(cause), kind: b.type ?? (b.command ? 'slash_command' : 'unknown'), user: userId }, 'listener failed');
    const text = `:warning: ${escapeMrkdwn(userMessageFor(cause))}`;
    try {
      if (b.response_url) {
        await postToResponseUrl(b.response_url, { response_type: 'ephemeral', replace_original: false, text });
      } else if (userId) {
        await app.client.chat.postMessage({ channel: userId, text });
      }
    } catch (reportError) {
      logger.warn({ err: describeForLog(reportError) }, 'could not tell the user about a failure');
    }
  };
}
