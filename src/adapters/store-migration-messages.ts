/**
 * `store:migrate`'s failures in words an operator can act on: what happened (which store, how far the copy got)
 * and what to do. Raw error text is never printed here; `failureDetails` gives it, redacted, for `--verbose`.
 */
import { clipForLog, VisenError } from '../errors.js';
import { CopyFailure } from './store-migration.js';

/** The step of the migration that failed: opening the data dir's store, connecting to Redis, or the copy. */
export type MigrationStage = 'source' | 'target' | 'copy';

export interface MigrationPlace {
  readonly dataDir: string;
  readonly storeFile: string;
  /** The Redis URL without its password. */
  readonly redactedUrl: string;
}

const AGAIN = 'then run store:migrate again';
const NOTHING_COPIED = 'Nothing was copied.';
const VERBOSE_HINT = 'Run it again with --verbose to see the details (passwords and keys are left out); if it keeps failing, report them.';

export function failureMessage(err: unknown, stage: MigrationStage, place: MigrationPlace): string {
  if (err instanceof CopyFailure) return copyFailureMessage(err, place);
  if (stage === 'target') return redisFailureMessage(err, place);
  return (
    sourceFailureMessage(err, place) ??
    `store:migrate failed unexpectedly while reading the one-process store ${place.storeFile}. ${NOTHING_COPIED} ${VERBOSE_HINT}`
  );
}

function redisFailureMessage(err: unknown, place: MigrationPlace): string {
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(chainText(err))) {
    return `Redis at ${place.redactedUrl} refused the credentials: check the password (and user) in --to or VISEN_STORE_URL, ${AGAIN}. ${NOTHING_COPIED}`;
  }
  const reason = redisReason(err);
  if (reason === undefined) return `store:migrate failed unexpectedly while connecting to Redis at ${place.redactedUrl}. ${NOTHING_COPIED} ${VERBOSE_HINT}`;
  return `could not reach Redis at ${place.redactedUrl} (${reason}): check that Redis is running and reachable from this machine and that --to or VISEN_STORE_URL names it, ${AGAIN}. ${NOTHING_COPIED}`;
}

function copyFailureMessage(err: CopyFailure, place: MigrationPlace): string {
  if (err.side === 'source') {
    return sourceFailureMessage(err.cause, place) ?? `store:migrate failed unexpectedly while reading ${place.storeFile}. ${NOTHING_COPIED} ${VERBOSE_HINT}`;
  }
  const what = redisReason(err.cause) ?? 'an unexpected error';
  if (err.written === 0) {
    return `lost Redis at ${place.redactedUrl} while checking which keys exist there (${what}): check that Redis is running, ${AGAIN}. ${NOTHING_COPIED}`;
  }
  return [
    `lost Redis at ${place.redactedUrl} after copying ${err.written} of ${err.total ?? '?'} records (${what}).`,
    'Those records are in Redis now, so store:migrate would refuse to run again: once Redis is back, delete the keys',
    `starting with visen:: there (or migrate into another database number, redis://host:6379/1), ${AGAIN}.`,
    `The data dir ${place.dataDir} is unchanged.${redisReason(err.cause) === undefined ? ` ${VERBOSE_HINT}` : ''}`,
  ].join(' ');
}

/** The one-process store's failures we know the fix for, or undefined. */
function sourceFailureMessage(err: unknown, place: MigrationPlace): string | undefined {
  const text = chainText(err);
  if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(text) || (err instanceof VisenError && err.code === 'locked')) {
    return `the one-process store ${place.storeFile} is locked by another program, most likely a Visen still running on it (perhaps on another machine or container sharing ${place.dataDir}): stop it first, ${AGAIN}. ${NOTHING_COPIED}`;
  }
  if (/SQLITE_NOTADB|SQLITE_CORRUPT|not a database|malformed/i.test(text)) {
    return `${place.storeFile} is not a store Visen can read (not an SQLite database, or damaged): check that VISEN_DATA_DIR is the data dir Visen ran with (restore the file from a backup if it is damaged), ${AGAIN}. ${NOTHING_COPIED}`;
  }
  // The data dir's own words (permissions, a file where a folder should be…) already say what to do.
  if (err instanceof VisenError && hasSyscall(err.cause)) return `${err.userMessage} Then run store:migrate again. ${NOTHING_COPIED}`;
  return undefined;
}

/** Why Redis could not be used, in words, for the failures we recognise; undefined for anything else. */
function redisReason(err: unknown): string | undefined {
  const text = chainText(err);
  if (/ECONNREFUSED/.test(text)) return 'nothing answers at that host and port';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'the host name is not known';
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return 'the host cannot be reached from here';
  if (/certificate|SSL|TLS|EPROTO/i.test(text)) return 'the TLS handshake failed: rediss:// to a port without TLS, or a certificate not trusted here';
  if (/timed? ?out|timeout|no answer within/i.test(text)) return 'no answer in time';
  if (/ECONNRESET|socket closed|connection.*closed|ClientClosedError/i.test(text)) return 'the connection was closed';
  return undefined;
}

/**
 * The error and its causes, one line each (type, code, message; secrets redacted, clipped), then where the
 * deepest one was thrown: for `--verbose`.
 */
export function failureDetails(err: unknown): string {
  const lines: string[] = [];
  let deepest: unknown = err;
  for (const e of causeChain(err)) {
    deepest = e;
    const code = (e as { code?: unknown }).code;
    const message = e instanceof VisenError ? e.userMessage : e instanceof Error ? e.message : String(e);
    lines.push(`${e instanceof Error ? e.name : typeof e}${code !== undefined ? ` (${clipForLog(String(code), 100)})` : ''}: ${clipForLog(message)}`);
  }
  const frames = deepest instanceof Error ? (deepest.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)) : [];
  return [...lines, ...frames.slice(0, 12).map((line) => clipForLog(line.trim(), 300))].join('\n');
}

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** Every message and code in the cause chain, to recognise a failure by. */
function chainText(err: unknown): string {
  return causeChain(err)
    .map((e) => `${(e as { code?: unknown }).code ?? ''} ${e instanceof Error ? `${e.name} ${e.message}` : String(e)}`)
    .join('\n');
}

function hasSyscall(err: unknown): boolean {
  return typeof (err as { syscall?: unknown } | undefined)?.syscall === 'string';
}
