/**
 * HTML character references in Markdown text (`&eacute;`, `&#39;`, `&#x1F600;`): marked's lexer leaves them as
 * written, while Notion shows rich text literally, so they are decoded before sending. Every HTML5 named
 * reference is known (`html-entities`, level html5). The shapes are CommonMark's
 * (https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references): a name ends with `;` (`&copy`
 * stays as typed), a decimal has 1-7 digits, a hexadecimal 1-6; unknown names stay as typed; code point 0, a
 * surrogate or one past U+10FFFF becomes U+FFFD. Code spans and code blocks are never decoded (their callers
 * simply do not call this).
 */
import { decodeEntity } from 'html-entities';

const REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|[A-Za-z][A-Za-z0-9]{1,31});/g;

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, dec?: string, hex?: string) => {
    if (dec === undefined && hex === undefined) return decodeEntity(whole, { level: 'html5' });
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(code);
  });
}
