import { promises as fsp } from 'node:fs';
import { nodeCrypto } from './lazyBuiltins';

/**
 * `<pid>-<12 random hex digits>`, for a temporary file's name: no other process, and no other write
 * of this one, picks the same at the same time.
 */
export function uniqueWriterId(): string {
  return `${process.pid}-${nodeCrypto().randomBytes(6).toString('hex')}`;
}

/** A temporary file older than this was left by a process that died while writing it: it may be removed. */
export const abandonedTemporaryMs = 60 * 60 * 1000;

/**
 * Writes `data` to `temp`, which must not exist yet, then renames it onto `target`: a reader sees
 * the old file or the whole new one, never a torn one (rename is atomic within a file system, POSIX
 * rename(2): https://pubs.opengroup.org/onlinepubs/9699919799/functions/rename.html). On failure the
 * temporary file is removed and the error thrown again.
 */
export async function writeThenRename(temp: string, target: string, data: string | Uint8Array): Promise<void> {
  try {
    await fsp.writeFile(temp, data, { flag: 'wx' });
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
