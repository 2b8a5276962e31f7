/**
 * Text helpers and Slack's limits for the Home tab. Every limit is Slack's own, from the Block Kit reference
 * (https://docs.slack.dev/reference/block-kit/blocks, .../block-elements, .../composition-objects and
 * https://docs.slack.dev/surfaces/app-home): a view that breaks one is refused whole (`invalid_blocks`), and
 * the user would see yesterday's Home tab with no hint why.
 */
export const HOME_LIMITS = {
  blocks: 100,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  placeholder: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

/**
 * Cuts plain text to at most `max` UTF-16 units with an ellipsis, never leaving half a surrogate pair.
 * Slack counts characters; JavaScript counts UTF-16 units, which is never fewer, so this stays inside.
 */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Cuts mrkdwn to at most `max` units with an ellipsis, never inside a `<link|label>`, a `<!date^…>` or an
 * `&amp;`-style entity (a half one would show raw syntax or break the link).
 */
export function ellipsizeMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp > cut.lastIndexOf(';') && cut.length - amp <= 5) cut = cut.slice(0, amp);
  if (cut.length > 0 && isHighSurrogate(cut.charCodeAt(cut.length - 1))) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Slack mrkdwn needs only these three escaped (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text a user or Notion wrote, for inline use in mrkdwn: one line, escaped, cut to `max` characters first. */
export function inlineText(text: string, max: number): string {
  return escapeMrkdwn(ellipsize(oneLine(text), max));
}

/** Line breaks and tabs become spaces: for names shown inline. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Inline code that a backtick in the text cannot end early. */
export function inlineCode(text: string, max = 80): string {
  const clean = inlineText(text, max).replace(/`/g, "'");
  return clean ? `\`${clean}\`` : '';
}

/**
 * An http(s) URL Slack will accept in a button or a link, or undefined: anything else (javascript:, a
 * relative path, a URL longer than Slack allows) is not linked at all.
 */
export function safeUrl(url: string | undefined, max: number = HOME_LIMITS.url): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  // `|` and `>` end a mrkdwn link early; `<` and spaces are already percent-encoded by URL.
  const href = parsed.href.replace(/\|/g, '%7C').replace(/>/g, '%3E');
  return href.length <= max ? href : undefined;
}

/** A mrkdwn link whose label cannot break out of `<url|label>`; the label alone when the URL is not safe. */
export function mrkdwnLink(url: string | undefined, label: string, maxLabel = 80): string {
  const safeLabel = inlineText(label, maxLabel).replace(/\|/g, '¦');
  // Links inside a 3000-character section: a very long URL would crowd out the rest, so it is not linked.
  const href = safeUrl(url, 1_000);
  const shown = safeLabel || (href ? escapeMrkdwn(href) : '');
  return href ? `<${href}|${shown}>` : shown;
}

/**
 * A readable label for a Notion URL: the title slug of `https://www.notion.so/ws/My-Page-<32 hex>` is
 * "My Page"; otherwise the fallback.
 */
export function notionUrlLabel(url: string, fallback: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return fallback;
  }
  const last = decodeURIComponentSafe(path.split('/').filter(Boolean).pop() ?? '');
  const slug = last.replace(/-?[0-9a-f]{32}$/i, '').replace(/-/g, ' ').trim();
  return slug && !/^[0-9a-f-]{32,36}$/i.test(slug) ? slug : fallback;
}

/**
 * Slack's date formatting: shown in the reader's own time zone and locale
 * (https://docs.slack.dev/messaging/formatting-message-text#date-formatting). The fallback (UTC) is for
 * clients that cannot format it. Date-only values (Notion dates without a time) show the date only.
 */
export function slackDate(iso: string | undefined): string {
  if (!iso) return 'never';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return inlineText(iso, 40);
  const unix = Math.floor(time / 1000);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso.trim());
  const d = new Date(time);
  const ymd = d.toISOString().slice(0, 10);
  if (dateOnly) return `<!date^${unix}^{date_short_pretty}|${ymd}>`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${ymd} ${d.toISOString().slice(11, 16)} UTC>`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
