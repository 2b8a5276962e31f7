/**
 * Appending a tree of blocks: batches within Notion's limits (append-batches.ts), deeper levels appended to their
 * parents once those exist, and no block written twice.
 *
 * Append block children (https://developers.notion.com/reference/patch-block-children) "Returns a paginated list of
 * newly created first level children block objects" and, in API 2026-03-11, places blocks with
 * `position: { type: 'end' | 'start' } | { type: 'after_block', after_block: { id } }` (the `after` string is gone:
 * https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11). Later batches of one call go
 * `after_block` the last block of the batch before, so the blocks keep their order.
 *
 * When a batch's outcome is unknown (the connection broke, or a timeout, or a 5xx, after the request was sent), we
 * read the parent's children before sending it again: if the blocks just sent are there (same types and text, in
 * order, at the expected place, created in the last few minutes), Notion applied the request and we go on with
 * their ids. Notion reports `created_time` to the minute, hence the window.
 */
import { type BlockObjectRequest, type Client, collectPaginatedAPI } from '@notionhq/client';
import type { Logger } from 'pino';
import { NotionError } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { splitForAppend } from './append-batches.js';
import { blockContent, blockSignature, contentSignature, type NotionBlock } from './blocks.js';
import { toNotionError } from './errors.js';
import type { AppendPosition } from './types.js';

export interface AppendDeps {
  readonly client: Client;
  readonly logger: Logger;
}

/** Attempts for one batch whose outcome stays unknown after checking. */
const MAX_UNKNOWN_ATTEMPTS = 3;
/** How old a block found on the page may look and still be ours (minute rounding plus clock skew). */
const RECENT_MS = 5 * 60_000;

type ResponseBlock = { id: string; type?: string; created_time?: string } & Record<string, unknown>;

/** Appends `blocks` under `parentId`; returns the ids of the top-level blocks created, in order. */
export async function appendBlockTree(deps: AppendDeps, parentId: string, blocks: readonly NotionBlock[], position?: AppendPosition): Promise<string[]> {
  const created: string[] = [];
  let next = position;
  for (const batch of splitForAppend(blocks)) {
    const ids = await appendBatch(deps, parentId, batch.blocks, next);
    created.push(...ids);
    if (batch.deferred.length > 0) {
      const paths = new PathResolver(deps.client, ids);
      for (const deferred of batch.deferred) {
        const target = await paths.idAt(deferred.path);
        await appendBlockTree(deps, target, deferred.children);
      }
    }
    const last = ids.at(-1);
    if (next && next.type !== 'end' && last) next = { type: 'after_block', after_block: { id: last } };
  }
  return created;
}

interface Batch {
  readonly parentId: string;
  readonly blocks: readonly NotionBlock[];
  readonly position: AppendPosition | undefined;
}

/** Sends one batch; a send whose outcome is unknown is checked on the page and sent again only if its blocks are not there. */
function appendBatch(deps: AppendDeps, parentId: string, blocks: readonly NotionBlock[], position: AppendPosition | undefined): Promise<string[]> {
  const batch: Batch = { parentId, blocks, position };
  const logged = { parentId, blocks: blocks.length };
  /** The failure of the last send that is known not to have landed: the only one sent again. */
  let notLanded: NotionError | undefined;
  return withRetries(
    async (attempt) => {
      const sentAt = Date.now();
      try {
        return await sendBatch(deps.client, batch, sentAt);
      } catch (err) {
        const error = toNotionError(err);
        if (error.code !== 'outcome_unknown') throw error;
        const found = await findAppended(deps.client, parentId, blocks, position, sentAt).catch((checkError: unknown) => {
          throw toNotionError(checkError);
        });
        if (found) {
          deps.logger.info({ notion: { ...logged, attempt } }, 'append outcome was unknown: the blocks are on the page, not sending again');
          return found;
        }
        notLanded = error;
        throw error;
      }
    },
    {
      attempts: MAX_UNKNOWN_ATTEMPTS,
      canRetry: (err) => err === notLanded,
      beforeRetry: (_err, attempt) =>
        deps.logger.info({ notion: { ...logged, attempt } }, 'append outcome was unknown: the blocks are not on the page, sending again'),
    },
  );
}

async function sendBatch(client: Client, { parentId, blocks, position }: Batch, sentAt: number): Promise<string[]> {
  const response = await client.blocks.children.append({
    block_id: parentId,
    children: blocks as unknown as BlockObjectRequest[],
    ...(position ? { position } : {}),
  });
  const ids = response.results.map((block) => block.id);
  if (ids.length === blocks.length) return ids;
  // Not the documented answer; find the blocks on the page instead of guessing.
  const found = await findAppended(client, parentId, blocks, position, sentAt);
  if (found) return found;
  throw new NotionError('unknown', 'Notion did not report the blocks it added, so Visen stopped writing to this page.');
}

/** The ids of `blocks` if the parent holds them where they were meant to go (recently created), else undefined. */
export async function findAppended(
  client: Client,
  parentId: string,
  blocks: readonly NotionBlock[],
  position: AppendPosition | undefined,
  sentAt: number,
): Promise<string[] | undefined> {
  const children = (await collectPaginatedAPI(client.blocks.children.list, { block_id: parentId })) as ResponseBlock[];
  const wanted = blocks.map(blockSignature);
  const oldest = Math.floor(sentAt / 60_000) * 60_000 - RECENT_MS;
  const matchesAt = (start: number) =>
    start >= 0 &&
    start + wanted.length <= children.length &&
    wanted.every((signature, i) => {
      const child = children[start + i]!;
      const created = Date.parse(child.created_time ?? '');
      return contentSignature(blockContent(child)) === signature && !(created < oldest);
    });
  const idsFrom = (start: number) => children.slice(start, start + wanted.length).map((child) => child.id);

  if (position?.type === 'start') return matchesAt(0) ? idsFrom(0) : undefined;
  if (position?.type === 'after_block') {
    const anchor = children.findIndex((child) => child.id === position.after_block.id);
    return anchor >= 0 && matchesAt(anchor + 1) ? idsFrom(anchor + 1) : undefined;
  }
  // At the end, unless someone added more after them meanwhile: the latest matching run.
  for (let start = children.length - wanted.length; start >= 0; start--) if (matchesAt(start)) return idsFrom(start);
  return undefined;
}

/** Ids of blocks inside a just-created batch, by index path (top level from the append answer, deeper by listing). */
class PathResolver {
  readonly #children = new Map<string, string[]>();

  constructor(
    private readonly client: Client,
    private readonly topIds: readonly string[],
  ) {}

  async idAt(path: readonly number[]): Promise<string> {
    let id = this.topIds[path[0]!];
    for (const index of path.slice(1)) {
      if (!id) break;
      id = (await this.#childIds(id))[index];
    }
    if (!id) throw new NotionError('unknown', 'Notion did not create every block Visen sent, so it stopped writing to this page.');
    return id;
  }

  async #childIds(blockId: string): Promise<string[]> {
    let ids = this.#children.get(blockId);
    if (!ids) {
      const children = await collectPaginatedAPI(this.client.blocks.children.list, { block_id: blockId });
      ids = children.map((child) => child.id);
      this.#children.set(blockId, ids);
    }
    return ids;
  }
}
