/**
 * What an upstream's text may carry into a log line: a few hundred characters, with every piece of a secret cut
 * out. Upstreams echo keys back in part ("Incorrect API key provided: sk-proj-****abcd", a key's first 20
 * characters, a key wrapped over two lines), so matching the whole key is not enough:
 *
 * - known secrets (every integration secret, API key and Slack token Visen holds is registered here when its
 *   client is made) are removed wherever any 8 or more of their consecutive characters appear, ignoring
 *   whitespace between them, so a key split across lines is still found;
 * - token-shaped strings (the prefixes Notion, OpenAI and Slack give their secrets, masked forms such as
 *   `sk-abc...xyz` included, and `Bearer …`) are removed even when the secret is not known.
 *
 * Cutting comes after redaction over a window a little longer than what is kept, so a cut through a key never
 * leaves a short prefix that no longer matches; only that window is ever scanned, however long the input.
 */

/** Fragments shorter than this are not searched for: too many ordinary words would match. */
export const MIN_SECRET_FRAGMENT = 8;
/** How much of an upstream's text (an error body, an error message) a log line keeps. */
export const UPSTREAM_TEXT_LOG_CHARS = 300;
/** Longer than any secret Visen holds (OpenAI project keys are ~170 characters). */
const CUT_MARGIN_CHARS = 256;
/** Secrets remembered at most; the oldest are forgotten first (their shapes are still caught by pattern). */
const MAX_KNOWN_SECRETS = 5_000;
const REDACTED = '[redacted]';

/**
 * Notion (secret_, ntn_), OpenAI (sk-), Slack (xox?-, xapp-) and their masked echoes (`sk-abc...xyz`,
 * `sk-proj-****abcd`), and any bearer credential.
 */
const TOKEN_PATTERN = /\b(?:secret_|ntn_|sk-|xox[abpors]-|xapp-)(?:[A-Za-z0-9_\-*]|\.{2,}|…)+|\bBearer\s+[^\s"',;]+/gi;

class KnownSecrets {
  /** Insertion order, for forgetting the oldest. */
  readonly #secrets = new Set<string>();
  /** Every fragment of MIN_SECRET_FRAGMENT characters of every known secret, with how many secrets hold it. */
  readonly #fragments = new Map<string, number>();

  remember(secret: string): void {
    const compact = secret.replace(/\s+/g, '');
    if (compact.length < MIN_SECRET_FRAGMENT || this.#secrets.has(compact)) return;
    if (this.#secrets.size >= MAX_KNOWN_SECRETS) this.#forget(this.#secrets.values().next().value as string);
    this.#secrets.add(compact);
    for (const fragment of fragmentsOf(compact)) this.#fragments.set(fragment, (this.#fragments.get(fragment) ?? 0) + 1);
  }

  #forget(secret: string): void {
    this.#secrets.delete(secret);
    for (const fragment of fragmentsOf(secret)) {
      const count = (this.#fragments.get(fragment) ?? 1) - 1;
      if (count <= 0) this.#fragments.delete(fragment);
      else this.#fragments.set(fragment, count);
    }
  }

  /** Positions of `text` that belong to a fragment of a known secret (whitespace between its characters skipped). */
  covered(text: string): boolean[] | undefined {
    if (this.#fragments.size === 0 || text.length < MIN_SECRET_FRAGMENT) return undefined;
    const positions: number[] = [];
    let compact = '';
    for (let i = 0; i < text.length; i++) {
      if (/\s/.test(text[i]!)) continue;
      positions.push(i);
      compact += text[i];
    }
    let marks: boolean[] | undefined;
    for (let start = 0; start + MIN_SECRET_FRAGMENT <= compact.length; start++) {
      if (!this.#fragments.has(compact.slice(start, start + MIN_SECRET_FRAGMENT))) continue;
      marks ??= new Array<boolean>(text.length).fill(false);
      const from = positions[start]!;
      const to = positions[start + MIN_SECRET_FRAGMENT - 1]!;
      for (let i = from; i <= to; i++) marks[i] = true; // whitespace inside a split key goes too
    }
    return marks;
  }
}

function* fragmentsOf(secret: string): Generator<string> {
  for (let start = 0; start + MIN_SECRET_FRAGMENT <= secret.length; start++) yield secret.slice(start, start + MIN_SECRET_FRAGMENT);
}

const known = new KnownSecrets();

/** Registers a secret so that any part of it is cut from every log line from now on. */
export function rememberSecretForRedaction(secret: string | undefined): void {
  if (secret) known.remember(secret);
}

/** `text` without known secrets (any 8+ characters of one), token-shaped strings or bearer credentials. */
export function redactSecrets(text: string): string {
  const marks = known.covered(text);
  let out = text;
  if (marks) {
    out = '';
    for (let i = 0; i < text.length; i++) {
      if (!marks[i]) out += text[i];
      else if (i === 0 || !marks[i - 1]) out += REDACTED;
    }
  }
  return out.replace(TOKEN_PATTERN, REDACTED);
}

/**
 * `text` fit for a log line: secrets removed (see above), whitespace runs folded, and at most `maxChars`
 * characters, with how much was left out. Only the first `maxChars` + a margin are ever looked at.
 */
export function clipForLog(text: string, maxChars: number = UPSTREAM_TEXT_LOG_CHARS): string {
  const window = text.length > maxChars + CUT_MARGIN_CHARS ? text.slice(0, maxChars + CUT_MARGIN_CHARS) : text;
  const clean = redactSecrets(window);
  if (clean.length <= maxChars && window.length === text.length) return clean;
  return `${clean.slice(0, maxChars)}… [${text.length} characters in all]`;
}
