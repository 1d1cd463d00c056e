/**
 * The languages the relevance engine parses, the grammar each needs and the tree-sitter query that
 * finds its imports and the bodies an outline leaves out. Grammars are the WebAssembly builds VS Code
 * itself ships (npm `@vscode/tree-sitter-wasm`; node types checked against that package's 0.3.1
 * grammars: tree-sitter-typescript 0.23, javascript/python/go 0.25, java 0.23, rust, cpp).
 *
 * Query syntax: https://tree-sitter.github.io/tree-sitter/using-parsers/queries/ . Capture names are
 * this module's contract with `extractSyntax.ts`:
 * - `import`: a string node (or its content) naming a module (TS/JS, Go);
 * - `include.local` / `include.system`: `#include "x.h"` / `#include <x.h>` (C/C++);
 * - `py.import`, `py.from`: Python `import a.b` names and `from … import …` statements;
 * - `rust.mod`, `rust.use`: `mod x;` items without a body and `use` arguments;
 * - `java.import`, `java.package`, `java.typeref`: Java imports, the package, and type names used;
 * - `go.package`: the Go package clause's name;
 * - `body`: a function or method body that the outline replaces with a placeholder.
 * Predicates such as `#eq?` are evaluated by web-tree-sitter's `Query.captures`.
 */

/** A language the relevance engine can parse. C is parsed with the C++ grammar (its includes and declarations parse alike). */
export type SyntaxLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'java' | 'rust' | 'cpp';

/** What the engine needs to parse one language. */
export interface LanguageSpec {
  readonly id: SyntaxLanguage;
  /** File name of the grammar inside `@vscode/tree-sitter-wasm/wasm/` (and `dist/tree-sitter/` once bundled). */
  readonly grammarFile: string;
  /** Lower-case file extensions, with the dot. */
  readonly extensions: readonly string[];
  /** The query run over the whole tree (captures listed in the module comment). */
  readonly query: string;
  /** What replaces an elided body in the outline. */
  readonly bodyPlaceholder: string;
}

const esImports = `
(import_statement source: (string (string_fragment) @import))
(export_statement source: (string (string_fragment) @import))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @import)))
(call_expression function: (identifier) @_require arguments: (arguments . (string (string_fragment) @import)) (#eq? @_require "require"))
`;

const esBodies = `
(function_declaration body: (statement_block) @body)
(generator_function_declaration body: (statement_block) @body)
(function_expression body: (statement_block) @body)
(generator_function body: (statement_block) @body)
(arrow_function body: (statement_block) @body)
(method_definition body: (statement_block) @body)
(class_static_block body: (statement_block) @body)
`;

// \`import x = require('y')\` exists only in the TypeScript grammars.
const typescriptQuery = esImports + '(import_require_clause source: (string (string_fragment) @import))\n' + esBodies;

const pythonQuery = `
(import_statement name: (dotted_name) @py.import)
(import_statement name: (aliased_import name: (dotted_name) @py.import))
(import_from_statement) @py.from
(function_definition body: (block) @body)
`;

const goQuery = `
(package_clause (package_identifier) @go.package)
(import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @import))
(import_spec path: (raw_string_literal (raw_string_literal_content) @import))
(function_declaration body: (block) @body)
(method_declaration body: (block) @body)
(func_literal body: (block) @body)
`;

const javaQuery = `
(package_declaration) @java.package
(import_declaration) @java.import
(type_identifier) @java.typeref
(method_invocation object: (identifier) @java.typeref)
(field_access object: (identifier) @java.typeref)
(method_declaration body: (block) @body)
(constructor_declaration body: (constructor_body) @body)
(compact_constructor_declaration body: (block) @body)
(lambda_expression body: (block) @body)
(static_initializer (block) @body)
`;

const rustQuery = `
(mod_item !body name: (identifier) @rust.mod)
(use_declaration argument: (_) @rust.use)
(function_item body: (block) @body)
(closure_expression body: (block) @body)
`;

const cppQuery = `
(preproc_include path: (string_literal) @include.local)
(preproc_include path: (system_lib_string) @include.system)
(function_definition body: (compound_statement) @body)
(lambda_expression body: (compound_statement) @body)
`;

const braces = '{ ... }';

/** Every supported language, in a fixed order. */
export const languageSpecs: readonly LanguageSpec[] = [
  {
    id: 'typescript',
    grammarFile: 'tree-sitter-typescript.wasm',
    extensions: ['.ts', '.mts', '.cts'],
    query: typescriptQuery,
    bodyPlaceholder: braces,
  },
  { id: 'tsx', grammarFile: 'tree-sitter-tsx.wasm', extensions: ['.tsx'], query: typescriptQuery, bodyPlaceholder: braces },
  {
    id: 'javascript',
    grammarFile: 'tree-sitter-javascript.wasm',
    extensions: ['.js', '.mjs', '.cjs', '.jsx'],
    query: esImports + esBodies,
    bodyPlaceholder: braces,
  },
  { id: 'python', grammarFile: 'tree-sitter-python.wasm', extensions: ['.py', '.pyi'], query: pythonQuery, bodyPlaceholder: '...' },
  { id: 'go', grammarFile: 'tree-sitter-go.wasm', extensions: ['.go'], query: goQuery, bodyPlaceholder: braces },
  { id: 'java', grammarFile: 'tree-sitter-java.wasm', extensions: ['.java'], query: javaQuery, bodyPlaceholder: braces },
  { id: 'rust', grammarFile: 'tree-sitter-rust.wasm', extensions: ['.rs'], query: rustQuery, bodyPlaceholder: braces },
  {
    id: 'cpp',
    grammarFile: 'tree-sitter-cpp.wasm',
    extensions: ['.c', '.h', '.cc', '.cpp', '.cxx', '.c++', '.hh', '.hpp', '.hxx', '.h++', '.ipp', '.inl'],
    query: cppQuery,
    bodyPlaceholder: braces,
  },
];

/** Grammar files the extension ships: the runtime plus one per language (see esbuild.mjs and .vscodeignore). */
export const shippedGrammarFiles: readonly string[] = languageSpecs.map((spec) => spec.grammarFile);

/** The language of a file by its extension (case-insensitive), or null when it is not parsed. */
export function languageOfPath(path: string): LanguageSpec | null {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = name.slice(dot);
  return languageSpecs.find((spec) => spec.extensions.includes(extension)) ?? null;
}

/** The spec of `id`. */
export function languageSpec(id: SyntaxLanguage): LanguageSpec {
  return languageSpecs.find((spec) => spec.id === id)!;
}
