import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, spawnMain } from './support/run-main.js';

describe('starting without configuration', () => {
  it('lists every missing variable, points at the README and exits 1 without a stack trace', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'visen-start-'));
    const child = spawnMain({}, cwd);
    const { code } = await exitOf(child);
    expect(code).toBe(1);
    const output = child.output();
    expect(output).toContain('SLACK_BOT_TOKEN is missing');
    expect(output).toContain('SLACK_APP_TOKEN is missing');
    expect(output).toContain('README');
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('reports malformed values in the same single message', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'visen-start-'));
    const child = spawnMain({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_APP_TOKEN: 'xapp-ok', LOG_LEVEL: 'chatty' }, cwd);
    expect((await exitOf(child)).code).toBe(1);
    expect(child.output()).toMatch(/SLACK_BOT_TOKEN must start with xoxb-[\s\S]*LOG_LEVEL must be one of/);
  });
});
