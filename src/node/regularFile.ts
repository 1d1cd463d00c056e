import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, statfsSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ReadRefusedError } from '../core/scan/workspaceFs';
import { formatBytes } from '../core/units';

/**
 * Opening flags for every file Context Budget reads. O_NONBLOCK: opening a FIFO for reading must not
 * wait for a writer, and a read of one that slipped through returns EAGAIN instead of waiting.
 * O_NOCTTY: a terminal device never becomes our controlling terminal. Both are 0 on Windows, where
 * they do not exist (and FIFOs are not files). See open(2): https://man7.org/linux/man-pages/man2/open.2.html
 */
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Linux `statfs` f_type values of file systems whose files are generated as they are read: they
 * report size 0 and may never reach an end (`/proc/kmsg` streams kernel messages forever) or block.
 * Values from torvalds/linux@04d9765bd22ed96c8f05949d02fcdd60ce30b717:include/uapi/linux/magic.h;
 * tracefs, cgroup2 and bpf from statfs(2): https://man7.org/linux/man-pages/man2/statfs.2.html
 */
const pseudoFileSystems = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
]);

/** Bytes per read call once a file turns out larger than its stat said (it is growing). */
const growthChunkBytes = 1 << 20;

/** What a location is when it is not a regular file, for messages. */
export function describeNonRegular(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device (like /dev/zero)';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function notRegular(stats: Stats): ReadRefusedError {
  return new ReadRefusedError('notRegularFile', `${describeNonRegular(stats)}, not a regular file: not opened for reading`);
}

/** The pseudo file system holding `filePath`, or undefined for a real one (or where statfs is unavailable). */
async function pseudoFileSystemOf(filePath: string): Promise<string | undefined> {
  try {
    return pseudoFileSystems.get(Number((await fsp.statfs(filePath)).type));
  } catch {
    return undefined;
  }
}

/**
 * Opens a regular file for reading, never blocking: what the path names is checked with stat before
 * opening (a device is never opened at all), then the opened descriptor is checked again with fstat
 * (the path may have been swapped for a FIFO in between). Zero-size files on /proc-like pseudo file
 * systems are refused: their content is generated on read and may never end.
 *
 * @throws ReadRefusedError (reason `notRegularFile`) for FIFOs, devices, sockets, folders and pseudo-files;
 *   the usual Node errors (ENOENT, EACCES, …) otherwise.
 */
export async function openRegularFile(filePath: string): Promise<{ readonly handle: FileHandle; readonly stats: Stats }> {
  const before = await fsp.stat(filePath);
  if (!before.isFile()) throw notRegular(before);
  const handle = await fsp.open(filePath, openFlags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(stats);
    if (stats.size === 0) {
      const pseudo = await pseudoFileSystemOf(filePath);
      if (pseudo !== undefined) {
        throw new ReadRefusedError(
          'notRegularFile',
          `a ${pseudo} pseudo-file (size 0, content generated as it is read, possibly without end): not read`,
        );
      }
    }
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Reads a whole regular file, at most `maxBytes` of it: the size from fstat is checked before any
 * allocation, and the read stops one byte past the cap, so a file that grows while it is read (or
 * never ends) costs at most `maxBytes + 1` bytes of memory.
 *
 * @throws ReadRefusedError `notRegularFile` (see {@link openRegularFile}) or `tooLarge`.
 */
export async function readRegularFile(filePath: string, maxBytes: number): Promise<Buffer> {
  const { handle, stats } = await openRegularFile(filePath);
  try {
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes, false);
    // One byte more than the size said, to see whether the file has grown since.
    let buffer = Buffer.allocUnsafe(Math.min(stats.size + 1, maxBytes + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(length, maxBytes, true);
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, length + growthChunkBytes));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const requested = buffer.length - length;
      const { bytesRead } = await handle.read(buffer, length, requested, length);
      length += bytesRead;
      // A short read of a regular file is its end (read(2)); this saves a second read per file.
      if (bytesRead < requested) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readRegularFile} with the synchronous calls, for the CLI (its thread has nothing else to do;
 * the promise-based calls cost it several thread-pool round trips per file). The same checks in the
 * same order: a stat before opening (devices are never opened), O_NONBLOCK, fstat on the opened
 * descriptor, pseudo-files refused, the size capped before allocating, at most `maxBytes + 1` read.
 */
export function readRegularFileSync(filePath: string, maxBytes: number): Buffer {
  const before = statSync(filePath);
  if (!before.isFile()) throw notRegular(before);
  const fd = openSync(filePath, openFlags);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(stats);
    if (stats.size === 0) {
      let pseudo: string | undefined;
      try {
        pseudo = pseudoFileSystems.get(Number(statfsSync(filePath).type));
      } catch {
        pseudo = undefined;
      }
      if (pseudo !== undefined) {
        throw new ReadRefusedError(
          'notRegularFile',
          `a ${pseudo} pseudo-file (size 0, content generated as it is read, possibly without end): not read`,
        );
      }
    }
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes, false);
    let buffer = Buffer.allocUnsafeSlow(Math.min(stats.size + 1, maxBytes + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(length, maxBytes, true);
        const grown = Buffer.allocUnsafeSlow(Math.min(maxBytes + 1, length + growthChunkBytes));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const requested = buffer.length - length;
      const bytesRead = readSync(fd, buffer, length, requested, length);
      length += bytesRead;
      if (bytesRead < requested) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number, maxBytes: number, grew: boolean): ReadRefusedError {
  return new ReadRefusedError(
    'tooLarge',
    grew
      ? `more than the ${formatBytes(maxBytes)} limit (it grew while it was read; read stopped at ${bytes.toLocaleString('en-US')} bytes)`
      : `${formatBytes(bytes)} is larger than the ${formatBytes(maxBytes)} limit`,
  );
}
