import { describe, expect, it } from 'vitest';
import { formatConfigProblems, loadConfig } from '../../src/config.js';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-abc' };

describe('loadConfig', () => {
  it('fills every optional value with its default', () => {
    const result = loadConfig(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      slack: { botToken: 'xoxb-1-2-abc', appToken: 'xapp-1-A1-abc', apiUrl: undefined },
      notion: { baseUrl: undefined },
      openai: { baseUrl: undefined, defaultModel: 'gpt-5-mini' },
      dataDir: './data',
      store: { kind: 'sqlite' },
      secretKey: undefined,
      allowedUsers: undefined,
      logLevel: 'info',
      modelIdleTimeoutMs: 60_000,
    });
    expect(Object.isFrozen(result.config.slack)).toBe(true);
  });

  it('reads every optional variable', () => {
    const hexKey = 'ab'.repeat(32);
    const result = loadConfig({
      ...valid,
      SLACK_API_URL: 'http://127.0.0.1:9/api',
      NOTION_BASE_URL: 'http://127.0.0.1:10',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      VISEN_DEFAULT_MODEL: 'llama3.1:8b',
      VISEN_DATA_DIR: '/tmp/visen',
      VISEN_SECRET_KEY: hexKey,
      VISEN_ALLOWED_USERS: 'U123ABC, W456DEF',
      LOG_LEVEL: 'trace',
      VISEN_MODEL_IDLE_TIMEOUT_SECONDS: '300',
      VISEN_CONTEXT_CHARS: '50000',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(result.config.openai.defaultModel).toBe('llama3.1:8b');
    expect(result.config.secretKey?.toString('hex')).toBe(hexKey);
    expect([...(result.config.allowedUsers ?? [])]).toEqual(['U123ABC', 'W456DEF']);
    expect(result.config.logLevel).toBe('trace');
    expect(result.config.modelIdleTimeoutMs).toBe(300_000);
    expect(result.config.contextChars).toBe(50_000);
  });

  it('reads how often a kept-current thread may refresh: default 15 minutes; 0 to 1440, fractions allowed', () => {
    const defaults = loadConfig(valid);
    expect(defaults.ok && defaults.config.threadRefreshMs).toBe(15 * 60_000);
    const each = loadConfig({ ...valid, VISEN_THREAD_REFRESH_MINUTES: '0' });
    expect(each.ok && each.config.threadRefreshMs).toBe(0);
    const half = loadConfig({ ...valid, VISEN_THREAD_REFRESH_MINUTES: '0.5' });
    expect(half.ok && half.config.threadRefreshMs).toBe(30_000);
    for (const value of ['-1', '2.555', '1441', '1440.5', 'often']) {
      expect(loadConfig({ ...valid, VISEN_THREAD_REFRESH_MINUTES: value })).toEqual({
        ok: false,
        problems: ['VISEN_THREAD_REFRESH_MINUTES must be a number of minutes from 0 to 1440, such as 15 or 0.5 (default 15; 0 refreshes at each reply)'],
      });
    }
  });

  it('reads how many runs a team worker works on at once: default 4; a whole number from 1 to 50', () => {
    const defaults = loadConfig(valid);
    expect(defaults.ok && defaults.config.workerConcurrency).toBe(4);
    const many = loadConfig({ ...valid, VISEN_WORKER_CONCURRENCY: '50' });
    expect(many.ok && many.config.workerConcurrency).toBe(50);
    for (const value of ['0', '-1', '2.5', '51', 'many']) {
      expect(loadConfig({ ...valid, VISEN_WORKER_CONCURRENCY: value })).toEqual({
        ok: false,
        problems: ['VISEN_WORKER_CONCURRENCY must be a whole number of runs from 1 to 50 (default 4): how many runs one team worker works on at once'],
      });
    }
  });

  it('reads the context budget: default 100,000 characters; a whole number from 0 to 1,000,000', () => {
    const defaults = loadConfig(valid);
    expect(defaults.ok && defaults.config.contextChars).toBe(100_000);
    const off = loadConfig({ ...valid, VISEN_CONTEXT_CHARS: '0' });
    expect(off.ok && off.config.contextChars).toBe(0);
    for (const value of ['-1', '1.5', '1000001', 'lots']) {
      expect(loadConfig({ ...valid, VISEN_CONTEXT_CHARS: value })).toEqual({
        ok: false,
        problems: ['VISEN_CONTEXT_CHARS must be a whole number of characters from 0 to 1000000 (default 100000; 0 turns page context off)'],
      });
    }
  });

  it('reads the automations poll interval: default 60 s; a whole number of seconds from 15 to 86400', () => {
    const defaults = loadConfig(valid);
    expect(defaults.ok && defaults.config.pollIntervalMs).toBe(60_000);
    const slow = loadConfig({ ...valid, VISEN_POLL_SECONDS: '900' });
    expect(slow.ok && slow.config.pollIntervalMs).toBe(900_000);
    for (const value of ['14', '0', '1.5', '86401', 'often']) {
      expect(loadConfig({ ...valid, VISEN_POLL_SECONDS: value })).toEqual({
        ok: false,
        problems: ['VISEN_POLL_SECONDS must be a whole number of seconds from 15 to 86400 (default 60)'],
      });
    }
  });

  it('serves health endpoints only when VISEN_HEALTH_PORT is set, on loopback unless VISEN_HEALTH_HOST says otherwise', () => {
    const none = loadConfig(valid);
    expect(none.ok && none.config.health).toBeUndefined();
    const local = loadConfig({ ...valid, VISEN_HEALTH_PORT: '8080' });
    expect(local.ok && local.config.health).toEqual({ port: 8080, host: '127.0.0.1' });
    const everywhere = loadConfig({ ...valid, VISEN_HEALTH_PORT: '65535', VISEN_HEALTH_HOST: '0.0.0.0' });
    expect(everywhere.ok && everywhere.config.health).toEqual({ port: 65535, host: '0.0.0.0' });
    for (const value of ['0', '65536', '80.5', '-1', 'http']) {
      expect(loadConfig({ ...valid, VISEN_HEALTH_PORT: value })).toEqual({
        ok: false,
        problems: ['VISEN_HEALTH_PORT must be a TCP port number from 1 to 65535, for example 8080 (leave it unset for no health endpoints)'],
      });
    }
    expect(loadConfig({ ...valid, VISEN_HEALTH_PORT: '8080', VISEN_HEALTH_HOST: 'http://0.0.0.0/' }).ok).toBe(false);
  });

  it('refuses a model idle timeout that is not a whole number of seconds from 1 to 3600', () => {
    for (const value of ['0', '-5', '1.5', '3601', 'ten']) {
      const result = loadConfig({ ...valid, VISEN_MODEL_IDLE_TIMEOUT_SECONDS: value });
      expect(result).toEqual({
        ok: false,
        problems: ['VISEN_MODEL_IDLE_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 3600 (default 60)'],
      });
    }
  });

  it('accepts a base64 secret key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const result = loadConfig({ ...valid, VISEN_SECRET_KEY: key });
    expect(result.ok && result.config.secretKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('reads VISEN_STORE_URL into team mode, keeping the password out of the redacted form', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    for (const [url, redactedUrl] of [
      ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
      ['rediss://:s3cret-pass@redis.example.com:6380/2', 'rediss://redis.example.com:6380/2'],
      ['redis://visen:s3cret-pass@redis.internal', 'redis://redis.internal'],
    ]) {
      const result = loadConfig({ ...valid, VISEN_STORE_URL: url, VISEN_SECRET_KEY: key });
      expect(result.ok && result.config.store).toEqual({ kind: 'redis', url, redactedUrl });
    }
  });

  it('refuses team mode without VISEN_SECRET_KEY: every worker must decrypt the same secrets', () => {
    const result = loadConfig({ ...valid, VISEN_STORE_URL: 'redis://127.0.0.1:6379' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([expect.stringMatching(/^VISEN_SECRET_KEY is required with VISEN_STORE_URL \(team mode\): every worker must decrypt/)]);
  });

  it('refuses a store URL that is not Redis, without repeating it (it may hold a password)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    for (const url of ['postgres://user:pw-secret@db/visen', 'redis://', 'redis://:pw-secret@host/notadb', 'not a url pw-secret']) {
      const result = loadConfig({ ...valid, VISEN_STORE_URL: url, VISEN_SECRET_KEY: key });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problems).toEqual([expect.stringMatching(/^VISEN_STORE_URL must be a Redis URL such as redis:\/\//)]);
      expect(result.problems.join('')).not.toMatch(/pw-secret/);
    }
  });

  it('lists every problem at once', () => {
    const result = loadConfig({
      SLACK_BOT_TOKEN: 'xapp-wrong-kind',
      SLACK_API_URL: 'not a url',
      VISEN_SECRET_KEY: 'too-short',
      VISEN_ALLOWED_USERS: 'alice,bob',
      VISEN_BASE_URL_ALLOW: 'localhost,10.0.0.0/40,169.254.169.254',
      LOG_LEVEL: 'loud',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(8);
    expect(result.problems).toContain('VISEN_BASE_URL_ALLOW: "10.0.0.0/40" is not a CIDR range such as 10.0.0.0/8 or fd00::/8');
    expect(result.problems.join('\n')).toMatch(/VISEN_BASE_URL_ALLOW: "169\.254\.169\.254" is a link-local address.*cannot be allowed/);
    expect(result.problems.join('\n')).toMatch(/SLACK_BOT_TOKEN must start with xoxb-/);
    expect(result.problems.join('\n')).toMatch(/SLACK_APP_TOKEN is missing/);
    expect(result.problems.join('\n')).toMatch(/SLACK_API_URL must be an http\(s\) URL/);
    expect(result.problems.join('\n')).toMatch(/VISEN_SECRET_KEY must be 32 bytes/);
    expect(result.problems.join('\n')).toMatch(/VISEN_ALLOWED_USERS/);
    expect(result.problems.join('\n')).toMatch(/LOG_LEVEL must be one of/);
  });

  it('treats blank values as unset', () => {
    const result = loadConfig({ ...valid, VISEN_DEFAULT_MODEL: '  ', OPENAI_BASE_URL: '' });
    expect(result.ok && result.config.openai).toEqual({ baseUrl: undefined, defaultModel: 'gpt-5-mini', userBaseUrlAllow: { hosts: new Set(), ranges: [] } });
  });

  it('reads the base URL allow list into host names and ranges', () => {
    const result = loadConfig({ ...valid, VISEN_BASE_URL_ALLOW: 'localhost, 127.0.0.1, 192.168.0.0/16, fd00::/8' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const allow = result.config.openai.userBaseUrlAllow;
    expect([...allow.hosts]).toEqual(['localhost']);
    expect(allow.ranges.map(([first, bits]) => `${first.toString()}/${bits}`)).toEqual(['127.0.0.1/32', '192.168.0.0/16', 'fd00::/8']);
  });

  it('formats problems with a pointer to the README and no stack', () => {
    const text = formatConfigProblems(['A is missing', 'B is wrong']);
    expect(text).toContain('  - A is missing');
    expect(text).toContain('README');
    expect(text).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });
});
