// Builds every entry in one script: extension host (two bundles), tokenizer worker, syntax worker, CLI, webview.
// `--production` minifies and drops source maps; `--watch` rebuilds on change.
import { copyFileSync, mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints build errors in the shape VS Code's esbuild problem matcher expects. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
};

const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const builds = [
  { ...nodeCommon, entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The extension's second bundle: what the first paint does not need (panel, command flows, model-file
  // parsers), required by src/host/lazyLoader.ts on first use, so activation loads less (issue 13).
  { ...nodeCommon, entryPoints: ['src/host/lazyFeatures.ts'], outfile: 'dist/extensionLazy.js', external: ['vscode'] },
  { ...nodeCommon, entryPoints: ['src/worker/tokenizerWorker.ts'], outfile: 'dist/tokenizerWorker.js' },
  { ...nodeCommon, entryPoints: ['src/worker/syntaxWorker.ts'], outfile: 'dist/syntaxWorker.js' },
  { ...nodeCommon, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
];

// The panel's icons: the codicon font and its stylesheet, served from dist/ under the webview's CSP.
mkdirSync('dist/codicons', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);

// The syntax worker's tree-sitter runtime and the grammars of the languages src/core/relevance/languages.ts
// supports (kept in step with it by test/unit/relevance/packaging.test.ts), served from dist/tree-sitter/.
const shippedTreeSitterFiles = [
  'tree-sitter.wasm',
  'tree-sitter-typescript.wasm',
  'tree-sitter-tsx.wasm',
  'tree-sitter-javascript.wasm',
  'tree-sitter-python.wasm',
  'tree-sitter-go.wasm',
  'tree-sitter-java.wasm',
  'tree-sitter-rust.wasm',
  'tree-sitter-cpp.wasm',
];
mkdirSync('dist/tree-sitter', { recursive: true });
for (const file of shippedTreeSitterFiles) copyFileSync(`node_modules/@vscode/tree-sitter-wasm/wasm/${file}`, `dist/tree-sitter/${file}`);

const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  try {
    await Promise.all(contexts.map((context) => context.rebuild()));
  } finally {
    await Promise.all(contexts.map((context) => context.dispose()));
  }
}
