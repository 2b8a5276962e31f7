/**
 * The Notion adapter's face: `createNotionGateway(...).forSecret(secret)` is one integration's view of Notion, in our
 * own plain types, with every failure a NotionError.
 *
 * API version 2026-12-01 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01: lists carry only
 * the properties `filter_properties` names, see property-ids.ts), with what 2026-03-11 brought
 * (https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11): databases hold
 * one or more data sources, which own the schema and the rows (https://developers.notion.com/guides/get-started/upgrade-guide-2025-09-03);
 * rows are created with parent `{ type: 'data_source_id', data_source_id }`; `in_trash` replaces `archived`;
 * append takes a `position` object. A database is created with its first data source's schema in
 * `initial_data_source.properties` (https://developers.notion.com/reference/create-database,
 * https://developers.notion.com/reference/create-a-data-source).
 *
 * One workspace (its SDK client and rate limiter) per secret, shared by every caller of that secret, kept in a Map
 * keyed by the secret's SHA-256 (the secret itself is never kept as a key or logged). Entries are not evicted: a
 * workspace still held by a run must keep the one limiter of its secret, and there is one entry per secret seen.
 */
import { createHash } from 'node:crypto';
import type { Client, CreatePageParameters, UpdateDataSourceParameters, UpdatePageParameters } from '@notionhq/client';
import { collectPaginatedAPI, isFullDatabase, isFullPage } from '@notionhq/client';
import type { Logger } from 'pino';
import { NotionError } from '../../errors.js';
import { rememberSecretForRedaction } from '../../log-redaction.js';
import { appendBlockTree } from './append.js';
import { splitForAppend } from './append-batches.js';
import type { NotionBlock } from './blocks.js';
import { createNotionClient, type NotionClientOptions } from './client.js';
import { NOTION_MESSAGES, toNotionError } from './errors.js';
import { toBlockInfo, toDatabaseInfo, toDataSourceSchema, toPageInfo } from './mappers.js';
import { markdownToBlocks } from './markdown-stream.js';
import { PropertyIdCache } from './property-ids.js';
import { queryAllRows } from './query.js';
import { RateLimiter, type RateLimiterFactory, type RateLimiterOptions } from './rate-limiter.js';
import { plainRichText } from './rich-text.js';
import type {
  AppendPosition,
  AppendResult,
  BlockInfo,
  DatabaseInfo,
  DataSourceSchema,
  NotionGateway,
  NotionIdentity,
  NotionWorkspace,
  PageInfo,
  PageMarkdown,
  PageParent,
  PagePropertySelection,
  PropertyConfigs,
  PropertyWrites,
  QueryOptions,
  ResolvedObject,
} from './types.js';
import { formatNotionId } from './urls.js';

export interface NotionGatewayOptions {
  /** Default https://api.notion.com. */
  readonly baseUrl?: string;
  readonly logger: Logger;
  /** One HTTP attempt (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Makes each secret's limiter from a hash of the secret: team mode passes the one shared through Redis
   * (src/compose.ts); by default one local token bucket per secret, shaped by `rateLimit`.
   */
  readonly limiterFor?: RateLimiterFactory;
  /** Tests: limiter shape and retry policy. */
  readonly rateLimit?: RateLimiterOptions;
  readonly http?: NotionClientOptions['http'];
}

export function createNotionGateway(options: NotionGatewayOptions): NotionGateway {
  const workspaces = new Map<string, NotionWorkspace>();
  const logger = options.logger.child({ component: 'notion' });
  const limiterFor = options.limiterFor ?? (() => new RateLimiter(options.rateLimit));
  return {
    forSecret(secret: string): NotionWorkspace {
      if (typeof secret !== 'string' || secret.trim() === '') throw new NotionError('unauthorized', NOTION_MESSAGES.unauthorized);
      const key = secretKey(secret);
      let workspace = workspaces.get(key);
      if (!workspace) {
        rememberSecretForRedaction(secret); // so that no part of it reaches a log line, even echoed by an upstream
        const client = createNotionClient({
          secret,
          limiter: limiterFor(key),
          logger,
          ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.http ? { http: options.http } : {}),
        });
        workspace = new NotionWorkspaceImpl(client, logger.child({ integration: key.slice(0, 8) }));
        workspaces.set(key, workspace);
      }
      return workspace;
    },
  };
}

/** The workspace map key: a hash, so the secret is not kept in one more place. */
export function secretKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

class NotionWorkspaceImpl implements NotionWorkspace {
  /** Data source schemas, briefly, for `filter_properties` (names -> ids). */
  readonly #propertyIds = new PropertyIdCache();

  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
  ) {}

  whoAmI(): Promise<NotionIdentity> {
    return this.run('whoAmI', async () => {
      const me = (await this.client.users.me({})) as { id: string; name?: string | null; bot?: { workspace_name?: string | null } };
      const workspaceName = me.bot?.workspace_name ?? undefined;
      // `name` is optional on a user (https://developers.notion.com/reference/user) and may be null from 2026-12-01.
      const name = typeof me.name === 'string' && me.name.trim() !== '' ? me.name : undefined;
      return { botId: me.id, ...(name ? { name } : {}), ...(workspaceName ? { workspaceName } : {}) };
    });
  }

  retrieveDatabase(databaseId: string): Promise<DatabaseInfo> {
    return this.run('retrieveDatabase', async () => toDatabaseInfo(await this.client.databases.retrieve({ database_id: id(databaseId) })));
  }

  retrieveDataSource(dataSourceId: string): Promise<DataSourceSchema> {
    return this.run('retrieveDataSource', async () => {
      const schema = toDataSourceSchema(await this.client.dataSources.retrieve({ data_source_id: id(dataSourceId) }));
      this.#propertyIds.remember(id(dataSourceId), schema);
      return schema;
    });
  }

  updateDataSourceProperties(dataSourceId: string, properties: PropertyConfigs): Promise<DataSourceSchema> {
    return this.run('updateDataSourceProperties', async () => {
      const schema = toDataSourceSchema(
        await this.client.dataSources.update({
          data_source_id: id(dataSourceId),
          properties: properties as UpdateDataSourceParameters['properties'],
        }),
      );
      this.#propertyIds.remember(id(dataSourceId), schema);
      return schema;
    });
  }

  createDatabase(input: { parentPageId: string; title: string; properties: PropertyConfigs }): Promise<DatabaseInfo & { dataSourceId: string }> {
    return this.run('createDatabase', async () => {
      const response = await this.client.databases.create({
        parent: { type: 'page_id', page_id: id(input.parentPageId) },
        title: plainRichText(input.title),
        initial_data_source: { properties: input.properties as NonNullable<Parameters<Client['databases']['create']>[0]['initial_data_source']>['properties'] },
      });
      const database = isFullDatabase(response) ? toDatabaseInfo(response) : toDatabaseInfo(await this.client.databases.retrieve({ database_id: response.id }));
      const dataSourceId = database.dataSources[0]?.id;
      if (!dataSourceId) throw new NotionError('unknown', 'Notion created the database but reported no data source in it. Open it in Notion and try again.');
      return { ...database, dataSourceId };
    });
  }

  retrievePage(pageId: string, options: { select?: PagePropertySelection } = {}): Promise<PageInfo> {
    return this.run('retrievePage', async () => {
      const filterProperties = options.select ? await this.#filterProperties(options.select) : undefined;
      return toPageInfo(await this.client.pages.retrieve({ page_id: id(pageId), ...(filterProperties ? { filter_properties: filterProperties } : {}) }));
    });
  }

  /**
   * Property ids for `filter_properties`. A title-only read asks for `title`, the id Notion gives a page's title
   * property (`"id": "title"` in the page objects of https://developers.notion.com/reference/page), so the page's
   * parent schema need not be read first.
   */
  #filterProperties(select: PagePropertySelection): Promise<string[]> {
    if ('titleOnly' in select) return Promise.resolve(['title']);
    const dataSourceId = id(select.dataSourceId);
    return this.#propertyIds.idsFor(dataSourceId, select.properties, () => this.retrieveDataSource(dataSourceId));
  }

  /**
   * Database, then page (page first when one is likely), then data source (which resolves to its database); Notion
   * has one id space, and each endpoint refuses the other kinds (400 or 404), so the order changes only the cost.
   */
  resolveObject(objectId: string, options: { likely?: 'page' | 'database' } = {}): Promise<ResolvedObject> {
    return this.run('resolveObject', async () => {
      const asDatabase = async (): Promise<ResolvedObject> => ({ kind: 'database', database: await this.retrieveDatabase(objectId) });
      const asPage = async (): Promise<ResolvedObject> => ({ kind: 'page', page: await this.retrievePage(objectId) });
      const probes: Array<() => Promise<ResolvedObject>> = [
        ...(options.likely === 'page' ? [asPage, asDatabase] : [asDatabase, asPage]),
        async () => ({ kind: 'database', database: await this.retrieveDatabase((await this.retrieveDataSource(objectId)).databaseId) }),
      ];
      let miss: NotionError | undefined;
      for (const probe of probes) {
        try {
          return await probe();
        } catch (err) {
          const error = toNotionError(err);
          // "Not a database" answers 400 or 404 depending on the object; both mean "try the next kind".
          if (error.code !== 'object_not_found' && error.code !== 'validation_error') throw error;
          if (!miss || error.code === 'object_not_found') miss = error;
        }
      }
      throw miss?.code === 'object_not_found' ? miss : new NotionError('object_not_found', NOTION_MESSAGES.objectNotFound, { cause: miss });
    });
  }

  queryDataSource(dataSourceId: string, options: QueryOptions): AsyncIterable<PageInfo> {
    const client = this.client;
    const logger = this.logger;
    const { properties, ...query } = options;
    const filterProperties = () => this.#filterProperties({ dataSourceId, properties });
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* queryAllRows(client, id(dataSourceId), query, await filterProperties());
        } catch (err) {
          const error = toNotionError(err);
          logger.debug({ notion: { op: 'queryDataSource', code: error.code } }, 'Notion call failed');
          throw error;
        }
      },
    };
  }

  createPage(input: { parent: PageParent; properties: PropertyWrites; children?: readonly NotionBlock[] }): Promise<PageInfo> {
    return this.run('createPage', async () => {
      const parent: CreatePageParameters['parent'] =
        input.parent.type === 'page' ? { type: 'page_id', page_id: id(input.parent.id) } : { type: 'data_source_id', data_source_id: id(input.parent.id) };
      const children = input.children ?? [];
      // Small bodies go with the page; anything needing several requests is appended once the page exists.
      const batches = splitForAppend(children);
      const inline = batches.length === 1 && batches[0]!.deferred.length === 0 ? batches[0]!.blocks : undefined;
      const page = await this.client.pages.create({
        parent,
        properties: input.properties as CreatePageParameters['properties'],
        ...(inline ? { children: inline as unknown as NonNullable<CreatePageParameters['children']> } : {}),
      });
      if (!inline && children.length > 0) await appendBlockTree({ client: this.client, logger: this.logger }, page.id, children);
      return isFullPage(page) ? toPageInfo(page) : toPageInfo(await this.client.pages.retrieve({ page_id: page.id }));
    });
  }

  updatePageProperties(pageId: string, properties: PropertyWrites): Promise<PageInfo> {
    return this.run('updatePageProperties', async () =>
      toPageInfo(await this.client.pages.update({ page_id: id(pageId), properties: properties as UpdatePageParameters['properties'] })),
    );
  }

  trashPage(pageId: string): Promise<PageInfo> {
    return this.run('trashPage', async () => toPageInfo(await this.client.pages.update({ page_id: id(pageId), in_trash: true })));
  }

  /**
   * https://developers.notion.com/reference/retrieve-page-markdown: `markdown_version` "v2" is the only one
   * 2026-12-01 accepts (and its default); sent so the format read is the one this code expects on any version.
   */
  readPageMarkdown(pageOrBlockId: string): Promise<PageMarkdown> {
    return this.run('readPageMarkdown', async () => {
      const response = (await this.client.request({
        path: `pages/${id(pageOrBlockId)}/markdown`,
        method: 'get',
        query: { markdown_version: 'v2' },
      })) as { markdown?: unknown; truncated?: unknown; unknown_block_ids?: unknown };
      return {
        markdown: typeof response.markdown === 'string' ? response.markdown : '',
        truncated: response.truncated === true,
        unknownBlockIds: Array.isArray(response.unknown_block_ids) ? response.unknown_block_ids.filter((v): v is string => typeof v === 'string') : [],
      };
    });
  }

  listChildren(blockId: string): Promise<BlockInfo[]> {
    return this.run('listChildren', async () =>
      (await collectPaginatedAPI(this.client.blocks.children.list, { block_id: id(blockId) })).map((block) => toBlockInfo(block)),
    );
  }

  deleteBlock(blockId: string): Promise<void> {
    return this.run('deleteBlock', async () => {
      try {
        await this.client.blocks.delete({ block_id: id(blockId) });
      } catch (err) {
        // Deleting a block that is already in the trash is refused as an edit of an archived block: done already.
        const error = toNotionError(err);
        if (error.code === 'validation_error' && /archived|in_trash|trash/i.test(String((err as Error).message))) return;
        throw err;
      }
    });
  }

  appendBlocks(blockId: string, blocks: readonly NotionBlock[], options: { position?: AppendPosition } = {}): Promise<AppendResult> {
    return this.run('appendBlocks', async () => ({
      blockIds: await appendBlockTree({ client: this.client, logger: this.logger }, id(blockId), blocks, options.position),
    }));
  }

  appendMarkdown(pageId: string, markdown: string, options: { position?: AppendPosition } = {}): Promise<AppendResult> {
    return this.appendBlocks(pageId, markdownToBlocks(markdown), options);
  }

  private async run<T>(op: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const error = toNotionError(err);
      this.logger.debug({ notion: { op, code: error.code, status: error.status } }, 'Notion call failed');
      throw error;
    }
  }
}

/** Ids in any form Notion shows (dashed or not) -> dashed; anything else goes as given and Notion answers. */
function id(raw: string): string {
  return formatNotionId(raw) ?? raw;
}
