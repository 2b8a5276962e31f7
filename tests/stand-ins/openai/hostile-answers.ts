// Model answers written to make a Markdown converter slow or crash: the patterns on which marked's lexer is
// super-linear or recurses without bound (issue 9: a list item followed by ~5,600 unindented continuation lines
// froze the app for 18-21 s). A hostile OpenAI-compatible server streams one of these and ignores max tokens.

export type HostileKind = 'list-continuation' | 'nested-quotes' | 'nested-lists' | 'nested-markers' | 'brackets' | 'emphasis-runs' | 'span-openers' | 'mixed';

export const HOSTILE_KINDS: readonly HostileKind[] = [
  'list-continuation',
  'nested-quotes',
  'nested-lists',
  'nested-markers',
  'brackets',
  'emphasis-runs',
  'span-openers',
  'mixed',
];

function fill(unit: string, chars: number): string {
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** About `chars` characters of one hostile pattern, each line numbered so a test can tell none was lost. */
export function hostileMarkdown(kind: HostileKind, chars: number): string {
  switch (kind) {
    case 'list-continuation':
      return `- item\n${lines(chars, (i) => `continuation line ${i} of the list item, not indented`)}`;
    case 'nested-quotes':
      return `${'>'.repeat(Math.min(chars / 2, 20_000))} deep\n${lines(chars / 2, (i) => `${'>'.repeat(i % 400)} quote ${i}`)}`;
    case 'nested-lists':
      return lines(chars, (i) => `${' '.repeat((i % 300) * 2)}- level ${i}`);
    case 'nested-markers':
      return lines(chars, (i) => `${['- ', '> ', '1. ', '> - '][i % 4]!.repeat(40 + (i % 3000))}marker ${i}`);
    case 'brackets':
      return `${fill('[', chars / 2)} words ${fill('[a](', chars / 2)}`;
    case 'emphasis-runs':
      return `${fill('_a__a', chars / 2)} words ${fill('*a**a', chars / 2)}`;
    case 'span-openers':
      // Inline math and code spans opened and never closed: each opener searches ahead for its closer.
      return `${fill('a $b ', chars / 2)}\n\n${fill('a `b ', chars / 2)}`;
    case 'mixed':
      return HOSTILE_KINDS.filter((k) => k !== 'mixed')
        .map((k, _, kinds) => hostileMarkdown(k, chars / kinds.length))
        .join('\n\n');
  }
}

function lines(chars: number, line: (i: number) => string): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const text = line(i);
    out.push(text);
    length += text.length + 1;
  }
  return `${out.join('\n')}\n`;
}
