/**
 * Start-up with a data directory Visen cannot use (issue 9, item 8): the real entry point in a child process
 * says in words what is wrong with which path and what to do, exits 1, and prints no system message or stack.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirProblem } from '../../src/adapters/data-dir.js';
import { exitOf, spawnMain } from './support/run-main.js';

/** Well-formed tokens: the data directory is opened before Slack is contacted. */
const ENV = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', SLACK_API_URL: 'http://127.0.0.1:9/api/' };

async function startWithDataDir(prepare: (root: string) => string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'visen-datadir-'));
  const child = spawnMain({ ...ENV, VISEN_DATA_DIR: prepare(root) }, root);
  const { code } = await exitOf(child);
  expect(code).toBe(1);
  const output = child.output();
  expect(output).toMatch(/^Visen cannot start: /m);
  expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
  expect(output).not.toMatch(/\b(EEXIST|ENOTDIR|EISDIR|EACCES): /); // no raw system message
  return output;
}

describe('a data directory Visen cannot use', () => {
  it('is a file', { timeout: 30_000 }, async () => {
    const output = await startWithDataDir((root) => {
      writeFileSync(join(root, 'data'), 'not a folder');
      return join(root, 'data');
    });
    expect(output).toMatch(/data \(or a folder above it\) is a file, but Visen needs a folder there .*Move that file away, or set VISEN_DATA_DIR/);
  });

  it('lies below a file', { timeout: 30_000 }, async () => {
    const output = await startWithDataDir((root) => {
      writeFileSync(join(root, 'plain'), 'x');
      return join(root, 'plain', 'data');
    });
    expect(output).toMatch(/is a file, but Visen needs a folder there/);
  });

  it('holds a folder where secret.key should be', { timeout: 30_000 }, async () => {
    const output = await startWithDataDir((root) => {
      mkdirSync(join(root, 'data', 'secret.key'), { recursive: true });
      return join(root, 'data');
    });
    expect(output).toMatch(/secret\.key should be a file but is a folder\. Remove that folder/);
  });

  it('holds a folder where the store file should be', { timeout: 30_000 }, async () => {
    const output = await startWithDataDir((root) => {
      mkdirSync(join(root, 'data', 'visen.sqlite'), { recursive: true });
      return join(root, 'data');
    });
    expect(output).toMatch(/visen\.sqlite should be a file but is a folder/);
  });

  it('holds a folder where the lock file should be', { timeout: 30_000 }, async () => {
    const output = await startWithDataDir((root) => {
      mkdirSync(join(root, 'data', 'visen.lock'), { recursive: true });
      return join(root, 'data');
    });
    expect(output).toMatch(/visen\.lock/);
  });
});

// Permission, full-disk and read-only failures cannot be produced for a test run as root or on a roomy disk;
// these check the words for the codes the system gives.
describe('dataDirProblem', () => {
  const failure = (code: string) => Object.assign(new Error(`${code}: raw system text`), { code });
  it.each([
    ['EACCES', /not allowed to use \/srv\/visen \(permission denied\)\. Give the account running Visen read and write access/],
    ['EPERM', /not allowed to use \/srv\/visen/],
    ['ENOSPC', /The disk holding \/srv\/visen is full .*Free some space/],
    ['EROFS', /read-only file system\. Point VISEN_DATA_DIR at a writable folder/],
    ['EIO', /Visen cannot use \/srv\/visen \(EIO\)\. Check that it is a folder the account running Visen can read and write/],
  ])('%s: words and a fix, not the system text', (code, words) => {
    const problem = dataDirProblem(failure(code), '/srv/visen', 'folder');
    expect(problem.userMessage).toMatch(words);
    expect(problem.userMessage).not.toContain('raw system text');
  });
});
