/**
 * Turns the captures of a language's query (see `languages.ts`) into what the relevance engine keeps
 * of a file: its import references and its outline text. Pure: the tree-sitter nodes come in through
 * the structural {@link SyntaxNodeView} (web-tree-sitter's `Node` satisfies it), so this module never
 * loads the parser and tests can feed it real trees or hand-made nodes.
 */
import type { LanguageSpec, SyntaxLanguage } from './languages';

/** The part of a tree-sitter node this module reads. Indices are UTF-16 offsets into the parsed text. */
export interface SyntaxNodeView {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly namedChildren: readonly (SyntaxNodeView | null)[];
  childForFieldName(fieldName: string): SyntaxNodeView | null;
}

/** One query capture: the capture name (without `@`) and its node. */
export interface CaptureView {
  readonly name: string;
  readonly node: SyntaxNodeView;
}

/** An import as written in the file, before resolution to a path. */
export type ImportReference =
  /** TS/JS `import … from 'x'`, `export … from 'x'`, `import('x')`, `require('x')`, `import x = require('x')`. */
  | { readonly kind: 'es'; readonly specifier: string }
  /** Python: `level` leading dots (0 = absolute), the module after them, and the names of a `from` import (`*` for all). */
  | { readonly kind: 'python'; readonly level: number; readonly module: string; readonly names: readonly string[] }
  /** Go import path. */
  | { readonly kind: 'go'; readonly path: string }
  /** Rust `mod name;` (a module in another file). */
  | { readonly kind: 'rust-mod'; readonly name: string }
  /** Rust `use` path, one per leaf of a use tree: `use crate::a::{b, c}` gives `crate::a::b` and `crate::a::c` as segments. */
  | { readonly kind: 'rust-use'; readonly segments: readonly string[] }
  /** Java `import a.b.C;` (`wildcard` for `a.b.*`, `isStatic` for `import static`). */
  | { readonly kind: 'java'; readonly name: string; readonly wildcard: boolean; readonly isStatic: boolean }
  /** C/C++ `#include "x.h"` (`system` false) or `#include <x.h>` (`system` true). */
  | { readonly kind: 'include'; readonly path: string; readonly system: boolean };

/** What the relevance engine keeps of one parsed file. */
export interface FileSyntax {
  readonly language: SyntaxLanguage;
  /** Imports in source order, duplicates removed. */
  readonly imports: readonly ImportReference[];
  /** Go package clause or Java package declaration; null when absent or not applicable. */
  readonly packageName: string | null;
  /** Java only: type names the file mentions (sorted, unique), to link classes of its own package and of wildcard imports. */
  readonly typeReferences: readonly string[];
  /** The file with function and method bodies replaced by a placeholder (docstrings kept); deterministic. */
  readonly outline: string;
  /** True when the tree has syntax errors: imports and outline are still produced from what parsed. */
  readonly hasErrors: boolean;
}

/** What the import graph reads of a parse: everything but the outline (which a cached parse keeps compressed). */
export type ImportFacts = Omit<FileSyntax, 'outline'>;

/** Builds the {@link FileSyntax} of `text` from its query captures. */
export function extractSyntax(spec: LanguageSpec, text: string, captures: readonly CaptureView[], hasErrors: boolean): FileSyntax {
  const imports: ImportReference[] = [];
  const seen = new Set<string>();
  const add = (reference: ImportReference): void => {
    const key = JSON.stringify(reference);
    if (seen.has(key)) return;
    seen.add(key);
    imports.push(reference);
  };
  let packageName: string | null = null;
  const typeReferences = new Set<string>();
  const bodies: SyntaxNodeView[] = [];
  for (const { name, node } of captures) {
    switch (name) {
      case 'import':
        if (spec.id === 'go') add({ kind: 'go', path: node.text });
        else add({ kind: 'es', specifier: node.text });
        break;
      case 'include.local':
        add({ kind: 'include', path: stringLiteralContent(node), system: false });
        break;
      case 'include.system':
        add({ kind: 'include', path: node.text.slice(1, -1).trim(), system: true });
        break;
      case 'py.import':
        add({ kind: 'python', level: 0, module: node.text, names: [] });
        break;
      case 'py.from':
        add(pythonFromImport(node));
        break;
      case 'rust.mod':
        add({ kind: 'rust-mod', name: node.text });
        break;
      case 'rust.use':
        for (const segments of rustUseLeaves(node, [])) add({ kind: 'rust-use', segments });
        break;
      case 'java.import':
        add(javaImport(node));
        break;
      case 'java.package':
        packageName = dottedNameOf(node) ?? packageName;
        break;
      case 'java.typeref':
        typeReferences.add(node.text);
        break;
      case 'go.package':
        packageName = node.text;
        break;
      case 'body':
        bodies.push(node);
        break;
      default:
        // Helper captures such as `_require` only serve predicates.
        break;
    }
  }
  return {
    language: spec.id,
    imports,
    packageName,
    typeReferences: [...typeReferences].sort(),
    outline: outlineText(spec, text, bodies),
    hasErrors,
  };
}

/** `"x.h"` → `x.h`, from the literal's content child when the grammar gives one. */
function stringLiteralContent(node: SyntaxNodeView): string {
  const content = node.namedChildren.find((child) => child?.type === 'string_content');
  if (content) return content.text;
  return node.text.slice(1, -1);
}

/**
 * `from ..pkg.mod import a, b as c` → level 2, module `pkg.mod`, names [a, b]. Relative imports
 * follow https://docs.python.org/3/reference/import.html#package-relative-imports (one dot = the
 * importing module's package, each further dot one package up).
 */
function pythonFromImport(node: SyntaxNodeView): ImportReference {
  const moduleNode = node.childForFieldName('module_name');
  let level = 0;
  let module = '';
  if (moduleNode?.type === 'relative_import') {
    for (const child of moduleNode.namedChildren) {
      if (child?.type === 'import_prefix') level = child.text.length;
      else if (child?.type === 'dotted_name') module = child.text;
    }
  } else if (moduleNode) {
    module = moduleNode.text;
  }
  const names: string[] = [];
  for (const child of node.namedChildren) {
    if (!child || child === moduleNode || child.startIndex === moduleNode?.startIndex) continue;
    if (child.type === 'dotted_name') names.push(child.text);
    else if (child.type === 'aliased_import') names.push(child.childForFieldName('name')?.text ?? child.text);
    else if (child.type === 'wildcard_import') names.push('*');
  }
  return { kind: 'python', level, module, names };
}

/**
 * The leaves of a Rust use tree, as path segments. Grammar shapes: `scoped_identifier` (path::name),
 * `scoped_use_list` (path::{…}), `use_list`, `use_as_clause` (path as alias), `use_wildcard` (path::*),
 * and the single keywords/identifiers `crate`, `self`, `super`, `ident`.
 */
function rustUseLeaves(node: SyntaxNodeView, prefix: readonly string[]): string[][] {
  switch (node.type) {
    case 'scoped_identifier':
    case 'scoped_type_identifier':
      return [[...prefix, ...rustPathSegments(node)]];
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      const list = node.childForFieldName('list');
      const base = path ? [...prefix, ...rustPathSegments(path)] : [...prefix];
      return list ? rustUseLeaves(list, base) : [base];
    }
    case 'use_list':
      return node.namedChildren.flatMap((child) => (child ? rustUseLeaves(child, prefix) : []));
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      return path ? rustUseLeaves(path, prefix) : [];
    }
    case 'use_wildcard': {
      const inner = node.namedChildren.find((child) => child !== null);
      return [[...prefix, ...(inner ? rustPathSegments(inner) : []), '*']];
    }
    default:
      return [[...prefix, node.text]];
  }
}

/** `crate::a::b` → [crate, a, b], walking the scoped_identifier's `path`/`name` fields. */
function rustPathSegments(node: SyntaxNodeView): string[] {
  if (node.type === 'scoped_identifier' || node.type === 'scoped_type_identifier') {
    const path = node.childForFieldName('path');
    const name = node.childForFieldName('name');
    return [...(path ? rustPathSegments(path) : []), ...(name ? [name.text] : [])];
  }
  return [node.text];
}

/** `import static a.b.C.*;` → name a.b.C, wildcard, static. */
function javaImport(node: SyntaxNodeView): ImportReference {
  let name = '';
  let wildcard = false;
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'scoped_identifier' || child.type === 'identifier') name = dottedNameOf(child) ?? child.text;
    else if (child.type === 'asterisk') wildcard = true;
  }
  // `static` is an anonymous keyword token: the statement's text starts with it after `import`.
  const isStatic = node.text.slice('import'.length).trimStart().startsWith('static');
  return { kind: 'java', name, wildcard, isStatic };
}

/** A Java dotted name from its scoped_identifier tree (or the package declaration holding one). */
function dottedNameOf(node: SyntaxNodeView): string | null {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'scoped_identifier') {
    const scope = node.childForFieldName('scope');
    const name = node.childForFieldName('name');
    const head = scope ? dottedNameOf(scope) : null;
    return head && name ? `${head}.${name.text}` : (name?.text ?? null);
  }
  for (const child of node.namedChildren) {
    if (child && (child.type === 'scoped_identifier' || child.type === 'identifier')) return dottedNameOf(child);
  }
  return null;
}

/**
 * The outline: `text` with each outermost captured body replaced by the language's placeholder.
 * Python bodies keep their docstring (the first statement when it is a string literal) and end in
 * `...`. Everything outside bodies (imports, comments, declarations, types, fields) is kept verbatim,
 * so the same text and grammar always give the same outline.
 */
function outlineText(spec: LanguageSpec, text: string, bodies: readonly SyntaxNodeView[]): string {
  const ordered = [...bodies].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  let result = '';
  let cursor = 0;
  for (const body of ordered) {
    if (body.startIndex < cursor) continue; // nested in a body already elided
    // A body no longer than the placeholder (`{}`, `pass`) stays: replacing it would save nothing.
    if (body.endIndex - body.startIndex <= spec.bodyPlaceholder.length) continue;
    if (spec.id === 'python') {
      const docstring = pythonDocstring(body);
      if (docstring && docstring.endIndex >= body.endIndex) continue; // the body is its docstring: keep it
      if (docstring) {
        const indent = lineIndent(text, docstring.startIndex);
        result += text.slice(cursor, docstring.endIndex) + `\n${indent}...`;
        cursor = body.endIndex;
        continue;
      }
    }
    result += text.slice(cursor, body.startIndex) + spec.bodyPlaceholder;
    cursor = body.endIndex;
  }
  return result + text.slice(cursor);
}

/** The docstring statement opening a Python block, or null. */
function pythonDocstring(block: SyntaxNodeView): SyntaxNodeView | null {
  const first = block.namedChildren.find((child) => child !== null && child.type !== 'comment');
  if (!first || first.type !== 'expression_statement') return null;
  const expressions = first.namedChildren.filter((child) => child !== null);
  return expressions.length === 1 && expressions[0]!.type === 'string' ? first : null;
}

/** The whitespace at the start of the line holding `index`. */
function lineIndent(text: string, index: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let end = lineStart;
  while (end < index && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(lineStart, end);
}
