// The versions of the counting and parsing code that key the persistent count cache, and a memo of
// them by the stamps of the files they hash: hashing the 3.5 MB tokenizer worker and the 11 MB of
// tree-sitter grammars took 10-15 ms and 70 ms of every CLI run that used them.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { racyChangeMarginMs } from '../core/scan/contextCounter';
import { uniqueWriterId, writeThenRename } from './atomicWrite';
import { nodeCrypto } from './lazyBuiltins';

/**
 * The version of the counting code: the first 16 hex digits of the SHA-256 of the tokenizer worker
 * script. Everything a count depends on besides the content and the tokenizer id (the tiktoken
 * ranks, the tokenizer.json parser, file decoding, the secret rules) is bundled into that script,
 * so a new build never reuses an old build's counts. (Under tsc, where the worker imports other
 * files, only the worker's own file is hashed: fine for tests, which use fresh directories.)
 * With `memoDirectory` (the cache's folder) the version is remembered by the script's stamp.
 */
export function countingCodeVersion(workerScript: string, memoDirectory?: string): Promise<string> {
  return remembered(
    memoDirectory,
    'counting',
    async () => [workerScript],
    async () => {
      return nodeCrypto()
        .createHash('sha256')
        .update(await fsp.readFile(workerScript))
        .digest('hex')
        .slice(0, 16);
    },
  );
}

/**
 * The version of the parsing code: the first 16 hex digits of the SHA-256 of the syntax worker
 * script (query captures, outline rules, import extraction) and of every grammar file it loads
 * (`wasmDir`'s `.wasm` files: a grammar update changes trees without changing the worker).
 * With `memoDirectory` the version is remembered by the stamps of those files.
 */
export function parsingCodeVersion(workerScript: string, wasmDir: string, memoDirectory?: string): Promise<string> {
  const grammars = async (): Promise<string[]> => (await fsp.readdir(wasmDir)).filter((name) => name.endsWith('.wasm')).sort();
  return remembered(
    memoDirectory,
    'parsing',
    async () => [workerScript, ...(await grammars()).map((name) => path.join(wasmDir, name))],
    async () => {
      const hash = nodeCrypto()
        .createHash('sha256')
        .update(await fsp.readFile(workerScript));
      for (const name of await grammars()) hash.update(name).update(await fsp.readFile(path.join(wasmDir, name)));
      return hash.digest('hex').slice(0, 16);
    },
  );
}

/**
 * The version of the planning code (what ranks files and makes a drop plan, and what prints it): the
 * first 16 hex digits of the SHA-256 of `programFiles`, the files the running program is made of.
 * In the CLI bundle that is `cli.js` alone; under tsc it is every compiled file (see the CLI's
 * planReplay.ts). With `memoDirectory` the version is remembered by the files' stamps.
 */
export function planningCodeVersion(programFiles: () => Promise<string[]>, memoDirectory?: string): Promise<string> {
  return remembered(memoDirectory, 'planning', programFiles, async () => {
    const hash = nodeCrypto().createHash('sha256');
    for (const file of await programFiles()) hash.update(file).update(await fsp.readFile(file));
    return hash.digest('hex').slice(0, 16);
  });
}

/** The memo's file name in the cache folder (versioned like the cache's families). */
export const codeVersionMemoName = 'code-versions-v1.json';

interface MemoEntry {
  readonly stamps: readonly string[];
  readonly version: string;
}

/**
 * `compute()`, or the version remembered for `name` when every file it hashes has the stamp it had
 * then (path, size, mtime and ctime in ns, inode, device: what git's index compares). The stamps are
 * taken before hashing, so a file that changes meanwhile only makes the next run hash again. A file
 * changed within {@link racyChangeMarginMs} of now is not remembered (git's racily-clean rule). The
 * memo is an optimisation: reading or writing it never fails the version.
 */
async function remembered(
  memoDirectory: string | undefined,
  name: string,
  listFiles: () => Promise<string[]>,
  compute: () => Promise<string>,
): Promise<string> {
  if (memoDirectory === undefined) return compute();
  const memoFile = path.join(memoDirectory, codeVersionMemoName);
  let stamps: string[];
  let newestChangeMs = 0;
  try {
    stamps = await Promise.all(
      (await listFiles()).map(async (file) => {
        const stat = await fsp.stat(file, { bigint: true });
        newestChangeMs = Math.max(newestChangeMs, Number(stat.ctimeMs), Number(stat.mtimeMs));
        return `${file}|${stat.size}|${stat.mtimeNs}|${stat.ctimeNs}|${stat.ino}|${stat.dev}`;
      }),
    );
  } catch {
    return compute();
  }
  const memo = await readMemo(memoFile);
  const known = memo[name];
  if (known && known.stamps.length === stamps.length && known.stamps.every((stamp, i) => stamp === stamps[i])) return known.version;
  const version = await compute();
  if (newestChangeMs < Date.now() - racyChangeMarginMs) {
    const next = JSON.stringify({ ...(await readMemo(memoFile)), [name]: { stamps, version } });
    const temp = `${memoFile}.${uniqueWriterId()}.tmp`;
    try {
      await fsp.mkdir(memoDirectory, { recursive: true });
      await writeThenRename(temp, memoFile, next);
    } catch {
      // Not remembered: the next start hashes the files again.
    }
  }
  return version;
}

/** The memo's entries that check out (anything else is ignored: it is only ever recomputed). */
async function readMemo(memoFile: string): Promise<Record<string, MemoEntry>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(memoFile, 'utf8'));
  } catch {
    return {};
  }
  const valid: Record<string, MemoEntry> = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return valid;
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const { stamps, version } = (entry ?? {}) as { stamps?: unknown; version?: unknown };
    if (
      typeof version === 'string' &&
      /^[0-9a-f]{16}$/.test(version) &&
      Array.isArray(stamps) &&
      stamps.every((s) => typeof s === 'string')
    ) {
      valid[name] = { stamps: stamps as string[], version };
    }
  }
  return valid;
}
