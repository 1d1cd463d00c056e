/**
 * Everything relevance needs about the selected files, kept per file as they are added, edited and
 * removed: the import graph, each file's outline text and kind signals, and why a file was not parsed.
 * The parser is a port (the syntax worker pool in Node, an in-thread parser in tests), so this stays pure.
 */
import type { FileSyntax } from './extractSyntax';
import { ImportGraph } from './importGraph';
import { kindSignalsOf, sampleContent } from './kindSignals';
import type { KeptOutline, KeptParse, ParsedFile } from './parseCache';
import type { KindSignal } from './kindSignals';
import type { ProjectConfig } from './projectConfig';
import { assessRelevance } from './relevance';
import type { Anchor, FileRelevance } from './relevance';

/** What the parser port answers for one file (the shape of the syntax worker's outcome). */
export type ParseOutcome =
  { readonly kind: 'parsed'; readonly syntax: FileSyntax } | { readonly kind: 'unsupported'; readonly reason: string };

/** Parses one file's text; rejects with an AbortError when `signal` aborts. */
export type ParsePort = (path: string, text: string, signal?: AbortSignal) => Promise<ParseOutcome>;

interface FileEntry {
  /** The outline's text, or (from the parse cache) the outline kept until its text is needed. */
  readonly outline: string | KeptOutline | null;
  readonly signals: readonly KindSignal[];
  /** Why there is no outline and no imports, or null when the file was parsed. */
  readonly notParsed: string | null;
  readonly hasErrors: boolean;
}

/** See the module comment. Latest wins: an update that finishes after a newer one for the same file is dropped. */
export class RelevanceIndex {
  private readonly parse: ParsePort;
  private readonly graph = new ImportGraph();
  private readonly entries = new Map<string, FileEntry>();
  private readonly generation = new Map<string, number>();

  constructor(parse: ParsePort) {
    this.parse = parse;
  }

  /** Replaces the tsconfig/go.mod knowledge (see `loadProjectConfig`). */
  setProjectConfig(config: ProjectConfig): void {
    this.graph.setProjectConfig(config);
  }

  /**
   * Parses `text` as the current content of `path` and updates the graph, outline and signals.
   * Resolves to what was indexed (to be kept in a {@link ParseCache}), or undefined when a newer
   * update or a removal of `path` came first.
   */
  async update(path: string, text: string, signal?: AbortSignal): Promise<ParsedFile | undefined> {
    const generation = (this.generation.get(path) ?? 0) + 1;
    this.generation.set(path, generation);
    const outcome = await this.parse(path, text, signal);
    if (this.generation.get(path) !== generation) return undefined; // a newer update or a removal came first
    const parsed: ParsedFile = { outcome, signals: kindSignalsOf(path, sampleContent(text)) };
    this.install(path, parsed);
    return parsed;
  }

  /** Indexes a parse of `path`'s current content made earlier (from a {@link ParseCache}); supersedes any update in flight. */
  apply(path: string, parsed: ParsedFile | KeptParse): void {
    this.generation.set(path, (this.generation.get(path) ?? 0) + 1);
    this.install(path, parsed);
  }

  /** Forgets `path` (also cancels the effect of an update still running for it). */
  remove(path: string): void {
    this.generation.set(path, (this.generation.get(path) ?? 0) + 1);
    this.entries.delete(path);
    this.graph.removeFile(path);
  }

  /** Replaces the kept outline of `path` with its restored text (nothing else changes: same parse). */
  restoreOutline(path: string, text: string): void {
    const entry = this.entries.get(path);
    if (entry && entry.outline !== null && typeof entry.outline !== 'string') this.entries.set(path, { ...entry, outline: text });
  }

  private install(path: string, { outcome, signals }: ParsedFile | KeptParse): void {
    if (outcome.kind === 'parsed') {
      this.graph.setFile(path, outcome.syntax);
      this.entries.set(path, { outline: outcome.syntax.outline, signals, notParsed: null, hasErrors: outcome.syntax.hasErrors });
    } else {
      this.graph.setFile(path, null);
      this.entries.set(path, { outline: null, signals, notParsed: outcome.reason, hasErrors: false });
    }
  }

  /** Files indexed so far, sorted. */
  files(): string[] {
    return this.graph.files();
  }

  /**
   * The outline export writes for `path` (to be counted by the tokenizer pool): its text, or the kept
   * outline of a cached parse whose text has not been restored yet; null when it has none.
   */
  outlineOf(path: string): string | KeptOutline | null {
    return this.entries.get(path)?.outline ?? null;
  }

  /** Why `path` has no imports and no outline (unsupported type, too large, parse budget), or null. */
  notParsedReason(path: string): string | null {
    return this.entries.get(path)?.notParsed ?? null;
  }

  /** True when the file parsed with syntax errors (imports and outline come from what parsed). */
  hasSyntaxErrors(path: string): boolean {
    return this.entries.get(path)?.hasErrors ?? false;
  }

  /** Kind signals of `path` (empty when unknown). */
  signalsOf(path: string): readonly KindSignal[] {
    return this.entries.get(path)?.signals ?? [];
  }

  /** The selected files `path` imports. */
  importsOf(path: string): readonly string[] {
    return this.graph.importsOf(path);
  }

  /** Relevance of every indexed file from `anchors` (see `assessRelevance`). */
  relevance(anchors: readonly Anchor[]): Map<string, FileRelevance> {
    return assessRelevance(this.graph, anchors, (path) => this.signalsOf(path));
  }
}
