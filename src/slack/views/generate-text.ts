/**
 * Text helpers and Slack's Block Kit limits for the generate views. Every limit is Slack's own, from the
 * Block Kit reference (https://docs.slack.dev/reference/block-kit/), so builders can never send a view that
 * Slack rejects with `invalid_blocks`.
 */
export const SLACK_LIMITS = {
  modalBlocks: 100,
  messageBlocks: 50,
  modalTitle: 24,
  modalButton: 24, // submit and close
  privateMetadata: 3000,
  sectionText: 3000,
  contextText: 3000, // per element
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  radioOptions: 10,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMaxLength: 3000,
  placeholder: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Message `text`: Slack truncates after 40,000; we keep the notification fallback short. */
  messageText: 3000,
} as const;

/** Cuts `text` to at most `max` UTF-16 units (Slack counts characters), with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // do not leave half an emoji behind
  return `${text.slice(0, end)}…`;
}

/** Slack mrkdwn needs only these three escaped (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link whose label cannot break out of the `<url|label>` syntax. */
export function mrkdwnLink(url: string, label: string, maxLabel = 80): string {
  const safeUrl = url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c));
  const safeLabel = escapeMrkdwn(truncate(oneLine(label), maxLabel)).replace(/\|/g, '¦') || safeUrl;
  return `<${safeUrl}|${safeLabel}>`;
}

/** Line breaks and tabs become spaces: for titles shown inline. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
