import { scanGlobs } from './globScan';
import { scanTree, statCandidate } from './scanner';
import type { ScanOptions, ScannedFile } from './scanner';
import type { SkippedEntry, WorkspaceFs } from './workspaceFs';

/**
 * One thing the user asked to add: a file or folder by location, or globs matched against every file
 * under a root. The extension adds Explorer selections and command arguments; the CLI adds its path
 * and glob arguments; both go through {@link intake}, so both accept and skip the same files.
 */
export type IntakeTarget =
  | {
      readonly kind: 'path';
      readonly location: string;
      /** The path shown for it (and the prefix of everything under a folder). */
      readonly relativePath: string;
      /** Prefix of relative paths under a folder; '' at a workspace root. Defaults to `relativePath`. */
      readonly pathPrefix?: string;
      /** Excludes that apply under this target only (VS Code's files.exclude for its folder). */
      readonly extraExcludes?: readonly string[];
    }
  | {
      readonly kind: 'globs';
      /** The folder whose files are matched, with relative paths from it. */
      readonly rootLocation: string;
      readonly patterns: readonly string[];
    };

export type IntakeOptions = Omit<ScanOptions, 'pathPrefix'>;

export interface IntakeResult {
  /** Accepted files, each once, in the order found. */
  readonly files: ScannedFile[];
  readonly skipped: SkippedEntry[];
  /** True when `maxFiles` stopped the intake: some matching files were not added. */
  readonly truncated: boolean;
  /** Glob patterns that matched no file (the user should hear that, not see 0 tokens). */
  readonly unmatchedGlobs: readonly string[];
}

/**
 * Takes files from targets: folders are scanned with the ignore rules, files are taken as they are
 * (the size cap still applies), globs select from a scan of their root. `maxFiles` bounds the whole
 * intake, not each target. A location that cannot be statted is reported as skipped.
 */
export async function intake(fs: WorkspaceFs, targets: readonly IntakeTarget[], options: IntakeOptions): Promise<IntakeResult> {
  const files = new Map<string, ScannedFile>();
  const skipped: SkippedEntry[] = [];
  const unmatchedGlobs: string[] = [];
  let truncated = false;
  const remaining = (): number => Math.max(0, options.maxFiles - files.size);
  for (const target of targets) {
    if (truncated) break;
    if (target.kind === 'globs') {
      // One walk where only matching files count against the limit, so a glob matching 3 files in a
      // 30,000-file tree finds all 3; matches beyond the limit are reported, never dropped silently.
      const result = await scanGlobs(fs, target.rootLocation, target.patterns, { ...options, maxFiles: remaining() });
      for (const file of result.files) files.set(file.location, file);
      skipped.push(...result.skipped);
      unmatchedGlobs.push(...result.unmatched);
      truncated ||= result.truncated;
      continue;
    }
    const stat = await fs.stat(target.location).catch(() => undefined);
    if (!stat) {
      skipped.push({ relativePath: target.relativePath, reason: 'unreadable', message: 'could not be read' });
      continue;
    }
    if (stat.kind === 'directory' || stat.kind === 'symlinkToDirectory') {
      const result = await scanTree(fs, target.location, {
        ...options,
        excludeGlobs: [...options.excludeGlobs, ...(target.extraExcludes ?? [])],
        maxFiles: remaining(),
        pathPrefix: target.pathPrefix ?? target.relativePath,
      });
      for (const file of result.files) files.set(file.location, file);
      skipped.push(...result.skipped);
      truncated ||= result.truncated;
      continue;
    }
    const file = await statCandidate(fs, target.location, target.relativePath, { maxFileBytes: options.maxFileBytes }, skipped);
    if (!file || files.has(file.location)) continue;
    if (remaining() === 0) {
      truncated = true;
      skipped.push({
        relativePath: file.relativePath,
        reason: 'fileLimit',
        message: `not added: the intake stopped after ${options.maxFiles} files (maxFiles)`,
      });
      break;
    }
    files.set(file.location, file);
  }
  return { files: [...files.values()], skipped, truncated, unmatchedGlobs };
}
