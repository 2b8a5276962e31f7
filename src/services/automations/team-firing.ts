import { describeForLog, NotionError } from '../../errors.js';
import type { UserSettings } from '../settings/types.js';
import type { AutomationEngine } from './engine.js';
import type { AutomationRecord } from './store.js';

/**
 * Team mode (issue 15): a trigger fired on this worker, and no other, for this automation. The record is read from
 * the shared store (another worker may have paused, resumed or cleared it), then the one due poll or scheduled run
 * goes as the single process does it: its connection row followed first, the owner's own runs first.
 */
export async function fireInTeam(engine: AutomationEngine, id: string, slotMs: number): Promise<void> {
  const { store, triggers, settings: settingsService, logger } = engine.deps;
  const record = await store.load(id);
  if (!record) {
    // Cleared while its trigger was on its way.
    await triggers?.remove(id);
    return;
  }
  engine.adopt(record);
  const settings = await settingsService.load(record.owner);
  if (!settings) return;
  if (!(await followRowInTeam(engine, record, settings))) return;
  if (record.paused || engine.busy(record)) return;
  if (record.trigger === 'Watch') return engine.poll(record, settings);
  // A slot this automation already ran (its next one is later): a firing handed on after its worker stopped.
  if (record.nextRun !== undefined && Date.parse(record.nextRun) > slotMs + SLOT_TOLERANCE_MS) return;
  logger.debug({ automation: id, slot: new Date(slotMs).toISOString() }, 'a scheduled automation fired here');
  // A slot missed before the record came here (moved from a single process) is the one it runs late for.
  const missed = record.nextRun !== undefined && Date.parse(record.nextRun) < slotMs;
  await engine.scheduledRun(record, missed ? record.nextRun : new Date(slotMs).toISOString());
}

/** The trigger fires at the slot the record names; more than this apart, they are different slots. */
const SLOT_TOLERANCE_MS = 1_000;

/**
 * The single process reads an owner's connection rows once a poll interval; a worker reads them at each firing (it
 * keeps no owner's state between firings). False when nothing more is to be done (credentials revoked).
 */
async function followRowInTeam(engine: AutomationEngine, record: AutomationRecord, settings: UserSettings): Promise<boolean> {
  let automatic: ReadonlyMap<string, string>;
  try {
    automatic = await engine.deps.connections.automaticRows(record.owner, settings);
  } catch (err) {
    if (err instanceof NotionError && err.code === 'unauthorized') {
      await engine.pauseForCredentials(record.owner, err);
      return false;
    }
    engine.deps.logger.warn({ err: describeForLog(err), automation: record.id }, 'could not read the connection row of an automation');
    return true;
  }
  await engine.followRow(record, automatic.has(record.id));
  return true;
}
