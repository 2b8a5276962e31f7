/**
 * Structured outputs: Chat Completions' `response_format: { type: 'json_schema', json_schema: { name, strict: true,
 * schema } }` makes the model answer with one JSON object that matches the schema
 * (https://platform.openai.com/docs/guides/structured-outputs; ResponseFormatJsonSchema in OpenAI's OpenAPI
 * document). Strict mode needs `additionalProperties: false` and every property in `required` on every object.
 *
 * Many OpenAI-compatible servers do not take it: they refuse the request with a 400 or 422 naming the parameter
 * (`response_format` or its `json_schema`). Such a server gets the schema in a system message instead, and the
 * caller validates what comes back (it does so for every answer anyway: a cut answer is no valid JSON either).
 */
import { APIError } from 'openai';

/** What a caller asks for: a name (letters, digits, `_` and `-`, at most 64) and a JSON Schema whose root is an object. */
export interface JsonSchemaFormat {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** The `response_format` body field for a schema. */
export function responseFormatOf(format: JsonSchemaFormat) {
  return {
    type: 'json_schema' as const,
    json_schema: { name: format.name, strict: true, schema: format.schema as Record<string, unknown> },
  };
}

/** The system message that replaces `response_format` on a server that refused it. */
export function schemaInstructions(format: JsonSchemaFormat): string {
  return [
    'Answer with exactly one JSON object and nothing else: no Markdown code fence, no text before or after it.',
    'The object must match this JSON Schema (every property present; null only where the schema allows it):',
    JSON.stringify(format.schema),
  ].join('\n');
}

/**
 * True when a server refused the request because of `response_format`: a 400 or 422 whose error names
 * `response_format` or `json_schema` (vLLM, LM Studio, Groq and older Ollama builds say so in the message or in
 * `param`). OpenAI's own "Invalid schema for response_format" is no refusal: it is a schema the server takes in
 * principle, so it stays an error.
 */
export function rejectsResponseFormat(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  let text = err.message;
  try {
    text += ` ${JSON.stringify(err.error ?? '')}`;
  } catch {
    // an error body that cannot be written out: the message alone decides
  }
  const bounded = text.slice(0, 8_000);
  return /response_format|json_schema/.test(bounded) && !/invalid schema/i.test(bounded);
}
