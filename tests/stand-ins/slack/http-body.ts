// Request bodies as Slack accepts them (https://docs.slack.dev/apis/web-api/#basics): JSON, or form-encoded where
// structured arguments (`view`, `blocks`, ...) are JSON-encoded strings, which is what @slack/web-api sends.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyObject } from './types.js';

const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Arguments Slack documents as "a JSON-encoded string" when form-encoded. */
const JSON_ARGUMENTS = ['view', 'blocks', 'attachments', 'metadata'];

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type ParsedArguments =
  | { ok: true; args: AnyObject; json: boolean }
  | { ok: false; error: 'invalid_json' | 'json_not_object' | 'invalid_form_data' | 'invalid_arguments'; detail: string };

/** Web API arguments from the query string and the body, with JSON-string arguments decoded. */
export function parseArguments(contentType: string | undefined, raw: string, query: URLSearchParams): ParsedArguments {
  const args: AnyObject = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let json = false;
  if (raw.trim() !== '') {
    if (type === 'application/json') {
      json = true;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { ok: false, error: 'invalid_json', detail: 'body is not valid JSON' };
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, error: 'json_not_object', detail: 'JSON body is not an object' };
      Object.assign(args, parsed);
    } else if (type === 'application/x-www-form-urlencoded' || type === '') {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    } else {
      return { ok: false, error: 'invalid_form_data', detail: `unsupported content type ${type}` };
    }
  }
  for (const name of JSON_ARGUMENTS) {
    if (typeof args[name] !== 'string') continue;
    try {
      args[name] = JSON.parse(args[name]);
    } catch {
      return { ok: false, error: 'invalid_arguments', detail: `${name} is not valid JSON` };
    }
  }
  return { ok: true, args, json };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
