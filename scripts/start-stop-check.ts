/**
 * `node --import tsx scripts/start-stop-check.ts`: runs the built app (`node dist/main.js`, build it first) with
 * the Node.js running this script against the Slack stand-in, then stops it with SIGTERM. Prints one line and
 * exits 0 when it connected, answered `/visen help` and exited 0 within 10 s. Used by scripts/node-matrix.mjs.
 */
import { resolve } from 'node:path';
import { startAndStopAgainstSlack } from '../tests/support/start-stop.js';

const repoRoot = resolve(import.meta.dirname, '..');
const result = await startAndStopAgainstSlack({
  command: process.execPath,
  args: ['dist/main.js'],
  cwd: repoRoot,
  stopTimeoutMs: 10_000,
  env: { LOG_LEVEL: 'info' },
});
const ok = result.connected && result.answeredHelp && result.stoppedInTime && result.exitCode === 0;
console.log(
  `start/stop on Node ${process.version}: connected=${result.connected} answered=${result.answeredHelp} ` +
    `stopped=${result.stoppedInTime} exit=${result.exitCode ?? result.exitSignal}`,
);
if (!ok) console.log(result.output);
process.exit(ok ? 0 : 1);
