/**
 * How relevant each selected file is to what the user is working on: its place in the import graph
 * relative to the anchors (focus files, the active editor, open editors, git-changed files) and its
 * kind signals. The result orders files into tiers the planner empties from the least relevant up.
 */
import type { ImportGraph, Reach } from './importGraph';
import type { KindSignal } from './kindSignals';
import { noiseKinds } from './kindSignals';

/** Why a file is an anchor. */
export type AnchorRole = 'focus' | 'active' | 'open' | 'changed';

/** A file the relevance is measured from. */
export interface Anchor {
  readonly path: string;
  readonly role: AnchorRole;
}

/**
 * Tiers, least relevant first:
 * - `noise`: generated, lockfile, minified, source map, vendored or snapshot, and not imported by an anchor;
 * - `unrelated`: no import path from an anchor, and not a direct importer of one (docs, fixtures,
 *   tests of code not in focus land here too);
 * - `dependent`: imports an anchor directly (a caller, the anchor's test);
 * - `dependency`: in an anchor's import closure; the farther, the less relevant;
 * - `anchor`: an open, active or changed file (focus files are anchors the planner never drops).
 */
export type RelevanceTier = 'noise' | 'unrelated' | 'dependent' | 'dependency' | 'anchor';

/** The relevance of one file. */
export interface FileRelevance {
  readonly tier: RelevanceTier;
  /**
   * Order of dropping, lower first: noise 0, unrelated 1, dependent 2, dependency 100 − distance
   * (distance capped at 96, so farther files go first), anchor 100.
   */
  readonly rank: number;
  /** Import steps from the nearest anchor when the file is in an anchor's closure, else null. */
  readonly dependencyDistance: number | null;
  /** Import steps to the nearest anchor when the file (transitively) imports one, else null. */
  readonly dependentDistance: number | null;
  readonly signals: readonly KindSignal[];
  /** One line: why the file has this relevance (e.g. `imported by focus file src/a.ts through src/b.ts`). */
  readonly reason: string;
}

/**
 * Scores every file of `graph`. `signalsOf` gives each file's kind signals (missing = none). With no
 * anchor in the graph every file is `unrelated` or `noise`, and the reason says relevance is by kind only.
 */
export function assessRelevance(
  graph: ImportGraph,
  anchors: readonly Anchor[],
  signalsOf: (path: string) => readonly KindSignal[],
): Map<string, FileRelevance> {
  const roleOf = new Map<string, AnchorRole>();
  const roleOrder: readonly AnchorRole[] = ['focus', 'active', 'open', 'changed'];
  for (const anchor of anchors) {
    if (!graph.has(anchor.path)) continue;
    const current = roleOf.get(anchor.path);
    if (current === undefined || roleOrder.indexOf(anchor.role) < roleOrder.indexOf(current)) roleOf.set(anchor.path, anchor.role);
  }
  const { dependencies, dependents } = graph.distancesFrom([...roleOf.keys()]);
  const roles = new Set(roleOf.values());
  const anchorNoun = roles.size === 1 && roles.has('focus') ? 'focus file' : roles.size === 0 ? null : 'focus, open or changed file';
  const describe = (path: string): string => `${roleNoun(roleOf.get(path) ?? 'focus')} ${path}`;
  const result = new Map<string, FileRelevance>();
  for (const path of graph.files()) {
    const signals = signalsOf(path);
    const dependency = dependencies.get(path) ?? null;
    const dependent = dependents.get(path) ?? null;
    const role = roleOf.get(path);
    const base = { dependencyDistance: dependency?.distance ?? null, dependentDistance: dependent?.distance ?? null, signals };
    let tier: RelevanceTier;
    let rank: number;
    let reason: string;
    if (role !== undefined) {
      tier = 'anchor';
      rank = 100;
      reason = anchorReason(role);
    } else if (dependency !== null) {
      tier = 'dependency';
      rank = 100 - Math.min(96, dependency.distance);
      reason = `imported by ${describe(dependency.anchor)}${throughText(dependency)}`;
    } else if (dependent !== null && dependent.distance === 1) {
      tier = 'dependent';
      rank = 2;
      const isTest = signals.some((signal) => signal.kind === 'test');
      reason = `${isTest ? 'test of' : 'imports'} ${describe(dependent.anchor)}`;
    } else {
      const noisy = signals.some((signal) => noiseKinds.has(signal.kind));
      tier = noisy ? 'noise' : 'unrelated';
      rank = noisy ? 0 : 1;
      if (anchorNoun === null) reason = 'no focus file: relevance from the file kind only';
      else if (dependent !== null) reason = `imports ${describe(dependent.anchor)} only through ${dependent.distance - 1} other file(s)`;
      else reason = `not imported by any ${anchorNoun}`;
    }
    result.set(path, { tier, rank, ...base, reason: reason + signalsText(signals, tier) });
  }
  return result;
}

function roleNoun(role: AnchorRole): string {
  switch (role) {
    case 'focus':
      return 'focus file';
    case 'active':
      return 'active file';
    case 'open':
      return 'open file';
    case 'changed':
      return 'changed file';
  }
}

function anchorReason(role: AnchorRole): string {
  switch (role) {
    case 'focus':
      return 'focus file';
    case 'active':
      return 'in the active editor';
    case 'open':
      return 'open in an editor';
    case 'changed':
      return 'changed in git';
  }
}

function throughText(reach: Reach): string {
  if (reach.distance <= 1 || reach.firstStep === null) return '';
  if (reach.distance === 2) return ` through ${reach.firstStep}`;
  return ` through ${reach.distance - 1} files (${reach.firstStep}, …)`;
}

/** `; generated (`// Code generated … DO NOT EDIT.`)`; the `test` kind only where it explains something. */
function signalsText(signals: readonly KindSignal[], tier: RelevanceTier): string {
  const parts: string[] = [];
  for (const signal of signals) {
    if (signal.kind === 'test') {
      if (tier === 'unrelated' || tier === 'noise') parts.push('test of code not in focus');
      continue;
    }
    parts.push(signal.kind === 'docs' ? 'docs' : `${signal.kind.replace('-', ' ')} (\`${signal.evidence}\`)`);
  }
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

/** Files last committed within this many days count as recently changed (the planner's `recent` class). */
export const recentChangeDays = 14;

/**
 * Whether a file's last commit (epoch seconds, from git) is within {@link recentChangeDays} of `nowSeconds`.
 * The planner weighs such a file double within its relevance tier (`priority: 'recent'`).
 */
export function isRecentlyChanged(lastChangeSeconds: number | undefined, nowSeconds: number): boolean {
  return lastChangeSeconds !== undefined && nowSeconds - lastChangeSeconds <= recentChangeDays * 86_400;
}
