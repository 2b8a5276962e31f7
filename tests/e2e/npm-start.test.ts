/**
 * `npm start` as a supervisor runs it (systemd, Docker's CMD ["npm", "start"], pm2): a SIGTERM or SIGINT sent
 * to the pid npm start was given reaches the bot, which stops gracefully, and no `node dist/main.js` is left
 * running afterwards. The start script execs node, so /bin/sh (dash here) does not stay between npm and node.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackStandIn, startSlackStandIn } from '../stand-ins/slack/index.js';
import { exitOf, repoRoot, waitForOutput } from './support/run-main.js';

let slack: SlackStandIn;

beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(async () => {
  await slack?.close();
});

/** Pids of processes running this data directory's `node dist/main.js`, found through their environment-free command line and cwd. */
function botProcesses(): number[] {
  const ps = spawnSync('pgrep', ['-f', '^node dist/main.js$'], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => spawnSync('readlink', [`/proc/${pid}/cwd`], { encoding: 'utf8' }).stdout.trim() === repoRoot);
}

function npmStart(dataDir: string) {
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      VISEN_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

describe('npm start under a supervisor', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    "%s to npm start's own pid stops the bot gracefully and leaves nothing running",
    async (signal) => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-npm-start-')), 'data');
      const npm = npmStart(dataDir);
      try {
        await waitForOutput(npm, /Visen is connected to Slack/, 120_000);
        await slack.waitForConnection();
        expect(botProcesses()).toHaveLength(1);

        npm.kill(signal);
        const exit = await exitOf(npm);
        expect(npm.output()).toContain('Visen stopped');
        expect(exit.code).toBe(0);
        expect(botProcesses()).toEqual([]);
      } finally {
        for (const pid of botProcesses()) process.kill(pid, 'SIGKILL');
      }
    },
    150_000,
  );

  it('does not compile again when nothing changed since the last build', async () => {
    const first = spawnSync('npm', ['run', 'prestart'], { cwd: repoRoot, encoding: 'utf8' });
    expect(first.status).toBe(0);
    const second = spawnSync('npm', ['run', 'prestart'], { cwd: repoRoot, encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(second.stderr).not.toContain('Building Visen');
  }, 120_000);
});
