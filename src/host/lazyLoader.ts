import * as path from 'node:path';
import type * as lazyFeatures from './lazyFeatures';

/** The second bundle's exports (src/host/lazyFeatures.ts, bundled to dist/extensionLazy.js). */
export type LazyFeatures = typeof lazyFeatures;

/** The second bundle's file name in dist/; esbuild.mjs builds it and .vscodeignore ships it. */
export const lazyBundleFile = 'extensionLazy.js';

/**
 * Loads dist/extensionLazy.js on the first call and returns the same module after that. Synchronous
 * (a `require` of a file the VSIX ships), so a command handler can call it where it needs a flow;
 * the first call costs the bundle's load (a few ms), once per window.
 */
export function lazyLoader(extensionPath: string): () => LazyFeatures {
  let loaded: LazyFeatures | undefined;
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the second bundle, loaded on first use (see lazyFeatures.ts)
    loaded ??= require(path.join(extensionPath, 'dist', lazyBundleFile)) as LazyFeatures;
    return loaded;
  };
}
