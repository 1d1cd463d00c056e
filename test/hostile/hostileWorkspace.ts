// Builds hostile workspaces on disk for test/unit/hostile: binaries, huge and one-line files, broken
// encodings, odd line separators, symlink loops and escapes, a FIFO, unlistable folders, 100k tiny
// files, a maze of nested .gitignore negations and file names no one should have to handle.
// Every entry carries the outcome the CLI and the core must give it, so tests compare against a
// list written down here rather than against whatever the code happens to do. Not a test file itself.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, realpathSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EntryKind, EntryStat, ReadFileOptions, SkipReason, WorkspaceFs } from '../../src/core/scan/workspaceFs';
import { minifiedJs, seededRandom } from '../unit/tokenizer/oracleSupport';

/** What the CLI and the core must do with one path of the fixture. */
export type Expectation =
  /** Counted exactly: `text` is what a model would receive (the oracle counts it). */
  | { readonly kind: 'counted'; readonly text: string; readonly note?: RegExp }
  /** Listed in `files[]` with status `skipped` (decided after reading: binary content). */
  | { readonly kind: 'skippedWhenCounting'; readonly message: RegExp }
  /** Listed in `skipped[]` by the scanner with this reason code (folders end in `/`). */
  | { readonly kind: 'skippedWhenScanning'; readonly reason: SkipReason; readonly message: RegExp }
  /** Left out by .gitignore or a default exclude below the top level: neither counted nor listed. */
  | { readonly kind: 'ignored' };

export interface HostileEntry {
  /** Posix path relative to the workspace root, as the CLI prints it; folders end in `/`. */
  readonly path: string;
  readonly expect: Expectation;
}

export interface HostileWorkspace {
  /** Temp folder holding the workspace and the outside folder. */
  readonly base: string;
  /** The workspace root. */
  readonly root: string;
  /** A folder next to the workspace that symlinks point into. */
  readonly outside: string;
  readonly entries: readonly HostileEntry[];
  /** True when chmod 000 really denies access (false when running as root). */
  readonly chmodDenies: boolean;
  /** Restores permissions and deletes everything. */
  cleanup(): void;
}

export const mib = 1024 * 1024;

/** Options: sizes can be shrunk for quick local runs; defaults are the ones the issue asks for. */
export interface HostileOptions {
  readonly hugeLogBytes?: number;
  readonly minifiedBytes?: number;
}

/** File names that break naive code: quotes, spaces, Unicode, control characters, HTML, shell and glob syntax. */
export const hostileNames: readonly string[] = [
  `it's "quoted".txt`,
  'with  two spaces and a trailing space .md',
  'ünïcödé 文件 😀.ts',
  'new\nline.txt',
  'tab\there.txt',
  'carriage\rreturn.txt',
  '<img src=x onerror=alert(1)>.md',
  'back\\slash.txt',
  '-dash-first.txt',
  '#hash.txt',
  '!bang.txt',
  'notes [v2] {draft} *star?.txt',
  '$(rm -rf ~) `id`.txt',
  '%2e%2e%2f.txt',
  '...',
  '..dots..txt',
  '\u202Eevil-rtl-override.txt',
  'caf\u00e9-nfc.txt',
  'cafe\u0301-nfd.txt',
  'x'.repeat(240) + '.txt',
];

/** Text files whose content is hostile to a tokenizer or a decoder; each is counted exactly. */
export const hostileTexts: ReadonlyArray<readonly [string, string]> = [
  ['crlf.txt', 'line one\r\nline two\r\n\r\nline four\r\n'],
  ['cr-only.txt', 'classic\rmac\rline\rendings\r'],
  ['nel.txt', 'next\u0085line\u0085separated\u0085 \u0085'],
  ['line-separators.txt', 'para\u2028line\u2029paragraph \u2028\u2028 end'],
  ['mixed-eol.txt', 'a\nb\r\nc\rd\u0085e\u2028f\u2029g\v\fh'],
  ['emoji.md', '👨‍👩‍👧‍👦 family, 🇺🇳 flag, 👍🏽 skin tone, 1️⃣ keycap, ❤️ variation, 🧑🏿‍🚀 astronaut\n'],
  ['cjk.txt', '汉字テスト한국어 日本語の文章。中文标点，全角ＡＢＣ 𠀀𪚥 (astral CJK)\n'],
  ['rtl.txt', 'العربية עברית mixed with English \u202Breversed\u202C\n'],
  ['combining.txt', 'Z\u0351\u0360a\u036b\u0306l\u0315\u034eg\u0326\u0353o\u0358 ' + 'e\u0301'.repeat(50) + '\n'],
  [
    'specials.txt',
    'before <|endoftext|> middle <|fim_prefix|><|fim_middle|><|fim_suffix|> <|im_start|>user<|im_end|> <|endofprompt|> after\n',
  ],
  ['empty.txt', ''],
  ['whitespace.txt', ' \t \n\n\n    \t\t\t     \u00a0\u3000\n'],
  ['fffd-literal.txt', 'a genuine replacement character \uFFFD is content, not an error\n'],
  ['lone-bracket.json', '{"k": "\\ud800 escaped surrogate stays text", "n": [1,2,3]}\n'],
];

/** Bytes of `text` with invalid UTF-8 sequences spliced in: 0xFF, a lone C3, a truncated E2 82. */
function invalidUtf8Bytes(): Buffer {
  return Buffer.concat([
    Buffer.from('valid start '),
    Buffer.from([0xff]),
    Buffer.from(' middle '),
    Buffer.from([0xc3]),
    Buffer.from(' end '),
    Buffer.from([0xe2, 0x82]),
    Buffer.from('\n'),
  ]);
}

/** Decodes like TextDecoder (what the counter does): each maximal invalid subsequence becomes U+FFFD. */
export function lenientUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

function write(root: string, relative: string, content: string | Uint8Array): void {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Writes a file of `bytes` bytes of log-like text in 1 MiB chunks (fast, little memory). */
function writeLargeLog(file: string, bytes: number): void {
  const line = '2024-01-01T00:00:00.000Z INFO request served path=/api/v1/items status=200 ms=12\n';
  const chunk = line.repeat(Math.ceil(mib / line.length)).slice(0, mib);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  let written = 0;
  const parts: string[] = [];
  while (written < bytes) {
    const size = Math.min(mib, bytes - written);
    parts.push(size === mib ? chunk : chunk.slice(0, size));
    written += size;
    if (parts.length === 16 || written >= bytes) {
      writeFileSync(file, parts.join(''), { flag: 'a' });
      parts.length = 0;
    }
  }
}

/** True when this process cannot read a chmod-000 folder (false as root, where chmod does not deny). */
export function chmodDeniesAccess(): boolean {
  const probe = mkdtempSync(path.join(tmpdir(), 'cb-chmod-'));
  const locked = path.join(probe, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o000);
  let denied = false;
  try {
    readdirSync(locked);
  } catch {
    denied = true;
  }
  chmodSync(locked, 0o755);
  rmSync(probe, { recursive: true, force: true });
  return denied;
}

/**
 * The nested .gitignore maze under `maze/`: eight levels, negations that re-include files and
 * folders a parent ignored, anchored patterns, `**`, trailing spaces, CRLF line ends and a rule
 * file that ignores itself. Expectations are written by hand and cross-checked with `git` itself
 * by the tests when git is installed.
 */
function buildMaze(root: string, entries: HostileEntry[]): void {
  const counted = (p: string, text = `content of ${p}\n`): void => {
    write(root, p, text);
    entries.push({ path: p, expect: { kind: 'counted', text } });
  };
  const ignored = (p: string): void => {
    write(root, p, `should never be counted: ${p}\n`);
    entries.push({ path: p, expect: { kind: 'ignored' } });
  };
  counted('maze/.gitignore', '*.log\n!keep*.log\nbuild/\n/top-only.txt\nsecret*\n**/gen/**\n');
  ignored('maze/top-only.txt');
  ignored('maze/a.log');
  counted('maze/keep1.log');
  ignored('maze/build/x.js');
  ignored('maze/secret-plans.txt');
  counted('maze/#not-a-comment.txt');
  counted('maze/l1/.gitignore', '!build/\n*.md\n!README.md\ntrailing-space.txt   \n');
  counted('maze/l1/top-only.txt');
  counted('maze/l1/build/y.js');
  ignored('maze/l1/notes.md');
  counted('maze/l1/README.md');
  ignored('maze/l1/trailing-space.txt');
  ignored('maze/l1/secret/inner.txt');
  counted('maze/l1/l2/.gitignore', '!*.md\n/only-here.txt\n');
  counted('maze/l1/l2/deep.md');
  ignored('maze/l1/l2/only-here.txt');
  ignored('maze/l1/l2/gen/g.ts');
  counted('maze/l1/l2/l3/only-here.txt');
  counted('maze/l1/l2/l3/.gitignore', '*.bak\r\n!ok.bak\r\n');
  ignored('maze/l1/l2/l3/x.bak');
  counted('maze/l1/l2/l3/ok.bak');
  // Ignores everything (itself included) except folders and *.keep; deeper files stay reachable.
  write(root, 'maze/l1/l2/l3/l4/.gitignore', '*\n!*/\n!*.keep\n');
  entries.push({ path: 'maze/l1/l2/l3/l4/.gitignore', expect: { kind: 'ignored' } });
  ignored('maze/l1/l2/l3/l4/a.txt');
  counted('maze/l1/l2/l3/l4/b.keep');
  counted('maze/l1/l2/l3/l4/l5/c.keep');
  ignored('maze/l1/l2/l3/l4/l5/d.txt');
  write(root, 'maze/l1/l2/l3/l4/l5/l6/.gitignore', '!*.txt\n');
  entries.push({ path: 'maze/l1/l2/l3/l4/l5/l6/.gitignore', expect: { kind: 'ignored' } });
  counted('maze/l1/l2/l3/l4/l5/l6/e.txt');
  counted('maze/l1/l2/l3/l4/l5/l6/l7/l8/f.txt');
  ignored('maze/l1/l2/l3/l4/l5/l6/l7/l8/g.md');
}

/**
 * Builds the hostile workspace. The 50 MB log and the 5 MB minified line are real files; the FIFO
 * is made with `mkfifo`. Folders and files that should be unreadable get chmod 000 (only effective
 * when not running as root: see `chmodDenies`).
 */
export function buildHostileWorkspace(options: HostileOptions = {}): HostileWorkspace {
  const base = mkdtempSync(path.join(tmpdir(), 'cb-hostile-'));
  const root = path.join(base, 'workspace');
  const outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const entries: HostileEntry[] = [];
  const counted = (p: string, text: string, note?: RegExp): void => {
    write(root, p, text);
    entries.push({ path: p, expect: { kind: 'counted', text, ...(note ? { note } : {}) } });
  };
  const random = seededRandom(5);
  const randomBytes = (n: number, min = 0, max = 256): Buffer =>
    Buffer.from(Array.from({ length: n }, () => min + Math.floor(random() * (max - min))));

  // Binary files: a known signature names the format; otherwise NUL bytes or undecodable bytes.
  write(
    root,
    'binary/image.png',
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\0\0\0\rIHDR'), randomBytes(2000)]),
  );
  entries.push({ path: 'binary/image.png', expect: { kind: 'skippedWhenCounting', message: /PNG image signature/ } });
  write(root, 'binary/module.wasm', Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), randomBytes(1000)]));
  entries.push({ path: 'binary/module.wasm', expect: { kind: 'skippedWhenCounting', message: /WebAssembly module signature/ } });
  write(
    root,
    'binary/data.sqlite',
    Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from([0x10, 0x00, 0x01, 0x01]), Buffer.alloc(4076)]),
  );
  entries.push({ path: 'binary/data.sqlite', expect: { kind: 'skippedWhenCounting', message: /SQLite database signature/ } });
  write(root, 'binary/nul-in-text.txt', Buffer.concat([Buffer.from('looks like text'), Buffer.from([0]), Buffer.from('but has a NUL')]));
  entries.push({ path: 'binary/nul-in-text.txt', expect: { kind: 'skippedWhenCounting', message: /contains NUL bytes/ } });
  write(root, 'binary/utf16-without-bom.txt', Buffer.from('hello world', 'utf16le'));
  entries.push({ path: 'binary/utf16-without-bom.txt', expect: { kind: 'skippedWhenCounting', message: /contains NUL bytes/ } });
  write(root, 'binary/high-bytes.bin', randomBytes(4096, 0x80, 0x100));
  entries.push({
    path: 'binary/high-bytes.bin',
    expect: { kind: 'skippedWhenCounting', message: /invalid UTF-8 sequences in 4096 bytes/ },
  });

  // Huge files: over the 2 MiB default cap, skipped by the scanner with the sizes in the message.
  const hugeLogBytes = options.hugeLogBytes ?? 50 * mib;
  writeLargeLog(path.join(root, 'big/huge.log'), hugeLogBytes);
  entries.push({
    path: 'big/huge.log',
    expect: { kind: 'skippedWhenScanning', reason: 'tooLarge', message: /is larger than the 2\.00 MiB limit/ },
  });
  const minifiedBytes = options.minifiedBytes ?? 5 * mib;
  write(root, 'big/bundle.min.js', minifiedJs(minifiedBytes, 11));
  // Minified by name: a folder add leaves it out before its size is looked at (--include-generated-files keeps it).
  entries.push({
    path: 'big/bundle.min.js',
    expect: { kind: 'skippedWhenScanning', reason: 'generatedFile', message: /^minified \(\.min\.js\): left out of folder adds/ },
  });

  // Encodings: what reaches the model is counted, with a note where bytes were changed.
  const invalid = invalidUtf8Bytes();
  write(root, 'text/invalid-utf8.txt', invalid);
  entries.push({
    path: 'text/invalid-utf8.txt',
    expect: { kind: 'counted', text: lenientUtf8(invalid), note: /^3 invalid UTF-8 sequence\(s\) counted as U\+FFFD$/ },
  });
  const latin1 = Buffer.from('café résumé naïve façade\n', 'latin1');
  write(root, 'text/latin1.txt', latin1);
  entries.push({
    path: 'text/latin1.txt',
    expect: { kind: 'counted', text: lenientUtf8(latin1), note: /^5 invalid UTF-8 sequence\(s\) counted as U\+FFFD$/ },
  });
  write(root, 'text/bom.ts', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('export const withBom = true;\n')]));
  entries.push({
    path: 'text/bom.ts',
    expect: { kind: 'counted', text: 'export const withBom = true;\n', note: /UTF-8 byte-order mark not counted/ },
  });
  write(root, 'text/utf16le-bom.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 with a BOM: 字 😀\n', 'utf16le')]));
  entries.push({ path: 'text/utf16le-bom.txt', expect: { kind: 'counted', text: 'UTF-16 with a BOM: 字 😀\n' } });
  for (const [name, text] of hostileTexts) counted(`text/${name}`, text);

  // Symlinks: folders are never followed (a loop and an escape); a file link is counted as its target
  // only when the target is inside the selected folder, otherwise skipped naming the target.
  counted('loop/file.txt', 'inside the loop folder\n');
  symlinkSync('..', path.join(root, 'loop/self'));
  entries.push({ path: 'loop/self/', expect: { kind: 'skippedWhenScanning', reason: 'symlinkedDirectory', message: /not followed/ } });
  write(outside, 'secret.txt', 'outside the workspace: never read through a link in the workspace\n');
  write(outside, 'dir/other.txt', 'never reached through the folder link\n');
  symlinkSync(path.join(outside, 'dir'), path.join(root, 'escape-dir'));
  entries.push({ path: 'escape-dir/', expect: { kind: 'skippedWhenScanning', reason: 'symlinkedDirectory', message: /not followed/ } });
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'escape-file.txt'));
  entries.push({
    path: 'escape-file.txt',
    expect: {
      kind: 'skippedWhenScanning',
      reason: 'symlinkOutside',
      message: new RegExp(
        `^symbolic link to a file outside the selected folder → ${escapeRegExp(path.join(realpathSync(outside), 'secret.txt'))}: not read$`,
      ),
    },
  });
  symlinkSync('loop/file.txt', path.join(root, 'inside-link.txt'));
  entries.push({ path: 'inside-link.txt', expect: { kind: 'counted', text: 'inside the loop folder\n' } });
  symlinkSync(path.join(root, 'does-not-exist'), path.join(root, 'dangling'));
  entries.push({ path: 'dangling', expect: { kind: 'skippedWhenScanning', reason: 'brokenSymlink', message: /target does not exist/ } });
  symlinkSync('/dev/zero', path.join(root, 'dev-zero'));
  entries.push({ path: 'dev-zero', expect: { kind: 'skippedWhenScanning', reason: 'notRegularFile', message: /not a regular file/ } });

  // A FIFO: opening it would block forever, so it must never be opened.
  const fifo = spawnSync('mkfifo', [path.join(root, 'pipe')]);
  if (fifo.status !== 0) throw new Error(`mkfifo failed: ${fifo.stderr?.toString() ?? fifo.error?.message ?? ''}`);
  entries.push({ path: 'pipe', expect: { kind: 'skippedWhenScanning', reason: 'notRegularFile', message: /FIFO, socket or device/ } });
  symlinkSync('pipe', path.join(root, 'pipe-link'));
  entries.push({ path: 'pipe-link', expect: { kind: 'skippedWhenScanning', reason: 'notRegularFile', message: /FIFO, socket or device/ } });

  // File names.
  for (const [i, name] of hostileNames.entries()) counted(`names/${name}`, `file number ${i} is called ${name}\n`);

  // Names that are not valid UTF-8 cannot be opened through a string path; the reason must say so,
  // and a sibling with a normal name must still be counted.
  counted('badnames/ok.txt', 'the folder with undecodable names is still listed\n');
  const badName = Buffer.concat([
    Buffer.from(path.join(root, 'badnames') + '/'),
    Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x74, 0x78, 0x74]),
  ]);
  writeFileSync(badName, 'bytes 0xFF in the file name\n');
  entries.push({
    path: 'badnames/bad\uFFFD.txt',
    expect: { kind: 'skippedWhenScanning', reason: 'unreadable', message: /^could not be read: EILSEQ: the name is not valid UTF-8/ },
  });
  const badLink = Buffer.concat([Buffer.from(path.join(root, 'badnames') + '/'), Buffer.from([0x6c, 0x69, 0x6e, 0x6b, 0xfe])]);
  symlinkSync('ok.txt', badLink);
  entries.push({
    path: 'badnames/link\uFFFD',
    expect: { kind: 'skippedWhenScanning', reason: 'unreadable', message: /^could not be read: EILSEQ: the name is not valid UTF-8/ },
  });

  // Deep nesting (60 folders).
  counted(`${Array.from({ length: 60 }, (_, i) => `d${i}`).join('/')}/leaf.txt`, 'sixty folders down\n');

  // Root .gitignore (top-level ignores are listed as skipped), default excludes, and the maze.
  counted('.gitignore', '*.tmp\n!keep.tmp\n');
  write(root, 'scratch.tmp', 'ignored at the top level\n');
  entries.push({ path: 'scratch.tmp', expect: { kind: 'skippedWhenScanning', reason: 'ignored', message: /matched by \.gitignore/ } });
  counted('keep.tmp', 're-included by a negation\n');
  write(root, 'node_modules/pkg/index.js', 'module.exports = 1;\n');
  entries.push({ path: 'node_modules/', expect: { kind: 'skippedWhenScanning', reason: 'excluded', message: /exclude pattern/ } });
  buildMaze(root, entries);

  // Permissions: an unlistable folder and an unreadable file.
  const chmodDenies = chmodDeniesAccess();
  write(root, 'locked/hidden.txt', 'in a folder that cannot be listed\n');
  write(root, 'unreadable.txt', 'a file that cannot be read\n');
  chmodSync(path.join(root, 'locked'), 0o000);
  chmodSync(path.join(root, 'unreadable.txt'), 0o000);
  if (chmodDenies) {
    entries.push({
      path: 'locked/',
      expect: { kind: 'skippedWhenScanning', reason: 'unreadable', message: /folder could not be listed: EACCES/ },
    });
    entries.push({ path: 'unreadable.txt', expect: { kind: 'skippedWhenCounting', message: /could not be read: EACCES/ } });
  } else {
    // Root reads through chmod 000: these are ordinary files then (the WorkspaceFs tests cover denial).
    entries.push({ path: 'locked/hidden.txt', expect: { kind: 'counted', text: 'in a folder that cannot be listed\n' } });
    entries.push({ path: 'unreadable.txt', expect: { kind: 'counted', text: 'a file that cannot be read\n' } });
  }

  return {
    base,
    root,
    outside,
    entries,
    chmodDenies,
    cleanup: () => {
      for (const p of ['locked', 'unreadable.txt']) {
        try {
          chmodSync(path.join(root, p), 0o755);
        } catch {
          // already gone
        }
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** `count` tiny files, 1,000 per folder (`d000/f0000.txt` …), each with distinct content. */
export function buildManyTinyFiles(count: number): {
  readonly root: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly text: string }>;
  cleanup(): void;
} {
  const root = mkdtempSync(path.join(tmpdir(), 'cb-many-'));
  const files: Array<{ path: string; text: string }> = [];
  for (let i = 0; i < count; i++) {
    const dir = `d${String(Math.floor(i / 1000)).padStart(3, '0')}`;
    if (i % 1000 === 0) mkdirSync(path.join(root, dir));
    const rel = `${dir}/f${String(i % 1000).padStart(4, '0')}.txt`;
    const text = `v${i}\n`;
    writeFileSync(path.join(root, rel), text);
    files.push({ path: rel, text });
  }
  return { root, files, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The files `git` itself would list under `subdir` (untracked, not ignored), or undefined without git. */
export function gitVisibleFiles(root: string, subdir: string): string[] | undefined {
  const gitDir = mkdtempSync(path.join(tmpdir(), 'cb-gitdir-'));
  try {
    const env = { ...process.env, GIT_DIR: gitDir, GIT_WORK_TREE: root, GIT_CONFIG_NOSYSTEM: '1', HOME: gitDir };
    if (spawnSync('git', ['init', '-q'], { env, cwd: root }).status !== 0) return undefined;
    const listed = spawnSync(
      'git',
      ['-c', 'core.excludesFile=/dev/null', 'ls-files', '--others', '--exclude-standard', '-z', '--', subdir],
      { env, cwd: root, encoding: 'utf8' },
    );
    if (listed.status !== 0) return undefined;
    return listed.stdout.split('\0').filter(Boolean).sort();
  } catch {
    return undefined;
  } finally {
    rmSync(gitDir, { recursive: true, force: true });
  }
}

/**
 * A WorkspaceFs decorator for failures a real disk produces only by bad luck or as non-root:
 * files deleted between listing and reading, and EACCES on listing or reading.
 */
export class HostileFs implements WorkspaceFs {
  /** Locations deleted from disk (for real) on the first readFile, before the read. */
  readonly vanishOnRead = new Set<string>();
  /** Locations deleted from disk on the first stat, i.e. right after being listed. */
  readonly vanishOnStat = new Set<string>();
  /** Locations whose listing throws EACCES. */
  readonly denyListing = new Set<string>();
  /** Locations whose reading throws EACCES. */
  readonly denyReading = new Set<string>();

  constructor(private readonly inner: WorkspaceFs) {}

  readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    if (this.denyListing.has(location)) return Promise.reject(eacces('scandir', location));
    return this.inner.readDirectory(location);
  }

  stat(location: string): Promise<EntryStat> {
    if (this.vanishOnStat.delete(location)) unlinkSync(location);
    return this.inner.stat(location);
  }

  /** Locations replaced by a FIFO (for real, with mkfifo) on the first readFile, before the read. */
  readonly fifoOnRead = new Set<string>();
  /** Locations rewritten (for real) with this many bytes of text on the first readFile, before the read. */
  readonly growOnRead = new Map<string, number>();

  readFile(location: string, options?: ReadFileOptions): Promise<Uint8Array> {
    if (this.denyReading.has(location)) return Promise.reject(eacces('open', location));
    if (this.vanishOnRead.delete(location)) unlinkSync(location);
    if (this.fifoOnRead.delete(location)) {
      unlinkSync(location);
      const made = spawnSync('mkfifo', [location]);
      if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr?.toString() ?? ''}`);
    }
    const grow = this.growOnRead.get(location);
    if (grow !== undefined) {
      this.growOnRead.delete(location);
      writeFileSync(location, Buffer.alloc(grow, 0x61)); // 'aaaa…': text, so only the size can refuse it
    }
    return this.inner.readFile(location, options);
  }

  join(location: string, name: string): string {
    return this.inner.join(location, name);
  }
}

function eacces(syscall: string, location: string): Error {
  return Object.assign(new Error(`EACCES: permission denied, ${syscall} '${location}'`), {
    code: 'EACCES',
    errno: -13,
    syscall,
    path: location,
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
