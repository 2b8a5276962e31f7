// Checks bodies against OpenAI's published OpenAPI document (../shared/specs/openai/openapi.json, from
// openai/openai-openapi; see ../shared/specs/README.md). The document is OpenAPI 3.1 but still uses the 3.0
// keyword `nullable`, which JSON Schema does not know, so a copy of `components` is rewritten first
// (`{..., nullable: true}` becomes `{anyOf: [{...}, {type: 'null'}]}`) and then added to ajv (draft 2020-12,
// the dialect of OpenAPI 3.1) under one `$id`, so every `#/components/schemas/...` ref resolves inside it.
// The file is 3.4 MB: it is read and compiled lazily, once per process, and each schema on first use.

import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadJsonSpec } from '../specs.js';

/** The component schemas the stand-in checks against. */
export type OpenAiSchemaName =
  | 'CreateChatCompletionRequest'
  | 'CreateChatCompletionStreamResponse'
  | 'CreateChatCompletionResponse'
  | 'ErrorResponse'
  | 'ListModelsResponse'
  | 'Model';

export interface OpenAiSpecValidator {
  /** Empty when `value` is valid; otherwise one line per problem (`/path: message`). */
  problems(schema: OpenAiSchemaName, value: unknown): string[];
}

const SPEC_FILE = 'openai/openapi.json';
const DOCUMENT_ID = 'https://stand-in.invalid/openai/openapi.json';
/** Formats the document uses that are OpenAPI's, not JSON Schema's: annotations only. */
const OPENAPI_ONLY_FORMATS = ['unixtime', 'int64', 'int32', 'double', 'float', 'binary', 'byte', 'password'];

// ajv and ajv-formats are CommonJS with `default` exports; under nodenext the default sits one level down.
type AjvInstance = {
  addSchema(schema: object): unknown;
  addFormat(name: string, format: true): unknown;
  getSchema(ref: string): ValidateFunction | undefined;
};
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvConstructor }).default ?? Ajv2020Module) as AjvConstructor;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: AjvInstance) => void;

let shared: OpenAiSpecValidator | undefined;

/**
 * The validator for ../shared/specs/openai/openapi.json, one per process. Cheap to call: the document is read
 * on the first check. Throws (on that first check) when the specs folder is absent; callers check `specsDir`.
 */
export function openAiSpecValidator(): OpenAiSpecValidator {
  shared ??= createValidator();
  return shared;
}

function createValidator(): OpenAiSpecValidator {
  let ajv: AjvInstance | undefined;
  const compiled = new Map<OpenAiSchemaName, ValidateFunction>();

  const validatorFor = (name: OpenAiSchemaName): ValidateFunction => {
    let validate = compiled.get(name);
    if (validate) return validate;
    ajv ??= loadDocument();
    validate = ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`${SPEC_FILE} has no components.schemas.${name}`);
    compiled.set(name, validate);
    return validate;
  };

  return {
    problems(name, value) {
      const validate = validatorFor(name);
      if (validate(value)) return [];
      return describeErrors(validate.errors ?? []);
    },
  };
}

function loadDocument(): AjvInstance {
  const document = loadJsonSpec<{ components?: unknown }>(SPEC_FILE);
  if (!document.components) throw new Error(`${SPEC_FILE} has no components`);
  // validateSchema: off, because the document's own keywords (x-oaiMeta, discriminator...) are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  for (const format of OPENAPI_ONLY_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema({ $id: DOCUMENT_ID, components: rewriteNullable(document.components) });
  return ajv;
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the schema itself, or null. */
export function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    if (key !== 'nullable') out[key] = rewriteNullable(child);
  }
  return (node as { nullable?: unknown }).nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/** anyOf/oneOf report every branch; keep the messages short and distinct. */
function describeErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.keyword === 'enum' ? ` ${JSON.stringify(e.params)}` : ''}`);
  return [...new Set(lines)].slice(0, 10);
}
