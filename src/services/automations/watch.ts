import { createHash } from 'node:crypto';
import type { NotionWorkspace, PageInfo } from '../../adapters/notion/index.js';
import { UserInputError } from '../../errors.js';
import { BODY_OUTPUT } from '../generation/outputs/kinds.js';
import { bindRowTemplate, propertiesReadPerRow, RowReader, type RowTemplate } from '../generation/row-reader.js';
import { resolveTarget } from '../generation/target.js';
import type { OutputChoice } from '../generation/types.js';
import type { AutomationRecord, Fingerprints } from './store.js';

/**
 * Notion rounds `last_edited_time` down to the minute, and a row edited just before a poll may not be listed yet:
 * each poll reads again from a minute before the newest edit it handled; fingerprints keep those rows from being
 * done twice.
 */
export const CURSOR_OVERLAP_MS = 60_000;

/** What a watch reads each poll, bound once and kept for a while (the data source's schema costs a request). */
export interface WatchPlan {
  readonly dataSourceId: string;
  readonly template: RowTemplate;
  /** The output properties: a row with all of them filled counts as done by hand. */
  readonly outputs: readonly string[];
  /** The page body is both read (`{{@content}}`) and written: Visen's own write changes the inputs. */
  readonly writesWhatItReads: boolean;
  /** The properties each row is queried with (`filter_properties`). */
  readonly properties: readonly string[];
}

/** What one poll found: rows to fill (id -> inputs hash), rows seen filled (kept as they are), and the newest edit. */
export interface WatchScan {
  readonly toRun: Map<string, string>;
  readonly seen: Fingerprints;
  readonly newestEdit: string | undefined;
  /** The query's lower bound: every row found was edited on or after it. */
  readonly since: string;
}

export async function planWatch(notion: NotionWorkspace, automation: AutomationRecord): Promise<WatchPlan> {
  const dataSourceId = automation.dataSourceId ?? (await resolveTarget(notion, automation.targetUrl)).ref.dataSourceId;
  if (!dataSourceId) throw new UserInputError('The watched target is no longer a database. Make the connection again with a database link.', 'target');
  const schema = await notion.retrieveDataSource(dataSourceId);
  const template = await bindRowTemplate(notion, automation.request.prompt, schema);
  const output: OutputChoice = automation.request.output ?? { kind: 'page-body' };
  const outputs = outputProperties(output);
  const readsContent = [...template.binding.values()].some((r) => r.kind === 'reserved' && r.name === 'content');
  const writesBody = output.kind === 'page-body' || (output.kind === 'properties' && output.outputs.includes(BODY_OUTPUT));
  return { dataSourceId, template, outputs, writesWhatItReads: readsContent && writesBody, properties: propertiesReadPerRow(template, outputs, true) };
}

/**
 * Reads the rows edited since the cursor (with the overlap) and sorts them: a row whose inputs changed since Visen
 * filled it (or first saw it) is to fill again; a row never seen is to fill unless Visen or its owner already filled it.
 */
export async function scanWatchedRows(
  notion: NotionWorkspace,
  automation: AutomationRecord,
  plan: WatchPlan,
  known: { readonly fingerprints: Fingerprints; readonly written: ReadonlyMap<string, string> },
  reader: { readonly contextChars: number; readonly perCell: number },
): Promise<WatchScan> {
  const rowReader = new RowReader(notion, plan.template, { perCell: reader.perCell, contextChars: reader.contextChars, outputs: plan.outputs });
  const since = new Date(Date.parse(automation.cursor ?? automation.createdAt) - CURSOR_OVERLAP_MS).toISOString();
  const filter = { timestamp: 'last_edited_time', last_edited_time: { on_or_after: since } };
  const scan: WatchScan = { toRun: new Map(), seen: {}, newestEdit: undefined, since };
  let newest = automation.cursor;
  for await (const row of notion.queryDataSource(plan.dataSourceId, { filter, properties: plan.properties })) {
    if (newest === undefined || row.lastEditedTime > newest) newest = row.lastEditedTime;
    if (row.inTrash) continue;
    const hash = hashOf(await rowReader.promptFor(withoutEditStamps(row), automation.request.prompt));
    const verdict = verdictOn(row, hash, plan, known);
    if (verdict === 'run') scan.toRun.set(row.id, hash);
    else if (verdict === 'keep') scan.seen[row.id] = { hash };
  }
  return { ...scan, newestEdit: newest };
}

/** `run`: fill it; `keep`: record its inputs as they are now; `same`: nothing changed. */
function verdictOn(row: PageInfo, hash: string, plan: WatchPlan, known: { fingerprints: Fingerprints; written: ReadonlyMap<string, string> }) {
  const before = known.fingerprints[row.id];
  if (before?.adopt) return 'keep';
  if (before) return before.hash === hash ? 'same' : 'run';
  const filledByHand = plan.outputs.length > 0 && plan.outputs.every((name) => (row.properties[name]?.plainText ?? '').trim() !== '');
  return known.written.has(row.id) || filledByHand ? 'keep' : 'run';
}

/**
 * Properties every write changes (Visen's own too): left out of the inputs, or with `{{@row}}` each fill would start
 * the next once Notion's minute turns.
 */
const EDIT_STAMP_TYPES = new Set(['last_edited_time', 'last_edited_by']);

function withoutEditStamps(row: PageInfo): PageInfo {
  return { ...row, properties: Object.fromEntries(Object.entries(row.properties).filter(([, value]) => !EDIT_STAMP_TYPES.has(value.type))) };
}

function outputProperties(output: OutputChoice): string[] {
  if (output.kind === 'property') return [output.property];
  if (output.kind === 'properties') return output.outputs.filter((name) => name !== BODY_OUTPUT);
  return [];
}

function hashOf(filledTemplate: string): string {
  return createHash('sha256').update(filledTemplate).digest('hex');
}
