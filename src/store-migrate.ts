/**
 * `npm run store:migrate -- --to redis://…`: copies a one-process store (SQLite in the data dir) into the Redis a
 * team of workers will share, once. It reads the data dir and VISEN_SECRET_KEY from the same environment and .env
 * as `npm start`, refuses while Visen runs on that data dir, refuses unless VISEN_SECRET_KEY is the key the saved
 * secrets were sealed with (so every worker can open them), and writes nothing when any key already exists in
 * Redis. It prints counts per kind of record, never a value.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireProcessLock } from './adapters/process-lock.js';
import { decodeKey, readKeyFile } from './adapters/secret-box.js';
import { openLocalStore, STORE_FILE_NAME } from './adapters/store.js';
import { copyStore } from './adapters/store-migration.js';
import { failureDetails, failureMessage, type MigrationPlace, type MigrationStage } from './adapters/store-migration-messages.js';
import { DEFAULT_DATA_DIR, redisStoreLocation } from './config.js';
import { VisenError } from './errors.js';
import { rememberSecretForRedaction } from './log-redaction.js';
import { createLogger } from './logger.js';

const USAGE =
  'usage: npm run store:migrate -- --to redis://host:6379 [--verbose]   (or rediss://:password@host:6380/0; without --to, VISEN_STORE_URL from the environment or .env; --verbose prints the details of a failure, passwords left out)';
/** Most existing keys listed when a copy is refused (the count is always given). */
const LISTED_KEYS = 20;

/** Thrown for what the operator must change before running again: printed as is, exit code 1. */
class Refusal extends Error {}

/** A failure of one step of the migration (not a Refusal): explained by `failureMessage`. */
class StepFailure extends Error {
  constructor(
    readonly stage: MigrationStage,
    readonly place: MigrationPlace,
    options: { cause: unknown },
  ) {
    super(`store:migrate failed (${stage})`, options);
  }
}

async function migrateStore(
  { target, verbose }: { target: RedisTarget; verbose: boolean },
  env: Readonly<Record<string, string | undefined>>,
  print: (line: string) => void,
): Promise<void> {
  const dataDir = resolve(env.VISEN_DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  const place: MigrationPlace = { dataDir, storeFile: join(dataDir, STORE_FILE_NAME), redactedUrl: target.redactedUrl };
  if (!existsSync(place.storeFile)) {
    throw new Refusal(`There is no one-process store in ${dataDir} (no ${STORE_FILE_NAME}). Set VISEN_DATA_DIR to the data dir Visen ran with.`);
  }
  const step = async <T>(stage: MigrationStage, fn: () => Promise<T> | T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof Refusal ? err : new StepFailure(stage, place, { cause: err });
    }
  };
  await step('source', () => checkSecretKey(dataDir, env.VISEN_SECRET_KEY));
  const lock = await step('source', () => takeLock(dataDir));
  // The stores' warnings are raw error text: printed only with --verbose; the failure's own message says what to do.
  const logger = createLogger({ level: verbose ? 'warn' : 'error', destination: process.stderr, pretty: false });
  try {
    const source = await step('source', () => openLocalStore(dataDir, logger));
    try {
      const { openRedisStore } = await import('./adapters/redis-store.js');
      const redis = await step('target', () => openRedisStore(target, logger));
      try {
        const outcome = await step('copy', () => copyStore(source, redis));
        if (!outcome.ok) throw new Refusal(existingKeysRefusal(outcome.existing, target.redactedUrl));
        printCopied(outcome.copied, dataDir, target.redactedUrl, print);
      } finally {
        await redis.close();
      }
    } finally {
      await source.close();
    }
  } finally {
    lock.release();
  }
}

function existingKeysRefusal(existing: readonly string[], redactedUrl: string): string {
  const listed = existing.slice(0, LISTED_KEYS).map((key) => `  - ${key}`);
  const more = existing.length > LISTED_KEYS ? [`  … and ${existing.length - LISTED_KEYS} more`] : [];
  return [
    `Nothing was copied: ${existing.length} of the keys to copy already exist in ${redactedUrl}, and store:migrate never overwrites:`,
    ...listed,
    ...more,
    'Migrate into an empty Redis (or another database number, redis://host:6379/1), or delete those keys there first.',
  ].join('\n');
}

function printCopied(copied: ReadonlyMap<string, number>, dataDir: string, redactedUrl: string, print: (line: string) => void): void {
  const total = [...copied.values()].reduce((a, b) => a + b, 0);
  print(`Copied ${total} record(s) from ${dataDir} into ${redactedUrl}:`);
  for (const [kind, count] of [...copied].sort(([a], [b]) => a.localeCompare(b))) print(`  ${kind}: ${count}`);
  print('Start every worker with VISEN_STORE_URL set to that Redis and this same VISEN_SECRET_KEY. The data dir is left as it was (keep it as a backup).');
}

type RedisTarget = NonNullable<ReturnType<typeof redisStoreLocation>>;

/** `--to`, else VISEN_STORE_URL (which keeps a password out of the shell's history and of `ps`); and `--verbose`. */
function parseArguments(argv: readonly string[], storeUrl: string | undefined): { target: RedisTarget; verbose: boolean } {
  let values: { to?: string | undefined; verbose?: boolean | undefined };
  try {
    values = parseArgs({ args: [...argv], options: { to: { type: 'string' }, verbose: { type: 'boolean' } }, allowPositionals: false }).values;
  } catch (err) {
    throw new Refusal(`${(err as Error).message}\n${USAGE}`);
  }
  const to = values.to ?? (storeUrl?.trim() || undefined);
  if (!to) throw new Refusal(`--to is missing: the Redis the team will use (or set VISEN_STORE_URL).\n${USAGE}`);
  // The message never repeats the URL: it may hold a password.
  const target = redisStoreLocation(to.trim());
  if (!target) throw new Refusal(`${values.to === undefined ? 'VISEN_STORE_URL' : '--to'} must be a Redis URL such as redis://redis.internal:6379.\n${USAGE}`);
  // Whatever a failure's details say, the password is never printed.
  rememberSecretForRedaction(passwordOf(target.url));
  return { target, verbose: values.verbose === true };
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Secrets are sealed with VISEN_SECRET_KEY when set, else with the data dir's key file; workers use
 * VISEN_SECRET_KEY only. So it must be set, and equal the key file where one exists. No key is ever printed.
 */
function checkSecretKey(dataDir: string, configuredText: string | undefined): void {
  const keyFile = readKeyFile(dataDir);
  const fromFile = `put the key from ${keyFile.path} in .env as VISEN_SECRET_KEY (for example: echo "VISEN_SECRET_KEY=$(cat ${keyFile.path})" >> .env), give every worker that same .env, and run store:migrate again.`;
  if (!configuredText?.trim()) {
    throw new Refusal(
      keyFile.key
        ? `VISEN_SECRET_KEY is not set. The saved secrets in ${dataDir} are sealed with the key in ${keyFile.path}, and team workers read only VISEN_SECRET_KEY: ${fromFile}`
        : `VISEN_SECRET_KEY is not set. Set it to the key Visen ran with on ${dataDir} (the saved secrets are sealed with it), here and on every worker.`,
    );
  }
  const configured = decodeKey(configuredText);
  if (!configured) throw new Refusal('VISEN_SECRET_KEY must be 32 bytes written as 64 hex characters or 44 base64 characters.');
  if (keyFile.key && !keyFile.key.equals(configured)) {
    throw new Refusal(
      `VISEN_SECRET_KEY is not the key in ${keyFile.path}, which sealed the saved secrets in ${dataDir}, so the team could not open them: ${fromFile} (If Visen ran on this data dir with VISEN_SECRET_KEY set, that file is left from before: move it out of the data dir.)`,
    );
  }
}

function takeLock(dataDir: string): { release(): void } {
  try {
    return acquireProcessLock(dataDir);
  } catch (err) {
    if (err instanceof VisenError && err.code === 'locked') {
      throw new Refusal(`Visen is running on ${dataDir}: stop it first, so the store does not change while it is copied. (${err.userMessage})`);
    }
    throw err;
  }
}

async function main(): Promise<number> {
  // Values already in the environment win over the .env file, as for `npm start`.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let verbose = false;
  try {
    const parsed = parseArguments(process.argv.slice(2), process.env.VISEN_STORE_URL);
    verbose = parsed.verbose;
    await migrateStore(parsed, process.env, (line) => console.log(line));
    return 0;
  } catch (err) {
    console.error(`store:migrate: ${explain(err)}`);
    if (verbose && !(err instanceof Refusal)) console.error(`details:\n${failureDetails(err instanceof StepFailure ? err.cause : err)}`);
    return 1;
  }
}

function explain(err: unknown): string {
  if (err instanceof Refusal) return err.message;
  if (err instanceof StepFailure) return failureMessage(err.cause, err.stage, err.place);
  return `store:migrate failed unexpectedly. Nothing was copied. Run it again with --verbose to see the details; if it keeps failing, report them.`;
}

void main().then((code) => process.exit(code));
