import { describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../../src/services/generation/types.js';
import { GENERATE_USAGE, parseGenerateCommand } from '../../../src/slack/listeners/generate/parse-command.js';

const ID = '0123456789abcdef0123456789abcdef';
const PAGE = `https://www.notion.so/acme/Roadmap-${ID}`;
const DB = `https://www.notion.so/acme/${ID}?v=fedcba9876543210fedcba9876543210`;
const long = (n: number) => 'x'.repeat(n);

type Ok = { text: string; request: GenerationRequest };
type Bad = { text: string; problems: Array<string | RegExp> };

/** Inputs that must parse, and exactly into what. */
const ok: Record<string, Ok> = {
  'page, append by default': { text: `${PAGE} Write a kickoff plan`, request: { targetUrl: PAGE, prompt: 'Write a kickoff plan' } },
  '--new-page before the URL': { text: `--new-page ${PAGE} Plan`, request: { targetUrl: PAGE, prompt: 'Plan', output: { kind: 'new-page' } } },
  '--new-page after the URL': { text: `${PAGE} --new-page Plan`, request: { targetUrl: PAGE, prompt: 'Plan', output: { kind: 'new-page' } } },
  '--new-page typed after the prompt': {
    text: `${PAGE} Plan the launch --new-page`,
    request: { targetUrl: PAGE, prompt: 'Plan the launch', output: { kind: 'new-page' } },
  },
  '--no-context after the URL': { text: `${PAGE} --no-context Write a haiku`, request: { targetUrl: PAGE, prompt: 'Write a haiku', context: false } },
  '--no-context with --new-page, typed after the prompt': {
    text: `${PAGE} --new-page Plan the launch --no-context`,
    request: { targetUrl: PAGE, prompt: 'Plan the launch', output: { kind: 'new-page' }, context: false },
  },
  'database into page bodies': { text: `${DB} Summarise {{Name}}`, request: { targetUrl: DB, prompt: 'Summarise {{Name}}' } },
  '--into with straight quotes': {
    text: `${DB} --into "Short summary" Summarise {{Name}}`,
    request: { targetUrl: DB, prompt: 'Summarise {{Name}}', output: { kind: 'property', property: 'Short summary' } },
  },
  '--into with Slack curly quotes': {
    text: `${DB} --into “Short summary” Summarise {{Name}}`,
    request: { targetUrl: DB, prompt: 'Summarise {{Name}}', output: { kind: 'property', property: 'Short summary' } },
  },
  '--into with curly single quotes': {
    text: `--into ‘AI notes’ ${DB} Summarise {{Name}}`,
    request: { targetUrl: DB, prompt: 'Summarise {{Name}}', output: { kind: 'property', property: 'AI notes' } },
  },
  '--into with mixed quotes (straight open, curly close)': {
    text: `${DB} --into "AI notes” Go`,
    request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: 'AI notes' } },
  },
  '--into=Name': { text: `${DB} --into=Summary Go`, request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: 'Summary' } } },
  '--into="Two words"': {
    text: `${DB} --into="Two words" Go`,
    request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: 'Two words' } },
  },
  '--into a bare word': { text: `${DB} --into Summary Go`, request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: 'Summary' } } },
  '--into with an emoji and RTL name': {
    text: `${DB} --into "📝 ملخص" Go`,
    request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: '📝 ملخص' } },
  },
  '--into several times, @body among them, in the order typed': {
    text: `${DB} --into Summary --into "Tags" --into Priority --into @body Fill {{Name}}`,
    request: { targetUrl: DB, prompt: 'Fill {{Name}}', output: { kind: 'properties', outputs: ['Summary', 'Tags', 'Priority', '@body'] } },
  },
  '--into several times, some typed after the prompt': {
    text: `${DB} --into Summary Fill {{Name}} --into Tags --into “Due date”`,
    request: { targetUrl: DB, prompt: 'Fill {{Name}}', output: { kind: 'properties', outputs: ['Summary', 'Tags', 'Due date'] } },
  },
  '--into @body alone (the service makes it the page body)': {
    text: `${DB} --into @body Go`,
    request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: '@body' } },
  },
  '--new-options with one --into': {
    text: `${DB} --into Tags --new-options Tag {{Name}}`,
    request: { targetUrl: DB, prompt: 'Tag {{Name}}', output: { kind: 'properties', outputs: ['Tags'], newOptions: true } },
  },
  '--new-options typed after the prompt': {
    text: `${DB} --into Tags Tag {{Name}} --new-options`,
    request: { targetUrl: DB, prompt: 'Tag {{Name}}', output: { kind: 'properties', outputs: ['Tags'], newOptions: true } },
  },
  '--all and --limit before the URL': {
    text: `--all --limit 25 ${DB} Go`,
    request: { targetUrl: DB, prompt: 'Go', onlyEmpty: false, limit: 25 },
  },
  '--limit=5': { text: `${DB} --limit=5 Go`, request: { targetUrl: DB, prompt: 'Go', limit: 5 } },
  '--limit at the cap': { text: `${DB} --limit 10000 Go`, request: { targetUrl: DB, prompt: 'Go', limit: 10_000 } },
  'options typed after the prompt': {
    text: `${DB} Summarise {{Name}} --into "Summary" --limit 5 --all`,
    request: { targetUrl: DB, prompt: 'Summarise {{Name}}', output: { kind: 'property', property: 'Summary' }, limit: 5, onlyEmpty: false },
  },
  'em dash as macOS types --': {
    text: `${DB} —into “Summary” —all Go`,
    request: { targetUrl: DB, prompt: 'Go', output: { kind: 'property', property: 'Summary' }, onlyEmpty: false },
  },
  'options in capitals': { text: `${DB} --ALL --Limit 3 Go`, request: { targetUrl: DB, prompt: 'Go', onlyEmpty: false, limit: 3 } },
  'Slack link wrapper': { text: `<${PAGE}> Write`, request: { targetUrl: PAGE, prompt: 'Write' } },
  'Slack link wrapper with a label': { text: `<${PAGE}|Roadmap> Write`, request: { targetUrl: PAGE, prompt: 'Write' } },
  'Slack link wrapper with a label with spaces': { text: `<${PAGE}|Q3 Roadmap page> Write`, request: { targetUrl: PAGE, prompt: 'Write' } },
  'Slack-escaped & in the URL': {
    text: `<https://www.notion.so/acme/${ID}?v=abc&amp;pvs=4> Go`,
    request: { targetUrl: `https://www.notion.so/acme/${ID}?v=abc&pvs=4`, prompt: 'Go' },
  },
  'notion.so without a scheme': { text: `notion.so/acme/${ID} Go`, request: { targetUrl: `https://notion.so/acme/${ID}`, prompt: 'Go' } },
  'a public notion.site URL': {
    text: `https://acme.notion.site/Handbook-${ID} Go`,
    request: { targetUrl: `https://acme.notion.site/Handbook-${ID}`, prompt: 'Go' },
  },
  'a dashed id': {
    text: `https://www.notion.so/01234567-89ab-cdef-0123-456789abcdef Go`,
    request: { targetUrl: 'https://www.notion.so/01234567-89ab-cdef-0123-456789abcdef', prompt: 'Go' },
  },
  'a peeked page (?p=)': {
    text: `https://www.notion.so/acme/${ID}?v=1&p=fedcba9876543210fedcba9876543210 Go`,
    request: { targetUrl: `https://www.notion.so/acme/${ID}?v=1&p=fedcba9876543210fedcba9876543210`, prompt: 'Go' },
  },
  'emoji, shortcodes and ZWJ sequences kept': {
    text: `${PAGE} Plan a 🎉 party :tada: for 👩‍👩‍👧 and 🏳️‍🌈`,
    request: { targetUrl: PAGE, prompt: 'Plan a 🎉 party :tada: for 👩‍👩‍👧 and 🏳️‍🌈' },
  },
  'right-to-left text kept': { text: `${DB} اكتب ملخصا عن {{Name}}`, request: { targetUrl: DB, prompt: 'اكتب ملخصا عن {{Name}}' } },
  'mixed direction with RLM marks kept': {
    text: `${PAGE} כתוב \u200Fסיכום\u200F of Q3 בעברית`,
    request: { targetUrl: PAGE, prompt: 'כתוב \u200Fסיכום\u200F of Q3 בעברית' },
  },
  'control characters stripped': { text: `${PAGE} Write\u0007 a\u0000 plan\u001b\u009b`, request: { targetUrl: PAGE, prompt: 'Write a plan' } },
  'CRLF line breaks normalised, lines kept': {
    text: `${PAGE} Line one\r\nLine two\rLine three\n\n- item`,
    request: { targetUrl: PAGE, prompt: 'Line one\nLine two\nLine three\n\n- item' },
  },
  'tabs between words': { text: `${PAGE}\t--new-page\tWrite\tit`, request: { targetUrl: PAGE, prompt: 'Write\tit', output: { kind: 'new-page' } } },
  'placeholders with odd spacing kept verbatim (the service binds them)': {
    text: `${DB} About {{ Name }} and {{Status  }} and {{  Due date}}`,
    request: { targetUrl: DB, prompt: 'About {{ Name }} and {{Status  }} and {{  Due date}}' },
  },
  'unknown placeholder passes (the service lists the properties)': { text: `${DB} About {{Nope}}`, request: { targetUrl: DB, prompt: 'About {{Nope}}' } },
  '-- ends the options': {
    text: `${PAGE} -- --all is part of this prompt --limit 5`,
    request: { targetUrl: PAGE, prompt: '--all is part of this prompt --limit 5' },
  },
  'a prompt of exactly 8,000 characters': { text: `${PAGE} ${long(8_000)}`, request: { targetUrl: PAGE, prompt: long(8_000) } },
  'Slack entities in the prompt decoded': {
    text: `${PAGE} Use &lt;b&gt; tags &amp; more`,
    request: { targetUrl: PAGE, prompt: 'Use <b> tags & more' },
  },
  'Slack links and mentions in the prompt made plain': {
    text: `${PAGE} Summarise <https://example.com|example.com> and <https://x.org/a|the spec> for <@U123|alice> in <#C1|general>`,
    request: { targetUrl: PAGE, prompt: 'Summarise https://example.com and the spec (https://x.org/a) for @alice in #general' },
  },
  'surrounding whitespace trimmed': { text: `   ${PAGE}    Write it   \n`, request: { targetUrl: PAGE, prompt: 'Write it' } },
  'a second URL belongs to the prompt': {
    text: `${PAGE} Summarise https://example.com/report`,
    request: { targetUrl: PAGE, prompt: 'Summarise https://example.com/report' },
  },
};

/** Inputs that must be refused, with (parts of) the problems they must report. */
const bad: Record<string, Bad> = {
  empty: { text: '', problems: [/link of a Notion page or database first/] },
  'whitespace only': { text: '   \n\t  ', problems: [/link of a Notion page or database first/] },
  'control characters only': { text: '\u0000\u0007\u001b', problems: [/link of a Notion page or database first/] },
  'a prompt and no URL': { text: 'Write a plan', problems: [/link of a Notion page or database first/] },
  'the prompt before the URL': { text: `Summarise ${PAGE}`, problems: [/Put the Notion link first/] },
  'another site': { text: 'https://example.com/page Write', problems: [/goes to example\.com, not to Notion/] },
  'another site in a Slack wrapper with a label': { text: '<https://docs.google.com/document/d/1|Doc> Write', problems: [/docs\.google\.com, not to Notion/] },
  'a look-alike host': { text: `https://notion.so.evil.example/${ID} Write`, problems: [/not to Notion/] },
  'a look-alike domain': { text: `https://evilnotion.so/${ID} Write`, problems: [/not to Notion/] },
  'a Notion URL with no page id (workspace)': { text: 'https://www.notion.so/acme Write', problems: [/does not point to a page or database/] },
  'the Notion home page': { text: 'https://www.notion.so/ Write', problems: [/does not point to a page or database/] },
  'a Notion Mail link': { text: `https://mail.notion.so/inbox/${ID} Write`, problems: [/Notion Mail link/] },
  'not a web link': { text: `ftp://notion.so/${ID} Write`, problems: [/not a web link/] },
  'a URL far too long': { text: `https://www.notion.so/${ID}?q=${long(2_100)} Write`, problems: [/not a Notion link/] },
  'missing prompt': { text: PAGE, problems: [/Add a prompt after the link/] },
  'missing prompt after options': { text: `${DB} --all --limit 3`, problems: [/Add a prompt after the link/] },
  'prompt of control characters only': { text: `${PAGE} \u0007\u0008`, problems: [/Add a prompt after the link/] },
  'prompt of zero-width characters only': { text: `${PAGE} \u200B\u200D\uFEFF`, problems: [/The prompt is empty/] },
  'a 10,000-character prompt': { text: `${PAGE} ${long(10_000)}`, problems: [/10,000 characters long; the most Visen takes is 8,000/] },
  'one character over the maximum (emoji count as one)': { text: `${PAGE} ${'🎉'.repeat(8_001)}`, problems: [/8,001 characters/] },
  '--limit 0': { text: `${DB} --limit 0 Go`, problems: [/--limit must be at least 1/] },
  '--limit negative': { text: `${DB} --limit -5 Go`, problems: [/--limit must be a whole number/] },
  '--limit not a number': { text: `${DB} --limit abc Go`, problems: [/`abc` is not/] },
  '--limit a fraction': { text: `${DB} --limit 1.5 Go`, problems: [/whole number/] },
  '--limit in exponent form': { text: `${DB} --limit 1e3 Go`, problems: [/whole number/] },
  '--limit over the cap': { text: `${DB} --limit 10001 Go`, problems: [/at most 10,000/] },
  '--limit with nothing after it': { text: `${DB} --limit`, problems: [/--limit needs a number/, /Add a prompt/] },
  '--limit followed by another option': { text: `${DB} --limit --all Go`, problems: [/--limit needs a number/] },
  'unknown option': { text: `${PAGE} --force Go`, problems: [/Unknown option `--force`/] },
  'unknown option with a value': { text: `--model=gpt-4 ${PAGE} Go`, problems: [/Unknown option `--model=gpt-4`/] },
  'one dash': { text: `${DB} -all Go`, problems: [/two dashes: `--all`/] },
  '--new-options without --into': { text: `${DB} --new-options Go`, problems: [/`--new-options` goes with `--into`/] },
  '--new-options given a value': { text: `${DB} --into Tags --new-options=yes Go`, problems: [/`--new-options` takes no value/] },
  '--new-options on a page': { text: `${PAGE} --new-page --into Tags --new-options Go`, problems: [/`--new-page` is for a page/] },
  '--into at the end with no name': { text: `${DB} Go --into`, problems: [/--into needs the name of a text property/] },
  '--limit at the end with no number': { text: `${DB} Go --limit`, problems: [/--limit needs a number/] },
  '--into followed by an option': { text: `${DB} --into --all Go`, problems: [/--into needs the name of a text property/] },
  '--into with empty quotes': { text: `${DB} --into "" Go`, problems: [/--into needs the name/] },
  '--into with blank quotes': { text: `${DB} --into “   ” Go`, problems: [/--into needs the name/] },
  '--into with an unclosed quote': { text: `${DB} --into "Summary Go on`, problems: [/no closing quote/] },
  '--into followed by the URL': { text: `--into ${DB} Go`, problems: [/--into needs the name/] },
  '--new-page with --into': { text: `${PAGE} --new-page --into Summary Go`, problems: [/`--new-page` is for a page/] },
  '--new-page with --all': { text: `${PAGE} --new-page --all Go`, problems: [/`--new-page` is for a page/] },
  '--no-context with --into': { text: `${DB} --no-context --into Summary Go`, problems: [/`--no-context` is for a page/] },
  '--no-context with a value': { text: `${PAGE} --no-context=yes Go`, problems: [/`--no-context` takes no value/] },
  '--no-context given twice': { text: `${PAGE} --no-context Go --no-context`, problems: [/`--no-context` is given twice/] },
  'an option given twice': { text: `${DB} --limit 3 --limit 4 Go`, problems: [/`--limit` is given twice/] },
  'an option given twice, once after the prompt': { text: `${DB} --all Go --all`, problems: [/`--all` is given twice/] },
  '--all with a value': { text: `${DB} --all=yes Go`, problems: [/`--all` takes no value/] },
  'every problem at once': {
    text: '--force --limit 0 https://example.com/x',
    problems: [/not to Notion/, /Unknown option `--force`/, /at least 1/, /Add a prompt/],
  },
};

describe('parseGenerateCommand: accepted', () => {
  it.each(Object.entries(ok))('%s', (_name, { text, request }) => {
    const parsed = parseGenerateCommand(text);
    expect(parsed).toEqual({ ok: true, request });
  });
});

describe('parseGenerateCommand: refused with a clear message and the usage', () => {
  it.each(Object.entries(bad))('%s', (_name, { text, problems }) => {
    const parsed = parseGenerateCommand(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.usage).toBe(GENERATE_USAGE);
    expect(parsed.problems.length).toBeGreaterThan(0);
    for (const expected of problems) {
      expect(parsed.problems.some((p) => (typeof expected === 'string' ? p.includes(expected) : expected.test(p)))).toBe(true);
    }
    for (const p of parsed.problems) {
      expect(p.length).toBeLessThan(400); // short enough to read; never an echo of a huge input
      expect(p).not.toMatch(/undefined|\[object|Error:/);
    }
  });

  it('has at least 40 malformed inputs and 40 accepted ones between them', () => {
    expect(Object.keys(bad).length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(ok).length + Object.keys(bad).length).toBeGreaterThanOrEqual(80);
  });
});

describe('parseGenerateCommand: robustness', () => {
  it('never throws, whatever the input', () => {
    const samples = ['<', '>', '<>', '<|>', '"', '“', '--into "', '--limit=', '--=', '—', '<https://', '\u0000'.repeat(50), '{{', '}}', '%E0%A4%A'];
    for (const s of samples) {
      for (const text of [s, `${PAGE} ${s}`, `${s} ${PAGE} go`]) expect(() => parseGenerateCommand(text)).not.toThrow();
    }
  });
});

describe('parseGenerateCommand: --preview [N]', () => {
  const accepted: Record<string, { text: string; preview: number; prompt: string }> = {
    'without a number: 3 rows': { text: `${DB} --preview Summarise {{Name}}`, preview: 3, prompt: 'Summarise {{Name}}' },
    'with a number': { text: `${DB} --preview 5 Summarise {{Name}}`, preview: 5, prompt: 'Summarise {{Name}}' },
    'with =': { text: `${DB} --preview=10 Summarise {{Name}}`, preview: 10, prompt: 'Summarise {{Name}}' },
    'typed after the prompt, without a number': { text: `${DB} Summarise {{Name}} --preview`, preview: 3, prompt: 'Summarise {{Name}}' },
    'typed after the prompt, with a number': { text: `${DB} Summarise {{Name}} --preview 1`, preview: 1, prompt: 'Summarise {{Name}}' },
    'with other database options': { text: `${DB} --into Summary --limit 50 --preview 2 Summarise {{Name}}`, preview: 2, prompt: 'Summarise {{Name}}' },
  };
  for (const [name, c] of Object.entries(accepted)) {
    it(`accepts ${name}`, () => {
      const parsed = parseGenerateCommand(c.text);
      expect(parsed.ok && parsed.request.preview).toBe(c.preview);
      expect(parsed.ok && parsed.request.prompt).toBe(c.prompt);
    });
  }

  const refused: Record<string, { text: string; problem: string }> = {
    'more than 10': {
      text: `${DB} --preview 11 Summarise {{Name}}`,
      problem: '--preview takes a whole number of rows from 1 to 10 (3 when left out); `11` is not.',
    },
    zero: { text: `${DB} --preview 0 Summarise {{Name}}`, problem: '--preview takes a whole number of rows from 1 to 10 (3 when left out); `0` is not.' },
    'a negative number': {
      text: `${DB} --preview -2 Summarise {{Name}}`,
      problem: '--preview takes a whole number of rows from 1 to 10 (3 when left out); `-2` is not.',
    },
    'not a number after =': {
      text: `${DB} --preview=abc Summarise {{Name}}`,
      problem: '--preview takes a whole number of rows from 1 to 10 (3 when left out); `abc` is not.',
    },
    'a fraction at the end': {
      text: `${DB} Summarise {{Name}} --preview 2.5`,
      problem: '--preview takes a whole number of rows from 1 to 10 (3 when left out); `2.5` is not.',
    },
    'with --new-page': {
      text: `${PAGE} --new-page --preview Plan`,
      problem: '`--new-page` is for a page; `--into`, `--all`, `--limit` and `--preview` are for a database. Use one kind or the other.',
    },
  };
  for (const [name, c] of Object.entries(refused)) {
    it(`refuses ${name}`, () => {
      const parsed = parseGenerateCommand(c.text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problems).toContain(c.problem);
    });
  }
});
