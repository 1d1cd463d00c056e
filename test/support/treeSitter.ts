import { dirname, join } from 'node:path';
import { TreeSitterParser } from '../../src/node/treeSitterParser';

/** The installed package's wasm folder (tsc output runs from out/, where dist/tree-sitter may not exist). */
export const packagedWasmDir = dirname(require.resolve('@vscode/tree-sitter-wasm'));

/** Compiled syntax worker under tsc (out/src/worker/syntaxWorker.js). */
export const compiledSyntaxWorker = join(__dirname, '..', '..', 'src', 'worker', 'syntaxWorker.js');

let shared: TreeSitterParser | undefined;

/** One parser per test process: the runtime loads once per thread. */
export function testParser(): TreeSitterParser {
  shared ??= new TreeSitterParser(packagedWasmDir);
  return shared;
}
