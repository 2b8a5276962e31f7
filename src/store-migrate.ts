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
import { DEFAULT_DATA_DIR, redisStoreLocation } from './config.js';
import { VisenError } from './errors.js';
import { createLogger } from './logger.js';

const USAGE =
  'usage: npm run store:migrate -- --to redis://host:6379   (or rediss://:password@host:6380/0; without --to, VISEN_STORE_URL from the environment or .env)';
/** Most existing keys listed when a copy is refused (the count is always given). */
const LISTED_KEYS = 20;

/** Thrown for what the operator must change before running again: printed as is, exit code 1. */
class Refusal extends Error {}

async function migrateStore(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, print: (line: string) => void): Promise<void> {
  const target = parseTarget(argv, env.VISEN_STORE_URL);
  const dataDir = resolve(env.VISEN_DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  if (!existsSync(join(dataDir, STORE_FILE_NAME))) {
    throw new Refusal(`There is no one-process store in ${dataDir} (no ${STORE_FILE_NAME}). Set VISEN_DATA_DIR to the data dir Visen ran with.`);
  }
  checkSecretKey(dataDir, env.VISEN_SECRET_KEY);
  const lock = takeLock(dataDir);
  const logger = createLogger({ level: 'warn', destination: process.stderr, pretty: false });
  try {
    const source = await openLocalStore(dataDir, logger);
    try {
      const { openRedisStore } = await import('./adapters/redis-store.js');
      const redis = await openRedisStore(target, logger);
      try {
        const outcome = await copyStore(source, redis);
        if (!outcome.ok) {
          const listed = outcome.existing.slice(0, LISTED_KEYS).map((key) => `  - ${key}`);
          const more = outcome.existing.length > LISTED_KEYS ? [`  … and ${outcome.existing.length - LISTED_KEYS} more`] : [];
          throw new Refusal(
            [
              `Nothing was copied: ${outcome.existing.length} of the keys to copy already exist in ${target.redactedUrl}, and store:migrate never overwrites:`,
              ...listed,
              ...more,
              'Migrate into an empty Redis (or another database number, redis://host:6379/1), or delete those keys there first.',
            ].join('\n'),
          );
        }
        const total = [...outcome.copied.values()].reduce((a, b) => a + b, 0);
        print(`Copied ${total} record(s) from ${dataDir} into ${target.redactedUrl}:`);
        for (const [kind, count] of [...outcome.copied].sort(([a], [b]) => a.localeCompare(b))) print(`  ${kind}: ${count}`);
        print(
          'Start every worker with VISEN_STORE_URL set to that Redis and this same VISEN_SECRET_KEY. The data dir is left as it was (keep it as a backup).',
        );
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

/** `--to`, else VISEN_STORE_URL (which keeps a password out of the shell's history and of `ps`). */
function parseTarget(argv: readonly string[], storeUrl: string | undefined) {
  let given: string | undefined;
  try {
    given = parseArgs({ args: [...argv], options: { to: { type: 'string' } }, allowPositionals: false }).values.to;
  } catch (err) {
    throw new Refusal(`${(err as Error).message}\n${USAGE}`);
  }
  const to = given ?? (storeUrl?.trim() || undefined);
  if (!to) throw new Refusal(`--to is missing: the Redis the team will use (or set VISEN_STORE_URL).\n${USAGE}`);
  // The message never repeats the URL: it may hold a password.
  const location = redisStoreLocation(to.trim());
  if (!location) throw new Refusal(`${given === undefined ? 'VISEN_STORE_URL' : '--to'} must be a Redis URL such as redis://redis.internal:6379.\n${USAGE}`);
  return location;
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
  try {
    await migrateStore(process.argv.slice(2), process.env, (line) => console.log(line));
    return 0;
  } catch (err) {
    if (err instanceof Refusal) console.error(`store:migrate: ${err.message}`);
    else if (err instanceof VisenError) console.error(`store:migrate: ${err.userMessage}`);
    else console.error(`store:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
