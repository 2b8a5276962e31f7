import type { Logger } from 'pino';
import { describeForLog } from '../errors.js';
import { inMemoryNoticeMemory, type OpenNoticeMemory } from '../services/automations/notice-memory.js';
import type { AutomationNotice, AutomationNoticeListener, AutomationRunReport } from '../services/automations/types.js';
import { userKey } from '../users.js';
import { buildPausedNoticeMessage, buildRunNoticeMessage, type FoldedRuns, MAX_NOTICE_FAILURES, MAX_NOTICE_LINKS } from './views/automation-notices.js';
import type { SlackMessage } from './views/blocks.js';

/** The two Slack calls the notifier makes (a WebClient fits). */
export interface NotifierChatClient {
  chat: {
    postMessage(args: { channel: string; text: string; blocks: SlackMessage['blocks'] }): Promise<{ channel?: string; ts?: string }>;
    update(args: { channel: string; ts: string; text: string; blocks: SlackMessage['blocks'] }): Promise<unknown>;
  };
}

export interface AutomationNotifierOptions {
  readonly client: NotifierChatClient;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Runs of one connection within this long of its message are folded into that message (the issue: 10 minutes). */
  readonly foldWindowMs?: number;
  /** Where each connection's open message is kept: team mode passes the shared store's, one process keeps its own. */
  readonly openMessages?: OpenNoticeMemory;
}

export const FOLD_WINDOW_MS = 10 * 60_000;
const MAX_LATE_SLOTS = 5;

interface OpenMessage {
  readonly channel: string;
  readonly ts: string;
  readonly postedAt: number;
  readonly folded: FoldedRuns;
}

export interface AutomationNotifier {
  readonly listener: AutomationNoticeListener;
  /** Settles when every notice received so far was sent (tests). */
  idle(): Promise<void>;
}

/**
 * Turns the automations service's notices into direct messages to each owner: one message per automatic run that
 * wrote or failed something, with later runs of the same connection within `foldWindowMs` of that message folded
 * into it (chat.update, counts summed) instead of new ones; a 'paused' notice is one message. Notices of one
 * connection are sent one after the other (in team mode under the shared store's lock, whichever worker ran them),
 * so two runs never post two messages; a failed send is logged, never thrown.
 */
export function createAutomationNotifier(options: AutomationNotifierOptions): AutomationNotifier {
  const now = options.now ?? Date.now;
  const windowMs = options.foldWindowMs ?? FOLD_WINDOW_MS;
  const openMessages = options.openMessages ?? inMemoryNoticeMemory(now);
  const chains = new Map<string, Promise<void>>();
  const logger = options.logger;

  /** Posts or folds the run's message; what it returns is the connection's open message from now on. */
  const deliver = async (current: OpenMessage | undefined, report: AutomationRunReport): Promise<OpenMessage | undefined> => {
    if (current && now() - current.postedAt <= windowMs) {
      const folded = foldInto(current.folded, report);
      try {
        await options.client.chat.update({ channel: current.channel, ts: current.ts, ...buildRunNoticeMessage(folded) });
        return { ...current, folded };
      } catch (err) {
        logger.warn({ err: describeForLog(err), user: report.owner.userId }, 'could not update the automation message; posting a new one');
      }
    }
    const folded = firstFold(report);
    const posted = await options.client.chat.postMessage({ channel: report.owner.userId, ...buildRunNoticeMessage(folded) });
    return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts, postedAt: now(), folded } : undefined;
  };

  const sendRun = async (key: string, report: AutomationRunReport): Promise<void> => {
    // How far it got: only a failure before Slack was called (the store) leaves the notice unsent.
    const reached: { step: 'store' | 'slack' | 'sent' } = { step: 'store' };
    try {
      await openMessages.change<OpenMessage>(key, windowMs, async (current) => {
        reached.step = 'slack';
        const next = await deliver(current, report);
        reached.step = 'sent';
        return next;
      });
    } catch (err) {
      if (reached.step === 'slack') throw err;
      if (reached.step === 'sent') {
        logger.warn({ err: describeForLog(err), user: report.owner.userId }, 'could not remember the automation message; the next run posts a new one');
        return;
      }
      // The open message could not be read (store away, lock not had): the notice still goes, as a message of its own.
      logger.warn({ err: describeForLog(err), user: report.owner.userId }, 'could not read the open automation message; posting a new one');
      await options.client.chat.postMessage({ channel: report.owner.userId, ...buildRunNoticeMessage(firstFold(report)) });
    }
  };

  const send = async (notice: AutomationNotice): Promise<void> => {
    if (notice.kind === 'paused') {
      await options.client.chat.postMessage({ channel: notice.owner.userId, ...buildPausedNoticeMessage(notice) });
      return;
    }
    await sendRun(`${userKey(notice.report.owner)}:${notice.report.automation.connectionId}`, notice.report);
  };

  const listener: AutomationNoticeListener = (notice) => {
    const owner = notice.kind === 'paused' ? notice.owner : notice.report.owner;
    const key = notice.kind === 'paused' ? `${userKey(owner)}:paused` : `${userKey(owner)}:${notice.report.automation.connectionId}`;
    const next = (chains.get(key) ?? Promise.resolve())
      .then(() => send(notice))
      .catch((err: unknown) => logger.warn({ err: describeForLog(err), user: owner.userId, kind: notice.kind }, 'could not send an automation message'));
    chains.set(key, next);
    void next.then(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  return {
    listener,
    async idle() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}

function firstFold(report: AutomationRunReport): FoldedRuns {
  return {
    automation: report.automation,
    runs: 1,
    firstStartedAt: report.startedAt,
    lastFinishedAt: report.finishedAt,
    written: report.written,
    failed: report.failed,
    writtenLinks: report.writtenLinks.slice(-MAX_NOTICE_LINKS),
    failures: report.failures.slice(-MAX_NOTICE_FAILURES),
    lateFor: report.lateFor ? [report.lateFor] : [],
  };
}

function foldInto(folded: FoldedRuns, report: AutomationRunReport): FoldedRuns {
  return {
    automation: report.automation,
    runs: folded.runs + 1,
    firstStartedAt: folded.firstStartedAt,
    lastFinishedAt: report.finishedAt,
    written: folded.written + report.written,
    failed: folded.failed + report.failed,
    writtenLinks: [...folded.writtenLinks, ...report.writtenLinks].slice(-MAX_NOTICE_LINKS),
    failures: [...folded.failures, ...report.failures].slice(-MAX_NOTICE_FAILURES),
    lateFor: report.lateFor ? [...folded.lateFor, report.lateFor].slice(-MAX_LATE_SLOTS) : folded.lateFor,
  };
}
