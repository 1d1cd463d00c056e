/**
 * The project files that change how imports resolve: `tsconfig.json` / `jsconfig.json` (`baseUrl`,
 * `paths`, relative `extends`) and `go.mod` (the module path). The caller reads them (any that exist
 * in the workspace, selected or not) and passes their text; this module only parses.
 */
import { dirnameOf, joinPath } from './paths';

/** A parsed tsconfig/jsconfig: where its `paths` patterns resolve from. */
export interface TsConfigPaths {
  /** Workspace-relative path of the config file. */
  readonly path: string;
  /** Folder the config applies to (its own folder). */
  readonly dir: string;
  /** `compilerOptions.baseUrl` resolved against the config's folder, or null. */
  readonly baseUrl: string | null;
  /** `compilerOptions.paths` as [pattern, targets resolved against baseUrl (or the config's folder)]. */
  readonly paths: readonly (readonly [string, readonly string[]])[];
  /** A relative `extends` resolved to a workspace path, or null (package `extends` are not followed). */
  readonly extendsPath: string | null;
}

/** A parsed go.mod: the module path and the folder it is rooted at. */
export interface GoModule {
  readonly dir: string;
  readonly modulePath: string;
}

/** Project configuration for the import resolver; every list may be empty. */
export interface ProjectConfig {
  readonly tsConfigs: readonly TsConfigPaths[];
  readonly goModules: readonly GoModule[];
}

/** No tsconfig, no go.mod. */
export const emptyProjectConfig: ProjectConfig = { tsConfigs: [], goModules: [] };

/**
 * Parses a tsconfig/jsconfig. Semantics from https://www.typescriptlang.org/tsconfig/#paths and
 * #baseUrl: `paths` targets are relative to `baseUrl` when set, else (TypeScript ≥ 4.1) to the config
 * file's folder. Throws with the file and field named when the text is not JSON with comments or a
 * field has the wrong type.
 */
export function parseTsConfig(path: string, text: string): TsConfigPaths {
  const dir = dirnameOf(path);
  const json = parseJsonc(text, path);
  if (!isRecord(json)) throw new Error(`${path}: expected a JSON object`);
  const options = json['compilerOptions'] ?? {};
  if (!isRecord(options)) throw new Error(`${path}: compilerOptions must be an object`);
  const baseUrlValue = options['baseUrl'];
  if (baseUrlValue !== undefined && typeof baseUrlValue !== 'string') throw new Error(`${path}: compilerOptions.baseUrl must be a string`);
  const baseUrl = typeof baseUrlValue === 'string' ? joinPath(dir, baseUrlValue) : null;
  const pathsValue = options['paths'] ?? {};
  if (!isRecord(pathsValue)) throw new Error(`${path}: compilerOptions.paths must be an object`);
  const paths: [string, string[]][] = [];
  for (const [pattern, targets] of Object.entries(pathsValue)) {
    if (!Array.isArray(targets) || !targets.every((target) => typeof target === 'string')) {
      throw new Error(`${path}: compilerOptions.paths["${pattern}"] must be an array of strings`);
    }
    paths.push([pattern, (targets as string[]).map((target) => joinPath(baseUrl ?? dir, target))]);
  }
  const extendsValue = json['extends'];
  const extendsPath =
    typeof extendsValue === 'string' && (extendsValue.startsWith('./') || extendsValue.startsWith('../'))
      ? joinPath(dir, extendsValue.endsWith('.json') ? extendsValue : `${extendsValue}.json`)
      : null;
  return { path, dir, baseUrl, paths, extendsPath };
}

/**
 * Reads the `module` directive of a go.mod (https://go.dev/ref/mod#go-mod-file-module): the first
 * line whose first token is `module`; the path may be quoted. Comments (`//`) are ignored.
 */
export function parseGoMod(path: string, text: string): GoModule {
  for (const rawLine of text.split('\n')) {
    const commentAt = rawLine.indexOf('//');
    const line = (commentAt >= 0 ? rawLine.slice(0, commentAt) : rawLine).trim();
    if (!line.startsWith('module') || !(line.length === 6 || line[6] === ' ' || line[6] === '\t')) continue;
    let modulePath = line.slice(6).trim();
    if (modulePath.startsWith('"') && modulePath.endsWith('"') && modulePath.length >= 2) modulePath = modulePath.slice(1, -1);
    if (modulePath === '') break;
    return { dir: dirnameOf(path), modulePath };
  }
  throw new Error(`${path}: no module directive`);
}

/**
 * JSON with comments and trailing commas, as tsconfig files are read by TypeScript: `//` and block
 * comments outside strings are removed, then commas before `}` or `]`, then `JSON.parse`.
 */
export function parseJsonc(text: string, nameForErrors: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === ',') {
      let j = i + 1;
      while (j < n && /\s/.test(text[j]!)) j++;
      // A trailing comma is followed (after whitespace) by a closer; comments were already handled above
      // only when we reach them, so look past them here too.
      if (text[j] === '}' || text[j] === ']') i++;
      else if (text[j] === '/' && closesAfterComments(text, j)) i++;
      else {
        out += ch;
        i++;
      }
    } else {
      out += ch;
      i++;
    }
  }
  try {
    return JSON.parse(out.charCodeAt(0) === 0xfeff ? out.slice(1) : out);
  } catch (error) {
    throw new Error(`${nameForErrors}: not valid JSON with comments (${error instanceof Error ? error.message : String(error)})`);
  }
}

function closesAfterComments(text: string, start: number): boolean {
  let j = start;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '/') {
      while (j < text.length && text[j] !== '\n') j++;
    } else if (text[j] === '/' && text[j + 1] === '*') {
      const end = text.indexOf('*/', j + 2);
      j = end < 0 ? text.length : end + 2;
    } else if (/\s/.test(text[j]!)) {
      j++;
    } else {
      return text[j] === '}' || text[j] === ']';
    }
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
