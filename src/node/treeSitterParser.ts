// Parses source files with web-tree-sitter and the grammars VS Code ships, and hands the query
// captures to the pure extractor in core. The runtime (`tree-sitter.js` + `tree-sitter.wasm`) is the
// web-tree-sitter 0.25.1 build inside `@vscode/tree-sitter-wasm`, compiled with the same toolchain as its
// grammars, so the runtime and grammar ABIs always match (microsoft/vscode-tree-sitter-wasm@
// 0d2d48b7bca026aa1e980c277541fecd60a9c7ef:build/main.ts builds both). The runtime and each grammar
// load on first use only.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Language, Parser, Query } from '@vscode/tree-sitter-wasm';
import { extractSyntax } from '../core/relevance/extractSyntax';
import type { CaptureView, FileSyntax, SyntaxNodeView } from '../core/relevance/extractSyntax';
import { languageOfPath } from '../core/relevance/languages';
import type { LanguageSpec, SyntaxLanguage } from '../core/relevance/languages';

/**
 * Wall-clock budget for one file's parse plus query. tree-sitter's error recovery can go superlinear on
 * pathological text (16,000 unclosed parentheses took 4 s), and one stuck parse would hold every file
 * queued behind it. Past the budget the file gets no imports and no outline, with the reason.
 */
export const parseTimeBudgetMs = 3000;

/** Thrown when a file's parse or query ran past {@link parseTimeBudgetMs}. */
export class ParseBudgetError extends Error {
  constructor(budgetMs: number) {
    super(`not parsed: parsing took longer than ${budgetMs / 1000} s (imports and outline skipped)`);
    this.name = 'ParseBudgetError';
  }
}

interface LoadedLanguage {
  readonly parser: Parser;
  readonly query: Query;
}

let runtimeInit: Promise<void> | undefined;
let runtimeDir: string | undefined;

/**
 * One parser per language, created lazily. Not thread-safe across workers by design: each worker
 * owns its own instance.
 */
export class TreeSitterParser {
  private readonly wasmDir: string;
  private readonly languages = new Map<SyntaxLanguage, Promise<LoadedLanguage>>();

  /**
   * @param wasmDir folder holding `tree-sitter.wasm` and the `tree-sitter-<lang>.wasm` grammars:
   * `dist/tree-sitter` in the bundle, `node_modules/@vscode/tree-sitter-wasm/wasm` under tsc.
   */
  constructor(wasmDir: string) {
    this.wasmDir = wasmDir;
  }

  /**
   * Parses `text` as the language of `path`; null when the extension is not a supported language.
   * Throws {@link ParseBudgetError} when parsing and querying take longer than `budgetMs`.
   */
  async parse(path: string, text: string, budgetMs: number = parseTimeBudgetMs): Promise<FileSyntax | null> {
    const spec = languageOfPath(path);
    if (!spec) return null;
    const { parser, query } = await this.load(spec);
    const deadline = performance.now() + budgetMs;
    let overBudget = false;
    // Returning true from the parse's progress callback cancels it (web-tree-sitter 0.25).
    const progressCallback = (): boolean => {
      overBudget ||= performance.now() > deadline;
      return overBudget;
    };
    const tree = parser.parse(text, null, { progressCallback });
    parser.reset();
    if (!tree) {
      if (overBudget) throw new ParseBudgetError(budgetMs);
      throw new Error(`tree-sitter returned no tree for ${path}`);
    }
    try {
      // Queries ignore progress callbacks in this build (measured: none called in a 5.8 s query over
      // 20,000 unclosed parentheses), but honour timeoutMicros, returning an empty list when it runs out.
      const remainingMs = deadline - performance.now();
      if (remainingMs <= 0) throw new ParseBudgetError(budgetMs);
      const captures: CaptureView[] = query
        .captures(tree.rootNode, { timeoutMicros: Math.max(1, Math.floor(remainingMs * 1000)) })
        .map((capture) => ({ name: capture.name, node: capture.node as unknown as SyntaxNodeView }));
      // A halted query looks like one with no captures: never use its list.
      if (performance.now() >= deadline) throw new ParseBudgetError(budgetMs);
      return extractSyntax(spec, text, captures, tree.rootNode.hasError);
    } finally {
      tree.delete();
    }
  }

  private load(spec: LanguageSpec): Promise<LoadedLanguage> {
    let loaded = this.languages.get(spec.id);
    if (!loaded) {
      loaded = this.loadLanguage(spec);
      this.languages.set(spec.id, loaded);
    }
    return loaded;
  }

  private async loadLanguage(spec: LanguageSpec): Promise<LoadedLanguage> {
    await initRuntime(this.wasmDir);
    const language = await Language.load(join(this.wasmDir, spec.grammarFile));
    const parser = new Parser();
    parser.setLanguage(language);
    return { parser, query: new Query(language, spec.query) };
  }
}

/** Loads the runtime once per thread; `locateFile` points it at our copy of `tree-sitter.wasm`. */
function initRuntime(wasmDir: string): Promise<void> {
  if (runtimeInit) {
    if (runtimeDir !== wasmDir) throw new Error(`tree-sitter runtime already loaded from ${runtimeDir}, not ${wasmDir}`);
    return runtimeInit;
  }
  runtimeDir = wasmDir;
  runtimeInit = Parser.init({ locateFile: (file: string) => join(wasmDir, file) });
  return runtimeInit;
}
