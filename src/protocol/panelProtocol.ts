/**
 * The one message protocol between the Context Budget panel (webview bundle) and the extension host.
 * The host sends full state snapshots, so the panel is always what the status bar and tree show; the
 * webview sends user intents, which the host validates with {@link parseWebviewMessage} before acting.
 * Formatting happens on the host (core presenters): the webview renders text it is given, never HTML.
 */

import { dropTargetKinds, maxGpuCount } from '../core/vocabulary';
import type { DropTargetKind, WarningCategory } from '../core/vocabulary';

export type PanelRiskLevel = 'ok' | 'degraded' | 'beyond';
export type PanelDropTarget = DropTargetKind;
export type PanelTone = 'normal' | 'ok' | 'warning' | 'error';
export type ReorderPlacement = 'end' | 'start';
export type PanelCommand = 'selectModel' | 'selectGpu' | 'loadModelConfig' | 'downloadTokenizer';

export const panelDropTargets: readonly PanelDropTarget[] = dropTargetKinds;
const reorderPlacements: readonly ReorderPlacement[] = ['end', 'start'];
const panelCommands: readonly PanelCommand[] = ['selectModel', 'selectGpu', 'loadModelConfig', 'downloadTokenizer'];

/** One figure in the summary header: label, value, and whether it is exact, an estimate or a setting. */
export interface PanelMetric {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly detail: string;
  readonly basis: 'exact' | 'estimate' | 'setting';
  readonly tone: PanelTone;
}

export interface PanelChoice {
  readonly id: string;
  readonly label: string;
}

export const panelFileFlags = [
  'middle',
  'focus',
  'pinned',
  'beyond-effective',
  'beyond-max',
  'skipped',
  'unchecked',
  'pending',
  'secret',
  'link',
  'outline',
] as const;
export type PanelFileFlag = (typeof panelFileFlags)[number];

export interface PanelFileRow {
  readonly uri: string;
  readonly path: string;
  readonly tokens: number | null;
  readonly tokensText: string;
  readonly share: number | null;
  readonly shareText: string;
  /** Position in prompt order (1-based) among included, counted files; null otherwise. */
  readonly order: number | null;
  readonly start: number | null;
  readonly end: number | null;
  readonly rangeText: string;
  readonly flags: readonly PanelFileFlag[];
  /** Why the file is skipped, or notes about its text (BOM stripped, invalid UTF-8 replaced). */
  readonly note: string;
  /** Full text, outline (its tokens are the outline's) or dropped (unchecked). */
  readonly mode: PanelFileMode;
  /** About the mode: `outline of a 5,678-token file`, or why an outline-mode file is in full; '' in full mode. */
  readonly modeNote: string;
}

/** How a file is in the prompt (see src/core/selection/selection.ts, FileState). */
export type PanelFileMode = 'full' | 'outline' | 'dropped';

/** A rectangle of the token-share treemap, in [0, 1] × [0, 1] of the chart area. */
export interface TreemapCell {
  readonly label: string;
  readonly folder: string;
  /** Index into the palette: files of one folder share a colour. */
  readonly colorIndex: number;
  readonly tokens: number;
  /** Files in the cell: 1, or a folder's files grouped in a large selection. */
  readonly files: number;
  readonly shareText: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ChartMark {
  readonly label: string;
  readonly tokens: number;
}

/** An axis tick with its label already formatted (units included). */
export interface ChartTick {
  readonly value: number;
  readonly label: string;
}

/** What every x/y chart carries besides its data: scales and pre-formatted ticks. */
export interface ChartAxes {
  readonly xMax: number;
  readonly yMax: number;
  readonly xTicks: readonly ChartTick[];
  readonly yTicks: readonly ChartTick[];
  readonly xLabel: string;
  readonly yLabel: string;
}

export interface MemoryChart extends ChartAxes {
  /** Context length T (prompt + reserved output) on the x axis. */
  readonly points: readonly { readonly tokens: number; readonly weightsBytes: number; readonly kvBytes: number }[];
  readonly usableBytes: number;
  readonly gpuTotalBytes: number;
  readonly current: { readonly tokens: number; readonly bytes: number; readonly label: string };
  readonly usableLabel: string;
  readonly gpuTotalLabel: string;
  readonly windowMarks: readonly ChartMark[];
  /** Largest T that fits in usable memory, when it lies on the chart. */
  readonly maxContextTokens: number | null;
  readonly summary: string;
}

export interface FlopsChart extends ChartAxes {
  /** Prompt length on the x axis (prefill processes the prompt only). */
  readonly points: readonly { readonly tokens: number; readonly linear: number; readonly attention: number }[];
  readonly current: { readonly tokens: number; readonly linear: number; readonly attention: number; readonly label: string };
  /** Shortest prompt at which attention FLOPs reach the linear FLOPs; null when they never do below the cap. */
  readonly crossoverTokens: number | null;
  readonly crossoverLabel: string;
  readonly windowMarks: readonly ChartMark[];
  readonly summary: string;
}

/** A limit on the position strip; `row` stacks labels that would otherwise overlap (0 = first row). */
export interface PositionLimit extends ChartMark {
  readonly row: number;
  /** The label ends at the mark, or starts there when it would run off the left edge. */
  readonly anchor: 'start' | 'end';
}

export interface PositionSegment {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly focus: boolean;
  readonly inMiddle: boolean;
  readonly level: PanelRiskLevel;
  /** More than one file merged into one segment (very large selections). */
  readonly files: number;
}

export interface PositionStrip {
  readonly promptTokens: number;
  readonly middleBand: { readonly start: number; readonly end: number } | null;
  /** Window limits (effective, trained, maximum) that fall inside the prompt: files ending past one are at risk. */
  readonly limits: readonly PositionLimit[];
  readonly segments: readonly PositionSegment[];
  readonly ticks: readonly ChartTick[];
  readonly summary: string;
}

export interface PanelWarning {
  readonly id: string;
  readonly severity: 'info' | 'warning' | 'error';
  readonly category: WarningCategory;
  readonly categoryLabel: string;
  readonly message: string;
  readonly why: string;
}

export interface PanelDropProposal {
  readonly uri: string;
  readonly path: string;
  readonly tokens: number;
  readonly savesText: string;
  readonly priority: string;
  /** Drop the file, or keep only its outline. */
  readonly action: 'drop' | 'outline';
  /** One line: what it saves and why this file (`outline: saves 6,200 tokens, keeps the API visible; not imported by any focus file`). */
  readonly explanation: string;
  /** False when the user unticked it (kept). */
  readonly selected: boolean;
}

export interface PanelTargetOption {
  readonly kind: PanelDropTarget;
  readonly label: string;
  readonly available: boolean;
  readonly status: string;
}

export interface PanelDropPlan {
  readonly target: PanelDropTarget;
  readonly targets: readonly PanelTargetOption[];
  /** Null when the target cannot be planned (no budget set): `message` says why. */
  readonly neededTokens: number | null;
  readonly message: string;
  readonly proposals: readonly PanelDropProposal[];
  /** The figures after dropping the selected proposals. */
  readonly after: readonly PanelMetric[] | null;
  /** The after figures are still being counted (the export's smaller directory tree). */
  readonly afterPending: boolean;
  readonly canApply: boolean;
  /** What the plan weighed: relevance (import graph, kind signals, outlines) or size alone. */
  readonly basis: 'relevance' | 'size';
  /** Why the plan is size-only, or what relevance could not use; '' when nothing. */
  readonly basisNote: string;
}

/** What the panel says about the counting tokenizer. */
export interface PanelTokenizer {
  readonly name: string;
  readonly label: string;
  readonly exactForModel: boolean;
  /** Chat-template tokens counted into the prompt (0 when none). */
  readonly templateOverheadTokens: number;
  /** Offer Download Tokenizer (runCommand 'downloadTokenizer') for this repository; null when not offered. */
  readonly download: { readonly repo: string } | null;
}

export interface PanelReorder {
  readonly available: boolean;
  readonly message: string;
  readonly moves: readonly string[];
  readonly customOrderApplied: boolean;
  readonly placement: ReorderPlacement;
}

/**
 * The serving engine as the panel shows it: every convention with its source, the problems with the
 * inputs, the window used, the largest context, what the engine does with this prompt (files cut),
 * the fix with its cost, and the live server check. Text is pre-formatted on the host.
 */
export interface PanelEngine {
  readonly name: string;
  readonly conventions: readonly { readonly text: string; readonly source: string }[];
  readonly problems: readonly string[];
  /** `server n_ctx 8,192`, `vLLM max_model_len 131,072`, `maximum window 131,072`. */
  readonly windowLimit: string;
  readonly maxContext: string;
  readonly handling: { readonly kind: 'rejected' | 'front-dropped'; readonly text: string; readonly files: readonly string[] } | null;
  readonly fix: {
    readonly text: string;
    readonly setting: string;
    readonly value: number;
    readonly kvCacheBytes: number;
    readonly prefillSeconds: number;
  } | null;
  readonly server: {
    readonly status: 'checking' | 'ok' | 'failed';
    readonly summary: string;
    readonly readings: readonly string[];
    readonly notes: readonly string[];
  } | null;
}

/** The summary: what the panel draws first (header, cards, warnings); cheap to build and to send. */
export interface PanelSummary {
  readonly version: 1;
  readonly title: string;
  readonly empty: boolean;
  readonly counting: { readonly done: number; readonly total: number } | null;
  readonly riskLevel: PanelRiskLevel;
  readonly riskText: string;
  readonly metrics: readonly PanelMetric[];
  /** The tokenizer's label, e.g. "Gemma 3 tokenizer (tokenizer.json beside config.json), exact". */
  readonly exactnessLabel: string;
  /** The tokenizer the counts are made with; `download` set when Download Tokenizer would make them exact. */
  readonly tokenizer: PanelTokenizer;
  readonly models: readonly PanelChoice[];
  readonly gpus: readonly PanelChoice[];
  readonly modelId: string;
  /** The model's name when it comes from a config.json, a GGUF file or a chat provider rather than the catalog. */
  readonly modelConfigLabel: string | null;
  readonly gpuId: string;
  readonly gpuCount: number;
  readonly warnings: readonly PanelWarning[];
  readonly confusions: readonly { readonly title: string; readonly body: string }[];
  /** The engine, its conventions with sources, what it does with the prompt, the fix and the live server check. */
  readonly engine: PanelEngine;
}

/** The charts and the plan: built and sent after the summary (the drop plan may take a while on 20k files). */
export interface PanelDetails {
  readonly treemap: readonly TreemapCell[];
  readonly memory: MemoryChart;
  readonly flops: FlopsChart;
  readonly positions: PositionStrip;
  readonly dropPlan: PanelDropPlan;
  readonly reorder: PanelReorder;
  /** What Undo would restore, or null when there is nothing to undo. */
  readonly undoLabel: string | null;
}

/** Everything the panel shows: the three parts the host sends one after the other. */
export interface PanelState extends PanelSummary, PanelDetails {
  readonly files: readonly PanelFileRow[];
}

/**
 * Host → panel. A change sends the summary first, then the details, then the file rows (the largest
 * part: 20,000 rows are megabytes), each drawn as it arrives, so the figures show at once.
 */
export type HostMessage =
  | { readonly type: 'summary'; readonly summary: PanelSummary }
  | { readonly type: 'details'; readonly details: PanelDetails }
  | { readonly type: 'files'; readonly files: readonly PanelFileRow[] };

export type WebviewMessage =
  | { readonly type: 'ready'; readonly dropTarget?: PanelDropTarget }
  | { readonly type: 'openFile'; readonly uri: string }
  | { readonly type: 'setModel'; readonly modelId: string }
  | { readonly type: 'setGpu'; readonly gpuId: string }
  | { readonly type: 'setGpuCount'; readonly gpuCount: number }
  | { readonly type: 'runCommand'; readonly command: PanelCommand }
  | { readonly type: 'setDropTarget'; readonly target: PanelDropTarget }
  | { readonly type: 'setProposalSelected'; readonly uri: string; readonly selected: boolean }
  | { readonly type: 'applyDrops'; readonly uris: readonly string[] }
  | { readonly type: 'applyReorder'; readonly placement: ReorderPlacement }
  | { readonly type: 'resetOrder' }
  | { readonly type: 'undo' };

/** Longest string field the host accepts from the webview (URIs, ids). */
export const maxMessageStringLength = 8192;
/** Most URIs one applyDrops message may carry. */
export const maxMessageUris = 100_000;
/** GPU counts the panel may set (the setting's own maximum). */
export { maxGpuCount };

/**
 * Validates a message from the webview. Anything that is not exactly one of {@link WebviewMessage}
 * (unknown type, wrong field types, extra-long strings, out-of-range numbers) yields undefined, and
 * the host ignores it: a compromised or buggy webview cannot make the host do anything else.
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'ready':
      if (value.dropTarget === undefined) return { type: 'ready' };
      return isOneOf(value.dropTarget, panelDropTargets) ? { type: 'ready', dropTarget: value.dropTarget } : undefined;
    case 'openFile':
      return isShortString(value.uri) ? { type: 'openFile', uri: value.uri } : undefined;
    case 'setModel':
      return isShortString(value.modelId) ? { type: 'setModel', modelId: value.modelId } : undefined;
    case 'setGpu':
      return isShortString(value.gpuId) ? { type: 'setGpu', gpuId: value.gpuId } : undefined;
    case 'setGpuCount':
      return Number.isInteger(value.gpuCount) && (value.gpuCount as number) >= 1 && (value.gpuCount as number) <= maxGpuCount
        ? { type: 'setGpuCount', gpuCount: value.gpuCount as number }
        : undefined;
    case 'runCommand':
      return isOneOf(value.command, panelCommands) ? { type: 'runCommand', command: value.command } : undefined;
    case 'setDropTarget':
      return isOneOf(value.target, panelDropTargets) ? { type: 'setDropTarget', target: value.target } : undefined;
    case 'setProposalSelected':
      return isShortString(value.uri) && typeof value.selected === 'boolean'
        ? { type: 'setProposalSelected', uri: value.uri, selected: value.selected }
        : undefined;
    case 'applyDrops':
      return Array.isArray(value.uris) && value.uris.length <= maxMessageUris && value.uris.every(isShortString)
        ? { type: 'applyDrops', uris: [...(value.uris as string[])] }
        : undefined;
    case 'applyReorder':
      return isOneOf(value.placement, reorderPlacements) ? { type: 'applyReorder', placement: value.placement } : undefined;
    case 'resetOrder':
      return { type: 'resetOrder' };
    case 'undo':
      return { type: 'undo' };
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxMessageStringLength;
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}
