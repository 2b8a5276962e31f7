/** `/visen generate ... --watch` and `--every "<schedule>"`: what is accepted, and the words for what is not. */
import { describe, expect, it } from 'vitest';
import { parseGenerateCommand, type RequestedAutomation } from '../../../src/slack/listeners/generate/parse-command.js';

const ID = '0123456789abcdef0123456789abcdef';
const PAGE = `https://www.notion.so/acme/Weekly-${ID}`;
const DB = `https://www.notion.so/acme/${ID}?v=fedcba9876543210fedcba9876543210`;

function accepted(text: string): { prompt: string; automation: RequestedAutomation | undefined; request: Record<string, unknown> } {
  const parsed = parseGenerateCommand(text);
  if (!parsed.ok) throw new Error(`expected ${text} to parse, got ${parsed.problems.join(' | ')}`);
  return { prompt: parsed.request.prompt, automation: parsed.automation, request: { ...parsed.request } };
}

function problemsOf(text: string): readonly string[] {
  const parsed = parseGenerateCommand(text);
  if (parsed.ok) throw new Error(`expected ${text} to be refused`);
  return parsed.problems;
}

describe('--watch', () => {
  it.each([
    ['before the template', `${DB} --watch Summarise {{Name}}`],
    ['before the URL', `--watch ${DB} Summarise {{Name}}`],
    ['typed after the template', `${DB} Summarise {{Name}} --watch`],
    ['with an em dash', `${DB} —watch Summarise {{Name}}`],
  ])('is a watch %s', (_name, text) => {
    expect(accepted(text)).toMatchObject({ prompt: 'Summarise {{Name}}', automation: { trigger: 'Watch' } });
  });

  it('keeps the other database options', () => {
    const { request, automation } = accepted(`${DB} --watch --into "AI notes" --all Summarise {{Name}}`);
    expect(automation).toEqual({ trigger: 'Watch' });
    expect(request).toMatchObject({ output: { kind: 'property', property: 'AI notes' }, onlyEmpty: false });
  });

  it('is refused with --every, saying to choose one', () => {
    expect(problemsOf(`${DB} --watch --every hourly Summarise {{Name}}`)).toEqual([expect.stringMatching(/^Choose one: `--watch`.*`--every "schedule"`/)]);
  });

  it.each([
    ['--new-page', `${PAGE} --watch --new-page Write the notes`],
    ['--no-context', `${PAGE} --no-context Write the notes --watch`],
  ])('is refused with the page option %s, pointing to --every', (_name, text) => {
    expect(problemsOf(text)).toContain('`--watch` is for a database (it fills rows as they are added or changed); for a page, use `--every "schedule"`.');
  });

  it.each([
    ['--watch', `${DB} --watch --preview Summarise {{Name}}`],
    ['--every', `${DB} --every hourly --preview 5 Summarise {{Name}}`],
  ])('is refused with --preview, which is for a run started now (%s)', (_name, text) => {
    expect(problemsOf(text)).toEqual(['`--preview` is for a run started now; leave it out with `--watch` or `--every`.']);
  });

  it('takes no value', () => {
    expect(problemsOf(`${DB} --watch=yes Go`)).toContain('`--watch` takes no value.');
  });

  it('is not an automation when absent', () => {
    expect(accepted(`${DB} Summarise {{Name}}`).automation).toBeUndefined();
  });
});

describe('--every', () => {
  it.each([
    ['a one-word preset', `${PAGE} --every hourly Write the status`, 'hourly'],
    ['a quoted preset', `${PAGE} --every "daily 09:00" Write the status`, 'daily 09:00'],
    ['a curly-quoted preset', `${PAGE} --every “weekdays 09:00” Write the status`, 'weekdays 09:00'],
    ['an unquoted preset and its time', `${PAGE} --every mondays 08:30 Write the status`, 'mondays 08:30'],
    ['an unquoted cron expression', `${PAGE} --every 0 9 * * 1-5 Write the status`, '0 9 * * 1-5'],
    ['a quoted cron expression', `${DB} --every "*/30 * * * *" Summarise {{Name}}`, '*/30 * * * *'],
    ['with =', `${PAGE} --every="daily 18:00" Write the status`, 'daily 18:00'],
    ['typed after the prompt, quoted', `${PAGE} Write the status --every "weekdays 09:00"`, 'weekdays 09:00'],
    ['typed after the prompt, unquoted', `${PAGE} Write the status --every daily 07:15`, 'daily 07:15'],
    ['with extra spaces inside the quotes', `${PAGE} --every "  daily    09:00 " Write the status`, 'daily 09:00'],
  ])('takes %s', (_name, text, schedule) => {
    const { prompt, automation } = accepted(text);
    expect(automation).toEqual({ trigger: 'Schedule', schedule });
    expect(prompt).toMatch(/^(Write the status|Summarise \{\{Name\}\})$/);
  });

  it('goes with a page’s --new-page (a new child page each time)', () => {
    const { request, automation } = accepted(`${PAGE} --new-page --every "mondays 08:30" Write the weekly notes`);
    expect(request).toMatchObject({ output: { kind: 'new-page' } });
    expect(automation).toEqual({ trigger: 'Schedule', schedule: 'mondays 08:30' });
  });

  it.each([
    ['at the end', `${PAGE} Write the status --every`],
    ['before another option', `${PAGE} --every --new-page Write the status`],
    ['with an empty quote', `${PAGE} --every "" Write the status`],
  ])('without a schedule %s says how to write one', (_name, text) => {
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^`--every` needs a schedule, for example `hourly`, `"daily 09:00"`.*cron expression/)]);
  });

  it('with an unclosed quote says so', () => {
    expect(problemsOf(`${PAGE} --every "daily 09:00 Write the status`)).toContain(
      'The schedule after `--every` has no closing quote: write `--every "daily 09:00"`.',
    );
  });

  it('refuses a schedule far too long to be one', () => {
    expect(problemsOf(`${PAGE} --every "${'daily '.repeat(30)}" Write`)).toEqual([expect.stringMatching(/^That schedule is too long to be one\./)]);
  });

  it.each([
    ['no preset', `${PAGE} --every fortnightly Write the status`, /^Visen cannot read the schedule “fortnightly”\. Write a schedule as `hourly`/],
    ['a time out of range', `${PAGE} --every "daily 25:00" Write the status`, /^Visen cannot read the schedule “daily 25:00”/],
    ['a bad cron field', `${PAGE} --every "61 9 * * *" Write the status`, /^The schedule “61 9 \* \* \*” is not a valid cron expression\./],
  ])('refuses a schedule with %s in the automations service’s words', (_name, text, problem) => {
    expect(problemsOf(text)).toEqual([expect.stringMatching(problem)]);
  });

  it('given twice is refused', () => {
    expect(problemsOf(`${PAGE} --every hourly --every "daily 09:00" Write`)).toContain('`--every` is given twice; give it once.');
  });
});

describe('the usage', () => {
  it('names --watch and --every with the presets', () => {
    const parsed = parseGenerateCommand(`${PAGE} --every`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.usage).toMatch(/`--watch`.*`--every "daily 09:00"`.*`hourly`.*`"weekdays 09:00"`.*`"mondays 08:30"`.*cron/);
  });
});
