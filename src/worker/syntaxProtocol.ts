import type { ParseOutcome } from '../core/relevance/relevanceIndex';

/** First message from {@link SyntaxPool} to a syntax worker: where the tree-sitter wasm files are. */
export interface SyntaxWorkerData {
  /** Folder holding `tree-sitter.wasm` and the grammars (`dist/tree-sitter` in the bundle). */
  readonly wasmDir: string;
}

/** A parse request: the file's workspace-relative path (its extension picks the language) and its text. */
export interface SyntaxRequest {
  readonly id: number;
  readonly path: string;
  readonly text: string;
}

/** What the worker found: the file's syntax, or why it was not parsed (core's {@link ParseOutcome}). */
export type SyntaxOutcome = ParseOutcome;

/** The worker's reply, or an error message when parsing threw. */
export type SyntaxResponse = { readonly id: number; readonly outcome: SyntaxOutcome } | { readonly id: number; readonly error: string };
