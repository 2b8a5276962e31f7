/**
 * Slack's Block Kit limits and the text helpers every view builder shares. A view or message that breaks one
 * limit is refused whole (`invalid_blocks`), so builders cut text to these before sending; each limit cites
 * the Slack page that states it. Slack counts characters and JavaScript counts UTF-16 units (never fewer),
 * so cutting by `.length` always stays inside. The Block Kit primitives that apply these limits to every
 * block are in `blocks.ts`.
 */

export const SLACK_LIMITS = {
  /** Blocks in a modal or a Home tab view (https://docs.slack.dev/reference/views). */
  viewBlocks: 100,
  /** Blocks in one message (https://docs.slack.dev/reference/methods/chat.postMessage, "blocks"). */
  messageBlocks: 50,
  /** Modal `title`, `submit` and `close` texts (https://docs.slack.dev/reference/views). */
  modalTitle: 24,
  modalButton: 24,
  /** A view's `private_metadata` and `callback_id` (https://docs.slack.dev/reference/views). */
  privateMetadata: 3000,
  callbackId: 255,
  /** Header block text (https://docs.slack.dev/reference/block-kit/blocks/header-block). */
  headerText: 150,
  /** Section block text, its fields and their count (https://docs.slack.dev/reference/block-kit/blocks/section-block). */
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  /** Context block: elements, and a text object's 3000 (https://docs.slack.dev/reference/block-kit/blocks/context-block, https://docs.slack.dev/reference/block-kit/composition-objects/text-object). */
  contextElements: 10,
  contextText: 3000,
  /** Actions block elements (https://docs.slack.dev/reference/block-kit/blocks/actions-block). */
  actionsElements: 25,
  /** `block_id` and `action_id` (https://docs.slack.dev/reference/block-kit/blocks, https://docs.slack.dev/reference/block-kit/block-elements). */
  blockId: 255,
  actionId: 255,
  /** Button text, value and url (https://docs.slack.dev/reference/block-kit/block-elements/button-element). */
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  /** Option text and value; options in a select menu; in radio buttons (https://docs.slack.dev/reference/block-kit/composition-objects/option-object, https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element, https://docs.slack.dev/reference/block-kit/block-elements/radio-button-group-element). */
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  radioOptions: 10,
  /** Input block label and hint (https://docs.slack.dev/reference/block-kit/blocks/input-block). */
  inputLabel: 2000,
  inputHint: 2000,
  /** plain_text_input `max_length` and any element's placeholder (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element). */
  plainTextInputMaxLength: 3000,
  placeholder: 150,
  /** Confirmation dialog title, text and buttons (https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object). */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Message `text`: Slack truncates after 40,000; we keep the notification fallback short. */
  messageText: 3000,
} as const;

/** Cuts plain text to at most `max` UTF-16 units with an ellipsis, never leaving half a surrogate pair (emoji). */
export function truncate(text: string, max: number): string {
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
export function truncateMrkdwn(text: string, max: number): string {
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

/**
 * A message's top-level `text` from plain words: escaped, then cut to a notification's length. Slack reads
 * `text` as mrkdwn and shows it in notifications and previews, so anything in it that came from a user or
 * from Notion (a title like `<!channel>`) must be escaped there as much as in the blocks.
 */
export function notificationText(text: string): string {
  return truncateMrkdwn(escapeMrkdwn(text), SLACK_LIMITS.messageText);
}

/** Line breaks, tabs and runs of spaces become one space: for names and titles shown inline. */
export function oneLine(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Text a user or Notion wrote, for inline use in mrkdwn: one line, cut to `max` characters, then escaped. */
export function inlineText(text: string, max: number): string {
  return escapeMrkdwn(truncate(oneLine(text), max));
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
export function safeUrl(url: string | undefined, max: number = SLACK_LIMITS.url): string | undefined {
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

/** `ends in abcd` for a secret's last four characters (the only part of a secret ever shown). */
export function endsIn(last4: string | undefined): string {
  return last4 ? `ends in ${last4}` : 'ending hidden';
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
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
  const slug = last
    .replace(/-?[0-9a-f]{32}$/i, '')
    .replace(/-/g, ' ')
    .trim();
  return slug && !/^[0-9a-f-]{32,36}$/i.test(slug) ? slug : fallback;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
