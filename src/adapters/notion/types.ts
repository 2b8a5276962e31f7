/**
 * The Notion adapter's own plain types: what the services see. No SDK type leaks out of the adapter except the
 * request shapes of property schemas and values, which the services build with property-values.ts.
 */
import type { BlockContent, NotionBlock } from './blocks.js';

export interface NotionIdentity {
  readonly botId: string;
  /**
   * The integration's name, as users find it in Notion's Connections menu; absent when Notion gives none (a user's
   * `name` is optional, https://developers.notion.com/reference/user, and may be null from API 2026-12-01).
   */
  readonly name?: string;
  readonly workspaceName?: string;
}

export interface DatabaseInfo {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  /** The database's description as plain text (absent or '' when it has none): its owner's words, untrusted. */
  readonly description?: string;
  readonly dataSources: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

export interface PropertySchema {
  readonly id: string;
  /** Notion's property type: title, rich_text, select, status, ... */
  readonly type: string;
  /** Option names of select, multi_select and status properties. */
  readonly options?: readonly string[];
  /** The property's description, where the API returns one (https://developers.notion.com/reference/property-object). */
  readonly description?: string;
  /** Relation properties: the data source the related pages are rows of (https://developers.notion.com/reference/property-object#relation). */
  readonly relatedDataSourceId?: string;
}

export interface DataSourceSchema {
  readonly id: string;
  readonly databaseId: string;
  readonly title: string;
  /** Same as `title` (the name Notion shows for the data source). */
  readonly name: string;
  /** Property name -> schema. */
  readonly properties: Readonly<Record<string, PropertySchema>>;
  /** Property name -> type; the same facts as `properties`, in the shape the settings service reads. */
  readonly propertyTypes: Readonly<Record<string, string>>;
}

export type ParentType = 'page' | 'data_source' | 'database' | 'workspace' | 'block';

export interface PageInfo {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly inTrash: boolean;
  readonly parent: { readonly type: ParentType; readonly id?: string };
  /** Property name -> value (rows of a data source; a plain page has only its title). */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  readonly createdTime: string;
  readonly lastEditedTime: string;
  /**
   * Who created the page: the id of `created_by`, a partial user (https://developers.notion.com/reference/page).
   * For a page created through the API it is the bot user of the integration whose secret made the call, the
   * same id `GET /v1/users/me` answers (https://developers.notion.com/reference/get-self); for a page made in
   * the Notion app, the person's id. Empty when Notion did not say.
   */
  readonly createdBy: string;
}

/** A page property value, simplified; `plainText` is what fills a `{{Property}}` placeholder. */
export type PropertyValue =
  | { readonly type: 'title' | 'rich_text'; readonly plainText: string }
  | { readonly type: 'number'; readonly number: number | null; readonly plainText: string }
  | { readonly type: 'select' | 'status'; readonly name: string | null; readonly plainText: string }
  | { readonly type: 'multi_select'; readonly names: readonly string[]; readonly plainText: string }
  | { readonly type: 'date'; readonly start: string | null; readonly end: string | null; readonly plainText: string }
  | { readonly type: 'checkbox'; readonly checked: boolean; readonly plainText: string }
  | { readonly type: 'url' | 'email' | 'phone_number'; readonly value: string | null; readonly plainText: string }
  | { readonly type: 'people'; readonly names: readonly string[]; readonly plainText: string }
  | { readonly type: 'relation'; readonly ids: readonly string[]; readonly plainText: string }
  | { readonly type: 'created_time' | 'last_edited_time'; readonly time: string; readonly plainText: string }
  | {
      readonly type: 'formula' | 'rollup' | 'unique_id' | 'files' | 'created_by' | 'last_edited_by' | 'button' | 'verification' | 'unknown';
      readonly plainText: string;
    };

/** A block as listed: its content (type, text, a to-do's checked state: see `BlockContent`) and where it stands. */
export interface BlockInfo extends BlockContent {
  readonly id: string;
  readonly hasChildren: boolean;
  readonly inTrash: boolean;
  readonly createdTime: string;
}

/** Where a new page goes: under a page, or as a row of a data source (API 2025-09-03 and later). */
export type PageParent = { readonly type: 'page'; readonly id: string } | { readonly type: 'data_source'; readonly id: string };

/** Where appended blocks go among the parent's children (API 2026-03-11 `position`). */
export type AppendPosition =
  | { readonly type: 'end' }
  | { readonly type: 'start' }
  | { readonly type: 'after_block'; readonly after_block: { readonly id: string } };

/** Property schemas as Notion's create/update data source endpoints take them (`null` removes a property). */
export type PropertyConfigs = Readonly<Record<string, Readonly<Record<string, unknown>> | null>>;
/** Property values as Notion's create/update page endpoints take them (see property-values.ts). */
export type PropertyWrites = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface QueryOptions {
  /**
   * The names of the properties the caller reads from each row; the title is always included. Only these are
   * asked for (`filter_properties`): from API 2026-12-01 a query returns only the title otherwise
   * (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01). A name the data source does not
   * have is not asked for, so the row simply lacks it.
   */
  readonly properties: readonly string[];
  /** A data source filter (https://developers.notion.com/reference/filter-data-source-entries). */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** Sorts (https://developers.notion.com/reference/sort-data-source-entries). */
  readonly sorts?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** Results per request, at most 100. */
  readonly pageSize?: number;
}

/**
 * Which properties a retrieved page carries (`filter_properties` of https://developers.notion.com/reference/retrieve-a-page):
 * only its title, or the title and the named properties of a row of that data source. Without it, every property.
 */
export type PagePropertySelection = { readonly titleOnly: true } | { readonly dataSourceId: string; readonly properties: readonly string[] };

export type ResolvedObject = { readonly kind: 'database'; readonly database: DatabaseInfo } | { readonly kind: 'page'; readonly page: PageInfo };

/**
 * A page (or a block's subtree) as Notion renders it to enhanced Markdown
 * (https://developers.notion.com/reference/retrieve-page-markdown). When `truncated`, the blocks left out are
 * listed in `unknownBlockIds`, each readable with the same call.
 */
export interface PageMarkdown {
  readonly markdown: string;
  readonly truncated: boolean;
  readonly unknownBlockIds: readonly string[];
}

export interface AppendResult {
  /** Ids of the blocks created at the top level, in order. */
  readonly blockIds: readonly string[];
}

/** One integration secret's view of Notion. Every method throws NotionError on failure. */
export interface NotionWorkspace {
  whoAmI(): Promise<NotionIdentity>;
  retrieveDatabase(databaseId: string): Promise<DatabaseInfo>;
  retrieveDataSource(dataSourceId: string): Promise<DataSourceSchema>;
  updateDataSourceProperties(dataSourceId: string, properties: PropertyConfigs): Promise<DataSourceSchema>;
  createDatabase(input: { parentPageId: string; title: string; properties: PropertyConfigs }): Promise<DatabaseInfo & { dataSourceId: string }>;
  retrievePage(pageId: string, options?: { select?: PagePropertySelection }): Promise<PageInfo>;
  /**
   * A page, database or data source id (a data source resolves to its database). `likely: 'page'` asks the page
   * endpoint first, saving a request when the caller expects a page; the answer is the same either way.
   */
  resolveObject(id: string, options?: { likely?: 'page' | 'database' }): Promise<ResolvedObject>;
  /** Every row matching the filter, across pages of results and past the 10,000-result cap of one query. */
  queryDataSource(dataSourceId: string, options: QueryOptions): AsyncIterable<PageInfo>;
  createPage(input: { parent: PageParent; properties: PropertyWrites; children?: readonly NotionBlock[] }): Promise<PageInfo>;
  updatePageProperties(pageId: string, properties: PropertyWrites): Promise<PageInfo>;
  /** Moves a page to Notion's trash (`in_trash: true`). */
  trashPage(pageId: string): Promise<PageInfo>;
  /** GET /v1/pages/{id}/markdown for a page, or for a block id a truncated answer listed. */
  readPageMarkdown(pageOrBlockId: string): Promise<PageMarkdown>;
  listChildren(blockId: string): Promise<BlockInfo[]>;
  /** Moves a block to Notion's trash (DELETE /v1/blocks/{id}); a block already in the trash counts as done. */
  deleteBlock(blockId: string): Promise<void>;
  appendBlocks(blockId: string, blocks: readonly NotionBlock[], options?: { position?: AppendPosition }): Promise<AppendResult>;
  appendMarkdown(pageId: string, markdown: string, options?: { position?: AppendPosition }): Promise<AppendResult>;
}

export interface NotionGateway {
  forSecret(secret: string): NotionWorkspace;
}
