import { blockContent, markdownToBlocks, type NotionBlock, streamMarkdownBlocks, titleValue } from '../../adapters/notion/index.js';
import { describeForLog, NotionError, VisenError } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { clip } from '../text.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';
import { SYSTEM_PROMPTS } from './model.js';
import { AppendError, appendChecked, idempotentWrite, removeWrittenBlocks, type WriteOptions, writeOptions, writePolicy } from './notion-writes.js';
import type { PageWriteState } from './run-store.js';

export type PageRunEnd = 'complete' | 'cancelled' | 'interrupted';

const HEADINGS = new Set(['heading_1', 'heading_2', 'heading_3']);
const TITLE_MAX_CHARS = 100;

/**
 * A page run: the model's answer streams in, complete blocks are written to Notion in batches as it goes
 * (the first as soon as a few blocks are complete, then every ~1.5 s or 100 blocks), appended to the end of
 * the page or into a new child page. If anything fails part way, what was written is taken out again
 * (appended blocks removed, a new page trashed), so a retry never finds half an answer.
 */
export async function runPage(ctx: RunContext): Promise<PageRunEnd> {
  const { run } = ctx;
  const record = run.record;
  record.page ??= { appendedBlockIds: [], complete: false };
  const page: PageWriteState = record.page;
  const mode = record.request.output.kind === 'new-page' ? 'new-page' : 'append';
  const writer = new PageStreamWriter(ctx, mode, titleFromPrompt(record.request.prompt));
  const signal = AbortSignal.any([run.generation.signal, writer.failed.signal]);
  try {
    let cutNotice: string | undefined;
    const deltas = ctx.openai.streamChat({
      model: record.model,
      system: SYSTEM_PROMPTS.page,
      prompt: record.request.prompt,
      signal,
      onCut: (notice) => {
        cutNotice = notice;
      },
    });
    // Converted in bounded steps, with the event loop free between them (other users' acks go first).
    for await (const blocks of streamMarkdownBlocks(deltas)) writer.add(blocks);
    if (cutNotice !== undefined) writer.add(markdownToBlocks(`*${cutNotice}*`));
    await writer.finish();
    if (writer.blocksWritten === 0 && page.createdPageId === undefined) {
      throw new VisenError('empty_answer', 'The model returned an empty answer, so nothing was written. Try again, or reword the prompt.');
    }
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

/** Takes out what a page run wrote: trashes the new page, or removes the appended blocks (also after a restart). */
export async function rollbackPage(ctx: RunContext): Promise<void> {
  const { run, notion, logger } = ctx;
  const record = run.record;
  const page = record.page;
  if (!page || page.rolledBack || page.complete) return;
  const options = writeOptions(ctx);
  if (hasWritten(page)) {
    run.rollingBack = run.cancelRequested ? 'cancelled' : 'failed';
    run.emit();
  }
  try {
    if (record.request.output.kind === 'new-page') {
      const pageId = page.createdPageId ?? (page.creatingTitle !== undefined ? await findCreatedPage(ctx, page) : undefined);
      if (pageId) await trashQuietly(() => notion.trashPage(pageId), options);
    } else {
      if (page.pendingBlocks?.length) {
        const children = await idempotentWrite(() => notion.listChildren(record.target.id), options);
        page.appendedBlockIds.push(...landedTail(children, page.pendingBlocks, page.appendedBlockIds.at(-1)));
        page.pendingBlocks = undefined;
      }
      await removeWrittenBlocks(notion, page.appendedBlockIds, options);
    }
    page.rolledBack = true;
  } catch (err) {
    logger.warn({ err: describeForLog(err) }, 'could not take out what a failed page run wrote');
    const left =
      record.request.output.kind === 'new-page'
        ? 'the new page it had started'
        : `the ${page.appendedBlockIds.length} blocks it had added at the end of the page`;
    record.error = `${record.error ? `${record.error} ` : ''}Visen could not remove ${left}; please delete it in Notion.`;
  } finally {
    run.rollingBack = undefined;
  }
  await run.save();
}

function hasWritten(page: PageWriteState): boolean {
  return page.createdPageId !== undefined || page.creatingTitle !== undefined || page.appendedBlockIds.length > 0 || (page.pendingBlocks?.length ?? 0) > 0;
}

/** A create whose answer was lost: the new child page with our title that was not there before. */
async function findCreatedPage(ctx: RunContext, page: PageWriteState): Promise<string | undefined> {
  const children = await idempotentWrite(() => ctx.notion.listChildren(ctx.run.record.target.id), writeOptions(ctx));
  const before = new Set(page.childPagesBefore ?? []);
  return children.filter((c) => c.type === 'child_page' && !c.inTrash && !before.has(c.id) && c.text === page.creatingTitle).at(-1)?.id;
}

async function trashQuietly(trash: () => Promise<unknown>, options: WriteOptions): Promise<void> {
  try {
    await idempotentWrite(trash, options);
  } catch (err) {
    if (err instanceof NotionError && (err.code === 'object_not_found' || err.code === 'validation_error')) return;
    throw err;
  }
}

/** Batches complete blocks into Notion writes while the model is still streaming. */
class PageStreamWriter {
  readonly failed = new AbortController();
  error: unknown = undefined;
  blocksWritten = 0;
  title: string;
  private buffer: NotionBlock[] = [];
  private firstBlockAt: number | undefined;
  private lastFlushAt = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly mode: 'append' | 'new-page',
    private readonly promptTitle: string,
  ) {
    this.title = promptTitle;
  }

  add(blocks: readonly NotionBlock[]): void {
    if (this.error !== undefined) throw this.error;
    if (blocks.length === 0) return;
    this.firstBlockAt ??= Date.now();
    this.buffer.push(...blocks);
    this.maybeFlush();
  }

  /** Writes everything left, in order. */
  async finish(): Promise<void> {
    this.clearTimer();
    while (this.flushing || this.buffer.length > 0) {
      if (this.flushing) await this.flushing;
      if (this.error !== undefined) throw this.error;
      if (this.buffer.length > 0) this.startFlush();
    }
    if (this.error !== undefined) throw this.error;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private maybeFlush(): void {
    if (this.flushing || this.stopped || this.buffer.length === 0) return;
    const now = Date.now();
    const o = this.ctx.options;
    const due =
      this.lastFlushAt === 0
        ? this.buffer.length >= o.firstBatchBlocks || now - (this.firstBlockAt ?? now) >= o.firstBatchWaitMs
        : this.buffer.length >= o.maxBatchBlocks || now - this.lastFlushAt >= o.batchIntervalMs;
    if (due) {
      this.startFlush();
      return;
    }
    if (!this.timer) {
      const wait = this.lastFlushAt === 0 ? o.firstBatchWaitMs - (now - (this.firstBlockAt ?? now)) : o.batchIntervalMs - (now - this.lastFlushAt);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.maybeFlush();
        },
        Math.max(10, wait),
      );
    }
  }

  private startFlush(): void {
    this.clearTimer();
    const batch = this.buffer.splice(0, this.ctx.options.maxBatchBlocks);
    this.lastFlushAt = Date.now();
    this.flushing = this.write(batch)
      .catch((err: unknown) => {
        this.error ??= err;
        this.failed.abort(err);
      })
      .finally(() => {
        this.flushing = undefined;
        this.lastFlushAt = Date.now();
        if (this.error === undefined) this.maybeFlush();
      });
  }

  private async write(batch: NotionBlock[]): Promise<void> {
    const { run, notion } = this.ctx;
    const record = run.record;
    const page = record.page!;
    if (this.mode === 'new-page' && page.createdPageId === undefined) {
      const headingAt = batch.findIndex((b) => HEADINGS.has(b.type));
      if (headingAt >= 0 && blockContent(batch[headingAt]).text.trim() !== '') {
        this.title = clipTitle(blockContent(batch[headingAt]).text);
        page.titleFromHeading = true;
        // The page shows its title in large type; the same heading right below it would say it twice.
        if (headingAt === 0) batch = batch.slice(1);
      } else {
        this.title = this.promptTitle;
      }
      await this.createChildPage(batch);
      this.blocksWritten += batch.length;
      run.emit();
      return;
    }
    const parentId = this.mode === 'new-page' ? page.createdPageId! : record.target.id;
    if (this.mode === 'new-page' && !page.titleFromHeading) {
      const heading = batch.find((b) => HEADINGS.has(b.type) && blockContent(b).text.trim() !== '');
      if (heading) {
        this.title = clipTitle(blockContent(heading).text);
        await idempotentWrite(() => notion.updatePageProperties(parentId, { title: titleValue(this.title) }), writeOptions(this.ctx));
        page.titleFromHeading = true;
      }
    }
    if (this.mode === 'append') {
      page.pendingBlocks = batch;
      await run.save();
    }
    try {
      const ids = await appendChecked(notion, parentId, batch, { ...writeOptions(this.ctx), afterId: page.appendedBlockIds.at(-1) });
      if (this.mode === 'append') page.appendedBlockIds.push(...ids);
    } catch (err) {
      if (err instanceof AppendError && this.mode === 'append') page.appendedBlockIds.push(...err.landedIds);
      if (this.mode === 'append') page.pendingBlocks = undefined;
      await run.save();
      throw err instanceof AppendError ? err.original : err;
    }
    page.pendingBlocks = undefined;
    this.blocksWritten += batch.length;
    await run.save();
    run.emit();
  }

  /** Creates the child page with the first batch; if Notion's answer is lost, finds the page before trying again. */
  private async createChildPage(children: NotionBlock[]): Promise<void> {
    const { run, notion, logger } = this.ctx;
    const page = run.record.page!;
    const parentId = run.record.target.id;
    const before = await idempotentWrite(() => notion.listChildren(parentId), writeOptions(this.ctx));
    page.childPagesBefore = before.filter((c) => c.type === 'child_page').map((c) => c.id);
    page.creatingTitle = this.title;
    await run.save();
    const lostPageId = await withRetries(
      async (attempt) => {
        if (attempt > 1) {
          const found = await findCreatedPage(this.ctx, page).catch(() => undefined);
          if (found) return found;
        }
        const created = await notion.createPage({ parent: { type: 'page', id: parentId }, properties: { title: titleValue(this.title) }, children });
        page.createdPageId = created.id;
        page.createdPageUrl = created.url;
        await run.save();
        return undefined;
      },
      {
        ...writePolicy(writeOptions(this.ctx)),
        beforeRetry: (err, attempt) =>
          logger.info({ err: describeForLog(err), attempt }, 'creating the new page: outcome unknown, looking for it before trying again'),
      },
    );
    if (lostPageId) await this.adoptLostPage(lostPageId, children);
  }

  /** A create whose answer was lost did make the page: keep it, and add what of its first content is missing. */
  private async adoptLostPage(pageId: string, children: NotionBlock[]): Promise<void> {
    const { run, notion } = this.ctx;
    const page = run.record.page!;
    page.createdPageId = pageId;
    const info = await idempotentWrite(() => notion.retrievePage(pageId), writeOptions(this.ctx));
    page.createdPageUrl = info.url;
    await run.save();
    // The page exists; its first content may or may not be in it.
    const inside = await idempotentWrite(() => notion.listChildren(pageId), writeOptions(this.ctx));
    const landed = landedTail(inside, children);
    if (landed.length < children.length)
      await appendChecked(notion, pageId, children.slice(landed.length), { ...writeOptions(this.ctx), afterId: landed.at(-1) });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A page title from the prompt: its first line, shortened. */
export function titleFromPrompt(prompt: string): string {
  const line =
    prompt
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? 'Generated by Visen';
  return clipTitle(line);
}

function clipTitle(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), TITLE_MAX_CHARS);
}
