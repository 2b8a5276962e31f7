import { VisenError } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { databaseInstructions } from './instructions.js';
import { type TypedOutputs, typedOutputs } from './outputs/generate.js';
import { planOutputs } from './outputs/plan.js';
import { bindRowTemplate, type RowTemplate } from './row-reader.js';
import { resolveInFlight } from './row-writes.js';

/** What every row of the run shares: where its text goes, how the template is filled, and which rows are done. */
export interface RowPlan {
  readonly dataSourceId: string;
  /** The property written into; undefined when each row's page body is, or the outputs are typed. */
  readonly into: string | undefined;
  /** The template bound to the database and to the databases its relations point to. */
  readonly template: RowTemplate;
  /** Typed outputs (`--into` of other types, or several): one JSON answer per row, written in one page update. */
  readonly typed: TypedOutputs | undefined;
  /** Rows this connection wrote into: row id -> the run that wrote it (grows as rows are written). */
  readonly written: Map<string, string>;
  readonly failedRows: ReadonlySet<string>;
  /** Rows done or failed before this (resumed) run went on: they count against the limit. */
  readonly alreadyCounted: number;
  /** The database owner's standing instructions (its description, the output property's), as system messages. */
  readonly instructions: readonly string[];
}

/** Checks the schema, finishes rows a restart interrupted, and counts what is done. */
export async function planRun(ctx: RunContext): Promise<RowPlan> {
  const { run, notion, store } = ctx;
  const record = run.record;
  const request = record.request;
  const dataSourceId = record.target.dataSourceId!;
  const into = request.output.kind === 'property' ? request.output.property : undefined;
  // A resumed run checks the schema again before any row: it may have changed before the restart.
  const schema = ctx.startSchema ?? (await notion.retrieveDataSource(dataSourceId));
  if (into !== undefined && schema.properties[into]?.type !== 'rich_text') {
    throw new VisenError(
      'property_gone',
      `The database no longer has a text property \`${into}\` to write into. Rename it back in Notion, or run again with another property.`,
    );
  }
  const template = await bindRowTemplate(notion, request.prompt, schema);
  const typed = request.output.kind === 'properties' ? typedOutputs(await planOutputs(notion, schema, request.output)) : undefined;
  const written = await store.writtenRows(record.user, record.connection.id);
  await resolveInFlight(ctx, written, into);
  record.done = [...written.values()].filter((runId) => runId === record.runId).length;
  const plan = {
    dataSourceId,
    into,
    template,
    typed,
    written,
    failedRows: new Set(record.failedRowIds),
    alreadyCounted: record.done + record.failed,
    instructions: databaseInstructions(record.target, typed ? propertyOutputs(typed) : into, schema),
  };
  record.skipped = 0;
  record.total = undefined;
  await run.save();
  run.emit();
  return plan;
}

/** The properties typed outputs write into (the page body aside). */
export function propertyOutputs(typed: TypedOutputs): string[] {
  return typed.plan.specs.filter((spec) => spec.type !== 'body').map((spec) => spec.name);
}
