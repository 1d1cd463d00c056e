import { homedir } from 'node:os';
import * as path from 'node:path';

/** The folder name under the user's cache folder. */
const cacheFolderName = 'context-budget';

/**
 * The CLI's cache folder: `$XDG_CACHE_HOME/context-budget`, else `~/.cache/context-budget`. A relative
 * XDG_CACHE_HOME is ignored, as the XDG Base Directory Specification requires ("All paths set in
 * these environment variables must be absolute. If an implementation encounters a relative path in
 * any of these variables it should consider the path invalid and ignore it."):
 * https://specifications.freedesktop.org/basedir-spec/0.8/
 */
export function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, cacheFolderName);
  return path.join(home, '.cache', cacheFolderName);
}
