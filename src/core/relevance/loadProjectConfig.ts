/**
 * Finds and reads the project files import resolution needs (`tsconfig.json` or else `jsconfig.json`,
 * and `go.mod`) in every folder from the selected files up to the workspace root, through the
 * {@link WorkspaceFs} port, plus the configs they `extends` by relative path. A file that cannot be
 * read or parsed is reported as a problem naming it, and resolution goes on without it.
 */
import { decodeFileBytes } from '../tokenizer/fileText';
import type { WorkspaceFs } from '../scan/workspaceFs';
import { dirnameOf, joinPath } from './paths';
import { parseGoMod, parseTsConfig } from './projectConfig';
import type { GoModule, ProjectConfig, TsConfigPaths } from './projectConfig';

/** What {@link loadProjectConfig} found. */
export interface LoadedProjectConfig {
  readonly config: ProjectConfig;
  /** One line per config that could not be used, e.g. `tsconfig.json: not valid JSON with comments (…); its paths are not applied`. */
  readonly problems: readonly string[];
}

/**
 * @param root the workspace folder's location for `fs`.
 * @param selectedPaths selected files, relative to `root` with `/` separators.
 */
export async function loadProjectConfig(
  fs: WorkspaceFs,
  root: string,
  selectedPaths: readonly string[],
  signal?: AbortSignal,
): Promise<LoadedProjectConfig> {
  const folders = new Set<string>();
  for (const path of selectedPaths) {
    let dir = dirnameOf(path);
    for (;;) {
      if (folders.has(dir)) break;
      folders.add(dir);
      if (dir === '') break;
      dir = dirnameOf(dir);
    }
  }
  const locationOf = (relative: string): string =>
    relative
      .split('/')
      .filter((part) => part !== '')
      .reduce((location, part) => fs.join(location, part), root);
  const tsConfigs: TsConfigPaths[] = [];
  const goModules: GoModule[] = [];
  const problems: string[] = [];
  const pendingExtends: string[] = [];
  const readText = async (relative: string): Promise<string | null> => {
    try {
      const decoded = decodeFileBytes(await fs.readFile(locationOf(relative)));
      return decoded.kind === 'text' ? decoded.text : null;
    } catch {
      return null;
    }
  };
  const addTsConfig = async (relative: string): Promise<void> => {
    const text = await readText(relative);
    if (text === null) {
      problems.push(`${relative}: cannot be read; its paths are not applied`);
      return;
    }
    try {
      const parsed = parseTsConfig(relative, text);
      tsConfigs.push(parsed);
      if (parsed.extendsPath !== null) pendingExtends.push(parsed.extendsPath);
    } catch (error) {
      problems.push(`${error instanceof Error ? error.message : String(error)}; its paths are not applied`);
    }
  };
  for (const folder of [...folders].sort()) {
    signal?.throwIfAborted();
    let names: ReadonlySet<string>;
    try {
      names = new Set(
        (await fs.readDirectory(locationOf(folder)))
          .filter(([, kind]) => kind === 'file' || kind === 'symlinkToFile')
          .map(([name]) => name),
      );
    } catch {
      continue; // a folder that vanished or cannot be listed has no config to offer
    }
    // TypeScript uses tsconfig.json when both exist (https://code.visualstudio.com/docs/languages/jsconfig).
    const tsName = names.has('tsconfig.json') ? 'tsconfig.json' : names.has('jsconfig.json') ? 'jsconfig.json' : null;
    if (tsName !== null) await addTsConfig(joinPath(folder, tsName));
    if (names.has('go.mod')) {
      const relative = joinPath(folder, 'go.mod');
      const text = await readText(relative);
      try {
        if (text === null) throw new Error(`${relative}: cannot be read`);
        goModules.push(parseGoMod(relative, text));
      } catch (error) {
        problems.push(
          `${error instanceof Error ? error.message : String(error)}; Go imports below ${folder === '' ? 'the root' : folder} are not resolved`,
        );
      }
    }
  }
  const seen = new Set(tsConfigs.map((tsConfig) => tsConfig.path));
  for (let guard = 0; pendingExtends.length > 0 && guard < 32; guard++) {
    const next = pendingExtends.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    await addTsConfig(next);
  }
  return { config: { tsConfigs, goModules }, problems };
}
