// Where a CLI run's files come from besides paths and globs: the files git reports as changed
// (`--changed[=REF]`), a saved context set (`--set NAME`), and the git facts relevance uses (changed
// files as anchors, recent commits as recency). The extension gets the same facts from VS Code's git
// extension; the CLI asks git itself (src/node/gitSignals.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isRecentlyChanged, recentChangeDays } from '../core/relevance/relevance';
import type { IntakeTarget } from '../core/scan/intake';
import type { SkippedEntry, WorkspaceFs } from '../core/scan/workspaceFs';
import { contextSetFileName, readContextSetFile } from '../core/sets/contextSets';
import type { ContextSet } from '../core/sets/contextSets';
import type { Selection } from '../core/selection/selection';
import { gitChangedFiles, gitLastChangeTimes, gitTopLevel } from '../node/gitSignals';
import { UsageError } from './args';

/** The changed files as intake targets: only those under the working folder (the run's scope). */
export interface ChangedFiles {
  readonly targets: IntakeTarget[];
  /** Absolute paths of the changed files added. */
  readonly locations: readonly string[];
  /** Changed files outside the working folder, left out. */
  readonly outside: number;
  /** The merge base compared with, or null for the working tree alone. */
  readonly base: string | null;
}

/** `--changed[=REF]`: git's changed files under `cwd` (a failure of git is a usage error naming it). */
export async function changedFiles(cwd: string, ref: string): Promise<ChangedFiles> {
  let changes;
  try {
    changes = await gitChangedFiles(cwd, ref === '' ? undefined : ref);
  } catch (error) {
    throw new UsageError(`--changed${ref === '' ? '' : `=${ref}`}: ${(error as Error).message}`);
  }
  const targets: IntakeTarget[] = [];
  const locations: string[] = [];
  let outside = 0;
  for (const relativeToRoot of changes.paths) {
    const location = path.join(changes.root, ...relativeToRoot.split('/'));
    const relative = path.relative(cwd, location);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      outside++;
      continue;
    }
    locations.push(location);
    targets.push({ kind: 'path', location, relativePath: relative.split(path.sep).join('/') });
  }
  return { targets, locations, outside, base: changes.base };
}

/**
 * Git facts for relevance: changed files (anchors) and files with a recent commit; empty outside a
 * repository. Never rejects: a failure (or `signal` stopping git) is the facts' problem line.
 */
export async function gitRelevanceFacts(
  cwd: string,
  signal?: AbortSignal,
): Promise<{ readonly changed: readonly string[]; readonly recent: readonly string[]; readonly problem: string | null }> {
  try {
    const topLevel = await gitTopLevel(cwd, signal);
    const options = { topLevel, ...(signal ? { signal } : {}) };
    const [changes, times] = await Promise.all([
      gitChangedFiles(cwd, undefined, options),
      gitLastChangeTimes(cwd, recentChangeDays, options),
    ]);
    const now = Date.now() / 1000;
    const absolute = (relative: string): string => path.join(changes.root, ...relative.split('/'));
    return {
      changed: changes.paths.map(absolute),
      recent: [...times.entries()].filter(([, seconds]) => isRecentlyChanged(seconds, now)).map(([relative]) => absolute(relative)),
      problem: null,
    };
  } catch (error) {
    const message = (error as Error).message;
    // Not a repository (or no git): relevance simply has no git anchors; anything else is worth a line.
    const quiet = /not a git repository|ENOENT|spawn git/i.test(message);
    return { changed: [], recent: [], problem: quiet ? null : message };
  }
}

/** A set from `.context-budget.json` as intake targets, with the file's problems and the set's missing files. */
export interface SetFiles {
  readonly set: ContextSet;
  /** Where the set file is. */
  readonly file: string;
  readonly targets: IntakeTarget[];
  /** Absolute path per set path. */
  readonly locations: ReadonlyMap<string, string>;
  /** Lines about entries of the file that were left out. */
  readonly problems: readonly string[];
  /** Files the set lists that do not exist, as skipped entries. */
  readonly missing: readonly SkippedEntry[];
}

/** `--set NAME`: finds `.context-budget.json` in `cwd` or the nearest folder above it and takes that set. */
export async function setFiles(fs: WorkspaceFs, cwd: string, name: string): Promise<SetFiles> {
  const file = findUp(cwd, contextSetFileName);
  if (file === null) throw new UsageError(`--set ${quote(name)}: no ${contextSetFileName} in ${cwd} or a folder above it.`);
  let parsed;
  try {
    parsed = await readContextSetFile(fs, file);
  } catch (error) {
    throw new UsageError(`--set ${quote(name)}: ${file}: ${(error as Error).message}`);
  }
  const set = parsed?.sets.find((candidate) => candidate.name === name);
  if (!parsed || !set) {
    const names = parsed?.sets.map((candidate) => quote(candidate.name)).join(', ') ?? '';
    throw new UsageError(`--set ${quote(name)}: ${file} has no set of that name${names ? ` (it has ${names})` : ''}.`);
  }
  const root = path.dirname(file);
  const targets: IntakeTarget[] = [];
  const locations = new Map<string, string>();
  const missing: SkippedEntry[] = [];
  for (const entry of set.files) {
    const location = path.join(root, ...entry.path.split('/'));
    const relativePath = path.relative(cwd, location).split(path.sep).join('/');
    locations.set(entry.path, location);
    if (!existsSync(location)) {
      missing.push({ relativePath, reason: 'vanished', message: `listed in set ${quote(name)} of ${contextSetFileName} but not found` });
      continue;
    }
    targets.push({ kind: 'path', location, relativePath });
  }
  return { set, file, targets, locations, problems: parsed.problems, missing };
}

/** Marks the set's files in the selection as the set says: mode, focus, pins, and its order when it has one. */
export function applySet(selection: Selection, loaded: SetFiles): void {
  const present = loaded.set.files.filter((file) => selection.has(loaded.locations.get(file.path)!));
  const uriOf = (file: (typeof present)[number]): string => loaded.locations.get(file.path)!;
  selection.setStates(new Map(present.map((file) => [uriOf(file), file.mode])));
  selection.setFocus(present.filter((file) => file.focus).map(uriOf), true);
  selection.setPinned(present.filter((file) => file.pinned).map(uriOf), true);
  if (loaded.set.ordered) {
    const setOrder = present.map(uriOf);
    const inSet = new Set(setOrder);
    selection.setOrder([
      ...setOrder,
      ...selection
        .ordered()
        .map((entry) => entry.uri)
        .filter((uri) => !inSet.has(uri)),
    ]);
  }
}

function findUp(start: string, name: string): string | null {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function quote(value: string): string {
  return JSON.stringify(value);
}
