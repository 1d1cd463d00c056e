/**
 * Context sets: a named selection (files with their mode, focus and pin flags, and the prompt order)
 * that can be restored later. The extension keeps sets per workspace; a team can share them in a
 * `.context-budget.json` at the repository root, which the extension writes only on an explicit Save
 * Set to Repository and the CLI reads with `--set NAME`. Paths in that file are relative to its folder,
 * with `/` separators, and may not leave it.
 *
 * The file, kept small and diff-friendly (sets sorted by name; `mode`, `focus`, `pinned` omitted when
 * full / false):
 * ```json
 * { "version": 1,
 *   "sets": [{ "name": "auth", "ordered": false,
 *              "files": [{ "path": "src/auth.ts", "focus": true }, { "path": "src/db.ts", "mode": "outline" }] }] }
 * ```
 */
import { describeError, isNotFound } from '../scan/scanner';
import type { WorkspaceFs } from '../scan/workspaceFs';
import type { FileState, SelectionEntry, SelectionSnapshot } from '../selection/selection';
import { decodeFileBytes } from '../tokenizer/fileText';

/** The file name the extension and the CLI look for. */
export const contextSetFileName = '.context-budget.json';

/** Largest `.context-budget.json` read (real ones are a few KB; 1,000 sets of 100 files is under 8 MiB). */
export const maxContextSetFileBytes = 8 * 1024 * 1024;

/** Most sets in one file, and files in one set: bounds on what a hostile file can make us do. */
export const maxSets = 1000;
export const maxFilesPerSet = 100_000;
const maxNameLength = 200;

/** One file of a set. */
export interface ContextSetFile {
  /** Relative to the set's root (the repository folder), `/`-separated. */
  readonly path: string;
  readonly mode: FileState;
  readonly focus: boolean;
  readonly pinned: boolean;
}

/** A named selection. */
export interface ContextSet {
  readonly name: string;
  /** Files in prompt order. */
  readonly files: readonly ContextSetFile[];
  /** True when the order is one the user applied (a reorder); false: files go in path order. */
  readonly ordered: boolean;
}

/** What {@link parseContextSetFile} read. */
export interface ParsedContextSets {
  readonly sets: readonly ContextSet[];
  /** One line per thing that was left out, naming it (`sets[2].files[5].path "../x": …`). */
  readonly problems: readonly string[];
}

/**
 * Reads a `.context-budget.json`. A file that is not JSON or not this format is an error (thrown,
 * naming what is wrong); a bad set or file entry inside a good file is left out with a problem line,
 * so one typo does not lose the team's other sets.
 */
export function parseContextSetFile(text: string): ParsedContextSets {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new Error(`${contextSetFileName} is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new Error(`${contextSetFileName} must hold a JSON object with "version" and "sets"`);
  if (value.version !== 1) throw new Error(`${contextSetFileName}: "version" must be 1 (got ${preview(value.version)})`);
  if (!Array.isArray(value.sets)) throw new Error(`${contextSetFileName}: "sets" must be a list (got ${preview(value.sets)})`);
  if (value.sets.length > maxSets) {
    throw new Error(
      `${contextSetFileName}: ${value.sets.length.toLocaleString('en-US')} sets is more than the ${maxSets.toLocaleString('en-US')} read`,
    );
  }
  const sets: ContextSet[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  value.sets.forEach((raw: unknown, i: number) => {
    const where = `sets[${i}]`;
    if (!isRecord(raw)) return void problems.push(`${where} is not an object: left out`);
    const name = raw.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > maxNameLength) {
      return void problems.push(
        `${where}.name must be a non-empty string of at most ${maxNameLength} characters (got ${preview(name)}): set left out`,
      );
    }
    if (names.has(name)) return void problems.push(`${where}: a second set named ${JSON.stringify(name)}: left out (the first is kept)`);
    if (!Array.isArray(raw.files)) return void problems.push(`${where} (${JSON.stringify(name)}).files must be a list: set left out`);
    if (raw.files.length > maxFilesPerSet) {
      return void problems.push(
        `${where} (${JSON.stringify(name)}) lists ${raw.files.length.toLocaleString('en-US')} files, more than the ${maxFilesPerSet.toLocaleString('en-US')} read: set left out`,
      );
    }
    const files: ContextSetFile[] = [];
    const seen = new Set<string>();
    raw.files.forEach((entry: unknown, j: number) => {
      const at = `${where} (${JSON.stringify(name)}).files[${j}]`;
      const parsed = parseSetFile(entry);
      if (typeof parsed === 'string') return void problems.push(`${at}: ${parsed}: left out`);
      if (seen.has(parsed.path)) return void problems.push(`${at}: ${JSON.stringify(parsed.path)} is listed twice: the second is left out`);
      seen.add(parsed.path);
      files.push(parsed);
    });
    names.add(name);
    sets.push({ name, files, ordered: raw.ordered === true });
  });
  return { sets, problems };
}

/** The file text for these sets: sorted by name, two-space indented, one file per line, ending in a newline. */
export function serializeContextSetFile(sets: readonly ContextSet[]): string {
  const sorted = [...sets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const setTexts = sorted.map((set) => {
    const files = set.files.map(
      (file) =>
        `        ${JSON.stringify({ path: file.path, ...(file.mode !== 'full' ? { mode: file.mode } : {}), ...(file.focus ? { focus: true } : {}), ...(file.pinned ? { pinned: true } : {}) })}`,
    );
    return `    {\n      "name": ${JSON.stringify(set.name)},\n      "ordered": ${set.ordered},\n      "files": [${files.length > 0 ? `\n${files.join(',\n')}\n      ` : ''}]\n    }`;
  });
  return `{\n  "version": 1,\n  "sets": [${setTexts.length > 0 ? `\n${setTexts.join(',\n')}\n  ` : ''}]\n}\n`;
}

/** `sets` with `set` added, or replacing the set of the same name. */
export function withSet(sets: readonly ContextSet[], set: ContextSet): ContextSet[] {
  return [...sets.filter((existing) => existing.name !== set.name), set];
}

/**
 * The set for a selection snapshot. `relativeOf` maps a URI to its path under the set's root, or
 * null when the file lies outside it; such files are returned in `outside` instead.
 */
export function setFromSnapshot(
  name: string,
  snapshot: SelectionSnapshot,
  relativeOf: (uri: string) => string | null,
): { readonly set: ContextSet; readonly outside: readonly string[] } {
  const files: ContextSetFile[] = [];
  const outside: string[] = [];
  for (const entry of snapshot.entries) {
    const path = relativeOf(entry.uri);
    if (path === null || checkSetPath(path) !== null) {
      outside.push(entry.relativePath);
      continue;
    }
    files.push({ path, mode: entry.included ? entry.mode : 'dropped', focus: entry.focus, pinned: entry.pinned });
  }
  return { set: { name, files, ordered: snapshot.customOrder !== null }, outside };
}

/**
 * The selection snapshot that restores `set`. `locate` maps a set path to the file's URI and the
 * relative path the views show. A `dropped` file comes back listed but unchecked (in full mode when
 * it is checked again: a set stores one state per file).
 */
export function snapshotFromSet(
  set: ContextSet,
  locate: (path: string) => { readonly uri: string; readonly relativePath: string },
): SelectionSnapshot {
  const entries: SelectionEntry[] = set.files.map((file) => {
    const { uri, relativePath } = locate(file.path);
    return {
      uri,
      relativePath,
      included: file.mode !== 'dropped',
      focus: file.focus,
      pinned: file.pinned,
      mode: file.mode === 'outline' ? 'outline' : 'full',
    };
  });
  return { version: 1, entries, customOrder: set.ordered ? entries.map((entry) => entry.uri) : null };
}

/** Why `path` cannot be a set path (absolute, climbing out, backslashes, empty segments, control characters), or null. */
export function checkSetPath(path: string): string | null {
  if (path === '' || path.length > 4096) return 'a path must be 1 to 4,096 characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    return `${JSON.stringify(path)} is absolute; paths are relative to the folder of ${contextSetFileName}`;
  }
  if (path.includes('\\')) return `${JSON.stringify(path)} uses "\\"; write paths with "/"`;
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'a path may not hold control characters';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return `${JSON.stringify(path)} leaves the folder of ${contextSetFileName}`;
  if (segments.some((segment) => segment === '' || segment === '.')) return `${JSON.stringify(path)} has an empty or "." segment`;
  return null;
}

function parseSetFile(entry: unknown): ContextSetFile | string {
  if (!isRecord(entry)) return 'not an object with a "path"';
  if (typeof entry.path !== 'string') return `"path" must be a string (got ${preview(entry.path)})`;
  const pathProblem = checkSetPath(entry.path);
  if (pathProblem !== null) return pathProblem;
  const mode = entry.mode === undefined ? 'full' : entry.mode;
  if (mode !== 'full' && mode !== 'outline' && mode !== 'dropped') {
    return `"mode" must be "full", "outline" or "dropped" (got ${preview(entry.mode)})`;
  }
  for (const flag of ['focus', 'pinned'] as const) {
    if (entry[flag] !== undefined && typeof entry[flag] !== 'boolean') {
      return `"${flag}" must be true or false (got ${preview(entry[flag])})`;
    }
  }
  return { path: entry.path, mode, focus: entry.focus === true, pinned: entry.pinned === true };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads and parses the `.context-budget.json` at `location` through the file-system port, bounded by
 * {@link maxContextSetFileBytes}. Null when there is no such file; throws with a message naming the
 * file when it cannot be read, is not UTF-8 text, or is not this format.
 */
export async function readContextSetFile(fs: WorkspaceFs, location: string): Promise<ParsedContextSets | null> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(location, { maxBytes: maxContextSetFileBytes });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw new Error(`${contextSetFileName} cannot be read: ${describeError(error)}`);
  }
  const decoded = decodeFileBytes(bytes);
  if (decoded.kind !== 'text') throw new Error(`${contextSetFileName} is not a text file (${decoded.reason})`);
  return parseContextSetFile(decoded.text);
}
