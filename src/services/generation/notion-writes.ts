import type { Logger } from 'pino';
import type { NotionBlock, NotionWorkspace } from '../../adapters/notion/index.js';
import { describeForLog, NotionError } from '../../errors.js';
import { type RetryPolicy, withRetries } from '../../retry.js';
import type { RunContext } from './active-run.js';
import { landedTail } from './block-match.js';

/**
 * Writes into page bodies that never leave a duplicate: a write that fails in a way that may have applied is
 * checked (what landed is read back from the page) before the rest is sent again.
 */

/** Notion failures worth waiting out: the request may succeed later. */
export function isTransientNotion(err: unknown): boolean {
  // Not rate_limited or unavailable: the adapter's HTTP layer has already retried those (honouring
  // Retry-After) until its attempts ran out, and retrying again here would multiply the wait, not help.
  return err instanceof NotionError && (err.code === 'outcome_unknown' || err.code === 'timeout' || err.code === 'conflict_error');
}

/** Notion failures that stop a whole run: every later request of this secret would fail the same way. */
export function isFatalNotion(err: unknown): boolean {
  return err instanceof NotionError && (err.code === 'unauthorized' || err.code === 'restricted_resource');
}

export interface WriteOptions {
  readonly attempts: number;
  /** Wait before attempt n+1 (ms). */
  readonly backoffMs: (attempt: number) => number;
  readonly logger: Logger;
}

/** A run's write policy: its attempts and backoff, and its logger. */
export function writeOptions(ctx: RunContext): WriteOptions {
  return { attempts: ctx.options.writeAttempts, backoffMs: ctx.options.backoffMs, logger: ctx.logger };
}

/**
 * Appends `blocks` at the end of `parentId` and returns the top-level ids created. After a transient failure
 * it reads the page before the next attempt: blocks already there (at the end, after `afterId`) are kept, only
 * the rest is sent.
 */
export async function appendChecked(
  notion: NotionWorkspace,
  parentId: string,
  blocks: readonly NotionBlock[],
  options: WriteOptions & { afterId?: string | undefined },
): Promise<string[]> {
  const ids: string[] = [];
  let remaining = [...blocks];
  const appendRest = async (attempt: number) => {
    if (attempt > 1) {
      const landed = landedTail(await notion.listChildren(parentId), remaining, ids.at(-1) ?? options.afterId);
      ids.push(...landed);
      remaining = remaining.slice(landed.length);
    }
    if (remaining.length > 0) ids.push(...(await notion.appendBlocks(parentId, remaining)).blockIds);
  };
  try {
    await withRetries(appendRest, {
      ...writePolicy(options),
      beforeRetry: (err, attempt) =>
        options.logger.info({ err: describeForLog(err), attempt, parentId }, 'append failed; checking what landed before sending the rest'),
    });
  } catch (err) {
    throw new AppendError(err, ids);
  }
  return ids;
}

/** An append that failed for good, with the ids of what did land (so the caller can remove it). */
export class AppendError extends Error {
  constructor(
    readonly original: unknown,
    readonly landedIds: readonly string[],
  ) {
    super('append failed', { cause: original });
  }
}

/** A Notion write that is safe to repeat as it is (same values): retried on transient failures. */
export function idempotentWrite<T>(write: () => Promise<T>, options: WriteOptions): Promise<T> {
  return withRetries(write, {
    ...writePolicy(options),
    beforeRetry: (err, attempt) => options.logger.info({ err: describeForLog(err), attempt }, 'Notion write failed; sending the same values again'),
  });
}

/** Transient Notion failures are tried again, `attempts` in all, `backoffMs` apart. */
export function writePolicy(options: WriteOptions): RetryPolicy {
  return { attempts: options.attempts, canRetry: isTransientNotion, delayMs: options.backoffMs };
}

/**
 * Takes content Visen wrote back out of a page, last block first, so a failed or interrupted write leaves the
 * page as it was and a retry cannot duplicate anything. Blocks already gone count as removed.
 */
export async function removeWrittenBlocks(notion: NotionWorkspace, blockIds: readonly string[], options: WriteOptions): Promise<void> {
  for (const id of [...blockIds].reverse()) {
    try {
      await idempotentWrite(() => notion.deleteBlock(id), options);
    } catch (err) {
      if (err instanceof NotionError && err.code === 'object_not_found') continue;
      throw err;
    }
  }
}
