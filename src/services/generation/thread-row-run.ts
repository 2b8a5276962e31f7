import { markdownToBlocks } from '../../adapters/notion/index.js';
import { VisenError } from '../../errors.js';
import type { RunContext } from './active-run.js';
import { THREAD_CONTEXT_INSTRUCTIONS, threadLinkMarkdown, wrapThread } from './model.js';
import { appendChecked, writeOptions } from './notion-writes.js';
import { MAX_OUTPUTS } from './outputs/check.js';
import { generateTypedAnswer, typedOutputs } from './outputs/generate.js';
import { BODY_OUTPUT, isWritableType } from './outputs/kinds.js';
import { planOutputs } from './outputs/plan.js';
import { rollbackPage } from './page-run.js';
import type { WorkEnd } from './run-record.js';

/** Told to the model with the typed-outputs prompt: the thread comes first in the user message, as material. */
const THREAD_ROW_NOTE = `${THREAD_CONTEXT_INSTRUCTIONS.replace('The first user message is', 'The user message starts with')} The request follows it. Fill every property from the thread; leave one empty when the thread does not say. Put the written summary in "@body".`;

/**
 * A new row of a database from a Slack thread ("Send to Notion"): one typed answer (issue 12's typed outputs) fills
 * the row's title and every property Visen can write (up to MAX_OUTPUTS), and its page body gets the summary and a
 * link back to the thread. The row is created with its properties in one request, then the body is appended; if
 * that fails, the row goes to the trash again, so a retry never finds half a row.
 */
export async function runThreadRow(ctx: RunContext): Promise<WorkEnd> {
  const { run, notion } = ctx;
  const record = run.record;
  const source = record.request.source;
  const dataSourceId = record.target.dataSourceId;
  if (!source || !dataSourceId)
    throw new VisenError('not_found', 'This run has no Slack thread or no database to write to. Use Send to Notion on the thread again.');
  record.page ??= { appendedBlockIds: [], complete: false };
  const page = record.page;
  const schema = ctx.startSchema ?? (await notion.retrieveDataSource(dataSourceId));
  const names = Object.entries(schema.properties)
    .filter(([, property]) => isWritableType(property.type))
    .map(([name]) => name)
    .slice(0, MAX_OUTPUTS - 1);
  const outputs = typedOutputs(await planOutputs(notion, schema, { outputs: [...names, BODY_OUTPUT] }));
  const answer = await generateTypedAnswer(ctx, outputs, `${wrapThread(source.text)}\n\n${record.request.prompt}`, { systemNote: THREAD_ROW_NOTE });
  if (!answer) return run.cancelRequested ? 'cancelled' : 'interrupted';
  try {
    const created = await notion.createPage({ parent: { type: 'data_source', id: dataSourceId }, properties: answer.properties ?? {} });
    page.createdPageId = created.id;
    page.createdPageUrl = created.url;
    await run.save();
    const body = `${answer.text.trim()}\n\n${threadLinkMarkdown(source.permalink)}`;
    await appendChecked(notion, created.id, markdownToBlocks(body), writeOptions(ctx));
    page.complete = true;
    record.done = 1;
    run.addWritten(created.title || 'Untitled', created.url);
    await run.save();
    return 'complete';
  } catch (err) {
    await rollbackPage(ctx);
    throw err;
  }
}
