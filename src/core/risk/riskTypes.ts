import type { EffectiveWindowSource, WarningCategory } from '../vocabulary';

export type RiskLevel = 'ok' | 'degraded' | 'beyond';

export interface Windows {
  /** Pretraining window (original_max_position_embeddings or native window). */
  readonly pretrained: number;
  /** Maximum window after RoPE scaling (what the server accepts). */
  readonly max: number;
  /** Measured effective length (RULER) or the documented fallback. */
  readonly effective: number;
  readonly effectiveSource: EffectiveWindowSource;
  /** Longest length the model was trained/validated at (scaled range beyond this is degraded). */
  readonly trained: number;
}

/** A file a warning is about: its key and the path the user reads. */
export interface FileRef {
  readonly uri: string;
  readonly relativePath: string;
}

/** Structured warning: the status bar, panel and CLI all render the same object. */
export interface Warning {
  readonly id: string;
  readonly severity: 'info' | 'warning' | 'error';
  readonly category: WarningCategory;
  /** One line, with the numbers already in it. */
  readonly message: string;
  /** One paragraph: why this matters. */
  readonly why: string;
  readonly numbers: Readonly<Record<string, number>>;
  /** The files this warning is about, when it is about specific files. */
  readonly files?: readonly FileRef[];
}

export interface FilePlacement {
  /** The file's key (a URI in the extension, an absolute path in the CLI). */
  readonly path: string;
  /** The path the user reads (workspace-relative). */
  readonly label: string;
  readonly tokens: number;
  /** Token range [start, end) in prompt order. */
  readonly start: number;
  readonly end: number;
  readonly level: RiskLevel;
  /** Midpoint lands in the middle band of a long prompt (Lost in the Middle). */
  readonly inMiddle: boolean;
  readonly focus: boolean;
}

export interface RiskReport {
  readonly level: RiskLevel;
  readonly windows: Windows;
  readonly files: readonly FilePlacement[];
  /** Share of prompt tokens that belong to focus files (1 when no focus files are marked). */
  readonly focusShare: number;
  readonly middleBand: { readonly start: number; readonly end: number } | null;
}
