// Request rules that changed in Notion API version 2026-03-11, the version the app speaks.
// https://developers.notion.com/guides/get-started/upgrade-guide-2026-03-11
//  - `archived` was replaced by `in_trash` in every request and response; "Starting with 2026-03-11, only
//    `in_trash` is accepted" (https://developers.notion.com/reference/trash-page).
//  - Append block children takes a `position` object; the flat `after` parameter is gone
//    (https://developers.notion.com/reference/patch-block-children).
import { describe } from './errors.js';

export const NOTION_VERSION = '2026-03-11';

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

const notPresent = (path: string, value: unknown) => `${path} should be not present, instead was \`${describe(value)}\`.`;
