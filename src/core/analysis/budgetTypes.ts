import type { CostBreakdown, EngineReport, MaxContext } from '../cost/costTypes';
import type { RiskLevel, RiskReport, Warning, Windows } from '../risk/riskTypes';
import type { EncodingName } from '../tokenizer/encoding';
import type { FileCount } from '../scan/fileCount';
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
  /** Full text (the default) or outline. */
  readonly mode?: FileMode;
  /** In outline mode: the outline's footprint, or why there is none (the file then counts in full); undefined while pending. */
  readonly outline?: OutlineFootprint;
}

/** Inputs besides the files: the export's directory-tree block, counted apart. */
export interface ReportExtras {
  /** Tokens of the directory-tree block; null while it is being counted or when there is none. */
  readonly treeTokens: number | null;
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
  /** Full text, outline, or dropped (unchecked). An outline's tokens are what `tokens` counts. */
  readonly mode: FileState;
  /** In outline mode (also kept while unchecked): the outline is counted, pending, or unavailable (the file then counts in full); null in full mode. */
  readonly outlineState: 'counted' | 'pending' | 'unavailable' | null;
  /** One line about outline mode (also kept while unchecked): `outline of a 5,678-token file; …`, or why it counts in full; null in full mode. */
  readonly modeNote: string | null;
}

/** How much to trust the token count for the chosen model. */
export interface CountExactness {
  readonly encoding: EncodingName;
  /** 'exact' when the model's own tokenizer is the counting encoding; else an estimate for the model. */
  readonly forModel: 'exact' | 'estimate';
  /** One line the UI shows next to the count. */
  readonly label: string;
}

export interface Assumption {
  readonly value: number;
  readonly source: string;
}

/** Everything the status bar, tree, panel and CLI show, computed once per change. */
export interface BudgetReport {
  readonly model: { readonly id: string; readonly displayName: string; readonly origin: string; readonly sources: readonly string[] };
  readonly gpu: { readonly id: string; readonly name: string; readonly count: number; readonly memoryBytes: number };
  readonly exactness: CountExactness;
  /** Tokens of the prompt: the footprints of the included, counted files plus the export's directory tree (exact for the encoding). */
  readonly promptTokens: number;
  readonly reserveOutputTokens: number;
  /** promptTokens + reserveOutputTokens: what the window and the KV cache must hold. */
  readonly totalTokens: number;
  readonly budgetTokens: number | null;
  readonly files: readonly BudgetFileRow[];
  readonly counts: { readonly included: number; readonly counted: number; readonly pending: number; readonly skipped: number; readonly excluded: number };
  readonly cost: CostBreakdown;
  /** The serving engine, every convention it applied (with sources), problems with the inputs, and what it does with this prompt. */
  readonly engine: EngineReport;
  /** The largest context that fits and what limits it (memory, the engine's window, or the weights). */
  readonly maxContext: MaxContext;
  readonly assumptions: { readonly computeEfficiency: Assumption; readonly memoryEfficiency: Assumption; readonly memoryUtilization: number; readonly weightDtype: string; readonly kvDtype: string; readonly batchSize: number };
  readonly risk: { readonly level: RiskLevel; readonly windows: Windows; readonly focusShare: number; readonly middleBand: RiskReport['middleBand'] };
  readonly warnings: readonly Warning[];
  /** Share of the maximum window used by totalTokens. */
  readonly windowShare: number;
  /** Share of the effective window used by totalTokens. */
  readonly effectiveShare: number;
  /** Within window, memory and budget: the CLI exits 0 only when true. */
  readonly withinLimits: boolean;
  /**
   * The export framing counted in `promptTokens` (tags, paths, directory tree), or null when
   * `exportFraming` is none. `pending` while some of it is still being counted.
   */
  readonly framing: { readonly format: 'xml' | 'markdown'; readonly directoryTree: boolean; readonly tokens: number; readonly treeTokens: number; readonly pending: boolean } | null;
}
