/**
 * Finds Slack markup that reached a message, view or reply unescaped. Slack reads a message's top-level `text`
 * and every `mrkdwn` text object as mrkdwn, where `<!channel>`, `<@U…>` and `<https://…|label>` are live
 * (https://docs.slack.dev/messaging/formatting-message-text): text from a user or from Notion has to arrive with
 * `&`, `<` and `>` escaped as `&amp;`, `&lt;` and `&gt;` (same page, "Escaping text"). `plain_text` objects are
 * shown as typed, so they are not checked.
 *
 *   expect(unescapedMarkup(h.slack.apiCalls, { hostile: ['<!channel>'] })).toEqual([]);
 */

export interface MarkupCheck {
  /** Strings written by an attacker (a page title, a property name): none may appear raw in mrkdwn. */
  readonly hostile: readonly string[];
  /** Link targets our own code makes (default: Notion's web app). */
  readonly allowedLinkPrefixes?: readonly string[];
}

const DEFAULT_LINK_PREFIXES = ['https://www.notion.so/', 'https://notion.so/'];

/** Every mrkdwn string in `value` that carries hostile markup raw, a bare `&`, or a `<…>` entity our code does not make. */
export function unescapedMarkup(value: unknown, check: MarkupCheck): string[] {
  const problems: string[] = [];
  const prefixes = check.allowedLinkPrefixes ?? DEFAULT_LINK_PREFIXES;
  for (const text of mrkdwnStrings(value)) {
    for (const needle of check.hostile) if (text.includes(needle)) problems.push(`raw ${JSON.stringify(needle)} in ${quote(text)}`);
    for (const amp of text.matchAll(/&(?!amp;|lt;|gt;)/g)) problems.push(`bare & at ${amp.index} in ${quote(text)}`);
    for (const entity of text.match(/<[^>]*>?/g) ?? []) {
      if (!isOurEntity(entity, prefixes)) problems.push(`entity ${JSON.stringify(entity)} in ${quote(text)}`);
    }
  }
  return problems;
}

/**
 * The strings Slack reads as mrkdwn: `{ type: 'mrkdwn', text }`, and a `text` with no type (a message's, an
 * ephemeral reply's or an ack's top-level text; records of calls and posts carry it the same way).
 */
export function mrkdwnStrings(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string' && (o.type === undefined || o.type === 'mrkdwn')) out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(value);
  return out;
}

/** Links to Notion, Slack's dates, and mentions of a real-looking user id: the entities our builders make. */
function isOurEntity(entity: string, prefixes: readonly string[]): boolean {
  if (/^<@[UW][A-Z0-9]+>$/.test(entity)) return true;
  if (/^<!date\^\d+\^[^|<>]*\|[^<>]*>$/.test(entity)) return true;
  const link = /^<([^|<>\s]+)(?:\|[^<>|]*)?>$/.exec(entity);
  return link !== null && prefixes.some((prefix) => link[1]!.startsWith(prefix));
}

function quote(text: string): string {
  return JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);
}
