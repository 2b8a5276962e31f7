// Notion's documented request size limits, checked on every write before anything is applied.
// Source for every rule below: https://developers.notion.com/reference/request-limits ("Size limits"), and for
// children: https://developers.notion.com/reference/patch-block-children ("up to two levels of nesting in a
// single request", "a limit of 100 block children"). Violations answer 400 validation_error.

export const LIMITS = {
  richTextContent: 2000, // rich text text.content
  richTextLinkUrl: 2000, // rich text text.link.url
  equationExpression: 1000, // rich text equation.expression
  richTextItems: 100, // any array of rich text objects
  url: 2000, // any URL
  email: 200, // any email
  phoneNumber: 200, // any phone number
  multiSelectOptions: 100, // any multi-select value
  relations: 100, // any relation value
  people: 100, // any people value
  childrenPerArray: 100, // block children per request array
  nestingLevels: 2, // levels of children in one request
  blockElements: 1000, // block elements per payload
  // "500KB overall". Read as 500,000 bytes, the stricter reading, so a client that passes here passes Notion.
  payloadBytes: 500_000,
} as const;

const RICH_TEXT_KEYS = new Set(['rich_text', 'title', 'caption', 'description']);

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns one message per broken limit, worded like Notion's validation messages. */
export function findLimitViolations(body: unknown, payloadBytes: number): string[] {
  const violations: string[] = [];
  const tooLong = (path: string, limit: number, actual: number) => violations.push(`${path}.length should be ≤ \`${limit}\`, instead was \`${actual}\`.`);
  if (payloadBytes > LIMITS.payloadBytes) {
    violations.push(`request payload should be ≤ ${LIMITS.payloadBytes} bytes, instead was ${payloadBytes} bytes.`);
  }
  let blockElements = 0;

  const visitRichTextArray = (items: unknown[], path: string) => {
    if (items.length > LIMITS.richTextItems) tooLong(path, LIMITS.richTextItems, items.length);
    items.forEach((item, index) => {
      if (!isObject(item)) return;
      const itemPath = `${path}[${index}]`;
      const content = item.text?.content;
      if (typeof content === 'string' && content.length > LIMITS.richTextContent) tooLong(`${itemPath}.text.content`, LIMITS.richTextContent, content.length);
      const linkUrl = item.text?.link?.url;
      if (typeof linkUrl === 'string' && linkUrl.length > LIMITS.richTextLinkUrl) tooLong(`${itemPath}.text.link.url`, LIMITS.richTextLinkUrl, linkUrl.length);
      const expression = item.equation?.expression;
      if (typeof expression === 'string' && expression.length > LIMITS.equationExpression)
        tooLong(`${itemPath}.equation.expression`, LIMITS.equationExpression, expression.length);
    });
  };

  const visit = (value: unknown, path: string, childrenDepth: number): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`, childrenDepth));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}.${key}`;
      if (key === 'children' && Array.isArray(child)) {
        // The top-level array plus two levels of nesting below it.
        const depth = childrenDepth + 1;
        if (depth > LIMITS.nestingLevels + 1) {
          violations.push(`${childPath} should be not present: at most ${LIMITS.nestingLevels} levels of nesting are allowed in one request.`);
          continue;
        }
        if (child.length > LIMITS.childrenPerArray) tooLong(childPath, LIMITS.childrenPerArray, child.length);
        blockElements += child.length;
        child.forEach((block, index) => visit(block, `${childPath}[${index}]`, depth));
        continue;
      }
      if (RICH_TEXT_KEYS.has(key) && Array.isArray(child)) visitRichTextArray(child, childPath);
      if (key === 'cells' && Array.isArray(child)) child.forEach((cell, i) => Array.isArray(cell) && visitRichTextArray(cell, `${childPath}[${i}]`));
      if (key === 'url' && !path.endsWith('.link') && typeof child === 'string' && child.length > LIMITS.url) tooLong(childPath, LIMITS.url, child.length);
      if (key === 'email' && typeof child === 'string' && child.length > LIMITS.email) tooLong(childPath, LIMITS.email, child.length);
      if (key === 'phone_number' && typeof child === 'string' && child.length > LIMITS.phoneNumber) tooLong(childPath, LIMITS.phoneNumber, child.length);
      if (key === 'multi_select' && Array.isArray(child) && child.length > LIMITS.multiSelectOptions)
        tooLong(childPath, LIMITS.multiSelectOptions, child.length);
      if (key === 'relation' && Array.isArray(child) && child.length > LIMITS.relations) tooLong(childPath, LIMITS.relations, child.length);
      if (key === 'people' && Array.isArray(child) && child.length > LIMITS.people) tooLong(childPath, LIMITS.people, child.length);
      visit(child, childPath, childrenDepth);
    }
  };

  visit(body, 'body', 0);
  if (blockElements > LIMITS.blockElements) {
    violations.push(`request should contain ≤ ${LIMITS.blockElements} block elements, instead had ${blockElements}.`);
  }
  return violations;
}
