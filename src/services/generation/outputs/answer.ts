import type { z } from 'zod';
import { clip } from '../../text.js';
import type { AnswerSchemas } from './answer-schema.js';
import { BODY_OUTPUT } from './kinds.js';

/** How much of a model's value a message shows: enough to recognise it, never a wall of text. */
const VALUE_SHOWN_CHARS = 80;

export type CheckedAnswer = { readonly ok: true; readonly values: Readonly<Record<string, unknown>> } | { readonly ok: false; readonly problem: string };

/**
 * The model's answer as the run's values, or what is wrong with it in words that name the property and the value.
 * A server given the schema as instructions may wrap the object in a Markdown code fence or a sentence: the
 * outermost `{…}` is taken.
 */
export function checkAnswer(text: string, schemas: AnswerSchemas): CheckedAnswer {
  const json = outermostObject(text);
  if (json === undefined) return { ok: false, problem: `the answer is not a JSON object (it begins ${shown(text.trim().slice(0, 40))})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return { ok: false, problem: `the answer is not valid JSON (${clip(err instanceof Error ? err.message : String(err), 120)})` };
  }
  const result = schemas.lenient.safeParse(parsed);
  if (result.success) return { ok: true, values: result.data as Record<string, unknown> };
  return { ok: false, problem: describeIssue(result.error.issues[0], parsed) };
}

function outermostObject(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start === -1 || end <= start ? undefined : text.slice(start, end + 1);
}

/** `the value for “Priority” does not fit: "Urgent" (not one of its options)`. */
function describeIssue(issue: z.core.$ZodIssue | undefined, parsed: unknown): string {
  if (!issue) return 'the answer does not match the schema';
  const [key, ...rest] = issue.path;
  if (key === undefined) return `the answer is not a JSON object of the expected properties (${issue.message})`;
  const owner = key === BODY_OUTPUT ? 'the page body' : `“${String(key)}”`;
  const top = (parsed as Record<string, unknown>)[String(key)];
  if (top === undefined) return `the answer has no value for ${owner}`;
  const value = rest.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), top);
  const reason = issue.code === 'invalid_type' ? `expected ${issue.expected === 'nonoptional' ? 'a value' : `a ${issue.expected}`}` : issue.message;
  return `the value for ${owner} does not fit: ${shown(value)} (${reason})`;
}

/** A value as JSON, cut to VALUE_SHOWN_CHARS (the caller's message is escaped where it is shown). */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text.replace(/\s+/g, ' '), VALUE_SHOWN_CHARS);
}
