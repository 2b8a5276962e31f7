import { dateValue, type PropertyWrites, richTextValue, selectValue } from '../../adapters/notion/index.js';
import type { UserSettings } from '../settings/types.js';
import { clip } from '../text.js';
import { aboutConnectionsDatabase } from './database-errors.js';
import { LAST_ERROR_MAX_CHARS } from './record.js';
import type { ConnectionRowsDeps } from './rows-deps.js';
import { CONNECTION_TRIGGER_OPTIONS, ConnectionsProperty as P } from './schema.js';
import type { AutomationFields, ConnectionTrigger } from './types.js';
import { resendOnUnknownOutcome } from './write-retry.js';

/** Writes how a connection runs (`Trigger`, `Schedule`, `Next run`), and `Status` Failed with a reason when Visen paused it. */
export async function setAutomationFields(deps: ConnectionRowsDeps, settings: UserSettings, connectionId: string, fields: AutomationFields): Promise<void> {
  const notion = deps.workspace(settings);
  try {
    await resendOnUnknownOutcome(deps.logger, () => notion.updatePageProperties(connectionId, automationProperties(fields)));
  } catch (err) {
    throw aboutConnectionsDatabase(err, settings);
  }
}

function automationProperties(fields: AutomationFields): PropertyWrites {
  return {
    [P.trigger]: selectValue(fields.trigger),
    ...(fields.schedule !== undefined ? { [P.schedule]: richTextValue(fields.schedule) } : {}),
    ...(fields.nextRun !== undefined ? { [P.nextRun]: dateValue(fields.nextRun) } : {}),
    ...(fields.failure !== undefined ? { [P.status]: selectValue('Failed'), [P.lastError]: richTextValue(clip(fields.failure, LAST_ERROR_MAX_CHARS)) } : {}),
  };
}

/**
 * The rows of the connections database whose `Trigger` is Watch or Schedule, by id: one query that asks for `Trigger`
 * only, so an automation's owner can stop it (or start it again) from Notion. Rows in the trash are not listed.
 */
export async function automaticRows(deps: ConnectionRowsDeps, settings: UserSettings): Promise<Map<string, ConnectionTrigger>> {
  const notion = deps.workspace(settings);
  const filter = { or: CONNECTION_TRIGGER_OPTIONS.filter((t) => t !== 'Manual').map((name) => ({ property: P.trigger, select: { equals: name } })) };
  const found = new Map<string, ConnectionTrigger>();
  try {
    for await (const page of notion.queryDataSource(settings.connections.dataSourceId, { filter, properties: [P.trigger] })) {
      const value = page.properties[P.trigger];
      const trigger = value?.type === 'select' ? value.name : null;
      if (!page.inTrash && (trigger === 'Watch' || trigger === 'Schedule')) found.set(page.id, trigger);
    }
  } catch (err) {
    throw aboutConnectionsDatabase(err, settings);
  }
  return found;
}
