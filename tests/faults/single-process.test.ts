/**
 * One process per store: a second Visen started on the same data directory refuses to start with a message
 * that names the running one, takes no Socket Mode connection, and leaves the first one serving. A lock left
 * by a process that was killed does not block the next start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, spawnMain, waitForOutput } from '../e2e/support/run-main.js';
import { type SlackStandIn, startSlackStandIn } from '../stand-ins/slack/index.js';

let slack: SlackStandIn;
let cwd: string;
let env: Record<string, string>;
const children: Array<ReturnType<typeof spawnMain>> = [];

beforeAll(async () => {
  slack = await startSlackStandIn();
  cwd = mkdtempSync(join(tmpdir(), 'visen-faults-lock-'));
  env = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    // Nothing here talks to Notion or OpenAI; closed ports make any attempt fail fast.
    NOTION_BASE_URL: 'http://127.0.0.1:9',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    VISEN_DATA_DIR: join(cwd, 'data'),
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((child) => exitOf(child)));
  await slack?.close();
});

function start(): ReturnType<typeof spawnMain> {
  const child = spawnMain(env, cwd);
  children.push(child);
  return child;
}

async function helpAnswered(userId: string): Promise<void> {
  const delivery = await slack.slashCommand({ userId, text: 'help' });
  expect(delivery.acked).toBe(true);
  expect(JSON.stringify(delivery.ackPayload)).toContain('/visen settings');
}

describe('a second Visen on the same data directory', () => {
  it('refuses to start, names the running process and what to do, and the first keeps serving', async () => {
    const first = start();
    await waitForOutput(first, /Visen is connected to Slack/, 30_000);
    await slack.waitForConnection();
    const connectionsBefore = slack.connectionsOpened;

    const second = start();
    const { code } = await exitOf(second);
    expect(code).toBe(1);
    const output = second.output();
    expect(output).toContain(`Another Visen process (pid ${first.pid}) is already running on ${env.VISEN_DATA_DIR}`);
    expect(output).toMatch(/Stop it first, or give this one its own VISEN_DATA_DIR/);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(slack.connectionsOpened).toBe(connectionsBefore);

    await helpAnswered('U0LOCKA');
    expect(first.exitCode).toBeNull();

    // A lock whose owner died (SIGKILL leaves the file behind) is taken over by the next start.
    first.kill('SIGKILL');
    await exitOf(first);
    const third = start();
    await waitForOutput(third, /Visen is connected to Slack/, 30_000);
    await slack.waitForConnection();
    await helpAnswered('U0LOCKB');
    third.kill('SIGTERM');
    expect((await exitOf(third)).code).toBe(0);
    expect(slack.failures).toEqual([]);
  }, 90_000);
});
