import type { CostBreakdown, EngineReport, MaxContext } from '../cost/costTypes';
import type { RiskLevel, RiskReport, Warning, Windows } from '../risk/riskTypes';
import type { FileCount } from '../scan/fileCount';
import type { ServerCheck } from '../server/serverCheck';
import type { ContextFix, EngineHandling, WindowLimit } from './engineVerdict';
import type { SkippedEntry } from '../scan/workspaceFs';
import type { FileMode, FileState } from '../selection/selection';

/**
 * A file's outline as the prompt would hold it:
 * - `counted`: the outline's exact tokens, and its tokens as exported when framing is on;
 * - `unavailable`: the file has no outline (no parser for its type, too large, the parse failed…);
 *   it then goes into the prompt and the export in full, and `reason` says why.
 * Undefined while the outline is still being made or counted.
 */
export type OutlineFootprint =
  | { readonly kind: 'counted'; readonly tokens: number; readonly framedTokens: number | undefined }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** One file in the prompt as the budget sees it. */
export interface BudgetFileInput {
  readonly uri: string;
  readonly relativePath: string;
  readonly included: boolean;
  readonly focus: boolean;
  readonly pinned: boolean;
  /** Open in an editor (planner keeps these longer than plain files). */
  readonly open?: boolean;
  /** Changed recently (planner keeps these longer than plain files). */
  readonly recent?: boolean;
  /** Undefined while still being counted. */
  readonly count: FileCount | undefined;
  /** Tokens of the file as exported (framing + content) under the configured framing; undefined until counted or when framing is off. */
  readonly framedTokens?: number;
  /** Set when the file is a symbolic link: where it points (null when this file system cannot resolve it). */
  readonly symlinkTarget?: string | null;
  /** Full text (the default) or outline. */
  readonly mode?: FileMode;
  /** In outline mode: the outline's footprint, or why there is none (the file then counts in full); undefined while pending. */
  readonly outline?: OutlineFootprint;
}

/** Inputs besides the files: the export's directory-tree block, counted apart; files a folder add skipped. */
export interface ReportExtras {
  /** Tokens of the directory-tree block; null while it is being counted or when there is none. */
  readonly treeTokens: number | null;
  /** The live check of `settings.server` (null or absent when none is set). */
  readonly server?: ServerCheck | null;
  /** Files a folder add left out, with the reason; listed (never counted) so the user sees them. */
  readonly skippedFiles?: readonly SkippedEntry[];
}

/** A file row with its place in the prompt. Skipped and pending files have no range. */
export interface BudgetFileRow {
  readonly uri: string;
  readonly relativePath: string;
  readonly included: boolean;
  readonly focus: boolean;
  readonly pinned: boolean;
  /** Open in an editor: the drop planner keeps it longer than a plain file. */
  readonly open: boolean;
  /** Changed in this session: the drop planner keeps it longer than a plain file. */
  readonly recent: boolean;
  readonly status: 'counted' | 'pending' | 'skipped' | 'excluded';
  /** The file's footprint: the tokens it adds to the prompt (as exported when framing is on); null until known. */
  readonly tokens: number | null;
  /** tokens / prompt tokens; null when not counted or not included. */
  readonly share: number | null;
  /** Token range [start, end) in prompt order. */
  readonly range: { readonly start: number; readonly end: number } | null;
  readonly level: RiskLevel | null;
  readonly inMiddle: boolean;
  readonly skipMessage: string | null;
  readonly notes: readonly string[];
  /** Tokens the export framing adds around this file (included in `tokens`); null when framing is off. */
  readonly framingTokens: number | null;
  /** Why the file looks like it holds a secret (by name or content); empty when it does not. */
  readonly secrets: readonly string[];
  /** The file is a symbolic link: where it points (null: unresolved); undefined when it is not a link. */
  readonly symlinkTarget?: string | null;
  /** Full text, outline, or dropped (unchecked). An outline's tokens are what `tokens` counts. */
  readonly mode: FileState;
  /** In outline mode (also kept while unchecked): the outline is counted, pending, or unavailable (the file then counts in full); null in full mode. */
  readonly outlineState: 'counted' | 'pending' | 'unavailable' | null;
  /** One line about outline mode (also kept while unchecked): `outline of a 5,678-token file; …`, or why it counts in full; null in full mode. */
  readonly modeNote: string | null;
}

/** The tokenizer every count was made with, and how far to trust the counts for the model. */
export interface TokenizerReport {
  /** The pool's id: an encoding name, or `hf:` / `gguf:` + SHA-256. */
  readonly id: string;
  /** E.g. "Gemma 3 tokenizer", "o200k_base". */
  readonly name: string;
  /** Where it came from, e.g. "tokenizer.json beside config.json", "the counting encoding". */
  readonly source: string;
  /** True when the counts are the model's own; false when they estimate it. */
  readonly exactForModel: boolean;
  /** One line shown next to the count: "Gemma 3 tokenizer (tokenizer.json beside config.json), exact". */
  readonly label: string;
  /** A catalog model counted with an estimate whose tokenizer can be downloaded: offer it. */
  readonly download: { readonly repo: string } | null;
}

export interface Assumption {
  readonly value: number;
  readonly source: string;
}

/** Everything the status bar, tree, panel and CLI show, computed once per change. */
export interface BudgetReport {
  readonly model: { readonly id: string; readonly displayName: string; readonly origin: string; readonly sources: readonly string[] };
  readonly gpu: { readonly id: string; readonly name: string; readonly count: number; readonly memoryBytes: number };
  readonly tokenizer: TokenizerReport;
  /**
   * Tokens of the prompt: the footprints of the included, counted files, the export's directory
   * tree and the chat template's overhead, all counted with {@link tokenizer}.
   */
  readonly promptTokens: number;
  /** Tokens the model's chat template adds to the request (0 when there is none to count): part of promptTokens. */
  readonly templateOverheadTokens: number;
  readonly reserveOutputTokens: number;
  /** promptTokens + reserveOutputTokens: what the window and the KV cache must hold. */
  readonly totalTokens: number;
  readonly budgetTokens: number | null;
  readonly files: readonly BudgetFileRow[];
  readonly counts: {
    readonly included: number;
    readonly counted: number;
    readonly pending: number;
    readonly skipped: number;
    readonly excluded: number;
  };
  readonly cost: CostBreakdown;
  /** The serving engine, every convention it applied (with sources), problems with the inputs, and what it does with this prompt. */
  readonly engine: EngineReport;
  /** The largest context that fits and what limits it (memory, the engine's window, or the weights). */
  readonly maxContext: MaxContext;
  readonly assumptions: {
    readonly computeEfficiency: Assumption;
    readonly memoryEfficiency: Assumption;
    readonly memoryUtilization: number;
    readonly weightDtype: string;
    readonly kvDtype: string;
    readonly batchSize: number;
  };
  readonly risk: {
    readonly level: RiskLevel;
    readonly windows: Windows;
    readonly focusShare: number;
    readonly middleBand: RiskReport['middleBand'];
  };
  readonly warnings: readonly Warning[];
  /** Share of the maximum window used by totalTokens. */
  readonly windowShare: number;
  /** Share of the effective window used by totalTokens. */
  readonly effectiveShare: number;
  /** Within window, memory and budget, and taken whole by the engine: the CLI exits 0 only when true. */
  readonly withinLimits: boolean;
  /** The maximum window used and where it comes from: a running server, the engine profile, or the model. */
  readonly windowLimit: WindowLimit;
  /** What the engine does with a prompt it does not take whole (Ollama's front-drop, a rejection) and the files cut; null when it takes it. */
  readonly engineHandling: EngineHandling | null;
  /** The server setting that would make the prompt fit, with its KV-memory and time-to-first-token cost; null when it fits. */
  readonly contextFix: ContextFix | null;
  /** The live check of `contextBudget.server` / `--server`: checking, what it read, or why it failed; null when none is set. */
  readonly server: ServerCheck | null;
  /**
   * The export framing counted in `promptTokens` (tags, paths, directory tree), or null when
   * `exportFraming` is none. `pending` while some of it is still being counted.
   */
  readonly framing: {
    readonly format: 'xml' | 'markdown';
    readonly directoryTree: boolean;
    readonly tokens: number;
    readonly treeTokens: number;
    readonly pending: boolean;
  } | null;
  /** Files a folder add skipped, with the reason (not in the selection, never counted). */
  readonly skippedFiles: readonly SkippedEntry[];
}
