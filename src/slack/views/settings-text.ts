/**
 * Small text helpers for the settings feature's views and messages. Limits cited from Slack's Block Kit
 * reference (https://docs.slack.dev/reference/block-kit/blocks, .../composition-objects).
 */

export const SlackLimit = {
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  sectionText: 3000,
  contextText: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  buttonText: 75,
  optionText: 75,
  modalBlocks: 100,
  messageBlocks: 50,
} as const;

/** Slack's mrkdwn treats &, < and > as control characters; everything a user or Notion wrote is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A mrkdwn link whose label cannot break out of the `<url|label>` syntax; plain text when the URL is odd. */
export function mrkdwnLink(url: string, label: string): string {
  const safeLabel = escapeMrkdwn(label.replace(/[|\n\r]/g, ' ').trim() || url);
  if (!/^https?:\/\/[^\s<>|]+$/.test(url)) return safeLabel;
  return `<${url}|${safeLabel}>`;
}

/** `ends in abcd` for a secret's last four characters (the only part of a secret ever shown). */
export function endsIn(last4: string | undefined): string {
  return last4 ? `ends in ${last4}` : 'ending hidden';
}
