/**
 * The product's shared vocabulary: every term that appears in types, UI strings, CLI flags and
 * package.json enums is defined once here. A drift test (test/unit/manifest.test.ts) checks the
 * manifest against these lists, so a new target or category cannot be added in one place only.
 * Pure data and tiny helpers: the webview protocol imports it too.
 */

/** The limits a drop plan can aim for, in the order pickers list them. */
export const dropTargetKinds = ['window', 'effective', 'memory', 'budget'] as const;

/** A limit a drop plan can aim for. */
export type DropTargetKind = (typeof dropTargetKinds)[number];

/** One line per drop target, shown in the panel, the Suggest Drops picker, the CLI and chat answers. */
export const dropTargetLabels: Readonly<Record<DropTargetKind, string>> = {
  window: 'Fit the model window (after reserved output)',
  effective: 'Fit the effective window (after reserved output)',
  memory: 'Fit GPU memory',
  budget: 'Fit your token budget',
};

/** True when `value` names a drop target. */
export function isDropTargetKind(value: unknown): value is DropTargetKind {
  return typeof value === 'string' && (dropTargetKinds as readonly string[]).includes(value);
}

/**
 * What a warning is about. The first four are the long-context bottlenecks the product explains;
 * the others are honest categories for warnings that are none of them (the weights alone not
 * fitting is not a KV-cache problem; a budget of your own is not attention compute; a model file
 * or a server that could not be read is not position extrapolation; a serving engine cutting the
 * front of a prompt or refusing it is what the engine does, not what the model does with positions).
 */
export const warningCategories = [
  'attention-compute',
  'kv-memory',
  'position-extrapolation',
  'retrieval-dilution',
  'weights-memory',
  'your-budget',
  'model-setup',
  'engine-limit',
] as const;

/** What a warning is about: see {@link warningCategories}. */
export type WarningCategory = (typeof warningCategories)[number];

/** The label each category carries in the panel, hover and CLI. */
export const warningCategoryLabels: Readonly<Record<WarningCategory, string>> = {
  'attention-compute': 'Attention compute',
  'kv-memory': 'KV-cache memory',
  'position-extrapolation': 'Position extrapolation',
  'retrieval-dilution': 'Retrieval dilution',
  'weights-memory': 'Weights memory',
  'your-budget': 'Your budget',
  'model-setup': 'Model setup',
  'engine-limit': 'Engine limit',
};

/** The most GPUs a setting, flag or panel control accepts. */
export const maxGpuCount = 1024;

/** Where an effective window comes from. */
export type EffectiveWindowSource = 'RULER' | 'fallback';

/** The one wording for where the effective window comes from, used by every face. */
export function effectiveWindowSourceLabel(source: EffectiveWindowSource): string {
  return source === 'RULER' ? 'RULER, measured' : 'estimated: no RULER measurement for this model';
}

/** The settings namespace; every setting's full name is `contextBudget.<key>`. */
export const settingsNamespace = 'contextBudget';

/** The full name of a setting, for messages that tell the user what to change. */
export function settingName(key: string): string {
  return `${settingsNamespace}.${key}`;
}
