import type { Button, KnownBlock } from '@slack/types';
import type { RunProgress } from '../../services/generation/types.js';
import type { UserRef } from '../../users.js';
import { GenerateIds } from '../listeners/generate/ids.js';
import { actions, button, confirmDialog, context, type SlackMessage, section } from './blocks.js';
import { previewBlocks, previewFallback, previewingHeadline } from './progress-preview.js';
import { tokensLine } from './progress-tokens.js';
import { escapeMrkdwn, formatCount, inlineText, mrkdwnLink, notificationText, oneLine, plural, SLACK_LIMITS, truncate } from './text.js';

/**
 * The messages of a generation run: "working", its live progress (one message, updated), the final
 * summary, and the errors found before anything is generated. Pure: the caller passes everything in.
 */
export interface ProgressMessageModel {
  readonly progress: RunProgress;
  /** The user pressed Cancel; the run is stopping. */
  readonly cancelRequested?: boolean;
  /** On the slash command's message: its progress now continues in a direct message. */
  readonly continuedInDm?: boolean;
  /** In the direct message: progress moved here from the slash command's message. */
  readonly movedFromCommand?: boolean;
  /** Visen restarted while this run was going. */
  readonly afterRestart?: boolean;
}

/** Links listed in a final message; the rest are counted ("and 12 more"). */
export const MAX_LINKS_SHOWN = 10;

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(progress: RunProgress): boolean {
  return TERMINAL.has(progress.state);
}

export function buildWorkingMessage(): SlackMessage {
  const text = ':hourglass_flowing_sand: Working on it… checking your settings and the Notion link.';
  return { text: notificationText(text), blocks: [section(text)] };
}

/** A problem found before anything was generated (no settings, target unreachable, unknown placeholder, ...). */
export function buildStartErrorMessage(userMessage: string): SlackMessage {
  // The message may quote Notion (a page title, property names, Notion's own validation text): escaped below.
  const text = `:warning: ${escapeMrkdwn(userMessage)}`;
  return {
    text: notificationText(`Visen could not start: ${userMessage}`),
    blocks: [section(text), context('Nothing was generated or written.')],
  };
}

/** The slash command could not be read: every problem, then the usage. */
export function buildUsageErrorMessage(problems: readonly string[], usage: string): SlackMessage {
  // Problems quote what the user typed; usage shows `<placeholders>`: both are plain text, escaped as mrkdwn.
  const list = problems.map((p) => `• ${escapeMrkdwn(p)}`).join('\n');
  const intro = problems.length === 1 ? 'I could not use that command:' : 'I could not use that command, for these reasons:';
  return {
    text: notificationText(`${intro} ${problems.join(' ')}`),
    blocks: [section(`:warning: ${intro}\n${list}`), section(`*Usage*\n${escapeMrkdwn(usage)}`), context('Nothing was generated or written.')],
  };
}

export function buildProgressMessage(model: ProgressMessageModel): SlackMessage {
  const p = model.progress;
  const terminal = isTerminal(p);
  const target = mrkdwnLink(p.targetUrl, p.targetTitle || (p.targetKind === 'Database' ? 'your database' : 'your page'));
  if (!terminal && !model.cancelRequested && p.preview?.phase === 'waiting') {
    const blocks = previewBlocks(p, p.preview, target, { buttonValue: cancelButtonValue(p.runId, p.user), notes: notesOf(model, p, terminal) });
    return { text: notificationText(previewFallback(p.preview, oneLine(p.targetTitle) || 'your database')), blocks };
  }
  const blocks: KnownBlock[] = [section(headline(p, target, model.cancelRequested === true))];

  const counts = countsLine(p);
  if (counts) blocks.push(section(counts));
  if (terminal && p.written.length > 0) blocks.push(section(writtenList(p)));
  const tokens = terminal ? tokensLine(p) : undefined;
  if (tokens) blocks.push(section(tokens));
  if (p.error) blocks.push(section(`:warning: ${escapeMrkdwn(p.error)}`));

  blocks.push(context(notesOf(model, p, terminal)));

  const cancel = !terminal && !model.cancelRequested && !p.rollingBack ? cancelButton(p.runId, p.user) : undefined;
  if (cancel) blocks.push(actions([cancel], { blockId: GenerateIds.progressActionsBlock }));

  return { text: notificationText(fallbackText(p, model.cancelRequested === true)), blocks };
}

/** The context line under a run's message: what the model read, restarts, where progress went, the connection. */
function notesOf(model: ProgressMessageModel, p: RunProgress, terminal: boolean): string[] {
  const notes: string[] = [];
  const pageContext = contextNote(p);
  if (pageContext) notes.push(pageContext);
  const replaced = replacedNote(p);
  if (replaced) notes.push(replaced);
  if (model.afterRestart) notes.push(restartNote(p));
  else if (p.resumed) notes.push('Resumed after Visen restarted; rows already written were not written again.');
  if (model.continuedInDm && !terminal) {
    notes.push(
      ':arrow_right: Slack lets an app update this message only a few times, so the progress of this run continues in a direct message from Visen (Apps → Visen in your sidebar).',
    );
  }
  if (model.movedFromCommand) notes.push('Progress of your `/visen generate` moved here: Slack lets an app update a command’s reply only a few times.');
  notes.push(`Connection: *${escapeMrkdwn(truncate(oneLine(p.connectionName), 150))}* (recorded in your connections database in Notion)`);
  return notes;
}

/** What a run in a passing step says: taking out what it wrote, stopping, generating or cancelling its preview. */
function stepHeadline(p: RunProgress, target: string, cancelRequested: boolean): string | undefined {
  const db = p.targetKind === 'Database';
  if (isTerminal(p))
    return p.state === 'cancelled' && p.preview?.phase === 'cancelled'
      ? `:octagonal_sign: Cancelled after the preview: nothing was written into ${target}.`
      : undefined;
  if (p.rollingBack === 'cancelled') return `:octagonal_sign: Cancelled: removing what Visen wrote into ${target}…`;
  if (p.rollingBack === 'failed') return `:warning: Something went wrong: removing what Visen wrote into ${target}…`;
  if (cancelRequested) return db ? `:octagonal_sign: Stopping ${target}: rows still being written are dropped…` : `:octagonal_sign: Stopping ${target}…`;
  if (p.state === 'running' && p.preview?.phase === 'generating') return previewingHeadline(p.preview, target);
  return undefined;
}

function headline(p: RunProgress, target: string, cancelRequested: boolean): string {
  const db = p.targetKind === 'Database';
  const step = stepHeadline(p, target, cancelRequested);
  if (step) return step;
  switch (p.state) {
    case 'starting':
      return `:hourglass_flowing_sand: Getting ready to write into ${target}…`;
    case 'running':
      return db ? `:writing_hand: Filling the rows of ${target}…` : `:writing_hand: Writing into ${target}…`;
    case 'succeeded':
      if (db && p.failed > 0) return `:warning: Finished ${target}, but some rows failed.`;
      return db ? `:white_check_mark: Done: ${target}.` : `:white_check_mark: Done: wrote into ${target}.`;
    case 'failed':
      return `:x: The run on ${target} failed.`;
    case 'cancelled':
      if (db) return `:octagonal_sign: Cancelled: ${target}. Rows already written stay; the rows in progress were left as they were.`;
      return p.error ? `:octagonal_sign: Cancelled: ${target}.` : `:octagonal_sign: Cancelled: ${target}. What Visen had written was taken out again.`;
  }
}

function countsLine(p: RunProgress): string | undefined {
  if (p.targetKind !== 'Database') return undefined;
  const extras = [
    p.skipped > 0 ? `${formatCount(p.skipped)} skipped (already had output)` : undefined,
    p.failed > 0 ? `${formatCount(p.failed)} failed` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (isTerminal(p)) {
    return [`${plural(p.done, 'row')} written`, `${formatCount(p.skipped)} skipped`, `${formatCount(p.failed)} failed`].join(' · ');
  }
  if (p.total === undefined) return ['Finding the rows to fill…', ...extras].join(' · ');
  const finished = Math.min(p.total, p.done + p.failed);
  return `${[`*${formatCount(p.done)}* of *${formatCount(p.total)}* rows done`, ...extras].join(' · ')}\n${progressBar(finished, p.total)}`;
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%` */
export function progressBar(finished: number, total: number, cells = 10): string {
  const ratio = total <= 0 ? 1 : Math.max(0, Math.min(1, finished / total));
  const full = Math.round(ratio * cells);
  return `${'▰'.repeat(full)}${'▱'.repeat(cells - full)} ${Math.floor(ratio * 100)}%`;
}

function writtenList(p: RunProgress): string {
  const shown = p.written.slice(-MAX_LINKS_SHOWN);
  const more = Math.max(0, Math.max(p.done, p.written.length) - shown.length);
  const lines = shown.map((w) => `• ${mrkdwnLink(w.url, w.title || 'Untitled', 100)}`);
  if (more > 0) lines.push(`…and ${formatCount(more)} more`);
  return `*Written*\n${lines.join('\n')}`;
}

function restartNote(p: RunProgress): string {
  if (p.targetKind === 'Database' && !isTerminal(p)) {
    return 'Visen restarted during this run and picked it up where it stopped; no row is written twice.';
  }
  if (p.state === 'failed') {
    return 'Visen restarted while this run was going, so it stopped. What was written before stays in Notion; run it again with `/visen generate` or from the Home tab.';
  }
  return 'Visen restarted during this run.';
}

/** Plain words; `notificationText` escapes them (the title and the error may come from Notion). */
function fallbackText(p: RunProgress, cancelRequested: boolean): string {
  const title = oneLine(p.targetTitle) || 'your Notion target';
  const counts = p.targetKind === 'Database' ? ` (${p.done} written, ${p.skipped} skipped, ${p.failed} failed)` : '';
  if (p.rollingBack && !isTerminal(p)) return `${p.rollingBack === 'cancelled' ? 'Cancelled' : 'Failed'}: removing what Visen wrote into ${title}…`;
  switch (p.state) {
    case 'starting':
      return cancelRequested ? `Stopping ${title}…` : `Getting ready to write into ${title}…`;
    case 'running':
      return cancelRequested ? `Stopping ${title}…` : `Writing into ${title}…${p.total !== undefined ? counts : ''}`;
    case 'succeeded':
      return `Done: ${title}${counts}`;
    case 'failed':
      return `Failed: ${title}${counts}${p.error ? `: ${p.error}` : ''}`;
    case 'cancelled':
      return `Cancelled: ${title}${counts}`;
  }
}

// --- Cancel button: builder and its parser -------------------------------------------------------------

export interface CancelTarget {
  readonly runId: string;
  readonly user: UserRef;
}

export function cancelButtonValue(runId: string, user: UserRef): string {
  return JSON.stringify({ r: runId, t: user.teamId, u: user.userId });
}

export function parseCancelButtonValue(value: string | undefined): CancelTarget | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as { r?: unknown; t?: unknown; u?: unknown };
    if (typeof v.r === 'string' && typeof v.t === 'string' && typeof v.u === 'string' && v.r && v.u) {
      return { runId: v.r, user: { teamId: v.t, userId: v.u } };
    }
  } catch {
    // not ours
  }
  return undefined;
}

function cancelButton(runId: string, user: UserRef): Button | undefined {
  const value = cancelButtonValue(runId, user);
  // Never a cut value: it would no longer name the run. Without a button, the run simply cannot be cancelled here.
  if (value.length > SLACK_LIMITS.buttonValue) return undefined;
  const confirm = confirmDialog({
    title: 'Stop this run?',
    text: 'Visen stops right away. In a database, rows already written stay and rows still being written are left as they were; in a page, what this run wrote is taken out again.',
    confirm: 'Stop it',
    deny: 'Keep going',
  });
  return button('Cancel run', GenerateIds.cancelAction, { style: 'danger', value, confirm });
}

/** A thread connection run again: what of its last output it replaced, and what it left because the user edited it. */
export function replacedNote(p: Pick<RunProgress, 'replaced'>): string | undefined {
  const r = p.replaced;
  if (!r) return undefined;
  const removed = `:recycle: Replaced what this connection wrote last time (${plural(r.removed, 'block')}).`;
  if (r.kept === 0) return removed;
  const which = (r.keptTexts ?? []).filter((t) => t !== '').map((t) => `“${inlineText(t, 80)}”`);
  const named = which.length > 0 ? `: ${which.join(', ')}${r.kept > which.length ? ' and more' : ''}` : '';
  return `${removed} Kept ${plural(r.kept, 'block')} you edited since, where ${r.kept === 1 ? 'it is' : 'they are'}${named}.`;
}

/** What the model was given of the page (page runs): how much, that it was cut, or that it could not be read. */
function contextNote(p: RunProgress): string | undefined {
  const c = p.context;
  if (!c) return undefined;
  if (!c.read) return `:warning: Visen could not read the page, so the model did not see it: ${escapeMrkdwn(c.reason)}`;
  const used = c.usedChars.toLocaleString('en-US');
  if (c.cut) {
    return `:scissors: The page is longer than Visen's context budget: the model saw its first ${used} characters (of ${c.budget.toLocaleString('en-US')} allowed, whole blocks only), and was told the rest was left out.`;
  }
  return `The model read the page (${used} characters).`;
}
