// Request and response rules that differ by Notion API version. The stand-in speaks 2026-03-11 and 2026-12-01.
//
// 2026-03-11 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11):
//  - `archived` was replaced by `in_trash` in every request and response; "Starting with 2026-03-11, only
//    `in_trash` is accepted" (https://developers.notion.com/reference/trash-page).
//  - Append block children takes a `position` object; the flat `after` parameter is gone
//    (https://developers.notion.com/reference/patch-block-children).
// 2026-12-01 (https://developers.notion.com/guides/get-started/upgrade-guide-2026-12-01):
//  - Search and Query a data source return only the title in each page's properties unless `filter_properties`
//    lists property ids (`listedProperties`); Retrieve a page still returns every property.
//  - A person's `name` may be null (users.ts).
//  - Markdown: `markdown_version` "v2" is the default and "v1" is refused (`findMarkdownVersionProblem`).
import { describe } from './errors.js';

export const NOTION_VERSIONS = ['2026-03-11', '2026-12-01'] as const;
export type NotionVersion = (typeof NOTION_VERSIONS)[number];
/** The version the app speaks. */
export const NOTION_VERSION: NotionVersion = '2026-12-01';

export function isNotionVersion(value: string | undefined): value is NotionVersion {
  return (NOTION_VERSIONS as readonly string[]).includes(value ?? '');
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Messages for `archived` in the body itself or on any block in a `children` array. */
export function findArchivedUses(body: unknown): string[] {
  const found: string[] = [];
  const visitBlocks = (blocks: unknown, path: string) => {
    if (!Array.isArray(blocks)) return;
    blocks.forEach((block, index) => {
      if (!isObject(block)) return;
      const blockPath = `${path}[${index}]`;
      if ('archived' in block) found.push(notPresent(`${blockPath}.archived`, block.archived));
      for (const [key, value] of Object.entries(block)) {
        if (isObject(value) && Array.isArray(value.children)) visitBlocks(value.children, `${blockPath}.${key}.children`);
      }
    });
  };
  if (isObject(body)) {
    if ('archived' in body) found.push(notPresent('body.archived', body.archived));
    visitBlocks(body.children, 'body.children');
  }
  return found;
}

export function findAfterUse(body: unknown): string | undefined {
  return isObject(body) && 'after' in body ? notPresent('body.after', body.after) : undefined;
}

/** 2026-12-01 refuses `markdown_version: "v1"` ("`v2` is the default, and `"v1"` returns an error"). */
export function findMarkdownVersionProblem(body: unknown, version: NotionVersion): string | undefined {
  if (version !== '2026-12-01' || !isObject(body) || body.markdown_version === undefined || body.markdown_version === 'v2') return undefined;
  return `body.markdown_version should be \`"v2"\`, instead was \`${describe(body.markdown_version)}\`.`;
}

/**
 * The properties a listed page (Search, Query a data source) carries: those whose ids `filter_properties` names;
 * without it, every property under 2026-03-11 and only the title under 2026-12-01.
 */
export function listedProperties(
  properties: Record<string, { id: string; type: string }>,
  filterProperties: readonly string[],
  version: NotionVersion,
): Record<string, unknown> {
  const keep = (value: { id: string; type: string }) =>
    filterProperties.length > 0 ? filterProperties.includes(value.id) : version === '2026-03-11' || value.type === 'title';
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => keep(value)));
}

const notPresent = (path: string, value: unknown) => `${path} should be not present, instead was \`${describe(value)}\`.`;
