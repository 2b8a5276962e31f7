/**
 * `npm run bench`: runs the real app against the local stand-ins over loopback and prints, per figure, the
 * target, the measured value and the verdict. Not part of `npm test`: numbers depend on the machine.
 *
 *   npm run bench                          every scenario, full size (about 5 minutes on 2 cores)
 *   npm run bench -- --quick               smaller sizes and a 5 s idle instead of 60 s (development)
 *   npm run bench -- --only ack,memory     some scenarios: ack, memory, notion, first-content, settings, hostile, row-content, typed, preview, thread,
 *                                          automations (in this process, on a simulated clock)
 *   npm run bench -- --team                team mode's scenarios (several app processes sharing a private Redis):
 *                                          team-limit (one Notion rate limit per integration across 3 workers),
 *                                          team-load (ack bursts of 200 and 600 over 3 workers, Redis commands per row),
 *                                          team-failover (SIGKILL of the worker running a 200-row run at row 80)
 *   npm run bench -- --json bench-results.json   also write the figures as JSON
 *   npm run bench -- --runtime tsx         run the app under tsx instead of compiled JS (memory then includes
 *                                          tsx's loader thread, so the memory verdicts do not apply)
 *
 * The app runs in a child process (the real entry point, src/main.ts compiled as `npm start` runs it), so its
 * resident memory and event loop are its own; bench/support/app-probe.ts is preloaded into it to read the
 * event-loop delay. The stand-ins and this driver run in this process.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runSlackScenarios } from './scenarios/ack-and-memory.js';
import { runAutomationsBench } from './scenarios/automations.js';
import { runFirstContent } from './scenarios/first-content.js';
import { runHostileAnswer } from './scenarios/hostile-answer.js';
import { runNotionThroughput } from './scenarios/notion-throughput.js';
import { runPreview } from './scenarios/preview.js';
import { runRowContent } from './scenarios/row-content.js';
import { runSettingsStore } from './scenarios/settings-store.js';
import { runTeamBench } from './scenarios/team.js';
import { runTeamFailover } from './scenarios/team-failover.js';
import { runTeamLimit } from './scenarios/team-limit.js';
import { runThread } from './scenarios/thread.js';
import { runTypedOutputs } from './scenarios/typed-outputs.js';
import type { AppRuntime } from './support/app-process.js';
import { type Figure, formatTable } from './support/figures.js';

const SINGLE_PROCESS_SCENARIOS = [
  'ack',
  'memory',
  'notion',
  'first-content',
  'settings',
  'hostile',
  'row-content',
  'typed',
  'preview',
  'thread',
  'automations',
] as const;
/** Team mode's scenarios (`--team`): several app processes on one Redis. */
const TEAM_SCENARIOS = ['team-limit', 'team-load', 'team-failover'] as const;
const SCENARIOS = [...SINGLE_PROCESS_SCENARIOS, ...TEAM_SCENARIOS] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: npm run bench -- [--quick] [--team] [--only ${SCENARIOS.join(',')}] [--json <file>] [--runtime dist|tsx]`;

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  team: { type: 'boolean', default: false },
  only: { type: 'string' },
  json: { type: 'string' },
  runtime: { type: 'string', default: 'dist' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>['values'];
  try {
    args = parseArgs({ options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const only = args.only
    ? args.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : args.team
      ? [...TEAM_SCENARIOS]
      : [...SINGLE_PROCESS_SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (args.runtime !== 'dist' && args.runtime !== 'tsx') {
    console.error(`--runtime must be dist or tsx\n${USAGE}`);
    return 2;
  }
  const selected = new Set(only as Scenario[]);
  const quick = args.quick ?? false;
  const runtime = args.runtime as AppRuntime;
  const log = (line: string) => console.error(`[bench] ${line}`);

  const figures: Figure[] = [];
  const problems: string[] = [];
  const run = async (name: string, fn: () => Promise<Figure[]>) => {
    const started = Date.now();
    log(`${name}: starting`);
    try {
      figures.push(...(await fn()));
    } catch (err) {
      problems.push(`${name}: ${(err as Error).stack ?? String(err)}`);
      log(`${name}: FAILED: ${(err as Error).message}`);
    }
    log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  if (selected.has('ack') || selected.has('memory')) {
    await run('ack burst and memory', () => runSlackScenarios({ quick, runtime, log, ack: selected.has('ack'), memory: selected.has('memory') }));
  }
  if (selected.has('notion')) await run('notion throughput', () => runNotionThroughput({ quick, runtime, log }));
  if (selected.has('first-content')) await run('time to first content', () => runFirstContent({ quick, runtime, log }));
  if (selected.has('settings')) await run('settings store', () => runSettingsStore({ quick, log }));
  if (selected.has('hostile')) await run('hostile answers', () => runHostileAnswer({ quick, runtime, log }));
  if (selected.has('row-content')) await run('row context', () => runRowContent({ quick, runtime, log }));
  if (selected.has('typed')) await run('typed outputs', () => runTypedOutputs({ quick, runtime, log }));
  if (selected.has('preview')) await run('preview', () => runPreview({ quick, runtime, log }));
  if (selected.has('thread')) await run('send a thread to Notion', () => runThread({ quick, runtime, log }));
  if (selected.has('automations')) await run('automations', () => runAutomationsBench({ quick, log }));
  if (selected.has('team-limit')) await run('team: one Notion limit per integration', () => runTeamLimit({ quick, runtime, log }));
  if (selected.has('team-load')) await run('team: ack bursts and Redis commands per row', () => runTeamBench({ quick, runtime, log }));
  if (selected.has('team-failover')) await run('team: SIGKILL of the worker running a run', () => runTeamFailover({ quick, runtime, log }));

  const environment = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    runtime,
    quick,
    date: new Date().toISOString(),
  };
  console.log(
    `\nVisen benchmark (${quick ? 'quick' : 'full'}; ${environment.cpus} CPU, Node ${environment.node}, app ${runtime === 'dist' ? 'compiled' : 'under tsx'})\n`,
  );
  console.log(formatTable(figures));
  if (problems.length > 0) console.log(`\nScenarios that could not finish:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  if (args.json) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ environment, figures, problems }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    );
    log(`figures written to ${args.json}`);
  }
  const failed = figures.filter((f) => f.verdict === 'FAIL').length;
  if (failed > 0) console.log(`\n${failed} figure(s) missed their target.`);
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
