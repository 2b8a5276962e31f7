// Structured outputs through the OpenAI adapter: `response_format` `json_schema` (strict) sent as asked
// (https://platform.openai.com/docs/guides/structured-outputs); a server that refuses it (400 naming the
// parameter) asked once more with the schema in a system message, and remembered; both refusals (stream_options
// and response_format) on one server; OpenAI's own "Invalid schema" is not taken for a refusal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiGateway, type JsonSchemaFormat } from '../../src/adapters/openai.js';
import { OpenAiError } from '../../src/errors.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai/index.js';

const MODEL = 'gpt-5-mini';
const logger = pino({ level: 'silent' });
const FORMAT: JsonSchemaFormat = {
  name: 'row_values',
  schema: { type: 'object', properties: { Priority: { type: 'string', enum: ['High', 'Low'] } }, required: ['Priority'], additionalProperties: false },
};

describe('OpenAI adapter: structured outputs', () => {
  let standIn: OpenAiStandIn;
  let key: string;
  const servers: Server[] = [];
  const gateway = () =>
    createOpenAiGateway({
      logger,
      timeoutMs: 2000,
      defaultBaseUrl: 'https://api.openai.com/v1',
      userEndpoints: { allow: { hosts: new Set(), ranges: [[ipaddr.parse('127.0.0.1'), 32]] } },
    });
  const ask = async (g: ReturnType<typeof gateway>, baseUrl = standIn.baseUrl) => {
    let text = '';
    for await (const delta of g.forUser({ apiKey: key, baseUrl }).streamChat({ model: MODEL, system: 'Fill the row.', prompt: 'Row 1', jsonSchema: FORMAT }))
      text += delta;
    return text;
  };
  const chats = (from: number) => standIn.requests.slice(from).filter((r) => r.path === '/v1/chat/completions');
  const systemOf = (body: { messages: Array<{ role: string; content: string }> }) => body.messages.filter((m) => m.role === 'system').map((m) => m.content);

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    key = standIn.addKey();
  });
  afterEach(() => {
    standIn.setStructuredOutputs('openai');
    standIn.setUsageMode('openai');
  });
  afterAll(async () => {
    await standIn.close();
    for (const server of servers) server.close();
  });

  it('sends the schema as a strict json_schema response_format and streams the JSON answer', async () => {
    const from = standIn.requests.length;
    expect(JSON.parse(await ask(gateway()))).toEqual({ Priority: 'High' });
    const [chat] = chats(from);
    expect(chat!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'row_values', strict: true, schema: FORMAT.schema } });
    expect(systemOf(chat!.body)).toEqual(['Fill the row.']);
    expect(standIn.failures).toEqual([]);
  });

  it('asks a server that refuses response_format once more with the schema as instructions, and remembers it', async () => {
    standIn.setStructuredOutputs('reject');
    standIn.setResponder(() => '{"Priority":"Low"}');
    const g = gateway();
    const from = standIn.requests.length;
    expect(await ask(g)).toBe('{"Priority":"Low"}');
    expect(chats(from).map((r) => [r.status, r.body.response_format?.type])).toEqual([
      [400, 'json_schema'],
      [200, undefined],
    ]);
    const instructions = systemOf(chats(from)[1]!.body);
    expect(instructions[0]).toBe('Fill the row.');
    expect(instructions[1]).toContain(JSON.stringify(FORMAT.schema));
    const again = standIn.requests.length;
    await ask(g);
    expect(chats(again).map((r) => [r.status, r.body.response_format?.type])).toEqual([[200, undefined]]);
    standIn.setResponder(undefined);
  });

  it('a server refusing both stream_options and response_format is asked three times, then once', async () => {
    standIn.setStructuredOutputs('reject');
    standIn.setUsageMode('reject');
    standIn.setResponder(() => '{"Priority":"High"}');
    const g = gateway();
    const from = standIn.requests.length;
    expect(JSON.parse(await ask(g))).toEqual({ Priority: 'High' });
    const asked = (start: number) => chats(start).map((r) => [r.status, r.body.stream_options !== undefined, r.body.response_format !== undefined]);
    expect(asked(from)).toEqual([
      [400, true, true],
      [400, false, true],
      [200, false, false],
    ]);
    const again = standIn.requests.length;
    await ask(g);
    expect(asked(again)).toEqual([[200, false, false]]);
    standIn.setResponder(undefined);
  });

  it('does not take OpenAI’s "Invalid schema for response_format" for a refusal', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              message: "Invalid schema for response_format 'row_values': 'additionalProperties' is required",
              type: 'invalid_request_error',
              param: 'response_format',
              code: null,
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    let requests = 0;
    server.on('request', () => {
      requests += 1;
    });
    const error = await ask(gateway(), `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAiError);
    expect(requests).toBe(1);
  });
});
