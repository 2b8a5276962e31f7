// Structured outputs as OpenAI serves them (https://platform.openai.com/docs/guides/structured-outputs):
// `response_format: { type: 'json_schema', json_schema: { name, strict, schema } }`. The name is "a-z, A-Z, 0-9, or
// contain underscores and dashes, with a maximum length of 64" (ResponseFormatJsonSchema in OpenAI's OpenAPI
// document). With `strict: true` the guide's "Supported schemas" rules apply: the root is an object (not anyOf),
// every object sets `additionalProperties: false` and lists every property in `required`; a schema that breaks
// them is refused with a 400 "Invalid schema for response_format '<name>': ...".
// Servers that do not take `response_format` at all refuse it with a 400 naming the parameter, as Groq does for
// models without it ("This model does not support response format `json_schema`", param `response_format`).

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * How the server treats `response_format` `json_schema`:
 * - `openai`: as OpenAI does (strict schemas checked; answers are whatever the responder says, or an example built
 *   from the schema when no responder is set);
 * - `reject`: like a compatible server without structured outputs: 400, `param: 'response_format'`.
 */
export type StructuredOutputsMode = 'openai' | 'reject';

export interface ResponseFormat {
  name: string;
  strict: boolean;
  schema: Record<string, unknown>;
}

export const REFUSAL_MESSAGE = 'This model does not support response format `json_schema`. Remove `response_format` or use another model.';

/** The request's json_schema response format, or undefined (text, json_object, or none). */
export function responseFormatOf(body: unknown): ResponseFormat | undefined {
  const format = isObject(body) ? body.response_format : undefined;
  if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.json_schema)) return undefined;
  const js = format.json_schema;
  return { name: String(js.name ?? ''), strict: js.strict === true, schema: isObject(js.schema) ? js.schema : {} };
}

/** What OpenAI would refuse in this format, one line per problem (empty: accepted). */
export function formatProblems(format: ResponseFormat): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(format.name)) problems.push(`the name ${JSON.stringify(format.name)} must be a-z, A-Z, 0-9, _ or -, at most 64`);
  if (!format.strict) return problems;
  if (format.schema.type !== 'object' || 'anyOf' in format.schema) problems.push('the root schema must be an object and not anyOf');
  walk(format.schema, '', problems);
  return problems;
}

function walk(node: unknown, path: string, problems: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walk(child, `${path}[${i}]`, problems));
    return;
  }
  if (!isObject(node)) return;
  const isObjectSchema = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || isObject(node.properties);
  if (isObjectSchema) {
    const keys = Object.keys(isObject(node.properties) ? node.properties : {});
    if (node.additionalProperties !== false) problems.push(`In context=(${path}), 'additionalProperties' is required to be supplied and to be false`);
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.filter((key) => !required.includes(key));
    if (missing.length > 0) problems.push(`In context=(${path}), 'required' is required to include every key; missing ${JSON.stringify(missing)}`);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'properties' && isObject(child)) {
      for (const [name, sub] of Object.entries(child)) walk(sub, `${path}.properties.${name}`, problems);
    } else if (key === 'items' || key === 'anyOf' || key === '$defs' || key === 'definitions') {
      walk(child, `${path}.${key}`, problems);
    }
  }
}

/** A value matching the schema, as a model in strict mode answers: the first option, a plain string, 1, true. */
export function exampleFor(schema: unknown): unknown {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return exampleFor(schema.anyOf.find((s: unknown) => !(isObject(s) && s.type === 'null')) ?? schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t: unknown) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(isObject(schema.properties) ? schema.properties : {}).map(([k, v]) => [k, exampleFor(v)]));
    case 'array':
      return schema.items ? [exampleFor(schema.items)] : [];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (schema.format === 'uri') return 'https://example.com/';
      if (schema.format === 'email') return 'someone@example.com';
      if (typeof schema.description === 'string' && /ISO 8601 date/.test(schema.description)) return '2026-01-31';
      return 'Example text';
  }
}
