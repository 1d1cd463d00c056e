import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { shippedGrammarFiles } from '../../../src/core/relevance/languages';
import { repoRoot } from '../tokenizer/oracleSupport';

// The VSIX must carry exactly the grammars the code can load: esbuild.mjs copies them into
// dist/tree-sitter/ and .vscodeignore re-includes that folder's wasm files.
test('esbuild.mjs copies exactly the runtime and the grammars languages.ts uses', () => {
  const script = readFileSync(join(repoRoot, 'esbuild.mjs'), 'utf8');
  const listed = [...script.matchAll(/'(tree-sitter[\w-]*\.wasm)'/g)].map((match) => match[1]).sort();
  assert.deepEqual(listed, ['tree-sitter.wasm', ...shippedGrammarFiles].sort());
});

test('.vscodeignore ships the syntax worker and the grammars', () => {
  const ignore = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!dist/syntaxWorker.js'));
  assert.ok(ignore.includes('!dist/tree-sitter/*.wasm'));
});
