import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');
const tsxLoader = join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs');

/**
 * Runs the real entry point (src/main.ts, what `npm start` runs once built) in a child process with exactly
 * the environment given, so a test can send it signals or kill it. `preloads` are test-only modules loaded first.
 */
export function spawnMain(env: Record<string, string>, cwd: string, preloads: string[] = []): ChildProcessWithoutNullStreams & { output(): string } {
  const imports = [tsxLoader, ...preloads].flatMap((file) => ['--import', file]);
  const child = spawn(process.execPath, [...imports, join(repoRoot, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

export async function waitForOutput(child: { output(): string }, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
