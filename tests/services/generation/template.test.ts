import { describe, expect, it } from 'vitest';
import type { BlockInfo, NotionBlock } from '../../../src/adapters/notion/index.js';
import { UserInputError } from '../../../src/errors.js';
import { landedTail } from '../../../src/services/generation/block-match.js';
import { bindPlaceholders, bindRelatedReadings, fillTemplate, type PlaceholderReading, placeholderNames } from '../../../src/services/generation/template.js';

describe('prompt templates', () => {
  const types = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { type: 'rich_text' }]));
  const properties = types('Name', 'Due date', 'Notes');
  const show = (reading: PlaceholderReading): string =>
    reading.kind === 'property' ? `<${reading.property}>` : reading.kind === 'reserved' ? `<@${reading.name}>` : `<${reading.relation}→${reading.target}>`;

  it('finds placeholders with odd spacing, once each', () => {
    expect(placeholderNames('{{Name}} {{ Name }} {{Due date  }} {{}}')).toEqual(['Name', 'Due date', '']);
  });

  it('binds exact names, then names that differ only in case or spacing', () => {
    const binding = bindPlaceholders('{{ name }} due {{due   date}} {{Notes}}', properties);
    expect([...binding.entries()]).toEqual([
      ['name', { kind: 'property', property: 'Name' }],
      ['due   date', { kind: 'property', property: 'Due date' }],
      ['Notes', { kind: 'property', property: 'Notes' }],
    ]);
    expect(fillTemplate('A {{ name }}: {{Notes}}{{Notes}}', binding, show)).toBe('A <Name>: <Notes><Notes>');
  });

  it('refuses unknown and empty placeholders, listing the properties and the other readings', () => {
    const attempt = () => bindPlaceholders('{{Title}} {{ }}', properties);
    expect(attempt).toThrow(UserInputError);
    expect(attempt).toThrow(/empty placeholder.*`\{\{Title\}\}`.*`Name`, `Due date`, `Notes`.*\{\{Relation\.Property\}\}.*\{\{@content\}\}/s);
  });

  it('leaves text without placeholders, and lone braces, alone', () => {
    const binding = bindPlaceholders('Plain {text} and {{ Name }', properties);
    expect(binding.size).toBe(0);
    expect(fillTemplate('Plain {text} and {{ Name }', binding, () => 'x')).toBe('Plain {text} and {{ Name }');
  });

  it('reads the reserved placeholders, forgiving case and spacing; an unknown one is refused', () => {
    const binding = bindPlaceholders('{{@content}} {{ @Row }} {{@URL}}', properties);
    expect(fillTemplate('{{@content}} {{ @Row }} {{@URL}}', binding, show)).toBe('<@content> <@row> <@url>');
    expect(() => bindPlaceholders('{{@body}}', properties)).toThrow(/`\{\{@body\}\}`/);
  });

  it('reads one step through a relation; a property whose own name has the dot wins; a dot after no relation is unknown', () => {
    const schema = { ...types('Name', 'v1.2', 'Client.Industry', 'Plain'), Client: { type: 'relation' }, 'Q1. Client': { type: 'relation' } };
    const template = '{{client . Size}} {{v1.2}} {{Q1. Client.Owner}}';
    expect(fillTemplate(template, bindPlaceholders(template, schema), show)).toBe('<Client→Size> <v1.2> <Q1. Client→Owner>');
    // `Client.Industry` is a property of its own: it wins over reading `Industry` through `Client`.
    expect(bindPlaceholders('{{Client.Industry}}', schema).get('Client.Industry')).toEqual({ kind: 'property', property: 'Client.Industry' });
    expect(() => bindPlaceholders('{{Plain.Industry}}', schema)).toThrow(/`\{\{Plain\.Industry\}\}`/);
    expect(() => bindPlaceholders('{{Client.}}', schema)).toThrow(UserInputError);
  });

  it('resolves relation readings against the related database, or names what it lacks', () => {
    const schema = { ...types('Name'), Client: { type: 'relation' } };
    const binding = bindPlaceholders('{{Client.industry}}', schema);
    const clients = new Map([['Client', { title: 'Clients', names: ['Name', 'Industry'] }]]);
    expect(bindRelatedReadings(binding, clients).get('Client.industry')).toEqual({ kind: 'related', relation: 'Client', target: 'Industry' });
    const unknown = () => bindRelatedReadings(bindPlaceholders('{{Client.Size}}', schema), clients);
    expect(unknown).toThrow(UserInputError);
    expect(unknown).toThrow(/`\{\{Client\.Size\}\}` names no property of the related database “Clients”.*`Name`, `Industry`.*Nothing was generated/s);
    expect(() => bindRelatedReadings(binding, new Map())).toThrow(/cannot read the database that `Client` relates to/);
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
