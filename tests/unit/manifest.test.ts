import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadJsonSpec, repoRoot, specsDir } from '../stand-ins/specs.js';

const manifest = parse(readFileSync(join(repoRoot, 'manifest.yml'), 'utf8'));

/**
 * The root schema refers to the versioned schemas by their published URLs; registering the local copies under
 * those URLs validates offline (see ../shared/specs/README.md).
 */
function manifestValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const base = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';
  ajv.addSchema(loadJsonSpec('slack/manifest-schema/manifest.schema.1.0.0.json'), `${base}manifest.schema.1.0.0.json`);
  ajv.addSchema(loadJsonSpec('slack/manifest-schema/manifest.schema.2.0.0.json'), `${base}manifest.schema.2.0.0.json`);
  return ajv.compile(loadJsonSpec('slack/manifest-schema/manifest.schema.json'));
}

describe.skipIf(!specsDir)("manifest.yml against Slack's manifest schema", () => {
  it('is valid', () => {
    const validate = manifestValidator();
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the validator is not a rubber stamp: the schema’s own invalid example fails', () => {
    const validate = manifestValidator();
    expect(validate(loadJsonSpec('slack/manifest-schema/examples/v1.manifest.invalid.json'))).toBe(false);
    expect(validate({ ...manifest, settings: { ...manifest.settings, socket_mode_enabled: 'yes' } })).toBe(false);
  });
});

describe('manifest.yml declares what Visen needs and no more', () => {
  it('runs in Socket Mode with interactivity, the Home tab and app_home_opened', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'message.channels', 'message.groups', 'message.im', 'message.mpim']);
  });

  it('has the /visen command with a usage hint', () => {
    const [command] = manifest.features.slash_commands;
    expect(command.command).toBe('/visen');
    expect(command.usage_hint).toMatch(/settings.*generate.*clear.*help/);
  });

  it('declares the Send to Notion message shortcut the app listens for', () => {
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: 'send_to_notion', name: 'Send to Notion' })]);
  });

  it('asks only for the bot scopes the app uses', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual([
      'commands',
      'chat:write',
      // Send to Notion (issue 14): reading the thread in each kind of conversation, and authors' names and time zones
      'channels:history',
      'groups:history',
      'im:history',
      'mpim:history',
      'users:read',
    ]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});
