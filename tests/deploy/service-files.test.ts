/**
 * The service files in deploy/ run Visen as the README says: the systemd unit's ExecStart, run from its
 * WorkingDirectory with its Environment, connects to Slack (the stand-in), answers, and stops cleanly on its
 * KillSignal within its TimeoutStopSec; the launchd agent runs the same command. The build goes to a temporary
 * folder laid out like an installed copy (package.json, dist/, node_modules), never to this repository's dist/.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis } from '../support/redis.js';
import { startAndStopAgainstSlack } from '../support/start-stop.js';

const repoRoot = resolve(import.meta.dirname, '../..');

/** systemd unit files: `[Section]` headers and `Key=value` lines (repeated keys kept in order). */
function parseUnit(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    else {
      const at = line.indexOf('=');
      const key = `${section}.${line.slice(0, at)}`;
      entries.set(key, [...(entries.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return entries;
}

/** The strings of the plist's ProgramArguments array and its WorkingDirectory. */
function launchdCommand(text: string): { programArguments: string[]; workingDirectory: string | undefined } {
  const array = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1] ?? '';
  const programArguments = [...array.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]!);
  const workingDirectory = /<key>WorkingDirectory<\/key>\s*<string>([^<]*)<\/string>/.exec(text)?.[1];
  return { programArguments, workingDirectory };
}

const unit = parseUnit(readFileSync(join(repoRoot, 'deploy/visen.service'), 'utf8'));
const workerUnit = parseUnit(readFileSync(join(repoRoot, 'deploy/visen-worker@.service'), 'utf8'));
const one = (key: string) => unit.get(key)?.at(-1);
const execStart = (one('Service.ExecStart') ?? '').split(/\s+/);

let installed: string;

/** A built copy laid out like an installed one, shared by the units' tests. */
beforeAll(() => {
  installed = mkdtempSync(join(tmpdir(), 'visen-installed-'));
  copyFileSync(join(repoRoot, 'package.json'), join(installed, 'package.json'));
  symlinkSync(join(repoRoot, 'node_modules'), join(installed, 'node_modules'));
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')]);
}, 120_000);
afterAll(() => {
  if (installed) rmSync(installed, { recursive: true, force: true });
});

describe('deploy/visen.service', () => {
  it('runs node on dist/main.js from the installed folder, with its data in the state directory', () => {
    expect(basename(execStart[0]!)).toBe('node');
    expect(execStart.slice(1)).toEqual(['dist/main.js']);
    expect(one('Service.WorkingDirectory')).toMatch(/^\//);
    expect(unit.get('Service.Environment')).toContain(`VISEN_DATA_DIR=/var/lib/${one('Service.StateDirectory')}`);
    expect(one('Service.KillSignal') ?? 'SIGTERM').toBe('SIGTERM');
  });

  it('its command connects, answers /visen help, and exits 0 on SIGTERM within TimeoutStopSec', async () => {
    // StateDirectory= would create /var/lib/visen; the helper gives the process a fresh data dir instead.
    const environment = Object.fromEntries(
      (unit.get('Service.Environment') ?? []).map((pair) => pair.split('=', 2) as [string, string]).filter(([name]) => name !== 'VISEN_DATA_DIR'),
    );
    const result = await startAndStopAgainstSlack({
      // The node running this test stands in for the unit's /usr/bin/node; WorkingDirectory is the installed copy.
      command: process.execPath,
      args: execStart.slice(1),
      cwd: installed,
      stopTimeoutMs: Number(one('Service.TimeoutStopSec')) * 1000,
      env: environment,
    });
    expect(result).toMatchObject({ connected: true, answeredHelp: true, stoppedInTime: true, exitCode: 0 });
    expect(result.output).toContain('Visen stopped');
  }, 60_000);
});

describe.skipIf(!redisAvailable)('deploy/visen-worker@.service', () => {
  /** The unit's Environment lines as instance `instance` gets them (systemd replaces %i with the instance name). */
  const workerEnvironment = (instance: string) =>
    Object.fromEntries((workerUnit.get('Service.Environment') ?? []).map((pair) => pair.replace(/%i/g, instance).split('=', 2) as [string, string]));

  it('runs the same command as the one-process unit, one health port per instance', () => {
    expect(workerUnit.get('Service.ExecStart')).toEqual(unit.get('Service.ExecStart'));
    expect(workerUnit.get('Service.WorkingDirectory')).toEqual(unit.get('Service.WorkingDirectory'));
    expect(workerEnvironment('1').VISEN_HEALTH_PORT).toBe('8101');
    expect(workerEnvironment('2').VISEN_HEALTH_PORT).toBe('8102');
  });

  it('its command joins the team, answers /visen help and /readyz, and exits 0 on SIGTERM within TimeoutStopSec', async () => {
    const redis = await startRedis();
    let readiness: number | undefined;
    try {
      const result = await startAndStopAgainstSlack({
        command: process.execPath,
        args: (workerUnit.get('Service.ExecStart')?.at(-1) ?? '').split(/\s+/).slice(1),
        cwd: installed,
        stopTimeoutMs: Number(workerUnit.get('Service.TimeoutStopSec')?.at(-1)) * 1000,
        // What the shared .env adds to the unit's own environment.
        env: { ...workerEnvironment('1'), VISEN_STORE_URL: redis.url, VISEN_SECRET_KEY: Buffer.alloc(32, 5).toString('base64') },
        whileConnected: async () => {
          readiness = (await fetch(`http://127.0.0.1:${workerEnvironment('1').VISEN_HEALTH_PORT}/readyz`)).status;
        },
      });
      expect(result).toMatchObject({ connected: true, answeredHelp: true, stoppedInTime: true, exitCode: 0 });
      expect(readiness).toBe(200);
      expect(result.output).toMatch(/"worker":/);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe('deploy/com.visen.slack.plist', () => {
  it('runs the same command as the systemd unit, from its own working directory', () => {
    const agent = launchdCommand(readFileSync(join(repoRoot, 'deploy/com.visen.slack.plist'), 'utf8'));
    expect(basename(agent.programArguments[0]!)).toBe('node');
    expect(agent.programArguments.slice(1)).toEqual(execStart.slice(1));
    expect(agent.workingDirectory).toMatch(/^\//);
  });
});
