import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from '../errors.js';
import { dataDirProblem } from './data-dir.js';

export const LOCK_FILE_NAME = 'visen.lock';

/**
 * One process per data directory: two Visen processes on one store would both answer every Slack
 * envelope and resume the same runs twice. The lock file holds the owner's pid; a lock left by a process
 * that no longer exists (a crash, SIGKILL) is taken over.
 */
export function acquireProcessLock(dataDir: string): { release(): void } {
  const file = join(resolve(dataDir), LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirProblem(err, file, 'file');
      const owner = Number.parseInt(readFileSafely(file), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new StoreError(
          'locked',
          `Another Visen process (pid ${owner}) is already running on ${resolve(dataDir)}. Stop it first, or give this one its own VISEN_DATA_DIR.`,
        );
      }
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch {
        // another starter removed it first; the next attempt decides
      }
    }
  }
  throw new StoreError('locked', `Could not take the lock file ${file}; remove it if no Visen process is running.`);
}

function readFileSafely(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
