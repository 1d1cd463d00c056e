/**
 * The import graph of the selected files, kept up to date file by file. Pure: parse results and
 * project configs in, edges and distances out.
 *
 * Incremental rule: editing a file re-resolves that file alone; adding or removing a file, changing a
 * Go/Java package name or the project config rebuilds the lookup indexes and re-resolves every file,
 * because any import may now land elsewhere (a new `a.ts` shadows `a/index.ts`). Both paths give the
 * same graph as a build from scratch (tested).
 */
import type { ImportFacts } from './extractSyntax';
import { emptyProjectConfig } from './projectConfig';
import type { ProjectConfig } from './projectConfig';
import { ImportResolver } from './resolveImports';

/** How a file is reached from the anchors. */
export interface Reach {
  /** Import steps from the nearest anchor (0 for an anchor itself). */
  readonly distance: number;
  /** The anchor it is reached from (the first in path order among the nearest). */
  readonly anchor: string;
  /** The file one step from the anchor on the way here (null at distance 0 and 1). */
  readonly firstStep: string | null;
  /** The file just before this one on the way (null at distance 0). */
  readonly previous: string | null;
}

/** Distances from a set of anchors. */
export interface AnchorDistances {
  /** Files the anchors import, directly or transitively (the anchors' import closure), and the anchors. */
  readonly dependencies: ReadonlyMap<string, Reach>;
  /** Files that import an anchor, directly or transitively, and the anchors. */
  readonly dependents: ReadonlyMap<string, Reach>;
}

/** Counters for tests of the incremental behaviour. */
export interface ImportGraphStats {
  /** Files resolved since creation. */
  readonly resolutions: number;
  /** Lookup index builds since creation. */
  readonly indexBuilds: number;
}

/** See the module comment. */
export class ImportGraph {
  private readonly syntaxOf = new Map<string, ImportFacts | null>();
  private config: ProjectConfig = emptyProjectConfig;
  private resolver: ImportResolver | null = null;
  private readonly edges = new Map<string, readonly string[]>();
  private readonly unresolved = new Map<string, number>();
  private reverse: Map<string, string[]> | null = null;
  private readonly dirty = new Set<string>();
  /** Every file needs resolving (set instead of filling `dirty`, so adding n files stays O(n)). */
  private allDirty = false;
  private counters = { resolutions: 0, indexBuilds: 0 };

  /** Replaces the tsconfig/go.mod knowledge; every file is re-resolved on next read. */
  setProjectConfig(config: ProjectConfig): void {
    this.config = config;
    this.invalidateAll();
  }

  /** Adds or updates a file; `syntax` null for a file that was not parsed (it can still be imported). */
  setFile(path: string, syntax: ImportFacts | null): void {
    const known = this.syntaxOf.has(path);
    const before = this.syntaxOf.get(path) ?? null;
    this.syntaxOf.set(path, syntax);
    if (!known || packageKey(before) !== packageKey(syntax)) this.invalidateAll();
    else if (!this.allDirty) this.dirty.add(path);
    this.reverse = null;
  }

  /** Removes a file and its edges. */
  removeFile(path: string): void {
    if (!this.syntaxOf.delete(path)) return;
    this.edges.delete(path);
    this.unresolved.delete(path);
    this.dirty.delete(path);
    this.invalidateAll();
  }

  /** Every known file, sorted. */
  files(): string[] {
    return [...this.syntaxOf.keys()].sort();
  }

  /** True when `path` is in the graph. */
  has(path: string): boolean {
    return this.syntaxOf.has(path);
  }

  /** The selected files `path` imports (sorted). */
  importsOf(path: string): readonly string[] {
    this.refresh();
    return this.edges.get(path) ?? [];
  }

  /** The selected files importing `path` (sorted). */
  importersOf(path: string): readonly string[] {
    return this.reverseEdges().get(path) ?? [];
  }

  /** Imports of `path` that matched no selected file. */
  unresolvedImportsOf(path: string): number {
    this.refresh();
    return this.unresolved.get(path) ?? 0;
  }

  /** A snapshot of the counters. */
  stats(): ImportGraphStats {
    return { ...this.counters };
  }

  /** Breadth-first distances from `anchors` along imports (dependencies) and against them (dependents). */
  distancesFrom(anchors: readonly string[]): AnchorDistances {
    this.refresh();
    const sorted = [...new Set(anchors)].filter((anchor) => this.syntaxOf.has(anchor)).sort();
    return {
      dependencies: breadthFirst(sorted, (path) => this.edges.get(path) ?? []),
      dependents: breadthFirst(sorted, (path) => this.reverseEdges().get(path) ?? []),
    };
  }

  private invalidateAll(): void {
    this.resolver = null;
    this.reverse = null;
    this.allDirty = true;
    this.dirty.clear();
  }

  private refresh(): void {
    if (this.dirty.size === 0 && !this.allDirty && this.resolver !== null) return;
    if (this.resolver === null) {
      this.resolver = new ImportResolver(this.syntaxOf, this.config);
      this.counters.indexBuilds++;
    }
    for (const path of this.allDirty ? this.syntaxOf.keys() : this.dirty) {
      const syntax = this.syntaxOf.get(path) ?? null;
      this.counters.resolutions++;
      if (syntax === null) {
        this.edges.set(path, []);
        this.unresolved.set(path, 0);
        continue;
      }
      const resolved = this.resolver.resolve(path, syntax);
      this.edges.set(path, resolved.targets);
      this.unresolved.set(path, resolved.unresolved);
    }
    this.dirty.clear();
    this.allDirty = false;
    this.reverse = null;
  }

  private reverseEdges(): Map<string, string[]> {
    this.refresh();
    if (this.reverse) return this.reverse;
    const reverse = new Map<string, string[]>();
    for (const from of [...this.edges.keys()].sort()) {
      for (const to of this.edges.get(from)!) {
        const list = reverse.get(to);
        if (list) list.push(from);
        else reverse.set(to, [from]);
      }
    }
    this.reverse = reverse;
    return reverse;
  }
}

function packageKey(syntax: ImportFacts | null): string {
  return syntax && (syntax.language === 'go' || syntax.language === 'java') ? `${syntax.language}:${syntax.packageName ?? ''}` : '';
}

function breadthFirst(anchors: readonly string[], next: (path: string) => readonly string[]): Map<string, Reach> {
  const reach = new Map<string, Reach>();
  let frontier: string[] = [];
  for (const anchor of anchors) {
    reach.set(anchor, { distance: 0, anchor, firstStep: null, previous: null });
    frontier.push(anchor);
  }
  while (frontier.length > 0) {
    const following: string[] = [];
    for (const path of frontier) {
      const from = reach.get(path)!;
      for (const target of next(path)) {
        if (reach.has(target)) continue;
        const firstStep = from.distance === 0 ? null : (from.firstStep ?? path);
        reach.set(target, { distance: from.distance + 1, anchor: from.anchor, firstStep, previous: path });
        following.push(target);
      }
    }
    frontier = following;
  }
  return reach;
}
