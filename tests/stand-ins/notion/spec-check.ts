// Checks each request's method and path against Notion's published OpenAPI file
// (../shared/specs/notion/notion-openapi.json, from makenotion/notion-mcp-server; see ../shared/specs/README.md).
// That spec is trimmed: its Notion-Version default is 2025-09-03, older than the 2026-03-11 the app speaks, and some
// endpoints the app needs are missing. Those are allowed explicitly below, each with the reference page it follows.
import { loadJsonSpec } from '../specs.js';

export interface EndpointRule {
  method: string;
  template: string;
  pattern: RegExp;
}

/** Endpoints absent from the trimmed spec that the app may call. */
export const ALLOWED_BEYOND_SPEC: ReadonlyArray<{ method: string; template: string; reference: string }> = [
  { method: 'POST', template: '/v1/databases', reference: 'https://developers.notion.com/reference/database-create' },
  { method: 'PATCH', template: '/v1/databases/{database_id}', reference: 'https://developers.notion.com/reference/database-update' },
];

const HTTP_METHODS = ['get', 'post', 'patch', 'put', 'delete'];

export function ruleFor(method: string, template: string): EndpointRule {
  const pattern = new RegExp(`^${template.replace(/\{[^/}]+\}/g, '[^/]+')}$`);
  return { method: method.toUpperCase(), template, pattern };
}

/** The endpoint rules of the spec plus the allow-list. */
export function loadSpecRules(): EndpointRule[] {
  const spec = loadJsonSpec<{ paths: Record<string, Record<string, unknown>> }>('notion/notion-openapi.json');
  const rules: EndpointRule[] = [];
  for (const [template, operations] of Object.entries(spec.paths)) {
    for (const method of Object.keys(operations)) {
      if (HTTP_METHODS.includes(method)) rules.push(ruleFor(method, template));
    }
  }
  for (const allowed of ALLOWED_BEYOND_SPEC) rules.push(ruleFor(allowed.method, allowed.template));
  return rules;
}

export function findRule(rules: readonly EndpointRule[], method: string, pathname: string): EndpointRule | undefined {
  return rules.find((rule) => rule.method === method && rule.pattern.test(pathname));
}
