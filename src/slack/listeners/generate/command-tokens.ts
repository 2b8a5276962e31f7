/** The quotes, dashes and option values of `/visen generate` text. Pure helpers of parse-command.ts. */
import { readToken, skipSpace } from './command-words.js';

/** `--`, or the em and en dashes macOS and phones turn it into. */
export const DASHES = '(?:--|—|–)';

/** Opening quote -> the characters that may close it (people mix straight and curly quotes). */
export const QUOTES: Record<string, string> = {
  '"': '"”“',
  '“': '”“"',
  '”': '”“"',
  '„': '“”"',
  "'": "'’‘",
  '‘': "’‘'",
  '’': "’‘'",
  '«': '»',
  '‹': '›',
  '「': '」',
};

/** A quoted or bare value at the end of a prompt, for the trailing-option patterns. */
export const TRAILING_VALUE = `(["“”„][^"“”]*["“”]|['‘’][^'‘’]*['‘’]|«[^«»]*»|[^\\s"“”„'‘’«»]\\S*)`;

/** A value that starts with a quote loses its quotes; anything else is taken as typed. */
export function unquote(raw: string): string {
  if (!/^["“”„'‘’«]/.test(raw)) return raw;
  return raw.replace(/^["“”„'‘’«]/, '').replace(/["“”'‘’»]$/, '');
}

const PRESET_DAY = /^(?:daily|weekdays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)$/i;
const CLOCK_TIME = /^\d{1,2}:\d{2}$/;
const CRON_FIELD = /^[\d*/,-]+$/;

/**
 * An unquoted `--every` value: `daily 09:00` (a preset and its time) and `0 9 * * 1-5` (five cron fields) are read
 * whole, as people type them without quotes; any other value is the one word.
 */
export function unquotedSchedule(input: string, first: { text: string; end: number }): { text: string; end: number } {
  const next = (after: { end: number }) => readToken(input, skipSpace(input, after.end));
  if (PRESET_DAY.test(first.text)) {
    const time = next(first);
    return CLOCK_TIME.test(time.text) ? { text: `${first.text} ${time.text}`, end: time.end } : first;
  }
  if (!CRON_FIELD.test(first.text)) return first;
  const fields = [first];
  while (fields.length < 5) {
    const field = next(fields[fields.length - 1]!);
    if (!CRON_FIELD.test(field.text)) return first;
    fields.push(field);
  }
  return { text: fields.map((f) => f.text).join(' '), end: fields[4]!.end };
}

/** A trailing `--every` value: quoted, a preset with its time, or one word. */
export const TRAILING_SCHEDULE = `(["“”„][^"“”]*["“”]|['‘’][^'‘’]*['‘’]|[A-Za-z]+\\s+\\d{1,2}:\\d{2}|[^\\s"“”„'‘’«»]\\S*)`;
