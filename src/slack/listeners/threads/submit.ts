import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeForLog, VisenError } from '../../../errors.js';
import type { GenerationRequest, ProgressListener, RunProgress } from '../../../services/generation/types.js';
import { formatThread } from '../../../services/threads/format.js';
import type { FormattedThread, ThreadSource } from '../../../services/threads/types.js';
import type { UserRef } from '../../../users.js';
import { userFromInteraction } from '../../users.js';
import type { ModalViewLike } from '../../views/generate-modal-state.js';
import { type ThreadInclude, type ThreadLocation, type ThreadModalValues, threadProblemText } from '../../views/thread-modal.js';
import { readThreadModal } from '../../views/thread-modal-state.js';
import { buildThreadNote } from '../../views/thread-note.js';
import { checkTargetUrl } from '../generate/request-rules.js';
import { startRunWithDmProgress } from '../generate/start-run.js';
import { ThreadIds } from './ids.js';
import type { ThreadRuntime } from './runtime.js';
import { readThread, ThreadUnreadable } from './thread-reader.js';

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The context budget and the refresh interval when the deps do not say (VISEN_CONTEXT_CHARS', VISEN_THREAD_REFRESH_MINUTES' defaults). */
const DEFAULT_CONTEXT_CHARS = 100_000;
export const DEFAULT_REFRESH_MS = 15 * 60_000;

/**
 * Submit: the link and prompt are checked before the ack (errors stay in the modal); then, with the "Working on
 * it…" direct message already posted, the thread is read and given to a page run. When the run succeeds, a note
 * only the user sees is left in the thread with a link to what was written.
 */
export function threadSubmitHandler(rt: ThreadRuntime) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const { location, values } = readThreadModal(view as ModalViewLike);
    const target = checkTargetUrl(values.targetUrl || values.recentTarget || '');
    if (!target.ok || values.prompt.trim() === '') {
      const errors: Record<string, string> = {};
      if (!target.ok) errors[ThreadIds.targetBlock] = target.problem;
      if (values.prompt.trim() === '') errors[ThreadIds.promptBlock] = 'Say what Visen should write from the thread.';
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack({ response_action: 'clear' });
    const user = userFromInteraction(body);
    if (!user || !location) {
      rt.deps.logger.warn('Send to Notion submitted without a user, a team or its conversation: ignored');
      return;
    }
    await startRunWithDmProgress(
      client,
      user,
      async (listener, notifyState) => {
        const checked = { ...values, targetUrl: target.value };
        const { request, formatted } = await threadRequest(rt, client, user, location, checked);
        const keep = checked.keepCurrent && checked.output === 'append';
        const noted = withThreadNote(rt, client, user, location, { ...formatted, keep }, listener);
        const watched = keep ? keptCurrent(rt, user, location, checked, noted) : noted;
        // Team mode: followed here (not queued to any worker), since its listener posts the thread's note and
        // records the watch.
        return rt.deps.services.generation.start(user, request, watched, notifyState, true);
      },
      rt.deps,
    );
  };
}

/** Reads the conversation and makes the generation request; a conversation Visen cannot read says why and what to do. */
export async function threadRequest(
  rt: ThreadRuntime,
  client: WebClient,
  user: UserRef,
  location: ThreadLocation,
  values: ThreadModalValues,
): Promise<{ request: GenerationRequest; formatted: FormattedThread }> {
  const { source, formatted } = await readThreadSource(rt, client, user, location, values.include);
  return { request: { targetUrl: values.targetUrl, prompt: values.prompt, output: { kind: values.output }, source }, formatted };
}

/**
 * The thread as a run's source, read as it is now, with where it is (kept per connection for Run again). Throws a
 * VisenError with the words of `threadProblemText` when Visen cannot read it.
 */
export async function readThreadSource(
  rt: ThreadRuntime,
  client: WebClient,
  user: UserRef,
  location: ThreadLocation,
  include: ThreadInclude,
): Promise<{ source: ThreadSource; formatted: FormattedThread }> {
  const budget = rt.deps.contextChars ?? DEFAULT_CONTEXT_CHARS;
  if (budget <= 0) {
    throw new VisenError(
      'thread_unreadable',
      'This Visen is set to give the model no context (VISEN_CONTEXT_CHARS is 0), so it cannot send a thread. Ask whoever runs Visen to raise it.',
    );
  }
  try {
    const [thread, timeZone] = await Promise.all([readThread(client, rt.people, location, include, rt.deps.logger), rt.people.timeZone(client, user.userId)]);
    const formatted = formatThread(thread.messages, { timeZone, budget });
    const { channelId, messageTs, threadTs } = location;
    const origin = { permalink: thread.permalink, channelId, messageTs, threadTs, include };
    return { source: { kind: 'slack-thread', permalink: thread.permalink, text: formatted.text, cut: formatted.cut, origin }, formatted };
  } catch (err) {
    if (err instanceof ThreadUnreadable) throw new VisenError('thread_unreadable', threadProblemText(err.problem).replace(/\*/g, ''), { cause: err });
    throw err;
  }
}

/** "Keep it current": once the run succeeded, the thread is watched for replies (see refresh.ts). */
function keptCurrent(rt: ThreadRuntime, user: UserRef, location: ThreadLocation, values: ThreadModalValues, listener: ProgressListener): ProgressListener {
  let watched = false;
  return async (progress: RunProgress) => {
    if (!watched && progress.state === 'succeeded') {
      watched = true;
      const { channelId, threadTs } = location;
      await rt.deps.services.threadWatches
        .watch({ user, channelId, threadTs, targetUrl: values.targetUrl, prompt: values.prompt, lastRunAt: Date.now() })
        .catch((err: unknown) => rt.deps.logger.warn({ err: describeForLog(err), user: user.userId }, 'could not keep a thread current'));
    }
    await listener(progress);
  };
}

/** The run's progress as before, and once it succeeded, the note in the thread (posted once). */
function withThreadNote(
  rt: ThreadRuntime,
  client: WebClient,
  user: UserRef,
  location: ThreadLocation,
  formatted: FormattedThread & { readonly keep: boolean },
  listener: ProgressListener,
): ProgressListener {
  let noted = false;
  return async (progress: RunProgress) => {
    await listener(progress);
    const written = progress.written.at(-1);
    if (noted || progress.state !== 'succeeded' || !written) return;
    noted = true;
    const { included, total, cut } = formatted;
    const keptCurrentMinutes = formatted.keep ? noteMinutes(rt.deps.threadRefreshMs ?? DEFAULT_REFRESH_MS) : undefined;
    const note = buildThreadNote({ title: written.title, url: written.url, included, total, cut, replaced: progress.replaced, keptCurrentMinutes });
    await client.chat
      .postEphemeral({ channel: location.channelId, user: user.userId, thread_ts: location.threadTs, ...note })
      .catch((err: unknown) => rt.deps.logger.warn({ err: describeForLog(err), user: user.userId }, 'could not leave the Send to Notion note in the thread'));
  };
}

/** The interval in whole minutes for the note; a fraction of a minute (tests, a busy team) reads as 1, not "at each reply". */
function noteMinutes(intervalMs: number): number {
  return intervalMs === 0 ? 0 : Math.max(1, Math.round(intervalMs / 60_000));
}
