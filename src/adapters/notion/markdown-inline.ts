/**
 * marked's inline tokens -> Notion rich text (https://developers.notion.com/reference/rich-text): bold, italic,
 * strikethrough, inline code and links, annotations combined as they nest; inline math as inline equations; inline
 * HTML as markdown-html.ts reads it; character references decoded everywhere but in code.
 */
import type { Token, Tokens } from 'marked';
import type { Annotations, RichTextItem } from './blocks.js';
import { decodeEntities } from './markdown-entities.js';
import { inlineTagEffect, type Script, scriptText } from './markdown-html.js';
import { type InlineMathToken, MAX_EXPRESSION_CHARS } from './markdown-math.js';
import { equationItem, isSendableLink, itemText, textItems } from './rich-text.js';

interface InlineState {
  readonly annotations: Annotations;
  readonly link: string | undefined;
  readonly script?: Script | undefined;
}

const NO_STATE: InlineState = { annotations: {}, link: undefined };

/** Inline tokens -> rich text, with annotations combined as they nest (bold inside a link inside italic, ...). */
export function inline(tokens: readonly Token[] | undefined, outer: InlineState = NO_STATE): RichTextItem[] {
  const items: RichTextItem[] = [];
  let state = outer;
  for (const token of tokens ?? []) {
    if (token.type === 'html') state = htmlTag(token as Tokens.Tag, state, outer, items);
    else items.push(...inlineToken(token, state));
  }
  return items;
}

/** Inline math as an inline equation; past Notion's 1000 characters, the LaTeX as code-annotated text. */
export function mathItems(expression: string, annotations: Annotations = {}): RichTextItem[] {
  if (expression.length <= MAX_EXPRESSION_CHARS) return [equationItem(expression, annotations)];
  return textItems(expression, { ...annotations, code: true });
}

function inlineToken(token: Token, state: InlineState): RichTextItem[] {
  const text = (content: string, at: InlineState = state) => textItems(scriptText(content, at.script), at.annotations, at.link);
  const annotate = (name: keyof Annotations): InlineState => ({ ...state, annotations: { ...state.annotations, [name]: true } });
  switch (token.type) {
    case 'text': {
      const textToken = token as Tokens.Text;
      if (textToken.tokens && textToken.tokens.length > 0) return inline(textToken.tokens, state);
      return text(decodeEntities(textToken.text));
    }
    case 'escape':
      return text((token as Tokens.Escape).text);
    case 'strong':
      return inline((token as Tokens.Strong).tokens, annotate('bold'));
    case 'em':
      return inline((token as Tokens.Em).tokens, annotate('italic'));
    case 'del':
      return inline((token as Tokens.Del).tokens, annotate('strikethrough'));
    case 'codespan':
      // CommonMark keeps code spans literal: no entity decoding.
      return textItems((token as Tokens.Codespan).text, { ...state.annotations, code: true }, state.link);
    case 'br':
      return textItems('\n', state.annotations, state.link);
    case 'inlineMath':
      return mathItems((token as InlineMathToken).text, state.annotations);
    case 'link': {
      const link = token as Tokens.Link;
      const href = link.autolink ? link.href : decodeEntities(link.href);
      const inner: InlineState = { ...state, link: isSendableLink(href) ? href : state.link };
      return link.tokens.length > 0 ? inline(link.tokens, inner) : text(href, inner);
    }
    case 'image': {
      const image = token as Tokens.Image;
      const href = decodeEntities(image.href);
      const label = altText(image) || href;
      return textItems(label, state.annotations, isSendableLink(href) ? href : state.link);
    }
    case 'checkbox':
      return [];
    default: {
      // Tokens of other marked extensions: keep their words.
      const generic = token as Tokens.Generic;
      if (Array.isArray(generic.tokens)) return inline(generic.tokens, state);
      return typeof generic.text === 'string' ? text(generic.text) : [];
    }
  }
}

/** An image's alt text as plain text, as CommonMark renders it (`![*a* b](u)` -> "a b"). */
export function altText(image: Tokens.Image): string {
  if (!image.tokens) return decodeEntities(image.text);
  return inline(image.tokens).map(itemText).join('');
}

/** An inline HTML tag changes the state for the tokens after it (until its closing tag); its own text is dropped. */
function htmlTag(tag: Tokens.Tag, state: InlineState, outer: InlineState, items: RichTextItem[]): InlineState {
  const effect = inlineTagEffect(tag.text);
  switch (effect.kind) {
    case 'break':
      items.push(...textItems('\n', state.annotations, state.link));
      return state;
    case 'annotation': {
      const on = effect.closing ? outer.annotations[effect.annotation] === true : true;
      return { ...state, annotations: { ...state.annotations, [effect.annotation]: on } };
    }
    case 'script':
      return { ...state, script: effect.closing ? outer.script : effect.script };
    case 'link': {
      if (effect.closing) return { ...state, link: outer.link };
      return { ...state, link: effect.href !== undefined && isSendableLink(effect.href) ? effect.href : state.link };
    }
    case 'none':
      return state;
  }
}
