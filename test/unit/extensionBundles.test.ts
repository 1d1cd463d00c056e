// The extension ships as two bundles (issue 13, target 4: activation <= 50 ms): dist/extension.js, loaded
// at activation, and dist/extensionLazy.js (src/host/lazyFeatures.ts), required on first use. These tests
// keep the split where it was put: what the first paint does not need stays out of the first bundle, the
// second bundle holds no copy of a module with the extension's live state, and the VSIX ships both.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { lazyBundleFile } from '../../src/host/lazyLoader';
import { repoRoot } from './tokenizer/oracleSupport';

/** The source modules esbuild puts into the bundle of `entry` (code kept after tree-shaking only). */
async function bundledModules(entry: string): Promise<Set<string>> {
  // The options that decide what goes in are esbuild.mjs's (bundle, node, cjs, vscode external).
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    minify: true,
    write: false,
    outfile: 'out.js',
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return new Set(
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

/** Loaded only on first use: the panel, the command flows, the chat answer, the model-file, GGUF and server parsers. */
const deferred = [
  'src/host/panel/costPanel.ts',
  'src/host/panel/panelHtml.ts',
  'src/core/presenters/panelState.ts',
  'src/host/modelPicker.ts',
  'src/host/dropPlanFlow.ts',
  'src/host/exportFlow.ts',
  'src/host/tokenizerDownloadFlow.ts',
  'src/host/contextSetsFlow.ts',
  'src/core/presenters/chatAnswer.ts',
  'src/core/model/gguf.ts',
  'src/core/model/configText.ts',
  'src/node/modelFile.ts',
  'src/node/ggufFile.ts',
  'src/core/server/serverCheck.ts',
  'src/node/serverHttp.ts',
];

/** Modules holding the extension's live state; a copy in the second bundle would be a second, unsynchronised state. */
const stateful = [
  'src/core/session/budgetSession.ts',
  'src/core/selection/selection.ts',
  'src/node/tokenizerPool.ts',
  'src/node/syntaxPool.ts',
  'src/node/diskCountStore.ts',
  'src/host/budgetController.ts',
  'src/host/settingsReader.ts',
  'src/host/gitContext.ts',
  'src/host/statusBar.ts',
  'src/host/fileTree.ts',
  'src/host/extension.ts',
];

test('the first bundle leaves out what the first paint does not need; the second holds it', async () => {
  const [first, second] = await Promise.all([bundledModules('src/host/extension.ts'), bundledModules('src/host/lazyFeatures.ts')]);
  assert.deepEqual(
    deferred.filter((path) => first.has(path)),
    [],
    'deferred modules found in dist/extension.js',
  );
  assert.deepEqual(
    deferred.filter((path) => !second.has(path)),
    [],
    'deferred modules missing from dist/extensionLazy.js',
  );
  // The status bar, the tree and the session are in the first.
  for (const path of ['src/host/statusBar.ts', 'src/host/fileTree.ts', 'src/core/session/budgetSession.ts']) {
    assert.ok(first.has(path), path);
  }
});

test('the second bundle holds no copy of a module with live state (it receives those objects as arguments)', async () => {
  const second = await bundledModules('src/host/lazyFeatures.ts');
  assert.deepEqual(
    stateful.filter((path) => second.has(path)),
    [],
  );
});

test('esbuild.mjs builds the second bundle where lazyLoader.ts requires it, and .vscodeignore ships it', () => {
  const script = readFileSync(join(repoRoot, 'esbuild.mjs'), 'utf8');
  assert.match(
    script,
    new RegExp(`entryPoints: \\['src/host/lazyFeatures\\.ts'\\], outfile: 'dist/${lazyBundleFile.replace('.', '\\.')}'`),
  );
  const ignore = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!dist/extension.js'));
  assert.ok(ignore.includes(`!dist/${lazyBundleFile}`));
});
