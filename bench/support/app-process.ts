/**
 * The app under test in its own process: the real entry point (src/main.ts) compiled as `npm start` runs it,
 * or under tsx (`--runtime tsx`), with bench/support/app-probe.ts preloaded to report its event-loop delay.
 * Resident memory is read from /proc/<pid>/status (VmRSS, VmHWM) where Linux has it, else from the probe.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProbeSample } from './app-probe.js';
import { sleep } from './stats.js';

export type AppRuntime = 'dist' | 'tsx';

export const repoRoot = resolve(import.meta.dirname, '../..');
const tsxLoader = join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs');
/** The compiled app, built by the benchmark itself so it never touches `dist/` (what `npm start` built). */
const benchBuildDir = join(repoRoot, 'node_modules/.cache/visen-bench/dist');

export interface AppProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the app printed (bounded to the last 2 MB). */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Event-loop delay and memory as the app sees them. */
  sample(): Promise<ProbeSample>;
  resetProbe(): void;
  /** CPU profile of the app from now until `stopProfile`, written to `file` (.cpuprofile). */
  startProfile(): void;
  stopProfile(file: string): void;
  /** Resident set size now and its high-water mark, in bytes (from /proc when available). */
  memory(): Promise<{ rss: number; peakRss: number; source: 'proc' | 'probe' }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let built = false;

/** Compiles src/ (tsconfig.build.json) into the bench's cache dir, once per run, unless it is up to date. */
export function buildApp(log: (line: string) => void): string {
  const main = join(benchBuildDir, 'main.js');
  if (built) return main;
  if (existsSync(main) && newestMtime(join(repoRoot, 'src')) <= statSync(main).mtimeMs) {
    built = true;
    return main;
  }
  log('compiling the app (tsc -p tsconfig.build.json) for the benchmark');
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', benchBuildDir, '--sourceMap', 'false'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (!existsSync(main)) throw new Error(`could not compile the app:\n${result.stdout}${result.stderr}`);
  if (result.status !== 0) log(`tsc reported type errors (the app was still emitted):\n${result.stdout.slice(0, 2000)}`);
  built = true;
  return main;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function startAppProcess(env: Record<string, string>, o: { runtime: AppRuntime; cwd: string; log: (line: string) => void }): AppProcess {
  const probe = join(repoRoot, 'bench/support/app-probe.ts');
  let args: string[];
  if (o.runtime === 'dist') {
    // The probe is TypeScript: load it through tsx's loader in a way that does not register tsx for the app
    // (a one-off transpile into the cache dir keeps the app process free of tsx's loader thread).
    args = ['--import', compiledProbe(probe), buildApp(o.log)];
  } else {
    args = ['--import', tsxLoader, '--import', probe, join(repoRoot, 'src/main.ts')];
  }
  const child = spawn(process.execPath, args, {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const limit = 2 * 1024 * 1024;
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > limit) output = output.slice(-limit);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  let nextId = 1;
  const pending = new Map<number, (s: ProbeSample) => void>();
  child.on('message', (message: ProbeSample) => {
    if (message?.type !== 'probe:sample') return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );

  const handle: AppProcess = {
    pid: child.pid ?? -1,
    child,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`the app exited (code ${child.exitCode}) before printing ${pattern}:\n${output.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in the app's output:\n${output.slice(-4000)}`);
        await sleep(25);
      }
    },
    sample() {
      const id = nextId++;
      return new Promise<ProbeSample>((resolveSample, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the app process did not answer the probe within 5 s'));
        }, 5_000);
        pending.set(id, (s) => {
          clearTimeout(timer);
          resolveSample(s);
        });
        child.send({ type: 'probe:sample', id });
      });
    },
    startProfile() {
      child.send({ type: 'probe:profile-start' });
    },
    stopProfile(file) {
      child.send({ type: 'probe:profile-stop', file });
    },
    resetProbe() {
      child.send({ type: 'probe:reset' });
    },
    async memory() {
      const status = readProcStatus(child.pid);
      if (status) return { ...status, source: 'proc' as const };
      const s = await handle.sample();
      return { rss: s.rss, peakRss: s.peakRss, source: 'probe' as const };
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  return handle;
}

/** VmRSS and VmHWM (the high-water mark) of a process, in bytes; undefined where /proc is not available. */
export function readProcStatus(pid: number | undefined): { rss: number; peakRss: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    const rss = kb('VmRSS');
    const peakRss = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(peakRss) ? { rss, peakRss } : undefined;
  } catch {
    return undefined;
  }
}

/** The probe as plain JavaScript (type annotations stripped by tsx's esbuild), cached beside the bench build. */
function compiledProbe(source: string): string {
  const out = join(benchBuildDir, '..', 'app-probe.mjs');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return out;
  const esbuild = join(repoRoot, 'node_modules/esbuild/bin/esbuild');
  const result = spawnSync(esbuild, [source, '--format=esm', '--platform=node', `--outfile=${out}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`could not compile the probe: ${result.stderr}`);
  return out;
}
