/**
 * Notion stand-in: a real HTTP server on 127.0.0.1 (random port) that behaves like api.notion.com for Notion API
 * versions 2026-12-01 (what the app speaks) and 2026-03-11, each as the Notion-Version header of a request asks.
 * Point `@notionhq/client` at it with `baseUrl` and `notionVersion: '2026-12-01'`.
 *
 *   const notion = await startNotionStandIn();
 *   const { secret } = notion.createIntegration({ name: 'Visen' });
 *   const db = notion.addDatabase({ title: 'Notes', sharedWith: [secret], properties: { Name: { title: {} } } });
 *   // ... app under test talks to notion.baseUrl ...
 *   expect(notion.failures).toEqual([]);
 *   await notion.close();
 *
 * startNotionStandIn(options?)
 *   requestsPerSecond  average rate per integration secret (default 3)
 *   burst              token-bucket capacity, the burst Notion allows beyond the average (default 10)
 *   checkSpec          match every method+path against ../shared/specs/notion/notion-openapi.json (default: on when
 *                      the specs folder exists)
 *   queryResultLimit   results one data source query returns in total (default 10,000, as Notion documents)
 *   markdownBlockLimit blocks one GET /v1/pages/{id}/markdown renders before `truncated` (default 20,000)
 *   workspaceName      `bot.workspace_name` of every integration (default 'Visen Test Workspace')
 *
 * Building a workspace (no HTTP): createIntegration, addPerson, revoke, addPage, addDatabase, addRow, share, unshare, trash.
 *   Fixtures are created by the workspace's owner, a person, as in the Notion app; `addRow(..., { createdBy })` makes a
 *   row as another person (`addPerson().userId`) or as an integration (its `botId`), and `createdTime` backdates it.
 *   Rows created through the API are created by the bot of the calling integration, the user GET /v1/users/me returns
 *   (https://developers.notion.com/reference/page `created_by`, https://developers.notion.com/reference/get-self).
 *   Blocks, property schemas and property values use the API's request shapes (e.g. `{ paragraph: { rich_text } }`,
 *   `{ Status: { select: { options: [{ name: 'Open' }] } } }`, `{ Name: { title: [{ text: { content: 'x' } }] } }`).
 *   Objects are visible to an integration only when shared with it directly or through an ancestor, as in Notion.
 * Inspecting: getPage / getDatabase / getDataSource (API objects), rows(dataSourceId) (API page objects, trashed
 *   included with `in_trash: true`), childrenOf(blockOrPageId) (API block objects, nested under `children`),
 *   pageMarkdown(pageId), requests (every HTTP request; `overLimit` on those the rate limit answered 429, early
 *   retries carry `retryAfterSentAt`), failures (protocol violations: unknown endpoint,
 *   missing/other Notion-Version, `archived` or `after` used, size limits broken, early retry; assert it is empty).
 * Faults: injectFault (answered before the rate limiter, consuming no tokens), clearFaults, setLatency.
 *
 * What a client must do to leave `failures` empty (all from Notion's docs, cited where implemented):
 *   - send `Notion-Version: 2026-12-01` (or 2026-03-11); use `in_trash`, never `archived`; append with `position`
 *     ({ type: 'end' } | { type: 'start' } | { type: 'after_block', after_block: { id } }), never `after`;
 *   - keep within the request limits: <= 2000 characters per rich text content and link URL, <= 100 rich text items
 *     per array, <= 100 blocks per children array, at most two levels of nesting below the top-level children,
 *     <= 1000 blocks and 500 KB per request, URLs <= 2000, emails and phone numbers <= 200;
 *   - after a 429 (`rate_limited`) or 529 (`service_overload`) wait the Retry-After seconds before the next request
 *     with that secret.
 *
 * Under 2026-12-01 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01) a page listed by a
 * query or search carries only its title property unless `filter_properties` names others (by id), so a client
 * reading a property it did not ask for finds it missing; people added with `addPerson({ nameless: true })` have
 * `name: null`; `markdown_version: "v1"` is refused.
 *
 * Behaviours follow Notion's documentation; each rule cites its page where it is implemented:
 * limits.ts (request limits), rate-limit.ts (429/Retry-After), errors.ts (error codes), version-rules.ts
 * (2026-03-11 and 2026-12-01 changes), users.ts (user objects), query.ts (filters, sorts, pagination, the 10,000-result cap), spec-check.ts.
 */

import { requireSpecs, specsDir } from '../specs.js';
import { validateBlockTree } from './blocks.js';
import { FaultBook, type FaultSpec } from './faults.js';
import { newId, normalizeId, objectUrl, pageUrl } from './ids.js';
import { blocksToMarkdown } from './markdown.js';
import { valuesFromRequest } from './property-values.js';
import type { AnyRecord } from './records.js';
import { richTextOf } from './rich-text.js';
import { schemaFromRequest } from './schema.js';
import { blockTree, databaseObject, dataSourceObject, pageObject } from './serialize.js';
import { createNotionServer, type RequestRecord, type ServerState } from './server.js';
import { loadSpecRules } from './spec-check.js';
import { Workspace } from './workspace.js';

export type { FaultSpec, FaultStatus } from './faults.js';
export { LIMITS } from './limits.js';
export type { RequestRecord } from './server.js';
export { NOTION_VERSION, NOTION_VERSIONS, type NotionVersion } from './version-rules.js';

/** A block as sent to the API, e.g. `{ type: 'paragraph', paragraph: { rich_text: [...] } }`. */
export type BlockRequest = Record<string, unknown>;
/** A property schema as sent to the API, e.g. `{ select: { options: [{ name: 'Open' }] } }`. */
export type PropertySchema = Record<string, unknown>;
/** An API object as Notion returns it (page, database, data source or block). */
export type NotionObject = Record<string, any>;

export interface NotionStandInOptions {
  requestsPerSecond?: number;
  burst?: number;
  checkSpec?: boolean;
  queryResultLimit?: number;
  /** Blocks one page Markdown read renders before it is truncated (default 20,000). */
  markdownBlockLimit?: number;
  workspaceName?: string;
}

export interface NotionStandIn {
  /** `http://127.0.0.1:PORT`; give it to the SDK as `baseUrl` (the SDK adds `/v1/`). */
  readonly baseUrl: string;
  createIntegration(o?: { name?: string }): { secret: string; botId: string; name: string };
  /** The bot user id of the integration with this secret (what GET /v1/users/me answers it). */
  botIdOf(secret: string): string;
  /**
   * A member of the workspace (a person), who can add rows in the Notion app and be named in people properties.
   * `nameless`: under 2026-12-01 their `name` is null (under 2026-03-11 it is `name`).
   */
  addPerson(o?: { name?: string; email?: string; nameless?: boolean }): { userId: string };
  /** The workspace's owner, a person: the creator of every fixture unless a test says otherwise. */
  readonly ownerUserId: string;
  /** Later requests with this secret answer 401 unauthorized. */
  revoke(secret: string): void;
  addPage(o: { title: string; parentPageId?: string; sharedWith?: string[]; children?: BlockRequest[]; icon?: unknown }): { id: string; url: string };
  addDatabase(o: {
    title: string;
    /** The database's description (plain text), e.g. house rules for what is written into it. */
    description?: string;
    parentPageId?: string;
    sharedWith?: string[];
    isInline?: boolean;
    properties: Record<string, PropertySchema>;
    extraDataSources?: Array<{ name: string; properties: Record<string, PropertySchema> }>;
  }): { id: string; url: string; dataSourceId: string; dataSourceIds: string[] };
  /**
   * `properties` use the API's property value shapes; unknown select options are created, as Notion does.
   * `createdBy`: a person's id (default: the owner) or an integration's `botId`, shown as the row's `created_by`.
   * `createdTime`: when the row was made (ISO; default now), e.g. a row an older program made long ago.
   */
  addRow(
    dataSourceId: string,
    properties: Record<string, unknown>,
    o?: { children?: BlockRequest[]; createdBy?: string; createdTime?: string },
  ): { id: string; url: string };
  /** Shares a page or database (and so everything below it) with an integration. */
  share(objectId: string, secret: string): void;
  unshare(objectId: string, secret: string): void;
  /** Moves a page, database, data source or block to the trash, as a user would in the Notion app. */
  trash(objectId: string): void;
  getPage(id: string): NotionObject | undefined;
  getDatabase(id: string): NotionObject | undefined;
  getDataSource(id: string): NotionObject | undefined;
  /** Block objects in order, each with its descendants under `children`; trashed blocks only on request. */
  childrenOf(blockId: string, o?: { includeTrashed?: boolean }): NotionObject[];
  /** Every row page object of the data source, trashed ones included (with `in_trash: true`). */
  rows(dataSourceId: string): NotionObject[];
  /** The page's content rendered as (enhanced) Markdown, as GET /v1/pages/{id}/markdown returns it. */
  pageMarkdown(pageId: string): string;
  readonly requests: RequestRecord[];
  readonly failures: string[];
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  /** Delays every response by `ms`. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startNotionStandIn(options: NotionStandInOptions = {}): Promise<NotionStandIn> {
  const ws = new Workspace(options.workspaceName ?? 'Visen Test Workspace');
  const state: ServerState = {
    ws,
    faults: new FaultBook(),
    requests: [],
    failures: [],
    requestsPerSecond: options.requestsPerSecond ?? 3,
    burst: options.burst ?? 10,
    latencyMs: 0,
    queryResultLimit: options.queryResultLimit ?? 10_000,
    markdownBlockLimit: options.markdownBlockLimit ?? 20_000,
    specRules: specRulesFor(options.checkSpec),
  };
  const { server, cancelTimers } = createNotionServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('Notion stand-in: no TCP address');

  const record = (id: string): AnyRecord => {
    const found = ws.get(normalizeId(id) ?? id);
    if (!found) throw new Error(`Notion stand-in: no object with id ${id}`);
    return found;
  };
  /** Pages and databases carry sharing; data sources have no permissions of their own, so their database does. */
  const shareable = (id: string): AnyRecord => {
    const target = record(id);
    if (target.kind === 'data_source') return record(target.databaseId);
    if (target.kind === 'block') throw new Error(`Notion stand-in: share a page or database, not block ${id}`);
    return target;
  };
  const owner = ws.ownerUserId;

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests: state.requests,
    failures: state.failures,

    createIntegration: (o = {}) => {
      const { secret, botId, name } = ws.createIntegration(o.name);
      return { secret, botId, name };
    },
    ownerUserId: owner,
    botIdOf: (secret) => {
      const integration = ws.integrations.get(secret);
      if (!integration) throw new Error('Notion stand-in: unknown secret');
      return integration.botId;
    },
    addPerson: (o = {}) => {
      const userId = newId();
      const number = ws.people.size + 1;
      ws.people.set(userId, { name: o.name ?? `Person ${number}`, email: o.email ?? `person${number}@example.com`, nameless: o.nameless ?? false });
      return { userId };
    },
    revoke: (secret) => {
      const integration = ws.integrations.get(secret);
      if (!integration) throw new Error('Notion stand-in: unknown secret');
      integration.revoked = true;
    },
    addPage: (o) => {
      const page = ws.createPage({
        parent: o.parentPageId ? { type: 'page', id: record(o.parentPageId).id } : { type: 'workspace' },
        values: new Map([['title', { type: 'title', value: richTextOf(o.title) }]]),
        icon: o.icon ?? null,
        by: owner,
      });
      for (const secret of o.sharedWith ?? []) page.sharedWith.add(secret);
      if (o.children?.length) {
        validateBlockTree(o.children, 'children');
        ws.insertBlocks(page, o.children, 'children', { type: 'end' }, owner);
      }
      return { id: page.id, url: pageUrl(o.title, page.id) };
    },
    addDatabase: (o) => {
      const database = ws.createDatabase({
        parent: o.parentPageId ? { type: 'page', id: record(o.parentPageId).id } : { type: 'workspace' },
        title: richTextOf(o.title),
        ...(o.description !== undefined ? { description: richTextOf(o.description) } : {}),
        isInline: o.isInline ?? false,
        dataSources: [
          { title: richTextOf(o.title), schema: schemaFromRequest(o.properties, 'properties') },
          ...(o.extraDataSources ?? []).map((extra) => ({
            title: richTextOf(extra.name),
            schema: schemaFromRequest(extra.properties, `extraDataSources.${extra.name}.properties`),
          })),
        ],
        by: owner,
      });
      for (const secret of o.sharedWith ?? []) database.sharedWith.add(secret);
      const dataSourceIds = [...database.dataSourceIds];
      return { id: database.id, url: objectUrl(database.id), dataSourceId: dataSourceIds[0]!, dataSourceIds };
    },
    addRow: (dataSourceId, properties, o = {}) => {
      const dataSource = record(dataSourceId);
      if (dataSource.kind !== 'data_source') throw new Error(`Notion stand-in: ${dataSourceId} is not a data source`);
      const values = valuesFromRequest(dataSource.schema, properties, 'properties');
      const by = o.createdBy ?? owner;
      if (!ws.isKnownUser(by)) throw new Error(`Notion stand-in: no person or integration bot with id ${by}`);
      const page = ws.createPage({ parent: { type: 'data_source', id: dataSource.id }, values, by });
      if (o.createdTime !== undefined) {
        const ms = Date.parse(o.createdTime);
        if (!Number.isFinite(ms) || ms > Date.now()) throw new Error(`Notion stand-in: createdTime ${o.createdTime} is not a past time`);
        page.createdMs = ms;
        page.lastEditedMs = ms;
      }
      if (o.children?.length) {
        validateBlockTree(o.children, 'children');
        ws.insertBlocks(page, o.children, 'children', { type: 'end' }, by);
      }
      return { id: page.id, url: pageUrl(ws.titleOf(page), page.id) };
    },
    share: (objectId, secret) => void shareable(objectId).sharedWith.add(secret),
    unshare: (objectId, secret) => void shareable(objectId).sharedWith.delete(secret),
    trash: (objectId) => {
      const target = record(objectId);
      target.inTrash = true;
      ws.touch(target, owner);
    },

    getPage: (id) => {
      const found = ws.get(normalizeId(id) ?? id);
      return found?.kind === 'page' ? pageObject(ws, found) : undefined;
    },
    getDatabase: (id) => {
      const found = ws.get(normalizeId(id) ?? id);
      return found?.kind === 'database' ? databaseObject(ws, found) : undefined;
    },
    getDataSource: (id) => {
      const found = ws.get(normalizeId(id) ?? id);
      return found?.kind === 'data_source' ? dataSourceObject(ws, found) : undefined;
    },
    childrenOf: (blockId, o = {}) => {
      const container = record(blockId);
      if (container.kind !== 'page' && container.kind !== 'block') return [];
      return ws.childrenOf(container, o.includeTrashed).map((child) => blockTree(ws, child, o.includeTrashed ?? false));
    },
    rows: (dataSourceId) => {
      const dataSource = record(dataSourceId);
      if (dataSource.kind !== 'data_source') throw new Error(`Notion stand-in: ${dataSourceId} is not a data source`);
      return dataSource.rowIds.map((id) => pageObject(ws, ws.get(id) as Extract<AnyRecord, { kind: 'page' }>));
    },
    pageMarkdown: (pageId) => {
      const page = record(pageId);
      if (page.kind !== 'page') throw new Error(`Notion stand-in: ${pageId} is not a page`);
      return blocksToMarkdown(ws, page);
    },

    injectFault: (f) => state.faults.inject(f),
    clearFaults: () => state.faults.clear(),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    close: async () => {
      cancelTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Spec rules when the check is on; none when the specs folder is absent (the run says so once: specs-summary.ts). */
function specRulesFor(checkSpec: boolean | undefined) {
  if (checkSpec === false) return undefined;
  if (checkSpec === true) requireSpecs('the Notion stand-in spec check');
  if (!specsDir) return undefined;
  return loadSpecRules();
}
