import type { KnownBlock, ModalView, PlainTextOption, RadioButtons } from '@slack/types';
import { ThreadIds } from '../listeners/threads/ids.js';
import { context, inputBlock, modalTexts, option, section, staticSelect, textInput, WITH_EMOJI } from './blocks.js';
import { inlineCode, plural, SLACK_LIMITS, truncate } from './text.js';

/**
 * The "Send to Notion" modal (the message shortcut). Pure: values in, view out. Its state parser is
 * `thread-modal-state.ts`, beside it. Opened at once with the access check pending, then updated with what the
 * check found (the thread can be read, or why not) and the user's recent targets.
 */
export type ThreadInclude = 'message' | 'thread';
export type ThreadOutput = 'append' | 'new-page' | 'new-row';

export const DEFAULT_THREAD_PROMPT = 'Summarise this thread: decisions, open questions, owners and dates';
export const THREAD_MODAL_TITLE = 'Send to Notion';
const TARGET_URL_MAX = 2000;

export interface ThreadModalValues {
  readonly targetUrl: string;
  /** A recent target picked in the select (its URL); the typed link wins over it. */
  readonly recentTarget: string | undefined;
  readonly prompt: string;
  readonly include: ThreadInclude;
  readonly output: ThreadOutput;
  /** Refresh the page as new replies arrive (append only; at most every VISEN_THREAD_REFRESH_MINUTES). */
  readonly keepCurrent: boolean;
}

/** Where the shortcut was used: carried in the view's private_metadata to the submission. */
export interface ThreadLocation {
  readonly channelId: string;
  readonly messageTs: string;
  /** The thread's parent (the message itself when it is not a reply). */
  readonly threadTs: string;
}

/** Why Visen cannot read the conversation, as plain codes (the words are `threadProblemText`). */
export type ThreadProblem =
  | { readonly code: 'not_in_channel' }
  | { readonly code: 'private_channel' }
  | { readonly code: 'direct_message' }
  | { readonly code: 'group_dm' }
  | { readonly code: 'missing_scope'; readonly needed: string }
  | { readonly code: 'message_gone' }
  | { readonly code: 'slack_unavailable' };

export type ThreadAccess =
  | { readonly kind: 'checking' }
  | { readonly kind: 'readable'; readonly replies: number }
  | { readonly kind: 'blocked'; readonly problem: ThreadProblem };

export interface ThreadModalModel {
  readonly location: ThreadLocation;
  readonly values: ThreadModalValues;
  readonly access: ThreadAccess;
  /** Page targets of the user's connections, most recent first. */
  readonly recentTargets: ReadonlyArray<{ readonly title: string; readonly url: string }>;
  /** False when the user has no settings yet: the form says to run `/visen settings` first. */
  readonly configured?: boolean;
}

export function initialThreadValues(replies: number): ThreadModalValues {
  return {
    targetUrl: '',
    recentTarget: undefined,
    prompt: DEFAULT_THREAD_PROMPT,
    include: replies > 0 ? 'thread' : 'message',
    output: 'append',
    keepCurrent: false,
  };
}

/** What the user reads when Visen cannot read the conversation, and what to do about it. */
export function threadProblemText(problem: ThreadProblem): string {
  switch (problem.code) {
    case 'not_in_channel':
      return 'Visen is not in this channel, so it cannot read the thread. Type `/invite @Visen` in the channel, then use *Send to Notion* again.';
    case 'private_channel':
      return 'This is a private channel Visen is not in, and Slack does not let an app read those. Type `/invite @Visen` in the channel, then use *Send to Notion* again.';
    case 'direct_message':
      return 'Slack does not let Visen read this direct message: an app can read only its own direct messages with you. Post or forward the messages in a channel Visen is in, and use *Send to Notion* there.';
    case 'group_dm':
      return 'Slack does not let Visen read this group DM: an app can read only the group DMs it was added to. Post or forward the messages in a channel Visen is in, and use *Send to Notion* there.';
    case 'missing_scope':
      return `Visen's Slack app does not have the ${inlineCode(problem.needed)} permission yet: it came with *Send to Notion*, and an app installed before that must be reinstalled to get it. Ask whoever installed Visen to open the app's settings at api.slack.com/apps, then *Install App → Reinstall to Workspace*, and try again.`;
    case 'message_gone':
      return 'That message is gone (deleted, or no longer visible), so there is nothing to send.';
    case 'slack_unavailable':
      return 'Slack did not answer when Visen asked for this thread. Try again in a minute.';
  }
}

export function buildThreadModal(model: ThreadModalModel): ModalView {
  const blocked = model.access.kind === 'blocked';
  const blocks: KnownBlock[] = blocked
    ? [section(`:warning: ${threadProblemText(model.access.problem)}`, { blockId: ThreadIds.statusBlock })]
    : formBlocks(model);
  return {
    type: 'modal',
    callback_id: ThreadIds.modalCallback,
    ...modalTexts(
      blocked ? { title: THREAD_MODAL_TITLE, close: 'Close', ...WITH_EMOJI } : { title: THREAD_MODAL_TITLE, submit: 'Send', close: 'Cancel', ...WITH_EMOJI },
    ),
    private_metadata: encodeLocation(model.location),
    blocks,
  };
}

function formBlocks(model: ThreadModalModel): KnownBlock[] {
  const { values, access } = model;
  const blocks: KnownBlock[] = [context(statusText(access), { blockId: ThreadIds.statusBlock })];
  if (model.configured === false) {
    blocks.push(section(':wave: Set up Visen first: type `/visen settings` to link your Notion and your model, then use *Send to Notion* again.'));
  }
  const recent = recentOptions(model.recentTargets);
  if (recent.length > 0) {
    blocks.push(
      inputBlock({
        blockId: ThreadIds.recentBlock,
        optional: true,
        label: 'A page you sent to before',
        element: staticSelect(ThreadIds.recentAction, {
          placeholder: 'Choose a recent page',
          options: recent,
          initial: recent.find((o) => o.value === values.recentTarget),
        }),
      }),
    );
  }
  blocks.push(
    inputBlock({
      blockId: ThreadIds.targetBlock,
      optional: recent.length > 0,
      label: recent.length > 0 ? 'Or another Notion link' : 'Notion page or database link',
      hint: 'In Notion: ••• → Copy link. A page, or a database for a new row; shared with your Visen integration.',
      element: textInput(ThreadIds.targetAction, { placeholder: 'https://www.notion.so/…', maxLength: TARGET_URL_MAX, initialValue: values.targetUrl }),
    }),
    inputBlock({
      blockId: ThreadIds.promptBlock,
      label: 'What to write',
      element: textInput(ThreadIds.promptAction, { multiline: true, maxLength: SLACK_LIMITS.plainTextInputMaxLength, initialValue: values.prompt }),
    }),
    radioBlock(ThreadIds.includeBlock, ThreadIds.includeAction, 'What Visen reads', INCLUDE_OPTIONS, values.include),
    radioBlock(ThreadIds.outputBlock, ThreadIds.outputAction, 'Where the result goes', OUTPUT_OPTIONS, values.output),
    keepCurrentBlock(values.keepCurrent),
  );
  return blocks;
}

/** The value of the "Keep it current" checkbox option. */
export const KEEP_CURRENT_VALUE = 'keep_current';

function keepCurrentBlock(keepCurrent: boolean): KnownBlock {
  const keep = option('Keep it current: update the page as new replies arrive', KEEP_CURRENT_VALUE);
  return inputBlock({
    blockId: ThreadIds.keepBlock,
    optional: true,
    label: 'Later replies',
    hint: 'Appending to a page only. What Visen wrote is replaced by a new summary, at most every few minutes; blocks you edited stay.',
    element: { type: 'checkboxes', action_id: ThreadIds.keepAction, options: [keep], ...(keepCurrent ? { initial_options: [keep] } : {}) },
  });
}

function statusText(access: ThreadAccess): string {
  if (access.kind === 'checking') return ':hourglass_flowing_sand: Checking that Visen can read this conversation…';
  if (access.kind === 'readable' && access.replies > 0) return `:white_check_mark: Visen can read this thread (${plural(access.replies, 'reply', 'replies')}).`;
  return ':white_check_mark: Visen can read this message.';
}

const INCLUDE_OPTIONS: Record<ThreadInclude, string> = { thread: 'The whole thread', message: 'This message only' };
const OUTPUT_OPTIONS: Record<ThreadOutput, string> = {
  append: 'Append to the page',
  'new-page': 'A new page inside it',
  'new-row': 'A new row in the database (a database link)',
};

function radioBlock<K extends string>(blockId: string, actionId: string, label: string, labels: Record<K, string>, chosen: K): KnownBlock {
  const options = (Object.keys(labels) as K[]).map((k) => option(labels[k], k));
  const element: RadioButtons = { type: 'radio_buttons', action_id: actionId, options, initial_option: options.find((o) => o.value === chosen) };
  return inputBlock({ blockId, label, element });
}

/** Recent page targets as select options: URLs within Slack's option value limit, no repeats. */
function recentOptions(targets: ThreadModalModel['recentTargets']): PlainTextOption[] {
  const seen = new Set<string>();
  const out: PlainTextOption[] = [];
  for (const t of targets) {
    if (seen.has(t.url) || t.url.length > SLACK_LIMITS.optionValue) continue;
    seen.add(t.url);
    out.push(option(truncate(t.title.trim() || 'Untitled', SLACK_LIMITS.optionText), t.url));
  }
  return out.slice(0, MAX_RECENT_TARGETS);
}

/** The select lists this many at most: recent ones, not a directory. */
export const MAX_RECENT_TARGETS = 20;

export function encodeLocation(location: ThreadLocation): string {
  return JSON.stringify({ c: location.channelId, m: location.messageTs, t: location.threadTs });
}

export function decodeLocation(metadata: string | undefined): ThreadLocation | undefined {
  try {
    const v = JSON.parse(metadata ?? '') as { c?: unknown; m?: unknown; t?: unknown };
    if (typeof v.c === 'string' && typeof v.m === 'string' && typeof v.t === 'string') return { channelId: v.c, messageTs: v.m, threadTs: v.t };
  } catch {
    // not ours: undefined below
  }
  return undefined;
}
