/**
 * The data directory's failures in words: what is wrong with which path, and what to do. Node's own messages
 * (`EEXIST: file already exists, mkdir …`) say neither, and start-up prints only our words (no stack).
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from '../errors.js';

/** Creates the data directory if needed (mode 0700) and checks that Visen can write in it. */
export function prepareDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw dataDirProblem(err, dir, 'folder');
  }
}

/**
 * A StoreError naming `path` and saying, for the usual system errors, what is wrong and how to fix it.
 * `expected` is what the path should be: the data folder itself, or a file inside it.
 */
export function dataDirProblem(err: unknown, path: string, expected: 'folder' | 'file'): StoreError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const fix = 'or set VISEN_DATA_DIR to another folder';
  const words = (() => {
    switch (code) {
      case 'EEXIST':
      case 'ENOTDIR':
        return expected === 'folder'
          ? `${path} (or a folder above it) is a file, but Visen needs a folder there for its data. Move that file away, ${fix} (Visen creates it).`
          : `A folder on the way to ${path} is a file. Move that file away, ${fix}.`;
      case 'EISDIR':
        return `${path} should be a file but is a folder. Remove that folder (Visen creates the file again), ${fix}.`;
      case 'EACCES':
      case 'EPERM':
        return `Visen is not allowed to use ${path} (permission denied). Give the account running Visen read and write access to it (for example with chown), ${fix}.`;
      case 'EROFS':
        return `${path} is on a read-only file system. Point VISEN_DATA_DIR at a writable folder.`;
      case 'ENOSPC':
      case 'EDQUOT':
        return `The disk holding ${path} is full (or over its quota). Free some space, then start Visen again.`;
      case 'ENAMETOOLONG':
      case 'ELOOP':
        return `The path ${path} is too long or loops through symbolic links. Set VISEN_DATA_DIR to a shorter, plain path.`;
      default:
        return `Visen cannot use ${path}${code ? ` (${code})` : ''}. Check that it is a ${expected} the account running Visen can read and write, ${fix}.`;
    }
  })();
  return new StoreError('unavailable', words, { cause: err });
}
