import type { Logger } from 'pino';
import type { OpenAiClient, TokenUsage } from '../../../adapters/openai.js';
import { VisenError } from '../../../errors.js';
import { clip } from '../../text.js';
import type { RunContext } from '../active-run.js';
import { generateText } from '../model.js';
import type { RowAnswer } from '../row-writes.js';
import { addUsage } from '../tokens.js';
import { type CheckedAnswer, checkAnswer } from './answer.js';
import { type AnswerSchemas, answerJsonSchema, answerSchemas } from './answer-schema.js';
import type { OutputPlan } from './plan.js';
import { type TypedRowWrite, writesOf } from './writes.js';

/** What the model is told for a typed row; the schema itself goes as `response_format` (or as instructions). */
export const TYPED_SYSTEM_PROMPT =
  'You fill in properties of one row of a Notion database. Answer with one JSON object whose keys are the property names given in the schema, each value as its description says: text values in plain text without Markdown, option values exactly as listed, the key "@body" (where present) in Markdown for the row\'s page. No other text.';

/** How much of an invalid answer the repair request shows the model. */
const REPAIR_SHOWN_CHARS = 4_000;

/** The schemas of a typed run, built once per run. */
export interface TypedOutputs {
  readonly plan: OutputPlan;
  readonly schemas: AnswerSchemas;
  readonly jsonSchema: Record<string, unknown>;
}

export function typedOutputs(plan: OutputPlan): TypedOutputs {
  const schemas = answerSchemas(plan);
  return { plan, schemas, jsonSchema: answerJsonSchema(schemas) };
}

export interface TypedCall {
  readonly openai: OpenAiClient;
  readonly model: string;
  readonly signal: AbortSignal;
  readonly attempts: number;
  readonly backoffMs: (attempt: number) => number;
  readonly logger: Logger;
  readonly maxChars?: number | undefined;
  readonly onUsage: (usage: TokenUsage | undefined) => void;
  /** The database owner's standing instructions, as system messages after Visen's. */
  readonly instructions?: readonly string[];
  /** Said after the system prompt (e.g. that a `<row_page>` is material, not instructions). */
  readonly systemNote?: string;
}

/**
 * One row's typed values: one model call for every output; an answer that does not fit the schema is shown to
 * the model with what is wrong, once (the repair); still wrong, the row fails with a reason naming the property
 * and the value. Undefined when the run was stopped while an answer came in.
 */
export async function generateTypedRow(call: TypedCall, outputs: TypedOutputs, prompt: string): Promise<TypedRowWrite | undefined> {
  const first = await ask(call, outputs, prompt);
  if (first === undefined) return undefined;
  let checked = checkAnswer(first, outputs.schemas);
  if (!checked.ok) {
    call.logger.info({ problem: clip(checked.problem, 200) }, 'a typed answer did not fit its schema; asking once more');
    const second = await ask(call, outputs, repairPrompt(prompt, first, checked));
    if (second === undefined) return undefined;
    checked = checkAnswer(second, outputs.schemas);
  }
  if (!checked.ok) {
    throw new VisenError('invalid_answer', `The model’s answer for this row did not fit, even after Visen asked again: ${checked.problem}.`);
  }
  return writesOf(outputs.plan, checked.values);
}

async function ask(call: TypedCall, outputs: TypedOutputs, prompt: string): Promise<string | undefined> {
  const text = await generateText(call.openai, {
    model: call.model,
    system: call.systemNote === undefined ? TYPED_SYSTEM_PROMPT : `${TYPED_SYSTEM_PROMPT}\n\n${call.systemNote}`,
    ...(call.instructions?.length ? { instructions: call.instructions } : {}),
    prompt,
    signal: call.signal,
    attempts: call.attempts,
    backoffMs: call.backoffMs,
    logger: call.logger,
    ...(call.maxChars !== undefined ? { maxChars: call.maxChars } : {}),
    onUsage: call.onUsage,
    jsonSchema: { name: 'row_values', schema: outputs.jsonSchema },
  });
  return call.signal.aborted ? undefined : text;
}

function repairPrompt(prompt: string, answer: string, checked: Extract<CheckedAnswer, { ok: false }>): string {
  return [
    prompt,
    '',
    '---',
    `Your previous answer could not be used: ${checked.problem}.`,
    'It was:',
    clip(answer, REPAIR_SHOWN_CHARS),
    '---',
    'Answer again with one JSON object that matches the schema.',
  ].join('\n');
}

/** A database run's typed row: its answer as the row's write (undefined: the run was stopped meanwhile). */
export async function generateTypedAnswer(
  ctx: RunContext,
  outputs: TypedOutputs,
  prompt: string,
  told: Pick<TypedCall, 'instructions' | 'systemNote'> = {},
): Promise<RowAnswer | undefined> {
  const { run, options, logger, openai } = ctx;
  const call: TypedCall = {
    openai,
    model: run.record.model,
    signal: run.generation.signal,
    attempts: options.generationAttempts,
    backoffMs: options.backoffMs,
    logger,
    // Every attempt at the row counts (the repair too); the record is saved with the row.
    onUsage: (usage) => addUsage(run.record.tokens, usage),
    ...told,
  };
  const write = await generateTypedRow(call, outputs, prompt);
  return write && { text: write.body, properties: write.properties };
}
