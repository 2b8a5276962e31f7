/**
 * The rules a generation request must meet before anything slow happens, shared by the slash command parser
 * and the modal's submission check, so both give the same answer in the same words. Pure functions.
 *
 * What only the service can tell (the target is a page or a database, it is reachable, its placeholders and
 * `--into` property exist) is not checked here: `GenerationService.start` reports it.
 */

import { userMessageFor } from '../../../errors.js';
import { parseSchedule } from '../../../services/automations/schedule.js';
import { DEFAULT_PREVIEW_ROWS, MAX_PREVIEW_ROWS, MAX_PROMPT_CHARS } from '../../../services/generation/limits.js';

import { characterCount } from '../../../services/text.js';

export const MAX_LIMIT = 10_000;
export const MAX_URL_CHARS = 2_000;
export const MAX_PROPERTY_NAME_CHARS = 500;
export const MAX_CONNECTION_NAME_CHARS = 200;
/** A schedule is a preset or a five-field cron expression: far shorter than this. */
export const MAX_SCHEDULE_CHARS = 100;

export const SCHEDULE_EXAMPLES = '`hourly`, `"daily 09:00"`, `"weekdays 09:00"`, `"mondays 08:30"` or a cron expression such as `"0 9 * * 1-5"`';

export type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const fail = <T>(problem: string): Check<T> => ({ ok: false, problem });

/**
 * Control characters (C0 except tab and line feed, DEL, C1) are removed; `\r\n` and `\r` become `\n`.
 * Everything else is kept as typed: emoji (and their zero-width joiners), right-to-left text and its marks.
 */
export function stripControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is this function's job.
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '');
}

/** True when nothing visible is left: whitespace and zero-width characters only. */
export function isBlank(text: string): boolean {
  return text.replace(/[\s\u200B-\u200D\u2060\uFEFF]/g, '') === '';
}

/** Slack sends `&`, `<` and `>` as HTML entities in slash command text. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Slack markup in command text back to what the person typed: `<https://x|label>` links, `<@U1|name>`
 * mentions, `<#C1|name>` channels and `<!here>` become plain text, then entities are decoded. (A literal
 * `<` always arrives as `&lt;`, so every `<...>` here is Slack's.)
 */
export function slackTextToPlain(text: string): string {
  const plain = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? undefined : inner.slice(bar + 1);
    if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!')) return `@${(label ?? target.slice(1)).replace(/^subteam\^/, '')}`;
    if (label === undefined || label === '' || target.replace(/^(?:https?:\/\/|mailto:)/, '') === label) return target;
    return target.includes(label) ? target : `${label} (${target})`;
  });
  return decodeSlackEntities(plain);
}

/** `<https://...>` or `<https://...|label>` (Slack's link wrappers) to the bare URL; anything else unchanged. */
export function unwrapSlackLink(token: string): string {
  const m = /^<([^<>|]*)(?:\|[^<>]*)?>$/.exec(token.trim());
  return decodeSlackEntities(m ? (m[1] ?? '') : token.trim());
}

/** Tokens that look like a link the user meant as the target (so "no URL" and "not Notion" can be told apart). */
export function looksLikeUrl(token: string): boolean {
  const t = unwrapSlackLink(token);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(t) || /^(?:www\.)?notion\.(?:so|site|com)\//i.test(t) || /^[\w-]+\.notion\.site\//i.test(t);
}

const NOTION_ID = /(?:^|[^0-9a-f])([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f])/i;
const HOW_TO_COPY = 'In Notion, open the page or database and use ••• → Copy link.';

/**
 * A Notion page or database URL, as far as can be told without asking Notion: an http(s) link on a Notion
 * host whose path (or `?p=` peek) carries a page/database id. Slack's `<...>` / `<...|label>` wrappers and
 * entities are undone; a bare `notion.so/...` gets `https://`. Which kind it is, and whether it is reachable,
 * is for the service to say.
 */
export function checkTargetUrl(raw: string): Check<string> {
  let text = stripControlCharacters(unwrapSlackLink(raw)).trim();
  if (text === '') return fail(`Give the link of a Notion page or database first. ${HOW_TO_COPY}`);
  if (text.length > MAX_URL_CHARS)
    return fail(`That link is ${text.length.toLocaleString('en-US')} characters long, which is not a Notion link. ${HOW_TO_COPY}`);
  if (/^(?:www\.)?notion\.(?:so|site|com)\//i.test(text) || /^[\w-]+\.notion\.site\//i.test(text)) text = `https://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`\`${shorten(text)}\` is not a link. ${HOW_TO_COPY}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail(`\`${shorten(text)}\` is not a web link. ${HOW_TO_COPY}`);
  }
  const host = url.hostname.toLowerCase();
  const isNotion =
    host === 'notion.so' || host.endsWith('.notion.so') || host.endsWith('.notion.site') || host === 'notion.com' || host.endsWith('.notion.com');
  if (!isNotion) {
    return fail(`That link goes to ${shorten(host, 80)}, not to Notion. Use the link of a Notion page or database. ${HOW_TO_COPY}`);
  }
  if (/^(?:mail|calendar)\./.test(host)) {
    return fail(`That is a Notion ${host.startsWith('mail') ? 'Mail' : 'Calendar'} link, not a page or database. ${HOW_TO_COPY}`);
  }
  const peek = url.searchParams.get('p') ?? '';
  if (!NOTION_ID.test(decodeURIComponent(url.pathname)) && !NOTION_ID.test(peek)) {
    return fail(`That Notion link does not point to a page or database (it has no page ID). ${HOW_TO_COPY}`);
  }
  return ok(url.toString());
}

/** The prompt as it will be used: control characters removed, not blank, at most MAX_PROMPT_CHARS. */
export function checkPrompt(raw: string, options: { missingMessage?: string } = {}): Check<string> {
  if (raw.trim() === '' && options.missingMessage) return fail(options.missingMessage);
  const prompt = stripControlCharacters(raw).trim();
  if (isBlank(prompt)) return fail('The prompt is empty: write what Visen should generate (for a database, use {{Property}} to fill in each row).');
  const count = characterCount(prompt);
  if (count > MAX_PROMPT_CHARS) {
    return fail(
      `The prompt is ${count.toLocaleString('en-US')} characters long; the most Visen takes is ${MAX_PROMPT_CHARS.toLocaleString('en-US')}. Shorten it, or split the work into several runs.`,
    );
  }
  return ok(prompt);
}

/** `--limit` / the Limit field: a whole number from 1 to MAX_LIMIT. */
export function checkLimit(raw: string, flag = '--limit'): Check<number> {
  const text = raw.trim();
  if (text === '') return fail(`${flag} needs a number of rows, for example ${flag === '--limit' ? '`--limit 10`' : '10'}.`);
  if (!/^\+?\d+$/.test(text)) {
    return fail(`${flag} must be a whole number of rows from 1 to ${MAX_LIMIT.toLocaleString('en-US')}; \`${shorten(text, 20)}\` is not.`);
  }
  const n = Number(text.replace(/^\+/, ''));
  if (n < 1) return fail(`${flag} must be at least 1.`);
  if (n > MAX_LIMIT) {
    return fail(`${flag} can be at most ${MAX_LIMIT.toLocaleString('en-US')} rows (Notion's query limit); leave it out to do every row.`);
  }
  return ok(n);
}

/** `--preview N` / the preview field: a whole number of rows from 1 to MAX_PREVIEW_ROWS; blank: the default. */
export function checkPreview(raw: string, flag = '--preview'): Check<number> {
  const text = raw.trim();
  if (text === '') return ok(DEFAULT_PREVIEW_ROWS);
  const n = /^\+?\d+$/.test(text) ? Number(text.replace(/^\+/, '')) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PREVIEW_ROWS) {
    return fail(`${flag} takes a whole number of rows from 1 to ${MAX_PREVIEW_ROWS} (${DEFAULT_PREVIEW_ROWS} when left out); \`${shorten(text, 20)}\` is not.`);
  }
  return ok(n);
}

/** An `--into` property name: not blank, no control characters, a sane length. */
export function checkPropertyName(raw: string, flag = '--into'): Check<string> {
  const name = stripControlCharacters(raw).replace(/\n/g, ' ').trim();
  if (isBlank(name)) return fail(`${flag} needs the name of a text property, for example \`--into "Summary"\`.`);
  if (characterCount(name) > MAX_PROPERTY_NAME_CHARS) return fail(`The property name after ${flag} is too long to be a property of your database.`);
  return ok(name);
}

/**
 * A schedule as typed (`--every`, the modal's Schedule field): present, one line, short, and a preset or a valid cron
 * expression as the automations service reads it (`parseSchedule`, pure: its UserInputError says how to write one).
 * The time zone is checked when the automation is made, once Slack said which it is.
 */
export function checkSchedule(raw: string, missing = '`--every` needs a schedule'): Check<string> {
  const schedule = stripControlCharacters(raw).replace(/\n/g, ' ').replace(/\s+/g, ' ').trim();
  if (isBlank(schedule)) return fail(`${missing}, for example ${SCHEDULE_EXAMPLES}.`);
  if (characterCount(schedule) > MAX_SCHEDULE_CHARS) {
    return fail(`That schedule is too long to be one. Write a preset or a cron expression, for example ${SCHEDULE_EXAMPLES}.`);
  }
  try {
    parseSchedule(schedule, 'UTC');
  } catch (err) {
    return fail(userMessageFor(err));
  }
  return ok(schedule);
}

export function checkConnectionName(raw: string): Check<string | undefined> {
  const name = stripControlCharacters(raw).replace(/\n/g, ' ').trim();
  if (isBlank(name)) return ok(undefined);
  if (characterCount(name) > MAX_CONNECTION_NAME_CHARS) {
    return fail(`The connection name can be at most ${MAX_CONNECTION_NAME_CHARS} characters.`);
  }
  return ok(name);
}

function shorten(text: string, max = 60): string {
  const clean = text.replace(/[`\n\r]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
