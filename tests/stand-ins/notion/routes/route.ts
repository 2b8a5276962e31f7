// What every endpoint handler gets, and helpers they share.
import { bodyInvalid, shouldBe, validationError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { Integration } from '../records.js';
import type { NotionVersion } from '../version-rules.js';
import type { Workspace } from '../workspace.js';

export interface RouteContext {
  ws: Workspace;
  integration: Integration;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, any>;
  queryResultLimit: number;
  markdownBlockLimit: number;
  /** The Notion-Version the request was sent with. */
  version: NotionVersion;
}

export interface Route {
  method: string;
  /** OpenAPI-style template, e.g. `/v1/pages/{page_id}`. */
  template: string;
  /** Writes are checked against Notion's request size limits before they run. */
  write?: boolean;
  handle(ctx: RouteContext): unknown;
}

/** A path id parameter in dashed form, or Notion's validation error for a malformed id. */
export function pathId(ctx: RouteContext, name: string): string {
  const raw = ctx.params[name] ?? '';
  const id = normalizeId(raw);
  if (!id) throw validationError(`path failed validation: path.${name} should be a valid uuid, instead was \`"${raw}"\`.`);
  return id;
}

/** An id inside the body (`body.parent.page_id` ...). */
export function bodyId(value: unknown, path: string): string {
  const id = typeof value === 'string' ? normalizeId(value) : undefined;
  if (!id) throw bodyInvalid(shouldBe(path, 'a valid uuid', value));
  return id;
}

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Icons as Notion returns them: `{ type: 'emoji', emoji }` or `{ type: 'external', external: { url } }`. */
export function iconFromRequest(icon: unknown): unknown {
  if (!isObject(icon)) return null;
  if (typeof icon.emoji === 'string') return { type: 'emoji', emoji: icon.emoji };
  if (isObject(icon.external)) return { type: 'external', external: { url: icon.external.url } };
  return structuredClone(icon);
}

export function listResponse(kind: string, page: { results: unknown[]; next_cursor: string | null; has_more: boolean }) {
  return { object: 'list', results: page.results, next_cursor: page.next_cursor, has_more: page.has_more, type: kind, [kind]: {} };
}
