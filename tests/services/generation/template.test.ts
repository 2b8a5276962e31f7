import { describe, expect, it } from 'vitest';
import type { BlockInfo, NotionBlock } from '../../../src/adapters/notion/index.js';
import { UserInputError } from '../../../src/errors.js';
import { landedTail } from '../../../src/services/generation/block-match.js';
import { bindPlaceholders, fillTemplate, placeholderNames } from '../../../src/services/generation/template.js';

describe('prompt templates', () => {
  const properties = ['Name', 'Due date', 'Notes'];

  it('finds placeholders with odd spacing, once each', () => {
    expect(placeholderNames('{{Name}} {{ Name }} {{Due date  }} {{}}')).toEqual(['Name', 'Due date', '']);
  });

  it('binds exact names, then names that differ only in case or spacing', () => {
    const binding = bindPlaceholders('{{ name }} due {{due   date}} {{Notes}}', properties);
    expect([...binding.entries()]).toEqual([
      ['name', 'Name'],
      ['due   date', 'Due date'],
      ['Notes', 'Notes'],
    ]);
    expect(fillTemplate('A {{ name }}: {{Notes}}{{Notes}}', binding, (p) => `<${p}>`)).toBe('A <Name>: <Notes><Notes>');
  });

  it('refuses unknown and empty placeholders, listing the properties', () => {
    const attempt = () => bindPlaceholders('{{Title}} {{ }}', properties);
    expect(attempt).toThrow(UserInputError);
    expect(attempt).toThrow(/empty placeholder.*`\{\{Title\}\}`.*`Name`, `Due date`, `Notes`/s);
  });

  it('leaves text without placeholders, and lone braces, alone', () => {
    const binding = bindPlaceholders('Plain {text} and {{ Name }', properties);
    expect(binding.size).toBe(0);
    expect(fillTemplate('Plain {text} and {{ Name }', binding, () => 'x')).toBe('Plain {text} and {{ Name }');
  });
});

describe('recognising our blocks at the end of a page', () => {
  const sent = (t: string): NotionBlock => ({ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: t } }] } });
  const found = (id: string, t: string): BlockInfo => ({ id, type: 'paragraph', text: t, hasChildren: false, inTrash: false, createdTime: '' });

  it('finds all, part, or none of what was sent', () => {
    const children = [found('a', 'old'), found('b', 'one'), found('c', 'two')];
    expect(landedTail(children, [sent('one'), sent('two')])).toEqual(['b', 'c']);
    expect(landedTail(children.slice(0, 2), [sent('one'), sent('two')])).toEqual(['b']);
    expect(landedTail(children.slice(0, 1), [sent('one'), sent('two')])).toEqual([]);
    // Never before the block known to precede our write.
    expect(landedTail([found('a', 'one')], [sent('one')], 'a')).toEqual([]);
  });
});
