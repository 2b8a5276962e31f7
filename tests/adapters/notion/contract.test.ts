// The adapter fits the ports the services declare (checked by tsc; the runtime part only exercises the values).
import { describe, expect, it } from 'vitest';
import { createNotionGateway, type NotionWorkspace, parseNotionUrl } from '../../../src/adapters/notion/index.js';
import type { SettingsNotion, SettingsPorts } from '../../../src/services/settings/ports.js';
import { memoryLogger } from './support.js';

describe('Notion adapter contract', () => {
  it('parseNotionUrl answers with both `ok` and the `kind` the settings port reads', () => {
    const port: SettingsPorts['parseNotionUrl'] = parseNotionUrl;
    expect(port('https://www.notion.so/0123456789abcdef0123456789abcdef')).toMatchObject({ kind: 'id', ok: true });
    expect(port('https://evil.com/x')).toMatchObject({ kind: 'invalid', ok: false });
  });

  it('a NotionWorkspace is a SettingsNotion', () => {
    const { logger } = memoryLogger('silent');
    const workspace: NotionWorkspace = createNotionGateway({ logger }).forSecret('ntn_example_secret_value');
    const settings: SettingsNotion = workspace;
    expect(typeof settings.createDatabase).toBe('function');
  });
});
