import { numberValue } from '../../adapters/notion/index.js';
import { describeForLog, NotionError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { createRow } from './create-row.js';
import { aboutConnectionsDatabase } from './database-errors.js';
import { listOwnRows } from './list.js';
import { beginRunProperties, finishRunProperties, isSameConnection, toConnectionRecord } from './record.js';
import type { ConnectionRowsDeps } from './rows-deps.js';
import { ConnectionsProperty } from './schema.js';
import type { ConnectionRecord, ConnectionSpec, RunOutcome } from './types.js';
import { resendOnUnknownOutcome } from './write-retry.js';

/** A run starts: the user's row for this connection is marked Running, or created when there is none. */
export async function beginRun(deps: ConnectionRowsDeps, user: UserRef, settings: UserSettings, spec: ConnectionSpec): Promise<ConnectionRecord> {
  const notion = deps.workspace(settings);
  const existing = (await listOwnRows(deps, user, settings)).find((row) => isSameConnection(row, spec));
  if (!existing) return createRow(deps, notion, user, settings, spec);
  try {
    const page = await resendOnUnknownOutcome(deps.logger, () => notion.updatePageProperties(existing.id, beginRunProperties(spec)));
    return toConnectionRecord(page);
  } catch (err) {
    throw aboutConnectionsDatabase(err, settings);
  }
}

/**
 * A run ended: its outcome is written as absolute values, so a write with an unknown outcome is sent again.
 * `Tokens` is the one property that connections databases made before it existed lack until the user lets
 * `/visen settings` add it: Notion refuses the whole update then ("Tokens is not a property that exists", a
 * validation_error: https://developers.notion.com/reference/status-codes), so the outcome is sent once more without it.
 */
export async function finishRun(deps: ConnectionRowsDeps, settings: UserSettings, connectionId: string, outcome: RunOutcome): Promise<void> {
  const notion = deps.workspace(settings);
  const properties = finishRunProperties(outcome);
  const withTokens = { ...properties, [ConnectionsProperty.tokens]: numberValue(outcome.tokens ?? null) };
  try {
    await resendOnUnknownOutcome(deps.logger, () => notion.updatePageProperties(connectionId, withTokens));
  } catch (err) {
    if (!(err instanceof NotionError && err.code === 'validation_error')) throw err;
    deps.logger.warn(
      { err: describeForLog(err) },
      'the connections database refused the end of a run with Tokens (an older database lacks it; /visen settings adds it): recording it without Tokens',
    );
    await resendOnUnknownOutcome(deps.logger, () => notion.updatePageProperties(connectionId, properties));
  }
}
