/**
 * Every way a start can fail on Slack's side, through the real entry point against the Slack stand-in: one
 * message that names the variable and the page of the app's settings to fix it, exit code 1, no stack trace,
 * and no lock file left in the data directory.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/adapters/process-lock.js';
import { type SlackStandIn, type SlackStandInOptions, startSlackStandIn } from '../stand-ins/slack/index.js';
import { exitOf, spawnMain, waitForOutput } from './support/run-main.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
let slack: SlackStandIn | undefined;

afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

function envFor(s: Pick<SlackStandIn, 'botToken' | 'appToken' | 'apiUrl'>, extra: Record<string, string> = {}) {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-start-fail-')), 'data');
  return { SLACK_BOT_TOKEN: s.botToken, SLACK_APP_TOKEN: s.appToken, SLACK_API_URL: s.apiUrl, VISEN_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra };
}

/** Starts the entry point and expects it to give up: returns what it printed. */
async function failedStart(env: Record<string, string>): Promise<string> {
  const child = spawnMain(env, mkdtempSync(join(tmpdir(), 'visen-cwd-')));
  const { code } = await exitOf(child);
  const output = child.output();
  expect(code, output).toBe(1);
  expect(output).not.toMatch(STACK_FRAME);
  expect(output).not.toContain('WebAPIPlatformError');
  expect(existsSync(join(env.VISEN_DATA_DIR!, LOCK_FILE_NAME))).toBe(false);
  return output;
}

async function standIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  slack = await startSlackStandIn(options);
  return slack;
}

describe('a start that Slack refuses', () => {
  it('a bot token Slack rejects (invalid_auth on auth.test) names SLACK_BOT_TOKEN and OAuth & Permissions', async () => {
    const s = await standIn();
    const output = await failedStart(envFor({ ...s, botToken: 'xoxb-1-typed-wrong' }));
    expect(output).toContain('Visen cannot start: Slack rejected SLACK_BOT_TOKEN (invalid_auth)');
    expect(output).toContain('https://api.slack.com/apps -> your app -> OAuth & Permissions');
    expect(s.callsTo('apps.connections.open')).toHaveLength(0);
    expect(s.connectionsOpened).toBe(0);
  });

  it.each(['token_revoked', 'account_inactive', 'not_authed'])('a bot token answered %s is named in the same words', async (error) => {
    const s = await standIn();
    s.injectApiFailure('auth.test', error);
    const output = await failedStart(envFor(s));
    expect(output).toContain(`Slack rejected SLACK_BOT_TOKEN (${error})`);
  });

  it('an app token Slack rejects (invalid_auth on apps.connections.open) names SLACK_APP_TOKEN, not the bot token', async () => {
    const s = await standIn();
    const output = await failedStart(envFor({ ...s, appToken: `xapp-1-${s.appId}-1-typedwrong` }));
    expect(output).toContain('Visen cannot start: Slack rejected SLACK_APP_TOKEN (invalid_auth)');
    expect(output).toContain('Basic Information -> App-Level Tokens');
    expect(output).not.toContain('SLACK_BOT_TOKEN (');
    expect(s.callsTo('auth.test')).toMatchObject([{ ok: true }]);
    expect(s.connectionsOpened).toBe(0);
  });

  it('an app token without connections:write gets the scope named', async () => {
    const s = await standIn({ appTokenScopes: ['authorizations:read'] });
    const output = await failedStart(envFor(s));
    expect(output).toContain('SLACK_APP_TOKEN lacks the connections:write scope that Socket Mode needs (Slack said missing_scope)');
    expect(output).toContain('Basic Information -> App-Level Tokens');
  });

  it('Socket Mode turned off in the app settings points at the Socket Mode page', async () => {
    const s = await standIn({ socketModeEnabled: false });
    const output = await failedStart(envFor(s));
    expect(output).toContain('Socket Mode is turned off for this app');
    expect(output).toContain('Turn on "Enable Socket Mode" at https://api.slack.com/apps -> your app -> Socket Mode');
  });

  it('a bot token of another app than the app token names both apps', async () => {
    const s = await standIn({ appId: 'A0VISENAPP1', botTokenAppId: 'A0OTHERAPP9' });
    const output = await failedStart(envFor(s));
    expect(output).toContain(
      'SLACK_BOT_TOKEN belongs to the Slack app A0OTHERAPP9 but SLACK_APP_TOKEN to the app A0VISENAPP1: both must come from the same app',
    );
    expect(s.connectionsOpened).toBe(0);
  });

  it('the placeholders of .env.example are caught before any call to Slack', async () => {
    const s = await standIn();
    const output = await failedStart(envFor({ apiUrl: s.apiUrl, botToken: 'xoxb-your-bot-token', appToken: 'xapp-your-app-token' }));
    expect(output).toContain('SLACK_BOT_TOKEN is still the example value from .env.example');
    expect(output).toContain('SLACK_APP_TOKEN is still the example value from .env.example');
    expect(s.apiCalls).toHaveLength(0);
  });
});

describe('a start while Slack cannot be reached', () => {
  it('logs one line per attempt, then gives up after VISEN_SLACK_WAIT_SECONDS with words', async () => {
    const port = await closedPort();
    const env = envFor(
      { botToken: 'xoxb-1-anything', appToken: 'xapp-1-A0VISENAPP1-1-x', apiUrl: `http://127.0.0.1:${port}/api/` },
      { VISEN_SLACK_WAIT_SECONDS: '4' },
    );
    const output = await failedStart(env);
    const attempts = output.split('\n').filter((line) => line.includes('Slack cannot be reached yet; retrying'));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const line of attempts) expect(line).toContain('ECONNREFUSED');
    expect(output).toMatch(
      /Visen cannot start: Slack could not be reached at http:\/\/127\.0\.0\.1:\d+\/api\/ \(fetch failed: ECONNREFUSED\) after \d+ attempts/,
    );
    expect(output).toContain('set VISEN_SLACK_WAIT_SECONDS=forever');
  });

  it('retries while Slack has trouble and connects once it answers', async () => {
    const s = await standIn();
    s.injectApiFailure('auth.test', 'service_unavailable', { times: 2, httpStatus: 503 });
    const child = spawnMain(envFor(s), mkdtempSync(join(tmpdir(), 'visen-cwd-')));
    try {
      await waitForOutput(child, /Visen is connected to Slack/, 30_000);
      expect(
        child
          .output()
          .split('\n')
          .filter((line) => line.includes('Slack cannot be reached yet; retrying')),
      ).toHaveLength(2);
      expect(s.callsTo('auth.test').map((call) => call.httpStatus)).toEqual([503, 503, 200]);
      child.kill('SIGTERM');
      expect((await exitOf(child)).code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(s.failures).toEqual([]);
  });

  it('a SIGTERM while it waits ends the wait at once, with exit code 0 and no lock left', async () => {
    const port = await closedPort();
    const env = envFor(
      { botToken: 'xoxb-1-anything', appToken: 'xapp-1-A0VISENAPP1-1-x', apiUrl: `http://127.0.0.1:${port}/api/` },
      { VISEN_SLACK_WAIT_SECONDS: 'forever' },
    );
    const child = spawnMain(env, mkdtempSync(join(tmpdir(), 'visen-cwd-')));
    await waitForOutput(child, /Slack cannot be reached yet; retrying/);
    child.kill('SIGTERM');
    expect((await exitOf(child)).code).toBe(0);
    expect(child.output()).toContain('Visen stopped before it connected to Slack.');
    expect(existsSync(join(env.VISEN_DATA_DIR, LOCK_FILE_NAME))).toBe(false);
  });
});

/** A local port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
