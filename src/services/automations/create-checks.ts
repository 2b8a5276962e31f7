import type { NotionGateway } from '../../adapters/notion/index.js';
import { UserInputError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import { CONNECTIONS_SCHEMA, ConnectionsProperty } from '../connections/schema.js';
import { resolveTarget } from '../generation/target.js';
import type { GenerationRequest } from '../generation/types.js';
import type { SettingsService, UserSettings } from '../settings/types.js';
import { parseSchedule, type Schedule } from './schedule.js';
import type { AutomationSpec } from './types.js';

/** The properties an automatic connection's row needs, which connections databases made before issue 13 lack. */
const AUTOMATION_PROPERTIES = [ConnectionsProperty.trigger, ConnectionsProperty.schedule, ConnectionsProperty.nextRun];

export interface CheckedSpec {
  readonly settings: UserSettings;
  readonly schedule?: Schedule | undefined;
  /** Watches: the data source to poll. */
  readonly dataSourceId?: string | undefined;
}

/**
 * What only automations need, checked before anything is recorded: a schedule Visen can read, a database to watch,
 * and a connections database with `Trigger`, `Schedule` and `Next run` (the generation service checks the rest).
 */
export async function checkAutomationRequest(
  deps: { readonly settings: Pick<SettingsService, 'require'>; readonly notion: NotionGateway },
  user: UserRef,
  request: GenerationRequest,
  spec: AutomationSpec,
): Promise<CheckedSpec> {
  const schedule = spec.trigger === 'Schedule' ? parseSchedule(spec.schedule, spec.timeZone) : undefined;
  const settings = await deps.settings.require(user);
  const notion = deps.notion.forSecret(settings.notionSecret);
  const connectionsSchema = await notion.retrieveDataSource(settings.connections.dataSourceId);
  const missing = CONNECTIONS_SCHEMA.filter((def) => AUTOMATION_PROPERTIES.includes(def.name as (typeof AUTOMATION_PROPERTIES)[number]))
    .filter((def) => connectionsSchema.properties[def.name]?.type !== def.type)
    .map((def) => `\`${def.name}\``);
  if (missing.length > 0) {
    throw new UserInputError(
      `Your connections database lacks ${missing.join(', ')}, which automatic connections are controlled with. Open \`/visen settings\`, save, and let Visen add them; then try again.`,
      'connection',
    );
  }
  if (spec.trigger !== 'Watch') return { settings, schedule };
  const target = await resolveTarget(notion, request.targetUrl);
  if (target.ref.kind !== 'Database') {
    throw new UserInputError(
      'Only a database can be watched (its rows are filled as they are added or changed). For a page, use a schedule, e.g. `--every "daily 09:00"`.',
      'target',
    );
  }
  return { settings, dataSourceId: target.ref.dataSourceId };
}
