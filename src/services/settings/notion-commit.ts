/**
 * The one part of saving that changes the user's Notion: create "Visen connections" in the parent page, or
 * add the missing properties the user asked for. Runs only once every check has passed.
 */
import { CONNECTIONS_DATABASE_TITLE, checkConnectionsSchema, connectionsPropertiesConfig, schemaMatches } from '../connections/schema.js';
import { logFailedCheck } from './check-log.js';
import { addPropertiesFailed, createDatabaseFailed, schemaProblem } from './messages.js';
import type { NotionCheckContext, NotionPlan } from './notion-checks.js';
import type { ConnectionsDatabaseRef } from './types.js';

export interface CommittedNotion {
  readonly ref: ConnectionsDatabaseRef;
  readonly created: boolean;
  readonly added: string[];
}

/** Undefined when Notion refused, with the problem in `errors`. */
export async function commitNotion(context: NotionCheckContext, plan: NotionPlan): Promise<CommittedNotion | undefined> {
  if (plan.kind === 'create') {
    try {
      const database = await context.notion.createDatabase({
        parentPageId: plan.parentPageId,
        title: CONNECTIONS_DATABASE_TITLE,
        properties: connectionsPropertiesConfig(),
      });
      return {
        ref: { databaseId: database.id, dataSourceId: database.dataSourceId, url: database.url, title: database.title || CONNECTIONS_DATABASE_TITLE },
        created: true,
        added: [],
      };
    } catch (err) {
      logFailedCheck(context.logger, 'create connections database', err);
      context.errors.parentPageUrl = createDatabaseFailed(err);
      return undefined;
    }
  }
  if (!plan.add) return { ref: plan.ref, created: false, added: [] };
  try {
    const updated = await context.notion.updateDataSourceProperties(plan.ref.dataSourceId, plan.add.update);
    const after = checkConnectionsSchema(updated.propertyTypes);
    if (!schemaMatches(after)) {
      context.errors.connectionsUrl = schemaProblem(plan.ref.title, after, { addMissingTicked: true, dataSourceName: undefined });
      return undefined;
    }
    return { ref: plan.ref, created: false, added: plan.add.names };
  } catch (err) {
    logFailedCheck(context.logger, 'add missing properties', err);
    context.errors.connectionsUrl = addPropertiesFailed(err);
    return undefined;
  }
}
