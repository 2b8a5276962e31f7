/**
 * The longest prompt Visen takes, in characters as a person counts them (code points: `characterCount` in services/text.ts). One rule for every caller:
 * the slash command and the generate modal check it first, to answer in their own words; the service enforces it
 * for all of them (reruns from the Home tab included). 8,000 is the number the generate modal tells users.
 */
export const MAX_PROMPT_CHARS = 8_000;

/** Notion allows 100 rich-text items of 2000 characters in a text property (https://developers.notion.com/reference/request-limits). */
export const PROPERTY_MAX_CHARS = 100 * 2_000;

/** A run that would write more than this many rows shows a preview first, even when none was asked for. */
export const LARGE_RUN_ROWS = 500;
/** Rows previewed when `--preview` has no number, and for a large run. */
export const DEFAULT_PREVIEW_ROWS = 3;
/** Most rows a preview may hold (each is a section of one Slack message). */
export const MAX_PREVIEW_ROWS = 10;
/** Characters of each proposed value kept for the preview (the Slack message cuts further to fit its blocks). */
export const PREVIEW_VALUE_CHARS = 1_500;
