import { describe, expect, it } from 'vitest';
import {
  CONNECTIONS_SCHEMA,
  checkConnectionsSchema,
  connectionsPropertiesConfig,
  missingPropertiesUpdate,
  schemaMatches,
} from '../../../src/services/connections/schema.js';

const complete = Object.fromEntries(CONNECTIONS_SCHEMA.map((d) => [d.name, d.type]));

describe('connections database schema', () => {
  it('is exactly the table in the settings issue', () => {
    expect(CONNECTIONS_SCHEMA.map((d) => [d.name, d.type, d.options ?? null])).toEqual([
      ['Name', 'title', null],
      ['Type', 'select', ['Page', 'Database']],
      ['Target', 'url', null],
      ['Prompt', 'rich_text', null],
      ['Output', 'rich_text', null],
      ['Model', 'rich_text', null],
      ['Slack user', 'rich_text', null],
      ['Status', 'select', ['Ready', 'Running', 'Succeeded', 'Failed', 'Cancelled']],
      ['Last run', 'date', null],
      ['Runs', 'number', null],
      ['Items', 'number', null],
      ['Last error', 'rich_text', null],
      ['Tokens', 'number', null], // issue 12, item 8: tokens of the last run
      ['Source', 'url', null], // issue 14, item 3: the Slack thread of a "Send to Notion" connection
    ]);
  });

  it('as Notion property configurations', () => {
    const config = connectionsPropertiesConfig();
    expect(config.Name).toEqual({ title: {} });
    expect(config.Status).toEqual({ select: { options: ['Ready', 'Running', 'Succeeded', 'Failed', 'Cancelled'].map((name) => ({ name })) } });
    expect(config.Runs).toEqual({ number: { format: 'number' } });
    expect(config['Last run']).toEqual({ date: {} });
  });

  it('a complete data source matches, extra properties are fine', () => {
    expect(schemaMatches(checkConnectionsSchema({ ...complete, Notes: 'rich_text' }))).toBe(true);
  });

  it('names missing and mistyped properties; names match exactly', () => {
    const { Runs: _runs, Status: _status, ...rest } = complete;
    const check = checkConnectionsSchema({ ...rest, status: 'select', Type: 'rich_text' });
    expect(check.missing.map((d) => d.name)).toEqual(['Status', 'Runs']);
    expect(check.mistyped).toEqual([{ name: 'Type', expected: 'select', actual: 'rich_text' }]);
  });

  it('adds missing properties; a missing Name renames the existing title property', () => {
    const { Name: _name, Items: _items, ...rest } = complete;
    const check = checkConnectionsSchema({ ...rest, Title: 'title' });
    expect(check.titlePropertyToRename).toBe('Title');
    expect(missingPropertiesUpdate(check)).toEqual({ Title: { name: 'Name' }, Items: { number: { format: 'number' } } });
  });
});
