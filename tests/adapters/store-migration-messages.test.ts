/**
 * What `npm run store:migrate` prints when a step fails: for each failure an operator meets (Redis unreachable or
 * refusing the password, the SQLite file locked, not a database or in a folder Visen cannot use, Redis lost part
 * way through the copy) what happened and what to do; for anything else a generic message pointing at --verbose.
 * The Redis password never appears, neither in the message nor in the details. Real failures where they are cheap
 * to make (a closed port, a wrong password, a file of junk); made-up errors for the rest.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore, STORE_UNREACHABLE_MESSAGE } from '../../src/adapters/redis-store.js';
import { openLocalStore, STORE_FILE_NAME } from '../../src/adapters/store.js';
import { CopyFailure } from '../../src/adapters/store-migration.js';
import { failureDetails, failureMessage, type MigrationPlace } from '../../src/adapters/store-migration-messages.js';
import { StoreError } from '../../src/errors.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

const silent = pino({ level: 'silent' });
const PASSWORD = 'migrate-msg-pw-7f3e9a';

function placeFor(dataDir: string, redactedUrl = 'redis://redis.internal:6379'): MigrationPlace {
  return { dataDir, storeFile: join(dataDir, STORE_FILE_NAME), redactedUrl };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('store:migrate failures, Redis side', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (redisAvailable) redis = await startRedis({ password: PASSWORD });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('Redis not listening: says it could not reach Redis at the URL without its password, and what to check', async () => {
    const err = await failureOf(openRedisStore({ url: `redis://:${PASSWORD}@127.0.0.1:1`, redactedUrl: 'redis://127.0.0.1:1' }, silent));
    const message = failureMessage(err, 'target', placeFor('/srv/visen/data', 'redis://127.0.0.1:1'));
    expect(message).toBe(
      'could not reach Redis at redis://127.0.0.1:1 (nothing answers at that host and port): check that Redis is running and reachable from this machine and that --to or VISEN_STORE_URL names it, then run store:migrate again. Nothing was copied.',
    );
    expect(failureDetails(err)).toContain('ECONNREFUSED');
    expect(failureDetails(err)).not.toContain(PASSWORD);
  });

  it.skipIf(!redisAvailable)('a wrong password: says Redis refused the credentials and where to correct them', async () => {
    const url = `redis://:wrong-${PASSWORD}@127.0.0.1:${redis!.port}`;
    const err = await failureOf(openRedisStore({ url, redactedUrl: `redis://127.0.0.1:${redis!.port}` }, silent));
    const message = failureMessage(err, 'target', placeFor('/srv/visen/data', `redis://127.0.0.1:${redis!.port}`));
    expect(message).toBe(
      `Redis at redis://127.0.0.1:${redis!.port} refused the credentials: check the password (and user) in --to or VISEN_STORE_URL, then run store:migrate again. Nothing was copied.`,
    );
    expect(failureDetails(err)).not.toContain(PASSWORD);
  });

  it('Redis lost while checking for existing keys: nothing copied, try again', () => {
    const lost = new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: new Error('no answer within 2000 ms') });
    expect(failureMessage(new CopyFailure('target', 0, 12, { cause: lost }), 'copy', placeFor('/srv/visen/data'))).toBe(
      'lost Redis at redis://redis.internal:6379 while checking which keys exist there (no answer in time): check that Redis is running, then run store:migrate again. Nothing was copied.',
    );
  });

  it('Redis lost part way through the copy: how many records are there now, and how to start again', () => {
    const lost = new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    const message = failureMessage(new CopyFailure('target', 3, 12, { cause: lost }), 'copy', placeFor('/srv/visen/data'));
    expect(message).toContain('lost Redis at redis://redis.internal:6379 after copying 3 of 12 records (the connection was closed).');
    expect(message).toContain(
      'delete the keys starting with visen:: there (or migrate into another database number, redis://host:6379/1), then run store:migrate again.',
    );
    expect(message).toContain('The data dir /srv/visen/data is unchanged.');
  });
});

describe('store:migrate failures, data dir side', () => {
  it('the SQLite file locked by another program: stop the Visen running on it first', () => {
    const busy = new StoreError('locked', 'Visen could not read its local store because another program is holding it.', {
      cause: Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' }),
    });
    expect(failureMessage(new CopyFailure('source', 0, undefined, { cause: busy }), 'copy', placeFor('/srv/visen/data'))).toBe(
      'the one-process store /srv/visen/data/visen.sqlite is locked by another program, most likely a Visen still running on it (perhaps on another machine or container sharing /srv/visen/data): stop it first, then run store:migrate again. Nothing was copied.',
    );
  });

  it('a file that is not an SQLite database: check VISEN_DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'visen-migrate-junk-'));
    writeFileSync(join(dataDir, STORE_FILE_NAME), 'this is not a database, just text that is long enough to be read as a header '.repeat(20));
    const err = await failureOf(openLocalStore(dataDir, silent));
    expect(failureMessage(err, 'source', placeFor(dataDir))).toBe(
      `${join(dataDir, STORE_FILE_NAME)} is not a store Visen can read (not an SQLite database, or damaged): check that VISEN_DATA_DIR is the data dir Visen ran with (restore the file from a backup if it is damaged), then run store:migrate again. Nothing was copied.`,
    );
  });

  it('a data dir Visen cannot use: the data dir’s own words, then run again', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'visen-migrate-file-'));
    writeFileSync(join(parent, 'data'), 'a file where the data dir should be');
    const err = await failureOf(openLocalStore(join(parent, 'data'), silent));
    const message = failureMessage(err, 'source', placeFor(join(parent, 'data')));
    expect(message).toMatch(/is a file, but Visen needs a folder there for its data\. .* Then run store:migrate again\. Nothing was copied\.$/);
  });

  it('anything else: a generic message that points at --verbose, and the details name the error', () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'namespace')");
    const message = failureMessage(err, 'source', placeFor('/srv/visen/data'));
    expect(message).toBe(
      'store:migrate failed unexpectedly while reading the one-process store /srv/visen/data/visen.sqlite. Nothing was copied. Run it again with --verbose to see the details (passwords and keys are left out); if it keeps failing, report them.',
    );
    expect(message).not.toContain('Cannot read properties');
    const details = failureDetails(err);
    expect(details).toContain("TypeError: Cannot read properties of undefined (reading 'namespace')");
    expect(details).toMatch(/\n\s*at /);
  });
});
