import { markdownToBlocks, streamMarkdownBlocks } from '../../adapters/notion/index.js';
import { describeForLog, NotionError, VisenError } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';
import { PAGE_CONTEXT_INSTRUCTIONS, SYSTEM_PROMPTS, THREAD_CONTEXT_INSTRUCTIONS, threadLinkMarkdown, wrapDocument, wrapThread } from './model.js';
import { idempotentWrite, removeWrittenBlocks, type WriteOptions, writeOptions } from './notion-writes.js';
import { readPageContext } from './page-context.js';
import { findCreatedPage, PageStreamWriter, titleFromPrompt } from './page-stream-writer.js';
import type { WorkEnd } from './run-record.js';
import type { PageWriteState } from './run-store.js';
import { replaceAndRemember } from './thread-replace.js';
import { addUsage } from './tokens.js';

/**
 * A page run: the model's answer streams in, complete blocks are written to Notion in batches as it goes
 * (the first as soon as a few blocks are complete, then every ~1.5 s or 100 blocks), appended to the end of
 * the page or into a new child page. If anything fails part way, what was written is taken out again
 * (appended blocks removed, a new page trashed), so a retry never finds half an answer.
 */
export async function runPage(ctx: RunContext): Promise<WorkEnd> {
  const { run } = ctx;
  const record = run.record;
  record.page ??= { appendedBlockIds: [], complete: false };
  const page: PageWriteState = record.page;
  const mode = record.request.output.kind === 'new-page' ? 'new-page' : 'append';
  const writer = new PageStreamWriter(ctx, mode, titleFromPrompt(record.request.prompt));
  const signal = AbortSignal.any([run.generation.signal, writer.failed.signal]);
  try {
    await streamAnswer(ctx, writer, mode, signal);
    await writer.finish();
    if (writer.blocksWritten === 0 && page.createdPageId === undefined) {
      throw new VisenError('empty_answer', 'The model returned an empty answer, so nothing was written. Try again, or reword the prompt.');
    }
    if (record.request.source && mode === 'append') record.replaced = await replaceAndRemember(ctx);
    page.complete = true;
    record.done = 1;
    run.addWritten(mode === 'new-page' ? writer.title : record.target.title, page.createdPageUrl ?? record.target.url);
    await run.save();
    return 'complete';
  } catch (err) {
    writer.stop();
    await writer.settle();
    const cause = writer.error ?? (run.cancelRequested || run.stopRequested ? undefined : err);
    await rollbackPage(ctx);
    if (cause === undefined) return run.cancelRequested ? 'cancelled' : 'interrupted';
    throw cause;
  }
}

/**
 * The model's answer into the writer, with what follows it: the note when the answer was cut, and for a thread the
 * link back to it. The model is given the thread, or the page (see pageDocument), as the document the prompt is about.
 */
async function streamAnswer(ctx: RunContext, writer: PageStreamWriter, mode: 'append' | 'new-page', signal: AbortSignal): Promise<void> {
  const record = ctx.run.record;
  const source = record.request.source;
  const document = source ? wrapThread(source.text) : await pageDocument(ctx);
  const instructions = source ? THREAD_CONTEXT_INSTRUCTIONS : PAGE_CONTEXT_INSTRUCTIONS[mode];
  let cutNotice: string | undefined;
  const deltas = ctx.openai.streamChat({
    model: record.model,
    system: document === undefined ? SYSTEM_PROMPTS.page : `${SYSTEM_PROMPTS.page}\n\n${instructions}`,
    ...(document !== undefined ? { document } : {}),
    prompt: record.request.prompt,
    signal,
    onCut: (notice) => {
      cutNotice = notice;
    },
    // One answer: the SDK retries only requests refused before it began, which used no tokens.
    onUsage: (usage) => addUsage(record.tokens, usage),
  });
  // Converted in bounded steps, with the event loop free between them (other users' acks go first).
  let answered = false;
  for await (const blocks of streamMarkdownBlocks(deltas)) {
    answered ||= blocks.length > 0;
    writer.add(blocks);
  }
  if (cutNotice !== undefined) writer.add(markdownToBlocks(`*${cutNotice}*`));
  if (source && answered) writer.add(markdownToBlocks(threadLinkMarkdown(source.permalink)));
}

/**
 * The page (for a new page, its parent) as the document the prompt is about, read within the context budget, or
 * undefined (turned off, or unreadable). A page that cannot be read does not fail the run: the user asked for
 * content, which the model can often still write (a page the integration may append to but not read, an outage of
 * the Markdown endpoint), and the progress message says plainly that the model did not see the page, so a
 * "summarise this page" that went without it is not mistaken for one that read it. The page's text is never logged.
 */
async function pageDocument(ctx: RunContext): Promise<string | undefined> {
  const { run, options, notion, logger } = ctx;
  const record = run.record;
  if (record.request.context === false || options.contextChars <= 0) return undefined;
  try {
    const context = await readPageContext(notion, record.target.id, options.contextChars);
    record.context = { read: true, usedChars: context.usedChars, cut: context.cut, budget: options.contextChars };
    run.emit();
    return wrapDocument(record.target.title, context);
  } catch (err) {
    if (run.generation.signal.aborted) throw err;
    logger.info({ err: describeForLog(err) }, 'could not read the page for context; generating without it');
    const reason = err instanceof VisenError ? err.userMessage : 'Notion did not answer as expected';
    record.context = { read: false, reason };
    run.emit();
    return undefined;
  }
}

/** Takes out what a page run wrote: trashes the new page, or removes the appended blocks (also after a restart). */
export async function rollbackPage(ctx: RunContext): Promise<void> {
  const { run, logger } = ctx;
  const record = run.record;
  const page = record.page;
  if (!page || page.rolledBack || page.complete) return;
  if (hasWritten(page)) {
    run.rollingBack = run.cancelRequested ? 'cancelled' : 'failed';
    run.emit();
  }
  const created = record.request.output.kind === 'new-page' || record.request.output.kind === 'new-row';
  try {
    if (created) await trashCreatedPage(ctx, page);
    else await removeAppended(ctx, page);
    page.rolledBack = true;
  } catch (err) {
    logger.warn({ err: describeForLog(err) }, 'could not take out what a failed page run wrote');
    const left = created
      ? `the new ${record.request.output.kind === 'new-row' ? 'row' : 'page'} it had started`
      : `the ${page.appendedBlockIds.length} blocks it had added at the end of the page`;
    record.error = `${record.error ? `${record.error} ` : ''}Visen could not remove ${left}; please delete it in Notion.`;
  } finally {
    run.rollingBack = undefined;
  }
  await run.save();
}

/** new-page and new-row: the page it created (found by title after a lost answer) goes to the trash. */
async function trashCreatedPage(ctx: RunContext, page: PageWriteState): Promise<void> {
  const pageId = page.createdPageId ?? (page.creatingTitle !== undefined ? await findCreatedPage(ctx, page) : undefined);
  if (pageId) await trashQuietly(() => ctx.notion.trashPage(pageId), writeOptions(ctx));
}

/** append: the blocks it added, those of a batch whose answer was lost too (found at the end of the page). */
async function removeAppended(ctx: RunContext, page: PageWriteState): Promise<void> {
  const options = writeOptions(ctx);
  if (page.pendingBlocks?.length) {
    const children = await idempotentWrite(() => ctx.notion.listChildren(ctx.run.record.target.id), options);
    page.appendedBlockIds.push(...landedTail(children, page.pendingBlocks, page.appendedBlockIds.at(-1)));
    page.pendingBlocks = undefined;
  }
  await removeWrittenBlocks(ctx.notion, page.appendedBlockIds, options);
}

function hasWritten(page: PageWriteState): boolean {
  return page.createdPageId !== undefined || page.creatingTitle !== undefined || page.appendedBlockIds.length > 0 || (page.pendingBlocks?.length ?? 0) > 0;
}

async function trashQuietly(trash: () => Promise<unknown>, options: WriteOptions): Promise<void> {
  try {
    await idempotentWrite(trash, options);
  } catch (err) {
    if (err instanceof NotionError && (err.code === 'object_not_found' || err.code === 'validation_error')) return;
    throw err;
  }
}
