import type { RunProgress } from '../../services/generation/types.js';
import { ThreadIds } from '../listeners/threads/ids.js';
import { actions, button, context, type SlackMessage, section } from './blocks.js';
import { replacedNote } from './progress-message.js';
import { mrkdwnLink, notificationText, plural, SLACK_LIMITS, safeUrl, truncate } from './text.js';

/**
 * The note Visen leaves in the thread after "Send to Notion": ephemeral (only the user sees it), with a link to what
 * was written and a "Share in thread" button; the visible message the button posts. Pure builders.
 */
export interface ThreadNoteModel {
  readonly title: string;
  readonly url: string;
  /** Messages the model was given, of how many; `cut`: the oldest were left out for the context budget. */
  readonly included: number;
  readonly total: number;
  readonly cut: boolean;
  /** Run again: what of the last output was replaced, and kept (see replacedNote). */
  readonly replaced?: RunProgress['replaced'];
  /** Kept current: refreshed as replies arrive, at most every this many minutes (0: at each reply). */
  readonly keptCurrentMinutes?: number | undefined;
}

/** What the button carries to its listener (its value; Slack gives a button at most 2,000 characters). */
export interface SharePayload {
  readonly title: string;
  readonly url: string;
}

const TITLE_IN_VALUE_MAX = 200;

export function buildThreadNote(note: ThreadNoteModel): SlackMessage {
  const link = mrkdwnLink(note.url, note.title || 'Untitled', 150);
  const read = note.cut
    ? `The model read the newest ${note.included} of ${note.total} messages (the thread is longer than the context budget).`
    : `The model read ${note.total === 1 ? 'the message' : `all ${note.total} messages`}.`;
  const share = encodeSharePayload({ title: note.title, url: note.url });
  return {
    text: notificationText(`Sent to Notion: ${note.title || 'Untitled'}`),
    blocks: [
      section(`:white_check_mark: Sent to Notion: ${link}`),
      context([`${read} Only you can see this note.`, ...(replacedNote(note) ? [replacedNote(note) as string] : []), ...keptCurrentNote(note)]),
      ...(share ? [actions([button('Share in thread', ThreadIds.shareAction, { value: share })])] : []),
    ],
  };
}

function keptCurrentNote(note: ThreadNoteModel): string[] {
  const minutes = note.keptCurrentMinutes;
  if (minutes === undefined) return [];
  const often = minutes === 0 ? 'at each new reply' : `as new replies arrive, at most every ${plural(minutes, 'minute')}`;
  return [`:arrows_counterclockwise: Kept current: Visen updates it ${often}.`];
}

/** The visible message "Share in thread" posts: who sent the thread where. */
export function buildSharedMessage(userId: string, payload: SharePayload): SlackMessage {
  const link = mrkdwnLink(payload.url, payload.title || 'Untitled', 150);
  return {
    text: notificationText(`This thread is in Notion: ${payload.title || 'Untitled'}`),
    blocks: [section(`:memo: <@${userId}> sent this thread to Notion: ${link}`)],
  };
}

/** The button's value, or undefined when the URL is not one Slack would link (then there is no button). */
export function encodeSharePayload(payload: SharePayload): string | undefined {
  const url = safeUrl(payload.url, 1_000);
  if (!url) return undefined;
  const value = JSON.stringify({ t: truncate(payload.title, TITLE_IN_VALUE_MAX), u: url });
  return value.length <= SLACK_LIMITS.buttonValue ? value : undefined;
}

export function decodeSharePayload(value: string | undefined): SharePayload | undefined {
  try {
    const v = JSON.parse(value ?? '') as { t?: unknown; u?: unknown };
    if (typeof v.t === 'string' && typeof v.u === 'string' && safeUrl(v.u)) return { title: v.t, url: v.u };
  } catch {
    // not ours: undefined below
  }
  return undefined;
}
