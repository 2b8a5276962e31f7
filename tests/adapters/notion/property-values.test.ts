import { describe, expect, it } from 'vitest';
import { toDatabaseInfo, toDataSourceSchema, toPageInfo } from '../../../src/adapters/notion/mappers.js';
import {
  checkboxValue,
  dateValue,
  numberValue,
  pagePlainText,
  richTextValue,
  selectValue,
  titleValue,
  toPropertyValue,
  urlValue,
} from '../../../src/adapters/notion/property-values.js';
import { NotionError } from '../../../src/errors.js';

const rt = (plain_text: string) => [{ type: 'text', plain_text, text: { content: plain_text } }];

describe('property value builders', () => {
  it('rich text and title split at 2000 characters, at most 100 items', () => {
    expect(richTextValue('hello')).toEqual({ rich_text: [{ type: 'text', text: { content: 'hello' } }] });
    expect(titleValue('').title).toEqual([]);
    const items = richTextValue('a'.repeat(4500)).rich_text;
    expect(items.map((i) => i.text.content.length)).toEqual([2000, 2000, 500]);
    const capped = richTextValue('b'.repeat(250_000)).rich_text;
    expect(capped).toHaveLength(100);
    expect(capped.every((i) => i.text.content.length <= 2000)).toBe(true);
    expect(capped.at(-1)!.text.content.endsWith('…')).toBe(true);
  });

  it('select, url, number, checkbox and date', () => {
    expect(selectValue('Running')).toEqual({ select: { name: 'Running' } });
    expect(selectValue(' Done ')).toEqual({ select: { name: 'Done' } });
    expect(selectValue('  ')).toEqual({ select: null });
    expect(urlValue('https://x.example')).toEqual({ url: 'https://x.example' });
    expect(urlValue('')).toEqual({ url: null });
    expect(() => urlValue(`https://x.example/${'a'.repeat(2000)}`)).toThrow(NotionError);
    expect(numberValue(3)).toEqual({ number: 3 });
    expect(numberValue(Number.NaN)).toEqual({ number: null });
    expect(checkboxValue(true)).toEqual({ checkbox: true });
    expect(dateValue(new Date('2026-03-11T10:00:00Z'))).toEqual({ date: { start: '2026-03-11T10:00:00.000Z' } });
    expect(dateValue('2026-03-11', '2026-03-12')).toEqual({ date: { start: '2026-03-11', end: '2026-03-12' } });
    expect(dateValue(null)).toEqual({ date: null });
  });
});

describe('pagePlainText', () => {
  it.each([
    ['title', { type: 'title', title: [...rt('Hello '), ...rt('world')] }, 'Hello world'],
    ['rich_text', { type: 'rich_text', rich_text: rt('Some text') }, 'Some text'],
    ['rich_text without plain_text', { type: 'rich_text', rich_text: [{ type: 'text', text: { content: 'raw' } }] }, 'raw'],
    ['number', { type: 'number', number: 42.5 }, '42.5'],
    ['empty number', { type: 'number', number: null }, ''],
    ['select', { type: 'select', select: { name: 'Open' } }, 'Open'],
    ['empty select', { type: 'select', select: null }, ''],
    ['status', { type: 'status', status: { name: 'Done' } }, 'Done'],
    ['multi_select', { type: 'multi_select', multi_select: [{ name: 'a' }, { name: 'b' }] }, 'a, b'],
    ['date', { type: 'date', date: { start: '2026-01-01' } }, '2026-01-01'],
    ['date range', { type: 'date', date: { start: '2026-01-01', end: '2026-01-05' } }, '2026-01-01 to 2026-01-05'],
    ['checkbox on', { type: 'checkbox', checkbox: true }, 'Yes'],
    ['checkbox off', { type: 'checkbox', checkbox: false }, 'No'],
    ['url', { type: 'url', url: 'https://a.example' }, 'https://a.example'],
    ['email', { type: 'email', email: 'a@b.example' }, 'a@b.example'],
    ['phone_number', { type: 'phone_number', phone_number: '+1 555' }, '+1 555'],
    [
      'people',
      {
        type: 'people',
        people: [
          { object: 'user', id: 'u1', name: 'Ada' },
          { object: 'user', id: 'u2', name: 'Bob' },
        ],
      },
      'Ada, Bob',
    ],
    ['relation', { type: 'relation', relation: [{ id: 'p1' }, { id: 'p2' }], has_more: false }, 'p1, p2'],
    ['formula string', { type: 'formula', formula: { type: 'string', string: 'computed' } }, 'computed'],
    ['formula number', { type: 'formula', formula: { type: 'number', number: 7 } }, '7'],
    ['formula boolean', { type: 'formula', formula: { type: 'boolean', boolean: false } }, 'No'],
    ['formula date', { type: 'formula', formula: { type: 'date', date: { start: '2026-02-02' } } }, '2026-02-02'],
    ['rollup number', { type: 'rollup', rollup: { type: 'number', number: 3 } }, '3'],
    [
      'rollup array',
      {
        type: 'rollup',
        rollup: {
          type: 'array',
          array: [
            { type: 'title', title: rt('X') },
            { type: 'number', number: 2 },
          ],
        },
      },
      'X, 2',
    ],
    ['created_time', { type: 'created_time', created_time: '2026-03-11T00:00:00.000Z' }, '2026-03-11T00:00:00.000Z'],
    ['last_edited_time', { type: 'last_edited_time', last_edited_time: '2026-03-12T00:00:00.000Z' }, '2026-03-12T00:00:00.000Z'],
    ['created_by', { type: 'created_by', created_by: { object: 'user', id: 'u', name: 'Ada' } }, 'Ada'],
    ['unique_id with prefix', { type: 'unique_id', unique_id: { prefix: 'TASK', number: 12 } }, 'TASK-12'],
    ['unique_id without prefix', { type: 'unique_id', unique_id: { prefix: null, number: 5 } }, '5'],
    ['files', { type: 'files', files: [{ name: 'a.pdf' }, { name: 'b.png' }] }, 'a.pdf, b.png'],
    ['unknown type', { type: 'button', button: {} }, ''],
    ['not an object', 'nonsense', ''],
  ])('%s', (_name, value, expected) => {
    expect(pagePlainText(value)).toBe(expected);
  });

  it('toPropertyValue keeps typed details next to the text', () => {
    expect(toPropertyValue({ type: 'number', number: 2 })).toEqual({ type: 'number', number: 2, plainText: '2' });
    expect(toPropertyValue({ type: 'select', select: { name: 'Open' } })).toEqual({ type: 'select', name: 'Open', plainText: 'Open' });
    expect(toPropertyValue({ type: 'relation', relation: [{ id: 'p1' }] })).toEqual({ type: 'relation', ids: ['p1'], plainText: 'p1' });
    expect(toPropertyValue({ type: 'checkbox', checkbox: true })).toEqual({ type: 'checkbox', checked: true, plainText: 'Yes' });
    expect(toPropertyValue({ type: 'weird' })).toEqual({ type: 'unknown', plainText: '' });
  });
});

describe('mappers', () => {
  it('a page object (2026-03-11: in_trash, data_source_id parent)', () => {
    const page = toPageInfo({
      object: 'page',
      id: 'p-1',
      url: 'https://www.notion.so/Row-p1',
      in_trash: true,
      parent: { type: 'data_source_id', data_source_id: 'ds-1', database_id: 'db-1' },
      created_time: '2026-03-11T00:00:00.000Z',
      last_edited_time: '2026-03-11T00:01:00.000Z',
      created_by: { object: 'user', id: '16d84278-ab0e-484c-9bdd-b35da3bd8905' },
      properties: { Name: { id: 'title', type: 'title', title: rt('Row one') }, Count: { id: 'a', type: 'number', number: 1 } },
    });
    expect(page).toEqual({
      id: 'p-1',
      url: 'https://www.notion.so/Row-p1',
      title: 'Row one',
      inTrash: true,
      parent: { type: 'data_source', id: 'ds-1' },
      properties: { Name: { type: 'title', plainText: 'Row one' }, Count: { type: 'number', number: 1, plainText: '1' } },
      createdTime: '2026-03-11T00:00:00.000Z',
      lastEditedTime: '2026-03-11T00:01:00.000Z',
      createdBy: '16d84278-ab0e-484c-9bdd-b35da3bd8905',
    });
  });

  it('a database and a data source', () => {
    expect(toDatabaseInfo({ object: 'database', id: 'db-1', url: 'u', title: rt('Tasks'), data_sources: [{ id: 'ds-1', name: 'Tasks' }] })).toEqual({
      id: 'db-1',
      url: 'u',
      title: 'Tasks',
      description: '',
      dataSources: [{ id: 'ds-1', name: 'Tasks' }],
    });
    // The description is rich text (https://developers.notion.com/reference/database): read as plain text.
    expect(toDatabaseInfo({ object: 'database', id: 'db-1', title: rt('Tasks'), description: rt('British spelling.') }).description).toBe('British spelling.');
    const schema = toDataSourceSchema({
      object: 'data_source',
      id: 'ds-1',
      title: rt('Tasks'),
      parent: { type: 'database_id', database_id: 'db-1' },
      properties: {
        Name: { id: 'title', name: 'Name', type: 'title', title: {} },
        Status: {
          id: 'st',
          name: 'Status',
          type: 'select',
          select: {
            options: [
              { id: '1', name: 'Open', color: 'red' },
              { id: '2', name: 'Done', color: 'green' },
            ],
          },
        },
      },
    });
    expect(schema).toEqual({
      id: 'ds-1',
      databaseId: 'db-1',
      title: 'Tasks',
      name: 'Tasks',
      properties: { Name: { id: 'title', type: 'title' }, Status: { id: 'st', type: 'select', options: ['Open', 'Done'] } },
      propertyTypes: { Name: 'title', Status: 'select' },
    });
  });

  it('a partial object maps to empty values', () => {
    expect(toPageInfo({ object: 'page', id: 'abcdabcdabcdabcdabcdabcdabcdabcd' })).toMatchObject({
      id: 'abcdabcdabcdabcdabcdabcdabcdabcd',
      title: '',
      properties: {},
      parent: { type: 'workspace' },
    });
  });
});
