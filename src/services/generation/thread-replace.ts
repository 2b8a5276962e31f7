import { type BlockInfo, contentSignature } from '../../adapters/notion/index.js';
import { describeForLog } from '../../errors.js';
import { clip } from '../text.js';
import type { RunContext } from './active-run.js';
import { idempotentWrite, removeWrittenBlocks, writeOptions } from './notion-writes.js';
import type { ReplacedNote, WrittenBlock } from './thread-output.js';

/** Kept blocks named in the message, and how much of each one's text. */
const KEPT_TEXTS_SHOWN = 3;
const KEPT_TEXT_CHARS = 60;

/**
 * "Run again" of a thread connection that appends to a page replaces what it wrote last time instead of adding a
 * second copy. The blocks it wrote are kept per connection with their content's signature (the adapter's
 * `contentSignature`, the one rule of "the same block" in the app); once the new content is complete, each of last
 * time's blocks still holding what Visen wrote is removed, and one whose content differs (the user edited it) is
 * left where it is, and counted, so the message can say so. Blocks already deleted are simply gone.
 *
 * Done after the new content landed, so a failed run never leaves the page with neither. A failure here does not
 * fail the run (the new content is there): it is logged and the message says nothing was replaced.
 */
export async function replaceAndRemember(ctx: RunContext): Promise<ReplacedNote | undefined> {
  const { run, notion, store, logger } = ctx;
  const record = run.record;
  const page = record.page;
  if (!page) return undefined;
  try {
    const previous = (await store.threadOutput(record.user, record.connection.id)) ?? [];
    const children = await idempotentWrite(() => notion.listChildren(record.target.id), writeOptions(ctx));
    const byId = new Map<string, BlockInfo>(children.filter((c) => !c.inTrash).map((c) => [c.id, c]));
    const written = new Set(page.appendedBlockIds);
    const unchanged = previous.filter((b) => !written.has(b.id) && byId.has(b.id) && contentSignature(byId.get(b.id) as BlockInfo) === b.signature);
    const edited = previous.filter((b) => !written.has(b.id) && byId.has(b.id) && !unchanged.includes(b));
    await removeWrittenBlocks(
      notion,
      unchanged.map((b) => b.id),
      writeOptions(ctx),
    );
    const now: WrittenBlock[] = page.appendedBlockIds.flatMap((id) => {
      const child = byId.get(id);
      return child ? [{ id, signature: contentSignature(child) }] : [];
    });
    await store.setThreadOutput(record.user, record.connection.id, now);
    const keptTexts = edited.slice(0, KEPT_TEXTS_SHOWN).map((b) => clip((byId.get(b.id)?.text ?? '').replace(/\s+/g, ' ').trim(), KEPT_TEXT_CHARS));
    return previous.length > 0 ? { removed: unchanged.length, kept: edited.length, keptTexts } : undefined;
  } catch (err) {
    logger.warn({ err: describeForLog(err) }, 'could not replace what this thread connection wrote last time');
    return undefined;
  }
}
