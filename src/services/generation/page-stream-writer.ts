import { blockContent, type NotionBlock, titleValue } from '../../adapters/notion/index.js';
import { describeForLog } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { clip } from '../text.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';
import { AppendError, appendChecked, idempotentWrite, writeOptions, writePolicy } from './notion-writes.js';
import type { PageWriteState } from './run-store.js';

const HEADINGS = new Set(['heading_1', 'heading_2', 'heading_3']);
const TITLE_MAX_CHARS = 100;

/** Batches complete blocks into Notion writes while the model is still streaming. */
export class PageStreamWriter {
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
    /** new-page: the page keeps this title (a scheduled run's date), whatever headings come. */
    private readonly fixedTitle?: string,
  ) {
    this.title = fixedTitle ?? promptTitle;
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
    if (this.mode === 'new-page' && this.ctx.run.record.page!.createdPageId === undefined) await this.createWithFirstBatch(batch);
    else await this.appendBatch(batch);
  }

  /** new-page: the first batch creates the page, titled by its first heading (else by the prompt). */
  private async createWithFirstBatch(batch: NotionBlock[]): Promise<void> {
    const { run } = this.ctx;
    const page = run.record.page!;
    const headingAt = batch.findIndex((b) => HEADINGS.has(b.type));
    const headingTitle = headingAt >= 0 && this.fixedTitle === undefined ? titleOf(batch[headingAt]!) : undefined;
    this.title = this.fixedTitle ?? headingTitle ?? this.promptTitle;
    if (headingTitle !== undefined) {
      page.titleFromHeading = true;
      // The page shows its title in large type; the same heading right below it would say it twice.
      if (headingAt === 0) batch = batch.slice(1);
    }
    await this.createChildPage(batch);
    this.blocksWritten += batch.length;
    run.emit();
  }

  /** Appends a batch (to the target page, or to the new page); an append that failed keeps what landed listed. */
  private async appendBatch(batch: NotionBlock[]): Promise<void> {
    const { run, notion } = this.ctx;
    const page = run.record.page!;
    const appending = this.mode === 'append';
    const parentId = appending ? run.record.target.id : page.createdPageId!;
    if (!appending && !page.titleFromHeading && this.fixedTitle === undefined) await this.retitleFromHeading(parentId, batch);
    if (appending) {
      page.pendingBlocks = batch;
      await run.save();
    }
    try {
      const ids = await appendChecked(notion, parentId, batch, { ...writeOptions(this.ctx), afterId: page.appendedBlockIds.at(-1) });
      if (appending) page.appendedBlockIds.push(...ids);
    } catch (err) {
      if (appending) {
        if (err instanceof AppendError) page.appendedBlockIds.push(...err.landedIds);
        page.pendingBlocks = undefined;
      }
      await run.save();
      throw err instanceof AppendError ? err.original : err;
    }
    page.pendingBlocks = undefined;
    this.blocksWritten += batch.length;
    await run.save();
    run.emit();
  }

  /** A new page titled from the prompt takes the first heading that comes as its title. */
  private async retitleFromHeading(pageId: string, batch: readonly NotionBlock[]): Promise<void> {
    const title = batch.flatMap((b) => (HEADINGS.has(b.type) ? [titleOf(b)] : [])).find((t) => t !== undefined);
    if (title === undefined) return;
    this.title = title;
    await idempotentWrite(() => this.ctx.notion.updatePageProperties(pageId, { title: titleValue(title) }), writeOptions(this.ctx));
    this.ctx.run.record.page!.titleFromHeading = true;
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

/** A heading's text as a page title; undefined when it is blank. */
function titleOf(heading: NotionBlock): string | undefined {
  const text = blockContent(heading).text;
  return text.trim() === '' ? undefined : clipTitle(text);
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

/** A create whose answer was lost: the new child page with our title that was not there before. */
export async function findCreatedPage(ctx: RunContext, page: PageWriteState): Promise<string | undefined> {
  const children = await idempotentWrite(() => ctx.notion.listChildren(ctx.run.record.target.id), writeOptions(ctx));
  const before = new Set(page.childPagesBefore ?? []);
  return children.filter((c) => c.type === 'child_page' && !c.inTrash && !before.has(c.id) && c.text === page.creatingTitle).at(-1)?.id;
}
