/**
 * The Notion half of the live checks: the secret, then the connections database (its data sources and their
 * schema) or the parent page to create it in. Nothing is changed in Notion here; see notion-commit.ts.
 */
import type { Logger } from 'pino';
import type { DatabaseInfo, DataSourceSchema } from '../../adapters/notion/index.js';
import { checkConnectionsSchema, missingPropertiesUpdate, type SchemaCheck, schemaMatches } from '../connections/schema.js';
import { logFailedCheck } from './check-log.js';
import {
  DATABASE_GIVEN_AS_PAGE,
  dataSourcesUnreadable,
  notionObjectProblem,
  notionSecretRejected,
  noUsableDataSource,
  PAGE_GIVEN_AS_DATABASE,
  schemaProblem,
} from './messages.js';
import type { SettingsNotion } from './ports.js';
import type { ConnectionsDatabaseRef, SettingsErrors } from './types.js';

/** More data sources than this in one database are not searched for the schema (each costs a request). */
const MAX_DATA_SOURCES_CHECKED = 10;

/** What the Notion half of the checks found, ready to commit. */
export type NotionPlan =
  | {
      readonly kind: 'existing';
      readonly ref: ConnectionsDatabaseRef;
      readonly add?: { readonly update: Record<string, Record<string, unknown>>; readonly names: string[] };
    }
  | { readonly kind: 'create'; readonly parentPageId: string };

/** The workspace to check, where problems go, and where failed checks are logged. */
export interface NotionCheckContext {
  readonly notion: SettingsNotion;
  readonly errors: SettingsErrors;
  readonly logger: Logger;
}

export interface NotionTarget {
  readonly databaseId: string | undefined;
  readonly parentPageId: string | undefined;
  /** The user ticked "Add the missing properties for me". */
  readonly addMissing: boolean;
}

/** Stops at the first problem, which it writes to `errors`; undefined then. */
export async function checkNotion(
  context: NotionCheckContext,
  target: NotionTarget,
): Promise<{ integrationName: string | undefined; plan: NotionPlan } | undefined> {
  let integrationName: string | undefined;
  try {
    integrationName = (await context.notion.whoAmI()).name?.trim() || undefined;
  } catch (err) {
    context.errors.notionSecret = notionSecretRejected(err);
    logFailedCheck(context.logger, 'notion secret', err);
    return undefined;
  }
  if (target.databaseId) {
    const checked = await checkDatabase(context, target.databaseId, integrationName, target.addMissing);
    return checked ? { integrationName, plan: checked } : undefined;
  }
  if (target.parentPageId) {
    const ok = await checkParentPage(context, target.parentPageId, integrationName);
    return ok ? { integrationName, plan: { kind: 'create', parentPageId: target.parentPageId } } : undefined;
  }
  return undefined;
}

async function checkDatabase(
  context: NotionCheckContext,
  databaseId: string,
  integrationName: string | undefined,
  addMissing: boolean,
): Promise<NotionPlan | undefined> {
  let database: DatabaseInfo;
  try {
    // A database, a page, or a data source (resolved to its database): Notion has one id space.
    const resolved = await context.notion.resolveObject(databaseId);
    if (resolved.kind === 'page') {
      context.errors.connectionsUrl = PAGE_GIVEN_AS_DATABASE;
      return undefined;
    }
    database = resolved.database;
  } catch (err) {
    logFailedCheck(context.logger, 'connections database', err);
    context.errors.connectionsUrl = notionObjectProblem(err, 'database', integrationName);
    return undefined;
  }

  if (database.dataSources.length === 0) {
    context.errors.connectionsUrl = noUsableDataSource(database.title);
    return undefined;
  }
  const best = await closestDataSource(context, database, integrationName);
  if (!best) return undefined;

  const ref: ConnectionsDatabaseRef = { databaseId: database.id, dataSourceId: best.source.id, url: database.url, title: database.title };
  if (schemaMatches(best.check)) return { kind: 'existing', ref };

  const canAdd = best.check.mistyped.length === 0 && best.check.missing.every((d) => d.type !== 'title' || best.check.titlePropertyToRename !== undefined);
  if (addMissing && canAdd) {
    return { kind: 'existing', ref, add: { update: missingPropertiesUpdate(best.check), names: best.check.missing.map((d) => d.name) } };
  }
  context.errors.connectionsUrl = schemaProblem(database.title, best.check, {
    addMissingTicked: addMissing,
    dataSourceName: database.dataSources.length > 1 ? best.source.name : undefined,
  });
  return undefined;
}

/**
 * Databases hold data sources (Notion API 2025-09-03); with several, the one with the schema wins.
 * Otherwise the one with the fewest problems; undefined (with the problem in `errors`) when none could be read.
 */
async function closestDataSource(
  context: NotionCheckContext,
  database: DatabaseInfo,
  integrationName: string | undefined,
): Promise<{ source: DataSourceSchema; check: SchemaCheck } | undefined> {
  let best: { source: DataSourceSchema; check: SchemaCheck } | undefined;
  for (const { id } of database.dataSources.slice(0, MAX_DATA_SOURCES_CHECKED)) {
    let source: DataSourceSchema;
    try {
      source = await context.notion.retrieveDataSource(id);
    } catch (err) {
      logFailedCheck(context.logger, 'connections data source', err);
      if (database.dataSources.length === 1) {
        context.errors.connectionsUrl = notionObjectProblem(err, 'database', integrationName);
        return undefined;
      }
      continue;
    }
    const check = checkConnectionsSchema(source.propertyTypes);
    if (schemaMatches(check)) return { source, check };
    if (!best || problemCount(check) < problemCount(best.check)) best = { source, check };
  }
  if (!best) context.errors.connectionsUrl = dataSourcesUnreadable(database.title);
  return best;
}

async function checkParentPage(context: NotionCheckContext, pageId: string, integrationName: string | undefined): Promise<boolean> {
  try {
    const resolved = await context.notion.resolveObject(pageId, { likely: 'page' });
    if (resolved.kind === 'page') return true;
    context.errors.parentPageUrl = DATABASE_GIVEN_AS_PAGE;
    return false;
  } catch (err) {
    logFailedCheck(context.logger, 'parent page', err);
    context.errors.parentPageUrl = notionObjectProblem(err, 'page', integrationName);
    return false;
  }
}

function problemCount(check: SchemaCheck): number {
  return check.missing.length + check.mistyped.length;
}
