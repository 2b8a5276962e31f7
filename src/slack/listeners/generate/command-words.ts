/** The small word-level readers of the `/visen generate` parser: spaces, words (a Slack `<...>` is one), lists. */

export function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i] ?? '')) i += 1;
  return i;
}

export function skipOneSpace(s: string, i: number): number {
  return i < s.length && /\s/.test(s[i] ?? '') ? i + 1 : i;
}

/** One word; a Slack `<...>` wrapper is one word even when its label has spaces. */
export function readToken(s: string, i: number): { text: string; end: number } {
  if (s[i] === '<') {
    const close = s.indexOf('>', i);
    if (close !== -1 && !s.slice(i + 1, close).includes('<')) return { text: s.slice(i, close + 1), end: close + 1 };
  }
  let j = i;
  while (j < s.length && !/\s/.test(s[j] ?? '')) j += 1;
  return { text: s.slice(i, j), end: j };
}

export function dedupe(items: string[]): string[] {
  return [...new Set(items.filter((p) => p !== ''))];
}

export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
