import type { GenerationRequest, OutputChoice } from '../../../services/generation/types.js';
import { automationOf, automationProblems, type RequestedAutomation } from './automation-options.js';
import { DASHES, QUOTES, TRAILING_SCHEDULE, TRAILING_VALUE, unquote, unquotedSchedule } from './command-tokens.js';
import { dedupe, readToken, shorten, skipOneSpace, skipSpace } from './command-words.js';
import {
  type Check,
  checkLimit,
  checkPreview,
  checkPrompt,
  checkPropertyName,
  checkSchedule,
  checkTargetUrl,
  looksLikeUrl,
  slackTextToPlain,
  stripControlCharacters,
} from './request-rules.js';

/**
 * `/visen generate` text (after the word `generate`) to a GenerationRequest, or every problem found at once.
 *
 *   /visen generate <Notion page URL> [--new-page] [--no-context] <prompt>
 *   /visen generate <Notion database URL> [--into "<property>" | @body]... [--new-options] [--all] [--limit N] [--preview [N]] <template>
 *   ... plus `--watch` (databases: fill rows as they are added or changed) or `--every "<schedule>"` (run on a schedule)
 *
 * Options may come before or after the URL, and (for people who type them last) at the very end of the
 * prompt; `--` ends the options, so a prompt may itself start with `--`. `—into` (an em dash, as macOS turns
 * `--` into) counts as `--into`. Property names may be quoted with straight or curly quotes. `--into` may be given
 * several times (typed outputs: one JSON answer per row); one `--into` alone is the single-property output as
 * before, and the service decides from the property's type how it is filled. Pure: no I/O.
 */
export type ParsedGenerateCommand =
  | { readonly ok: true; readonly request: GenerationRequest; readonly automation?: RequestedAutomation }
  | { readonly ok: false; readonly problems: readonly string[]; readonly usage: string };

export type { RequestedAutomation } from './automation-options.js';

export const GENERATE_USAGE = [
  '`/visen generate <Notion page URL> [--new-page] [--no-context] <prompt>`',
  '`/visen generate <Notion database URL> [--into "Property"]… [--new-options] [--all] [--limit N] [--preview [N]] <template with {{Property}}>`',
  '`--preview [N]` generates the first N rows (1-10, default 3) without writing them and shows them, with buttons to write them and run the rest, or cancel.',
  '`--into` takes any property you can edit (text, number, select, multi-select, status, date, checkbox, URL, email, phone, relation) or `@body` (the row’s page), and may be given several times.',
  'Add `--watch` (a database: fill rows as they are added or changed) or `--every "daily 09:00"` (`hourly`, `"weekdays 09:00"`, `"mondays 08:30"` or a cron expression, in your time zone) to make it run by itself.',
  '`/visen generate` alone opens a form with the same choices.',
].join('\n');

const KNOWN_FLAGS = ['new-page', 'no-context', 'into', 'new-options', 'all', 'limit', 'preview', 'watch', 'every'] as const;
type FlagName = (typeof KNOWN_FLAGS)[number];
const FLAG_LIST =
  '`--new-page`, `--no-context`, `--into "Property"`, `--new-options`, `--all`, `--limit N`, `--preview [N]`, `--watch` and `--every "schedule"`';
/** Options that take no value. */
const SWITCHES: ReadonlySet<FlagName> = new Set(['new-page', 'no-context', 'all', 'new-options', 'watch']);

interface Flags {
  newPage: boolean;
  noContext: boolean;
  all: boolean;
  limit: number | undefined;
  preview: number | undefined;
  /** `--into` values in the order typed; those found at the end of the prompt (read backwards) in `trailingInto`. */
  into: string[];
  trailingInto: string[];
  newOptions: boolean;
  watch: boolean;
  every: string | undefined;
  seen: Set<FlagName>;
}

export function parseGenerateCommand(text: string): ParsedGenerateCommand {
  const input = stripControlCharacters(text ?? '');
  const problems: string[] = [];
  const flags: Flags = {
    newPage: false,
    noContext: false,
    all: false,
    limit: undefined,
    preview: undefined,
    into: [],
    trailingInto: [],
    newOptions: false,
    watch: false,
    every: undefined,
    seen: new Set(),
  };
  const head = readHead(input, flags, problems);

  let promptText = input.slice(head.promptStart);
  if (head.promptStart < input.length && !head.endOfOptions) promptText = takeTrailingFlags(promptText, flags, problems);
  const url = checkUrl(head.url, promptText, problems);

  const prompt = checkPrompt(slackTextToPlain(promptText), {
    missingMessage: 'Add a prompt after the link: what should Visen write? For a database, a template such as `Summarise {{Name}}`.',
  });
  if (!prompt.ok) problems.push(prompt.problem);

  const into = [...flags.into, ...flags.trailingInto];
  const databaseOnly = into.length > 0 || flags.newOptions || flags.all || flags.limit !== undefined || flags.preview !== undefined;
  if (flags.newPage && databaseOnly) {
    problems.push('`--new-page` is for a page; `--into`, `--all`, `--limit` and `--preview` are for a database. Use one kind or the other.');
  }
  if (flags.newOptions && into.length === 0) {
    problems.push('`--new-options` goes with `--into` a select or multi-select property: it lets the model add options to it.');
  }
  if (flags.noContext && databaseOnly) {
    problems.push('`--no-context` is for a page (Visen reads the page before writing); `--into`, `--all`, `--limit` and `--preview` are for a database.');
  }
  problems.push(...automationProblems(flags));

  if (problems.length > 0 || url === undefined || !prompt.ok) {
    return { ok: false, problems: dedupe(problems), usage: GENERATE_USAGE };
  }
  const request: GenerationRequest = {
    targetUrl: url,
    prompt: prompt.value,
    ...(flags.newPage ? { output: { kind: 'new-page' as const } } : {}),
    ...(into.length > 0 ? { output: outputOf(into, flags.newOptions) } : {}),
    ...(flags.noContext ? { context: false } : {}),
    ...(flags.all ? { onlyEmpty: false } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.preview !== undefined ? { preview: flags.preview } : {}),
  };
  return { ok: true, request, ...automationOf(flags) };
}

/** One `--into` is the single-property output (as before typed outputs); several, or `--new-options`, typed outputs. */
function outputOf(into: readonly string[], newOptions: boolean): OutputChoice {
  if (into.length === 1 && !newOptions) return { kind: 'property', property: into[0]! };
  return { kind: 'properties', outputs: into, ...(newOptions ? { newOptions: true } : {}) };
}

/** What comes before the prompt: options and the URL, in any order, up to the first other word or `--`. */
function readHead(input: string, flags: Flags, problems: string[]): { url: string | undefined; promptStart: number; endOfOptions: boolean } {
  let url: string | undefined;
  let i = 0;
  for (;;) {
    i = skipSpace(input, i);
    if (i >= input.length) return { url, promptStart: input.length, endOfOptions: false };
    const tokenStart = i;
    const token = readToken(input, i);
    if (token.text === '--') return { url, promptStart: skipOneSpace(input, token.end), endOfOptions: true };
    const flag = new RegExp(`^${DASHES}([A-Za-z][\\w-]*)(=?)`).exec(token.text);
    if (flag) {
      i = handleFlag(input, tokenStart, token, (flag[1] ?? '').toLowerCase(), flag[0].length, flag[2] === '=', flags, problems);
      continue;
    }
    const singleDash = /^-([A-Za-z][\w-]*)/.exec(token.text);
    if (singleDash && (KNOWN_FLAGS as readonly string[]).includes((singleDash[1] ?? '').toLowerCase())) {
      problems.push(`Options start with two dashes: \`--${singleDash[1]}\`, not \`${token.text}\`.`);
      i = token.end;
      continue;
    }
    if (url === undefined && looksLikeUrl(token.text)) {
      url = token.text;
      i = token.end;
      continue;
    }
    return { url, promptStart: tokenStart, endOfOptions: false };
  }
}

/** The target URL, checked; its problem (or where it should have been) goes first in `problems`. */
function checkUrl(url: string | undefined, promptText: string, problems: string[]): string | undefined {
  if (url === undefined) {
    const later = promptText.split(/\s+/).find((t) => looksLikeUrl(t) && checkTargetUrl(t).ok);
    problems.unshift(
      later
        ? 'Put the Notion link first, right after `generate`, and the prompt after it.'
        : 'Give the link of a Notion page or database first (in Notion: ••• → Copy link), then the prompt.',
    );
    return undefined;
  }
  const target = checkTargetUrl(url);
  if (target.ok) return target.value;
  problems.unshift(target.problem);
  return url;
}

function handleFlag(
  input: string,
  tokenStart: number,
  token: { text: string; end: number },
  name: string,
  headLength: number,
  hasEquals: boolean,
  flags: Flags,
  problems: string[],
): number {
  if (!(KNOWN_FLAGS as readonly string[]).includes(name)) {
    problems.push(`Unknown option \`${shorten(token.text, 30)}\`. The options are ${FLAG_LIST}.`);
    return token.end;
  }
  const flag = name as FlagName;
  if (SWITCHES.has(flag)) {
    if (hasEquals) problems.push(`\`--${flag}\` takes no value.`);
    else setFlag(flags, flag, true, problems);
    return token.end;
  }
  if (flag === 'preview' && !hasEquals) return previewFlag(input, token.end, flags, problems);
  // Value: right after `=`, or the next word (quoted for --into).
  let at = hasEquals ? tokenStart + headLength : skipSpace(input, token.end);
  const value = readValue(input, at, flag);
  if (value === undefined) {
    problems.push(missingValueProblem(flag));
    return token.end;
  }
  at = value.end;
  if (value.unclosed) {
    problems.push(
      flag === 'every'
        ? 'The schedule after `--every` has no closing quote: write `--every "daily 09:00"`.'
        : 'The property name after `--into` has no closing quote: write `--into "Property name"`.',
    );
    return at;
  }
  const checked = checkFlagValue(flag, value.text);
  if (!checked.ok) problems.push(checked.problem);
  else setFlag(flags, flag, checked.value, problems);
  return at;
}

function checkFlagValue(flag: FlagName, text: string): Check<string | number> {
  if (flag === 'into') return checkPropertyName(text);
  if (flag === 'every') return checkSchedule(text);
  return flag === 'preview' ? checkPreview(text) : checkLimit(text);
}

function missingValueProblem(flag: FlagName): string {
  if (flag === 'preview') return '`--preview=` needs a number of rows from 1 to 10, e.g. `--preview=3`.';
  const c = checkFlagValue(flag, '');
  return c.ok ? '' : c.problem;
}

/** `--preview` takes a number when the next word is one (`--preview 5`); otherwise the default, and the word is the prompt's. */
function previewFlag(input: string, after: number, flags: Flags, problems: string[]): number {
  const at = skipSpace(input, after);
  const word = readToken(input, at);
  const numeric = /^[-+]?\d/.test(word.text);
  const checked = checkPreview(numeric ? word.text : '');
  if (checked.ok) setFlag(flags, 'preview', checked.value, problems);
  else problems.push(checked.problem);
  return numeric ? word.end : after;
}

/** The value after `--into` / `--limit`; undefined (nothing consumed) when the next word is an option or the URL. */
function readValue(input: string, at: number, flag: FlagName): { text: string; end: number; unclosed?: true } | undefined {
  if (at >= input.length || /\s/.test(input[at] ?? '')) return undefined;
  const open = input[at] ?? '';
  const closers = flag === 'into' || flag === 'every' ? QUOTES[open] : undefined;
  if (closers) {
    for (let j = at + 1; j < input.length; j += 1) {
      if (closers.includes(input[j] ?? '')) return { text: input.slice(at + 1, j), end: j + 1 };
    }
    return { text: '', end: readToken(input, at).end, unclosed: true };
  }
  const word = readToken(input, at);
  if (new RegExp(`^${DASHES}[A-Za-z]`).test(word.text) || word.text === '--' || looksLikeUrl(word.text)) return undefined;
  return flag === 'every' ? unquotedSchedule(input, word) : word;
}

function setFlag(flags: Flags, flag: FlagName, value: boolean | number | string, problems: string[], trailing = false): void {
  if (flag === 'into') {
    // Several outputs: `--into` may come again; the same name twice is one output.
    const list = trailing ? flags.trailingInto : flags.into;
    if (trailing) list.unshift(value as string);
    else list.push(value as string);
    return;
  }
  if (flags.seen.has(flag)) {
    problems.push(`\`--${flag}\` is given twice; give it once.`);
    return;
  }
  flags.seen.add(flag);
  if (flag === 'new-page') flags.newPage = true;
  else if (flag === 'no-context') flags.noContext = true;
  else if (flag === 'all') flags.all = true;
  else if (flag === 'new-options') flags.newOptions = true;
  else if (flag === 'preview') flags.preview = value as number;
  else if (flag === 'watch') flags.watch = true;
  else if (flag === 'every') flags.every = value as string;
  else flags.limit = value as number;
}

const TRAILING: ReadonlyArray<{ flag: FlagName | 'no-value'; pattern: RegExp }> = [
  { flag: 'no-value', pattern: new RegExp(`(?:^|\\s)${DASHES}(into|limit|every)=?\\s*$`, 'i') },
  { flag: 'watch', pattern: new RegExp(`(?:^|\\s)${DASHES}watch\\s*$`, 'i') },
  { flag: 'every', pattern: new RegExp(`(?:^|\\s)${DASHES}every(?:\\s+|=)${TRAILING_SCHEDULE}\\s*$`, 'i') },
  { flag: 'all', pattern: new RegExp(`(?:^|\\s)${DASHES}all\\s*$`, 'i') },
  { flag: 'new-page', pattern: new RegExp(`(?:^|\\s)${DASHES}new-page\\s*$`, 'i') },
  { flag: 'no-context', pattern: new RegExp(`(?:^|\\s)${DASHES}no-context\\s*$`, 'i') },
  { flag: 'new-options', pattern: new RegExp(`(?:^|\\s)${DASHES}new-options\\s*$`, 'i') },
  { flag: 'limit', pattern: new RegExp(`(?:^|\\s)${DASHES}limit(?:\\s+|=)(\\S+)\\s*$`, 'i') },
  { flag: 'preview', pattern: new RegExp(`(?:^|\\s)${DASHES}preview(?:(?:\\s+|=)([-+]?\\d\\S*))?\\s*$`, 'i') },
  {
    flag: 'into',
    pattern: new RegExp(`(?:^|\\s)${DASHES}into(?:\\s+|=)${TRAILING_VALUE}\\s*$`, 'i'),
  },
];

/** Known options typed after the prompt (`... {{Name}} --limit 5`) are taken off its end and applied. */
function takeTrailingFlags(prompt: string, flags: Flags, problems: string[]): string {
  let rest = prompt;
  for (let guard = 0; guard < 16; guard += 1) {
    const hit = TRAILING.map((t) => ({ t, m: t.pattern.exec(rest) })).find((x) => x.m);
    if (!hit?.m) break;
    rest = rest.slice(0, hit.m.index);
    applyTrailingFlag(hit.t.flag, hit.m[1] ?? '', flags, problems);
  }
  return rest;
}

/** One option found at the end of the prompt; `raw` is its value as typed (or, for 'no-value', its name). */
function applyTrailingFlag(flag: FlagName | 'no-value', raw: string, flags: Flags, problems: string[]): void {
  if (flag === 'no-value') {
    problems.push(missingValueProblem(raw.toLowerCase() as FlagName));
    return;
  }
  if (SWITCHES.has(flag)) {
    setFlag(flags, flag, true, problems);
    return;
  }
  if (flag === 'preview') {
    const preview = checkPreview(raw);
    if (preview.ok) setFlag(flags, flag, preview.value, problems);
    else problems.push(preview.problem);
    return;
  }
  const checked = checkFlagValue(flag, flag === 'limit' ? raw : unquote(raw));
  if (checked.ok) setFlag(flags, flag, checked.value, problems, true);
  else problems.push(checked.problem);
}
