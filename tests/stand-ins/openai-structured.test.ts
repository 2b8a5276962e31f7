// Self-test of the OpenAI stand-in's structured outputs (https://platform.openai.com/docs/guides/structured-outputs):
// a strict `json_schema` response format is checked against the OpenAPI document and strict mode's rules and
// answered with JSON that matches the schema; `reject` mode refuses it as a compatible server without it does.
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiStandIn, startOpenAiStandIn } from './openai/index.js';

const MODEL = 'gpt-5-mini';
const SCHEMA = {
  type: 'object',
  properties: {
    Priority: { anyOf: [{ type: 'string', enum: ['High', 'Low'] }, { type: 'null' }] },
    Tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
    Score: { type: ['number', 'null'] },
    Done: { type: 'boolean' },
    Link: { type: 'string', format: 'uri' },
  },
  required: ['Priority', 'Tags', 'Score', 'Done', 'Link'],
  additionalProperties: false,
};

const format = (schema: Record<string, unknown>, name = 'row_values') => ({ type: 'json_schema' as const, json_schema: { name, strict: true, schema } });

async function ask(standIn: OpenAiStandIn, key: string, responseFormat: unknown): Promise<string> {
  const client = new OpenAI({ apiKey: key, baseURL: standIn.baseUrl, maxRetries: 0, logLevel: 'off' });
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Fill in the row' }],
    stream: true,
    response_format: responseFormat as OpenAI.ResponseFormatJSONSchema,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

describe('OpenAI stand-in: structured outputs', () => {
  let standIn: OpenAiStandIn;
  let key: string;
  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('answers a strict json_schema request with JSON that matches the schema, and gives the schema to a responder', async () => {
    expect(JSON.parse(await ask(standIn, key, format(SCHEMA)))).toEqual({ Priority: 'High', Tags: ['a'], Score: 1, Done: true, Link: 'https://example.com/' });
    let seen: unknown;
    standIn.setResponder((req) => {
      seen = req.responseFormat;
      return '{"Priority":"Low","Tags":[],"Score":null,"Done":false,"Link":"https://x.org/"}';
    });
    expect(JSON.parse(await ask(standIn, key, format(SCHEMA)))).toMatchObject({ Priority: 'Low' });
    expect(seen).toEqual({ name: 'row_values', strict: true, schema: SCHEMA });
    standIn.setResponder(undefined);
    expect(standIn.failures).toEqual([]);
  });

  it('refuses a strict schema that breaks strict mode’s rules, as OpenAI does, and notes it as a failure of the app', async () => {
    const loose = { ...SCHEMA, additionalProperties: true };
    const err = await ask(standIn, key, format(loose)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain("Invalid schema for response_format 'row_values'");
    const partial = { ...SCHEMA, required: ['Priority'] };
    expect(await ask(standIn, key, format(partial)).catch((e: unknown) => (e as Error).message)).toContain("'required' is required to include every key");
    const badName = await ask(standIn, key, format(SCHEMA, 'row values!')).catch((e: unknown) => (e as Error).message);
    expect(badName).toContain('must be a-z, A-Z, 0-9');
    expect(standIn.failures).toHaveLength(3);
    standIn.failures.length = 0;
  });

  it('in reject mode refuses response_format with a 400 naming the parameter, and still answers without it', async () => {
    standIn.setStructuredOutputs('reject');
    const err = (await ask(standIn, key, format(SCHEMA)).catch((e: unknown) => e)) as BadRequestError;
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.status).toBe(400);
    expect(err.message).toContain('response_format');
    expect((err.error as { param?: string }).param).toBe('response_format');
    expect(await ask(standIn, key, undefined)).toContain('Fill in the row');
    standIn.setStructuredOutputs('openai');
    expect(standIn.failures).toEqual([]);
  });
});
