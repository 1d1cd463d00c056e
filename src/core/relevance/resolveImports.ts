/**
 * Resolves import references (see `extractSyntax.ts`) to files of the selection. Only files the
 * caller knows are targets: an import of a package outside the selection resolves to nothing. The
 * rules follow each language's own resolution, simplified where noted:
 * - TS/JS: https://www.typescriptlang.org/docs/handbook/modules/reference.html#relative-file-path-resolution
 *   (extension and `/index` probing, `.js` written for a `.ts` source) and `paths` / `baseUrl`
 *   (longest-prefix pattern wins, https://www.typescriptlang.org/tsconfig/#paths). package.json
 *   `exports`/`main` of workspace packages are not followed.
 * - Python: https://docs.python.org/3/reference/import.html (packages via `__init__.py`, relative
 *   levels). Absolute imports match a module path suffix (`a.b` → `…/a/b.py` or `…/a/b/__init__.py`)
 *   because sys.path is unknown; among several matches the one nearest the importer wins.
 * - Go: https://go.dev/ref/mod#resolve-pkg-mod (module path prefix + folder); all files of a package
 *   (same folder, same package clause) belong together, https://go.dev/ref/spec#Packages.
 * - Rust: https://doc.rust-lang.org/reference/items/modules.html#module-source-filenames (`mod x;` →
 *   `x.rs` or `x/mod.rs`), `crate::` / `self::` / `super::` paths; `#[path]` attributes are not read.
 * - Java: https://docs.oracle.com/javase/specs/jls/se21/html/jls-7.html (single-type, on-demand and
 *   static imports; same-package types need no import, linked when the file names the type).
 * - C/C++: `#include "x"` searches the including file's folder first, then like `<x>` the include
 *   path (https://gcc.gnu.org/onlinedocs/cpp/Search-Path.html); the include path is unknown, so a
 *   path suffix match among the selected files stands in for it.
 */
import type { ImportFacts, ImportReference } from './extractSyntax';
import { basenameOf, dirnameOf, joinPath, sharedFolderDepth } from './paths';
import type { ProjectConfig, TsConfigPaths } from './projectConfig';

/** Extensions probed for an extensionless TS/JS specifier, in TypeScript's order (then JS with allowJs). */
const esProbeExtensions = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** A `.js`-family specifier may name a TypeScript source (TS ESM convention: `./a.js` → `a.ts`). */
const esOutputToSource: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

/** Where one file's imports went. */
export interface ResolvedImports {
  /** Selected files it imports, sorted, without itself. */
  readonly targets: readonly string[];
  /** Imports that matched no selected file (external packages, standard library, files not selected). */
  readonly unresolved: number;
}

/** Indexes of the known files, rebuilt when the set of files or a Go/Java package name changes. */
export class ImportResolver {
  private readonly files: ReadonlySet<string>;
  private readonly byDir = new Map<string, string[]>();
  private readonly byBasename = new Map<string, string[]>();
  private readonly javaClasses = new Map<string, string[]>();
  private readonly javaPackages = new Map<string, string[]>();
  private readonly goPackageOf: ReadonlyMap<string, string>;
  private readonly config: ProjectConfig;
  private readonly tsConfigByDir: ReadonlyMap<string, TsConfigPaths>;
  private readonly tsConfigByPath: ReadonlyMap<string, TsConfigPaths>;
  /** Files by their path without one of {@link esProbeExtensions}, built on the first probe. */
  private esStems: Map<string, string[]> | undefined;

  /** @param syntaxOf every known file, with its syntax when it was parsed. */
  constructor(syntaxOf: ReadonlyMap<string, ImportFacts | null>, config: ProjectConfig) {
    this.files = new Set(syntaxOf.keys());
    this.config = config;
    const goPackageOf = new Map<string, string>();
    for (const [path, syntax] of syntaxOf) {
      push(this.byDir, dirnameOf(path), path);
      push(this.byBasename, basenameOf(path), path);
      if (syntax?.language === 'java' && syntax.packageName !== null) {
        const className = basenameOf(path).replace(/\.java$/i, '');
        push(this.javaClasses, `${syntax.packageName}.${className}`, path);
        push(this.javaPackages, syntax.packageName, path);
      } else if (syntax?.language === 'java') {
        push(this.javaClasses, basenameOf(path).replace(/\.java$/i, ''), path);
        push(this.javaPackages, '', path);
      }
      if (syntax?.language === 'go' && syntax.packageName !== null) goPackageOf.set(path, syntax.packageName);
    }
    this.goPackageOf = goPackageOf;
    this.tsConfigByDir = new Map(config.tsConfigs.map((tsConfig) => [tsConfig.dir, tsConfig]));
    this.tsConfigByPath = new Map(config.tsConfigs.map((tsConfig) => [tsConfig.path, tsConfig]));
  }

  /** The selected files `path` imports. */
  resolve(path: string, syntax: ImportFacts): ResolvedImports {
    const targets = new Set<string>();
    let unresolved = 0;
    for (const reference of syntax.imports) {
      const found = this.resolveOne(path, syntax, reference);
      if (found.length === 0) unresolved++;
      for (const target of found) if (target !== path) targets.add(target);
    }
    for (const target of this.implicitTargets(path, syntax)) if (target !== path) targets.add(target);
    return { targets: [...targets].sort(), unresolved };
  }

  private resolveOne(path: string, syntax: ImportFacts, reference: ImportReference): string[] {
    switch (reference.kind) {
      case 'es':
        return this.resolveEs(path, reference.specifier);
      case 'python':
        return this.resolvePython(path, reference.level, reference.module, reference.names);
      case 'go':
        return this.resolveGo(reference.path);
      case 'rust-mod':
        return this.firstExisting(
          [`${rustModuleDir(path)}/${reference.name}.rs`, `${rustModuleDir(path)}/${reference.name}/mod.rs`].map(trimSlash),
        );
      case 'rust-use':
        return this.resolveRustUse(path, reference.segments);
      case 'java':
        return this.resolveJava(syntax, reference.name, reference.wildcard, reference.isStatic);
      case 'include':
        return this.resolveInclude(path, reference.path, reference.system);
    }
  }

  /** Links that need no import statement: Go files of one package, Java types of one package. */
  private implicitTargets(path: string, syntax: ImportFacts): string[] {
    if (syntax.language === 'go' && syntax.packageName !== null) {
      // Every file sees the package's non-test files (a _test.go file compiles with them); tests are
      // seen by no one. `resolve` drops the file itself.
      return (this.byDir.get(dirnameOf(path)) ?? []).filter(
        (sibling) => sibling.endsWith('.go') && !sibling.endsWith('_test.go') && this.goPackageOf.get(sibling) === syntax.packageName,
      );
    }
    if (syntax.language === 'java') {
      const references = new Set(syntax.typeReferences);
      return (this.javaPackages.get(syntax.packageName ?? '') ?? []).filter((sibling) =>
        references.has(basenameOf(sibling).replace(/\.java$/i, '')),
      );
    }
    return [];
  }

  private resolveEs(path: string, specifier: string): string[] {
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      return this.probeEs(joinPath(dirnameOf(path), specifier));
    }
    if (specifier.startsWith('/')) return this.probeEs(joinPath('', specifier));
    const tsConfig = this.tsConfigFor(path);
    if (tsConfig) {
      const mapped = matchPaths(tsConfig.paths, specifier);
      for (const candidate of mapped) {
        const found = this.probeEs(candidate);
        if (found.length > 0) return found;
      }
      if (tsConfig.baseUrl !== null) return this.probeEs(joinPath(tsConfig.baseUrl, specifier));
    }
    return []; // a bare specifier: a package outside the selection
  }

  /** The nearest tsconfig/jsconfig above `path`, with `paths`/`baseUrl` inherited through relative `extends`. */
  private tsConfigFor(path: string): { paths: TsConfigPaths['paths']; baseUrl: string | null } | null {
    let dir = dirnameOf(path);
    for (;;) {
      const own = this.tsConfigByDir.get(dir);
      if (own) {
        let current: TsConfigPaths | undefined = own;
        let paths = own.paths;
        let baseUrl = own.baseUrl;
        for (let depth = 0; depth < 8 && current && (paths.length === 0 || baseUrl === null); depth++) {
          current = current.extendsPath ? this.tsConfigByPath.get(current.extendsPath) : undefined;
          if (!current) break;
          if (paths.length === 0) paths = current.paths;
          if (baseUrl === null) baseUrl = current.baseUrl;
        }
        return { paths, baseUrl };
      }
      if (dir === '') return null;
      dir = dirnameOf(dir);
    }
  }

  private probeEs(base: string): string[] {
    if (this.files.has(base)) return [base];
    const dot = base.lastIndexOf('.');
    const extension = dot > base.lastIndexOf('/') ? base.slice(dot) : '';
    for (const sourceExtension of esOutputToSource[extension] ?? []) {
      const candidate = base.slice(0, dot) + sourceExtension;
      if (this.files.has(candidate)) return [candidate];
    }
    const direct = this.firstWithProbeExtension(base);
    if (direct !== undefined) return [direct];
    const index = this.firstWithProbeExtension(`${base}/index`);
    return index !== undefined ? [index] : [];
  }

  /**
   * The file `stem` + the first of {@link esProbeExtensions} that exists: one lookup in an index of
   * stems rather than a string built and hashed per extension (nine, twice, for each import that
   * names a folder or a missing file).
   */
  private firstWithProbeExtension(stem: string): string | undefined {
    if (this.esStems === undefined) {
      this.esStems = new Map();
      for (const path of this.files) {
        for (const probe of esProbeExtensions) if (path.endsWith(probe)) push(this.esStems, path.slice(0, -probe.length), path);
      }
    }
    const candidates = this.esStems.get(stem);
    if (candidates === undefined) return undefined;
    for (const probe of esProbeExtensions) {
      for (const candidate of candidates) {
        if (candidate.length === stem.length + probe.length && candidate.endsWith(probe)) return candidate;
      }
    }
    return undefined;
  }

  private resolvePython(path: string, level: number, module: string, names: readonly string[]): string[] {
    const moduleParts = module === '' ? [] : module.split('.');
    if (level > 0) {
      let base = dirnameOf(path);
      for (let up = 1; up < level; up++) base = dirnameOf(base);
      const moduleDir = trimSlash([base, ...moduleParts].filter((part) => part !== '').join('/'));
      const targets: string[] = [];
      for (const name of names) {
        if (name !== '*') targets.push(...this.firstExisting(pythonFiles(trimSlash(`${moduleDir}/${name}`))));
      }
      if (targets.length < names.filter((name) => name !== '*').length || names.length === 0 || names.includes('*')) {
        targets.push(...this.firstExisting(moduleParts.length > 0 ? pythonFiles(moduleDir) : [trimSlash(`${moduleDir}/__init__.py`)]));
      }
      return targets;
    }
    const targets: string[] = [];
    for (const name of names) {
      if (name === '*') continue;
      const submodule = this.nearestPythonModule(path, [...moduleParts, ...name.split('.')]);
      if (submodule) targets.push(submodule);
    }
    if (targets.length < names.filter((name) => name !== '*').length || names.length === 0 || names.includes('*')) {
      const own = this.nearestPythonModule(path, moduleParts);
      if (own) targets.push(own);
    }
    return targets;
  }

  /** The file defining module `parts` (`a/b.py` or `a/b/__init__.py` ending a selected path), nearest `from` first. */
  private nearestPythonModule(from: string, parts: readonly string[]): string | null {
    if (parts.length === 0) return null;
    const last = parts[parts.length - 1]!;
    const stem = parts.join('/');
    const candidates = [
      ...(this.byBasename.get(`${last}.py`) ?? []).filter((file) => endsWithPath(file, `${stem}.py`)),
      ...(this.byBasename.get(`${last}.pyi`) ?? []).filter((file) => endsWithPath(file, `${stem}.pyi`)),
      ...(this.byBasename.get('__init__.py') ?? []).filter((file) => endsWithPath(file, `${stem}/__init__.py`)),
    ];
    return nearest(from, candidates);
  }

  private resolveGo(importPath: string): string[] {
    const modules = [...this.config.goModules].sort((a, b) => b.modulePath.length - a.modulePath.length);
    for (const module of modules) {
      if (importPath !== module.modulePath && !importPath.startsWith(`${module.modulePath}/`)) continue;
      return this.goPackageFiles(joinPath(module.dir, importPath.slice(module.modulePath.length + 1)));
    }
    // No go.mod says where it lives: a path whose first element is a domain may still be a selected
    // folder (GOPATH layouts, vendored copies); standard-library paths ("fmt") never match.
    if (!(importPath.split('/')[0] ?? '').includes('.')) return [];
    for (const dir of [...this.byDir.keys()].sort()) {
      if (dir === importPath || dir.endsWith(`/${importPath}`)) return this.goPackageFiles(dir);
    }
    return [];
  }

  private goPackageFiles(dir: string): string[] {
    return (this.byDir.get(dir) ?? []).filter((file) => file.endsWith('.go') && !file.endsWith('_test.go'));
  }

  private resolveRustUse(path: string, segments: readonly string[]): string[] {
    const parts = segments.filter((segment) => segment !== '*');
    const head = parts[0];
    if (head === undefined) return [];
    let base: string | null;
    let rest: string[];
    if (head === 'crate') {
      base = this.rustCrateRoot(path);
      rest = parts.slice(1);
    } else if (head === 'self' || head === 'super') {
      base = rustModuleDir(path);
      let index = 0;
      if (head === 'self') index = 1;
      while (parts[index] === 'super') {
        base = dirnameOf(base);
        index++;
      }
      rest = parts.slice(index);
    } else {
      // 2018 paths: a child module of the current module, else a crate-root module, else an external crate.
      const local = this.rustModulePath(rustModuleDir(path), parts);
      if (local.length > 0) return local;
      const root = this.rustCrateRoot(path);
      return root === null ? [] : this.rustModulePath(root, parts);
    }
    if (base === null) return [];
    const found = this.rustModulePath(base, rest);
    return found.length > 0 ? found : this.rustModuleFile(base);
  }

  /** The file of the longest module prefix of `parts` under `base` (`a/b/C` → `a/b/C.rs`, else `a/b.rs`, …). */
  private rustModulePath(base: string, parts: readonly string[]): string[] {
    for (let length = parts.length; length >= 1; length--) {
      const dir = trimSlash([base, ...parts.slice(0, length)].filter((part) => part !== '').join('/'));
      const found = this.firstExisting([`${dir}.rs`, `${dir}/mod.rs`]);
      if (found.length > 0) return found;
    }
    return [];
  }

  /** The file defining the module whose children live in `dir` (`src/a` → `src/a.rs` or `src/a/mod.rs`, crate root → lib.rs/main.rs). */
  private rustModuleFile(dir: string): string[] {
    return this.firstExisting([`${dir}.rs`, `${dir}/mod.rs`, `${dir}/lib.rs`, `${dir}/main.rs`].map(trimSlash));
  }

  /** The nearest folder above `path` holding a selected `lib.rs` or `main.rs`. */
  private rustCrateRoot(path: string): string | null {
    let dir = dirnameOf(path);
    for (;;) {
      if (this.files.has(trimSlash(`${dir}/lib.rs`)) || this.files.has(trimSlash(`${dir}/main.rs`))) return dir;
      if (dir === '') return null;
      dir = dirnameOf(dir);
    }
  }

  private resolveJava(syntax: ImportFacts, name: string, wildcard: boolean, isStatic: boolean): string[] {
    if (wildcard && !isStatic) {
      const references = new Set(syntax.typeReferences);
      return (this.javaPackages.get(name) ?? []).filter((file) => references.has(basenameOf(file).replace(/\.java$/i, '')));
    }
    // `import static a.b.C.member` names a member; nested types (`a.b.C.Inner`) live in C's file too.
    const parts = name.split('.');
    for (let length = isStatic && !wildcard ? parts.length - 1 : parts.length; length >= 1; length--) {
      const found = this.javaClasses.get(parts.slice(0, length).join('.'));
      if (found) return [...found].sort().slice(0, 1);
    }
    return [];
  }

  private resolveInclude(path: string, include: string, system: boolean): string[] {
    if (!system) {
      const sibling = joinPath(dirnameOf(path), include);
      if (this.files.has(sibling)) return [sibling];
    }
    const candidates = (this.byBasename.get(basenameOf(include)) ?? []).filter((file) => endsWithPath(file, joinPath('', include)));
    const best = nearest(path, candidates);
    return best ? [best] : [];
  }

  private firstExisting(candidates: readonly string[]): string[] {
    for (const candidate of candidates) if (this.files.has(candidate)) return [candidate];
    return [];
  }
}

/** `paths` patterns (`@app/*`) matched against `specifier`: exact patterns first, then the longest prefix. */
function matchPaths(paths: TsConfigPaths['paths'], specifier: string): string[] {
  let best: { prefixLength: number; targets: readonly string[]; star: string } | null = null;
  for (const [pattern, targets] of paths) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (pattern === specifier) return [...targets];
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (specifier.length < prefix.length + suffix.length || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) continue;
    if (best === null || prefix.length > best.prefixLength) {
      best = { prefixLength: prefix.length, targets, star: specifier.slice(prefix.length, specifier.length - suffix.length) };
    }
  }
  if (best === null) return [];
  const matched = best;
  return matched.targets.map((target) => target.replace('*', matched.star));
}

/** Rust: the folder holding the child modules of `path`'s module. */
function rustModuleDir(path: string): string {
  const name = basenameOf(path);
  if (name === 'mod.rs' || name === 'lib.rs' || name === 'main.rs') return dirnameOf(path);
  return trimSlash(`${dirnameOf(path)}/${name.replace(/\.rs$/, '')}`);
}

function pythonFiles(stem: string): string[] {
  return [`${stem}.py`, `${stem}.pyi`, `${stem}/__init__.py`].map(trimSlash);
}

/** True when `path` is `suffix` or ends with `/suffix` (whole segments only). */
function endsWithPath(path: string, suffix: string): boolean {
  return path === suffix || path.endsWith(`/${suffix}`);
}

/** The candidate sharing most folders with `from`; ties: the shorter path, then path order. */
function nearest(from: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDepth = -1;
  for (const candidate of candidates) {
    const depth = sharedFolderDepth(from, candidate);
    if (
      depth > bestDepth ||
      (depth === bestDepth && best !== null && (candidate.length < best.length || (candidate.length === best.length && candidate < best)))
    ) {
      best = candidate;
      bestDepth = depth;
    }
  }
  return best;
}

function trimSlash(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
