/**
 * Drop and reorder planning: which files to take out of the prompt so it meets a target while
 * losing the least, and how to move focus files out of the middle of the prompt.
 *
 * Loss of a set of dropped files, compared lexicographically (smaller is better):
 * 1. the highest priority class it touches (plain < recent < open < focus): never drop a recent file
 *    while dropping plain files alone would do;
 * 2. weighted tokens lost, Σ weight(class) × tokens, with each class weighing twice the one below
 *    ({@link priorityWeights}): among sets that touch the same classes, lose the fewest
 *    (class-weighted) tokens, which penalises overshooting the need;
 * 3. the number of files (fewer edits for the user);
 * 4. ties: files are considered in path order and the first best set found is kept, so the answer
 *    depends only on the set of files, not on their order.
 * Example, need 100 tokens from plain files of 60, 50 and 101: {101} loses 101 < 110 → drop 101;
 * from 500, 60, 50: {60, 50} loses 110 < 500 → greedy-by-largest (500) is wrong; greedy-by-smallest
 * would take 50 + 60 = 110 in the first case, also wrong.
 *
 * Pinned files are never dropped; focus files only with `allowFocus`.
 */

/** Priority classes, from the caller's file flags (a pinned focus file is pinned). */
export type DropPriority = 'pinned' | 'focus' | 'open' | 'recent' | 'plain';

/** Droppable classes, cheapest first. */
export const droppableClasses: readonly Exclude<DropPriority, 'pinned'>[] = ['plain', 'recent', 'open', 'focus'];

/** Weight per token lost by class (loss criterion 2): each class counts double the one below. */
export const priorityWeights: Readonly<Record<Exclude<DropPriority, 'pinned'>, number>> = { plain: 1, recent: 2, open: 4, focus: 8 };

/**
 * Largest DP table (files × (tokens to cover + 1)) solved exactly. Above it the planner commits the
 * cheapest-class largest files greedily and solves only the remainder (see {@link planDrops}).
 */
export const exactCellBudget = 4_000_000;

/** One file of the prompt as the planner sees it, in prompt order. */
export interface PlanFile {
  readonly path: string;
  readonly tokens: number;
  readonly priority: DropPriority;
}

/** Options for {@link planDrops}. */
export interface DropOptions {
  /** Let the planner drop focus files (after every lower class). Default false. */
  readonly allowFocus?: boolean;
}

/** A file the plan drops and the tokens it saves. */
export interface DroppedFile {
  readonly path: string;
  readonly tokens: number;
  readonly priority: Exclude<DropPriority, 'pinned'>;
  readonly savesTokens: number;
}

/** The plan's loss in the lexicographic order the planner minimises. */
export interface DropLoss {
  /** Highest class touched; null when nothing is dropped. */
  readonly highestPriority: Exclude<DropPriority, 'pinned'> | null;
  readonly weightedTokens: number;
  readonly files: number;
}

/** Result of {@link planDrops}. */
export interface DropPlan {
  /** Files to drop, in prompt order. */
  readonly drops: readonly DroppedFile[];
  readonly neededTokens: number;
  readonly removedTokens: number;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** False when dropping every allowed file still removes fewer than `neededTokens`; the plan then drops them all. */
  readonly feasible: boolean;
  /** neededTokens − removedTokens when infeasible, else 0. */
  readonly shortfallTokens: number;
  readonly loss: DropLoss;
  /**
   * 'exact': the loss is minimal. 'near-optimal': the input was too large for the exact table
   * (see {@link exactCellBudget}); `lossLowerBound` bounds the gap.
   */
  readonly method: 'exact' | 'near-optimal';
  /** LP lower bound on `loss.weightedTokens` (the need filled with the cheapest classes' tokens, fractionally). */
  readonly lossLowerBound: number;
}

interface Candidate {
  readonly index: number;
  readonly path: string;
  readonly tokens: number;
  readonly priority: Exclude<DropPriority, 'pinned'>;
  readonly weight: number;
  readonly classRank: number;
}

/**
 * Chooses the files to drop to remove at least `neededTokens` tokens with the smallest loss
 * (module comment). Method:
 * - the highest class is the first class (cheapest first) whose cumulative allowed tokens reach the
 *   need; only classes up to it are candidates;
 * - exact when candidates × (need + 1) ≤ {@link exactCellBudget}: a 0/1 DP over tokens covered
 *   (capped at the need) minimising (weighted tokens, files), files in path order;
 * - otherwise near-optimal: commit cheapest-class files, largest first, while they stay at least
 *   R = ⌊budget / candidates⌋ tokens short of the need (this is what the LP optimum does), then solve
 *   the remaining r tokens with the same DP over the remaining files, on tokens scaled down by
 *   g = ⌈files × (r + 1) / budget⌉ with sizes rounded down (so the plan still covers the need);
 *   finally un-drop any file the plan does not need and try one-for-one swaps that lower the loss.
 * Deterministic; a 10k-file input takes a few milliseconds to tens of milliseconds.
 */
export function planDrops(files: readonly PlanFile[], neededTokens: number, options: DropOptions = {}): DropPlan {
  let tokensBefore = 0;
  for (const file of files) tokensBefore += file.tokens;
  const need = Math.max(0, Math.ceil(neededTokens));
  if (need === 0) return finish(files, [], need, tokensBefore, 'exact', 0);

  const allowed = droppableClasses.filter((priority) => priority !== 'focus' || options.allowFocus === true);
  const candidatesByClass = allowed.map(() => [] as Candidate[]);
  files.forEach((file, index) => {
    const classRank = allowed.indexOf(file.priority as Exclude<DropPriority, 'pinned'>);
    // Zero-token files never help and would only add to the file count.
    if (classRank < 0 || !(file.tokens > 0)) return;
    const priority = allowed[classRank]!;
    candidatesByClass[classRank]!.push({
      index,
      path: file.path,
      tokens: file.tokens,
      priority,
      weight: priorityWeights[priority],
      classRank,
    });
  });

  let cumulative = 0;
  let topRank = -1;
  for (let rank = 0; rank < allowed.length; rank++) {
    for (const candidate of candidatesByClass[rank]!) cumulative += candidate.tokens;
    if (cumulative >= need) {
      topRank = rank;
      break;
    }
  }
  if (topRank < 0) {
    // Even everything allowed is not enough: the closest plan drops it all and reports the shortfall.
    const all = candidatesByClass.flat();
    return finish(files, all, need, tokensBefore, 'exact', weightedTokens(all));
  }

  const candidates = candidatesByClass
    .slice(0, topRank + 1)
    .flat()
    .sort(byPath);
  const lowerBound = lpLowerBound(candidatesByClass.slice(0, topRank + 1), need);
  if (candidates.length * (need + 1) <= exactCellBudget) {
    const chosen = solveCover(candidates, need, 1);
    // g = 1 covers the need exactly whenever the candidates' total does, which topRank guarantees.
    return finish(files, chosen ?? candidates, need, tokensBefore, 'exact', lowerBound);
  }

  const residualTokens = Math.max(1, Math.floor(exactCellBudget / candidates.length));
  const greedyOrder = [...candidates].sort((a, b) => a.weight - b.weight || b.tokens - a.tokens || byPath(a, b));
  const committed = new Set<Candidate>();
  let covered = 0;
  for (const candidate of greedyOrder) {
    if (covered + candidate.tokens <= need - residualTokens) {
      committed.add(candidate);
      covered += candidate.tokens;
    }
  }
  const rest = candidates.filter((candidate) => !committed.has(candidate));
  const remaining = need - covered;
  const scale = Math.max(1, Math.ceil((rest.length * (remaining + 1)) / exactCellBudget));
  let chosen = solveCover(rest, remaining, scale);
  if (!chosen) {
    // Rounding sizes down can lose just enough to miss the need: complete greedily instead.
    chosen = [];
    let added = 0;
    for (const candidate of greedyOrder) {
      if (added >= remaining) break;
      if (committed.has(candidate)) continue;
      chosen.push(candidate);
      added += candidate.tokens;
    }
  }
  const improved = improve([...committed, ...chosen], candidates, need);
  return finish(files, improved, need, tokensBefore, 'near-optimal', lowerBound);
}

/**
 * 0/1 DP: the subset of `items` covering at least `need` tokens with the least (weighted tokens,
 * files). State = tokens covered, in units of `scale` tokens rounded down, capped at ⌈need / scale⌉.
 * Returns null when the rounded sizes cannot reach the cap.
 */
function solveCover(items: readonly Candidate[], need: number, scale: number): Candidate[] | null {
  const capacity = Math.ceil(need / scale);
  const width = capacity + 1;
  const cost = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
  const count = new Uint32Array(width);
  const improvedBits = new Uint32Array(Math.ceil((items.length * width) / 32));
  // The capped state has many predecessors, so remember which one each item's last improvement came from.
  const predecessorOfCap = new Int32Array(items.length).fill(-1);
  const units = items.map((item) => Math.floor(item.tokens / scale));
  cost[0] = 0;
  for (let i = 0; i < items.length; i++) {
    const size = units[i]!;
    if (size === 0) continue;
    const itemCost = items[i]!.weight * items[i]!.tokens;
    const rowOffset = i * width;
    // Descending so every source state still holds its value from before item i (0/1, not unbounded).
    for (let state = capacity; state >= 0; state--) {
      const sourceCost = cost[state]!;
      if (sourceCost === Number.POSITIVE_INFINITY) continue;
      const target = state + size > capacity ? capacity : state + size;
      const newCost = sourceCost + itemCost;
      const newCount = count[state]! + 1;
      const targetCost = cost[target]!;
      if (newCost < targetCost || (newCost === targetCost && newCount < count[target]!)) {
        cost[target] = newCost;
        count[target] = newCount;
        const bit = rowOffset + target;
        improvedBits[bit >>> 5]! |= 1 << (bit & 31);
        if (target === capacity) predecessorOfCap[i] = state;
      }
    }
  }
  if (cost[capacity] === Number.POSITIVE_INFINITY) return null;
  const chosen: Candidate[] = [];
  let state = capacity;
  for (let i = items.length - 1; i >= 0 && state > 0; i--) {
    const bit = i * width + state;
    if ((improvedBits[bit >>> 5]! & (1 << (bit & 31))) === 0) continue;
    chosen.push(items[i]!);
    state = state === capacity ? predecessorOfCap[i]! : state - units[i]!;
  }
  return chosen;
}

/**
 * Local repair for the near-optimal path: un-drop files the plan can spare (highest cost first), then
 * for each dropped file try the single kept file of smallest weighted cost that still covers the
 * need in its place. Only strict loss decreases are taken, so this terminates and never worsens.
 */
function improve(dropped: Candidate[], candidates: readonly Candidate[], need: number): Candidate[] {
  const inPlan = new Set(dropped);
  let removed = 0;
  for (const candidate of inPlan) removed += candidate.tokens;
  const byCostDescending = (a: Candidate, b: Candidate): number => b.weight * b.tokens - a.weight * a.tokens || byPath(a, b);
  for (const candidate of [...inPlan].sort(byCostDescending)) {
    if (removed - candidate.tokens >= need) {
      inPlan.delete(candidate);
      removed -= candidate.tokens;
    }
  }
  // Kept files per class, ascending by tokens, for "smallest file at least this big" lookups.
  const keptByClass = new Map<number, Candidate[]>();
  for (const candidate of candidates) {
    if (inPlan.has(candidate)) continue;
    const list = keptByClass.get(candidate.classRank) ?? [];
    list.push(candidate);
    keptByClass.set(candidate.classRank, list);
  }
  for (const list of keptByClass.values()) list.sort((a, b) => a.tokens - b.tokens || byPath(a, b));
  for (const candidate of [...inPlan].sort(byCostDescending)) {
    const minTokens = need - (removed - candidate.tokens);
    let best: { list: Candidate[]; position: number } | undefined;
    let bestCost = candidate.weight * candidate.tokens;
    for (const list of keptByClass.values()) {
      const position = lowerBoundByTokens(list, minTokens);
      const replacement = list[position];
      if (replacement && replacement.weight * replacement.tokens < bestCost) {
        best = { list, position };
        bestCost = replacement.weight * replacement.tokens;
      }
    }
    if (!best) continue;
    const replacement = best.list.splice(best.position, 1)[0]!;
    inPlan.delete(candidate);
    inPlan.add(replacement);
    removed += replacement.tokens - candidate.tokens;
    const list = keptByClass.get(candidate.classRank) ?? [];
    list.splice(lowerBoundByTokens(list, candidate.tokens), 0, candidate);
    keptByClass.set(candidate.classRank, list);
  }
  return [...inPlan];
}

/** First index whose tokens ≥ minTokens in a list sorted ascending by tokens. */
function lowerBoundByTokens(list: readonly Candidate[], minTokens: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.tokens < minTokens) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The need filled fractionally with the cheapest classes' tokens: no integral plan loses less. */
function lpLowerBound(classes: readonly (readonly Candidate[])[], need: number): number {
  let remaining = need;
  let bound = 0;
  for (const members of classes) {
    if (remaining <= 0) break;
    let classTokens = 0;
    for (const member of members) classTokens += member.tokens;
    const take = Math.min(remaining, classTokens);
    bound += take * (members[0]?.weight ?? 0);
    remaining -= take;
  }
  return bound;
}

function weightedTokens(candidates: readonly Candidate[]): number {
  let sum = 0;
  for (const candidate of candidates) sum += candidate.weight * candidate.tokens;
  return sum;
}

function byPath(a: { readonly path: string; readonly index?: number }, b: { readonly path: string; readonly index?: number }): number {
  if (a.path < b.path) return -1;
  if (a.path > b.path) return 1;
  return (a.index ?? 0) - (b.index ?? 0);
}

function finish(
  files: readonly PlanFile[],
  chosen: readonly Candidate[],
  need: number,
  tokensBefore: number,
  method: DropPlan['method'],
  lossLowerBound: number,
): DropPlan {
  const ordered = [...chosen].sort((a, b) => a.index - b.index);
  let removedTokens = 0;
  let highestRank = -1;
  let highestPriority: DropLoss['highestPriority'] = null;
  for (const candidate of ordered) {
    removedTokens += candidate.tokens;
    const rank = droppableClasses.indexOf(candidate.priority);
    if (rank > highestRank) {
      highestRank = rank;
      highestPriority = candidate.priority;
    }
  }
  const feasible = removedTokens >= need;
  return {
    drops: ordered.map((candidate) => ({
      path: files[candidate.index]!.path,
      tokens: candidate.tokens,
      priority: candidate.priority,
      savesTokens: candidate.tokens,
    })),
    neededTokens: need,
    removedTokens,
    tokensBefore,
    tokensAfter: tokensBefore - removedTokens,
    feasible,
    shortfallTokens: feasible ? 0 : need - removedTokens,
    loss: { highestPriority, weightedTokens: weightedTokens(ordered), files: ordered.length },
    method,
    lossLowerBound,
  };
}

/** A file for {@link planRelevance}, in prompt order. */
export interface RelevancePlanFile {
  readonly path: string;
  /** Exact tokens of the full file as it is in the prompt now. */
  readonly tokens: number;
  /** The caller's flags, as for {@link planDrops}: pinned and focus files are never touched; the class weight applies within a tier. */
  readonly priority: DropPriority;
  /** Exact tokens of the file's outline (counted by the current tokenizer); null or absent when it has none. */
  readonly outlineTokens?: number | null;
  /** Relevance from `assessRelevance` (src/core/relevance/relevance.ts). */
  readonly relevance: { readonly rank: number; readonly reason: string };
}

/** What the plan does to one file. */
export type RelevanceAction = 'outline' | 'drop';

/** One proposal of {@link planRelevance}. */
export interface RelevanceProposal {
  readonly path: string;
  readonly action: RelevanceAction;
  /** Tokens of the full file. */
  readonly tokens: number;
  /** Tokens the file keeps after the action: its outline's tokens, or 0 when dropped. */
  readonly keptTokens: number;
  readonly savesTokens: number;
  /** The file's relevance rank (lower = dropped earlier). */
  readonly rank: number;
  /** One line for the user: `outline: saves 6,200 tokens, keeps the API visible; not imported by any focus file`. */
  readonly explanation: string;
}

/** Result of {@link planRelevance}. */
export interface RelevancePlan {
  /** In prompt order. */
  readonly proposals: readonly RelevanceProposal[];
  readonly neededTokens: number;
  readonly removedTokens: number;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** False when dropping every allowed file still removes fewer than `neededTokens`; the plan then drops them all. */
  readonly feasible: boolean;
  readonly shortfallTokens: number;
  /** Σ class weight × (tokens dropped + {@link outlineLossFactor} × body tokens outlined) over the proposals. */
  readonly weightedLoss: number;
  /** 'exact' when the last tier was solved exactly; 'near-optimal' when it was too large for {@link relevanceCellBudget} cells. */
  readonly method: 'exact' | 'near-optimal';
}

/**
 * Largest table (files of the last tier × (tokens to cover + 1)) {@link planRelevance} solves exactly;
 * smaller than {@link exactCellBudget} because each cell has two options and the plan must stay well
 * under 200 ms for 10k files (bench/relevancePlanBench.ts).
 */
export const relevanceCellBudget = 1_000_000;

/**
 * A body token an outline leaves out weighs half a dropped token: the outline keeps every declaration,
 * signature and doc comment, so the reader still knows the API. Below 1, outlines win whenever they
 * cover the need; above 0, a plan still prefers losing fewer tokens. A judgment call, not a measurement.
 */
export const outlineLossFactor = 0.5;

interface TierItem {
  readonly index: number;
  readonly path: string;
  readonly tokens: number;
  readonly outlineSaves: number;
  readonly weight: number;
  readonly rank: number;
  readonly reason: string;
}

interface Choice {
  readonly item: TierItem;
  readonly action: RelevanceAction;
}

/**
 * Plans outlines and drops that remove at least `neededTokens` while keeping the most relevant tokens:
 * 1. focus and pinned files are never touched, nor files of 0 tokens;
 * 2. files are taken by relevance rank, lowest first (noise, unrelated, direct importers of an
 *    anchor, the anchors' import closure from the farthest in, then open/changed anchors): a rank is
 *    touched only when every lower rank, dropped whole, is not enough. So no file of the focus files'
 *    import closure is proposed while any file outside it (other than other anchors) is still in;
 * 3. in the last rank needed, each file may be kept, outlined (saves tokens − outline tokens, loss
 *    {@link outlineLossFactor} per saved token) or dropped (loss 1 per token), times its class weight
 *    ({@link priorityWeights}); a dynamic program picks the cover of least loss, then fewest files touched,
 *    then fewest drops, files in path order. Above {@link relevanceCellBudget} cells token sizes are scaled
 *    down (rounded down, so the plan still covers the need) and the result is repaired greedily.
 * Deterministic: the answer depends on the files, not their order.
 */
export function planRelevance(files: readonly RelevancePlanFile[], neededTokens: number): RelevancePlan {
  let tokensBefore = 0;
  for (const file of files) tokensBefore += file.tokens;
  const need = Math.max(0, Math.ceil(neededTokens));
  const ranks = new Map<number, TierItem[]>();
  files.forEach((file, index) => {
    if (file.priority === 'pinned' || file.priority === 'focus' || !(file.tokens > 0)) return;
    const outline = file.outlineTokens;
    const outlineSaves = outline !== null && outline !== undefined && outline >= 0 && outline < file.tokens ? file.tokens - outline : 0;
    const item: TierItem = {
      index,
      path: file.path,
      tokens: file.tokens,
      outlineSaves,
      weight: priorityWeights[file.priority],
      rank: file.relevance.rank,
      reason: file.relevance.reason,
    };
    const list = ranks.get(item.rank);
    if (list) list.push(item);
    else ranks.set(item.rank, [item]);
  });
  const orderedRanks = [...ranks.keys()].sort((a, b) => a - b);
  const choices: Choice[] = [];
  let covered = 0;
  let method: RelevancePlan['method'] = 'exact';
  for (const rank of orderedRanks) {
    if (covered >= need) break;
    const items = ranks.get(rank)!.sort(byPath);
    let rankTokens = 0;
    for (const item of items) rankTokens += item.tokens;
    if (covered + rankTokens <= need) {
      // Dropping this whole rank is not more than the need: every file goes.
      for (const item of items) choices.push({ item, action: 'drop' });
      covered += rankTokens;
      continue;
    }
    const solved = solveTier(items, need - covered);
    if (solved.scaled) method = 'near-optimal';
    for (const choice of solved.choices) {
      choices.push(choice);
      covered += saves(choice);
    }
  }
  return finishRelevance(files, choices, need, tokensBefore, method);
}

/** Least-loss cover of `need` tokens by outlining or dropping `items` (see {@link planRelevance}, step 3). */
function solveTier(items: readonly TierItem[], need: number): { choices: Choice[]; scaled: boolean } {
  const scale = Math.max(1, Math.ceil((items.length * (need + 1)) / relevanceCellBudget));
  const capacity = Math.ceil(need / scale);
  const width = capacity + 1;
  const cost = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
  const touched = new Uint32Array(width);
  const drops = new Uint32Array(width);
  // Per item and target state: 0 = not improved by this item, 1 = improved by outlining, 2 = by dropping.
  const decision = new Uint8Array(items.length * width);
  const predecessorOfCap = new Int32Array(items.length * 2).fill(-1);
  cost[0] = 0;
  // One option: action 1 (outline) or 2 (drop) moving `units` states at `loss`.
  const relax = (i: number, state: number, action: 1 | 2, units: number, loss: number): void => {
    const target = state + units > capacity ? capacity : state + units;
    const newCost = cost[state]! + loss;
    const newTouched = touched[state]! + 1;
    const newDrops = drops[state]! + (action === 2 ? 1 : 0);
    const targetCost = cost[target]!;
    if (
      newCost < targetCost ||
      (newCost === targetCost && (newTouched < touched[target]! || (newTouched === touched[target]! && newDrops < drops[target]!)))
    ) {
      cost[target] = newCost;
      touched[target] = newTouched;
      drops[target] = newDrops;
      decision[i * width + target] = action;
      if (target === capacity) predecessorOfCap[i * 2 + action - 1] = state;
    }
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const outlineUnits = Math.floor(item.outlineSaves / scale);
    const outlineLoss = item.weight * outlineLossFactor * item.outlineSaves;
    const dropUnits = Math.floor(item.tokens / scale);
    const dropLoss = item.weight * item.tokens;
    // Descending: every target is above its source, so cost[state] still holds its value from before
    // item i when it is read, and item i is applied at most once per path (a 0/1 choice).
    for (let state = capacity; state >= 0; state--) {
      if (cost[state] === Number.POSITIVE_INFINITY) continue;
      if (outlineUnits > 0) relax(i, state, 1, outlineUnits, outlineLoss);
      if (dropUnits > 0) relax(i, state, 2, dropUnits, dropLoss);
    }
  }
  if (cost[capacity] === Number.POSITIVE_INFINITY) return { choices: greedyCover(items, need), scaled: true };
  const choices: Choice[] = [];
  let state = capacity;
  for (let i = items.length - 1; i >= 0 && state > 0; i--) {
    const action = decision[i * width + state]!;
    if (action === 0) continue;
    const item = items[i]!;
    choices.push({ item, action: action === 1 ? 'outline' : 'drop' });
    const units = Math.floor((action === 1 ? item.outlineSaves : item.tokens) / scale);
    state = state === capacity ? predecessorOfCap[i * 2 + action - 1]! : state - units;
  }
  if (scale === 1) return { choices, scaled: false };
  return { choices: repair(choices, need), scaled: true };
}

/** Rounded sizes missed the need: take the cheapest loss per saved token until covered. */
function greedyCover(items: readonly TierItem[], need: number): Choice[] {
  const options = items.flatMap((item) => [
    ...(item.outlineSaves > 0 ? [{ item, action: 'outline' as const, perToken: item.weight * outlineLossFactor }] : []),
    { item, action: 'drop' as const, perToken: item.weight },
  ]);
  options.sort((a, b) => a.perToken - b.perToken || saves(b) - saves(a) || byPath(a.item, b.item));
  const chosen = new Map<TierItem, Choice>();
  let covered = 0;
  for (const option of options) {
    if (covered >= need) break;
    const previous = chosen.get(option.item);
    if (previous && previous.action === 'drop') continue;
    covered += saves(option) - (previous ? saves(previous) : 0);
    chosen.set(option.item, { item: option.item, action: option.action });
  }
  return repair([...chosen.values()], need);
}

/** Un-touch files the plan can spare (highest loss first), then downgrade drops to outlines where the need stays covered. */
function repair(choices: Choice[], need: number): Choice[] {
  const kept = new Map<TierItem, Choice>(choices.map((choice) => [choice.item, choice]));
  let covered = 0;
  for (const choice of kept.values()) covered += saves(choice);
  const byLossDescending = [...kept.values()].sort((a, b) => loss(b) - loss(a) || byPath(a.item, b.item));
  for (const choice of byLossDescending) {
    if (covered - saves(choice) >= need) {
      kept.delete(choice.item);
      covered -= saves(choice);
    }
  }
  for (const choice of [...kept.values()].sort((a, b) => byPath(a.item, b.item))) {
    if (choice.action !== 'drop' || choice.item.outlineSaves === 0) continue;
    const outline: Choice = { item: choice.item, action: 'outline' };
    if (covered - saves(choice) + saves(outline) >= need) {
      kept.set(choice.item, outline);
      covered += saves(outline) - saves(choice);
    }
  }
  return [...kept.values()];
}

function saves(choice: Choice): number {
  return choice.action === 'drop' ? choice.item.tokens : choice.item.outlineSaves;
}

function loss(choice: Choice): number {
  return choice.item.weight * (choice.action === 'drop' ? choice.item.tokens : outlineLossFactor * choice.item.outlineSaves);
}

function finishRelevance(
  files: readonly RelevancePlanFile[],
  choices: readonly Choice[],
  need: number,
  tokensBefore: number,
  method: RelevancePlan['method'],
): RelevancePlan {
  const ordered = [...choices].sort((a, b) => a.item.index - b.item.index);
  let removedTokens = 0;
  let weightedLoss = 0;
  const proposals = ordered.map((choice): RelevanceProposal => {
    const savesTokens = saves(choice);
    removedTokens += savesTokens;
    weightedLoss += loss(choice);
    const file = files[choice.item.index]!;
    const what =
      choice.action === 'outline'
        ? `outline: saves ${formatCount(savesTokens)} tokens, keeps the API visible`
        : `drop: saves ${formatCount(savesTokens)} tokens`;
    return {
      path: file.path,
      action: choice.action,
      tokens: file.tokens,
      keptTokens: file.tokens - savesTokens,
      savesTokens,
      rank: choice.item.rank,
      explanation: `${what}; ${choice.item.reason}`,
    };
  });
  const feasible = removedTokens >= need;
  return {
    proposals,
    neededTokens: need,
    removedTokens,
    tokensBefore,
    tokensAfter: tokensBefore - removedTokens,
    feasible,
    shortfallTokens: feasible ? 0 : need - removedTokens,
    weightedLoss,
    method,
  };
}

/** 6200 → "6,200" (the planner stays free of presenter imports). */
function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * What the prompt must fit, as the caller knows it:
 * - window: the model's maximum window, which must hold prompt + reserved output;
 * - effective-window: the effective window, likewise prompt + reserved output (output tokens take
 *   positions too, matching assessRisk's overall level);
 * - memory: `CostBreakdown.maxContextTokens`, the T = prompt + reserved output that fits in GPU memory;
 * - budget: the user's prompt budget, which counts prompt tokens only (the setting's definition).
 */
export type DropTarget =
  | { readonly kind: 'window'; readonly maxWindowTokens: number }
  | { readonly kind: 'effective-window'; readonly effectiveWindowTokens: number }
  | { readonly kind: 'memory'; readonly maxContextTokens: number }
  | { readonly kind: 'budget'; readonly budgetTokens: number };

/** Most prompt tokens the target allows (never negative). */
export function allowedPromptTokens(target: DropTarget, reserveOutputTokens: number): number {
  switch (target.kind) {
    case 'window':
      return Math.max(0, target.maxWindowTokens - reserveOutputTokens);
    case 'effective-window':
      return Math.max(0, target.effectiveWindowTokens - reserveOutputTokens);
    case 'memory':
      return Math.max(0, target.maxContextTokens - reserveOutputTokens);
    case 'budget':
      return Math.max(0, target.budgetTokens);
  }
}

/** Prompt tokens to remove to meet `target`; 0 when it is already met. */
export function tokensToRemove(target: DropTarget, promptTokens: number, reserveOutputTokens: number): number {
  return Math.max(0, promptTokens - allowedPromptTokens(target, reserveOutputTokens));
}

/** A file for {@link planReorder}, in prompt order. */
export interface ReorderFile {
  readonly path: string;
  readonly tokens: number;
  readonly focus: boolean;
}

/** Result of {@link planReorder}. */
export interface ReorderPlan<T extends ReorderFile> {
  /** All files in the new prompt order. */
  readonly files: readonly T[];
  /** Paths of focus files that were in the middle band and changed place. */
  readonly moved: readonly string[];
  /** Focus files whose midpoint is still in the band after the move (too many focus tokens to fit outside it). */
  readonly stillInMiddle: readonly string[];
}

/**
 * Moves focus files out of the middle band; everything else keeps its relative order.
 * - placement 'end' (default): focus files whose midpoint is in the band or after it go to the end,
 *   in their original order. The end is next to the question or instruction that usually follows
 *   the context (recency). Both ends beat the middle in the reference's Lost in the Middle numbers,
 *   which of the two wins varies: the last position beats every middle one in 3 of the 4 series
 *   (mpt-30b-instruct documents 0.562 vs ≤ 0.527; key-value retrieval 0.962 vs ≤ 0.936 and 0.886 vs
 *   ≤ 0.656), while longchat-13b-16k on documents and GPT-3.5-Turbo do best at the start (0.686;
 *   ≈75% vs ≈65% last).
 * - placement 'start': focus files whose midpoint is in the band or before it go to the start. Prefer
 *   it when the prompt runs past the effective window, where the end is the degraded region.
 * Focus files already outside the band on the chosen side stay in the group they belong to, so they
 * are not pushed into the band. The band itself does not change: the prompt's length does not.
 */
export function planReorder<T extends ReorderFile>(
  files: readonly T[],
  middleBand: { readonly start: number; readonly end: number } | null,
  options: { readonly placement?: 'end' | 'start' } = {},
): ReorderPlan<T> {
  if (!middleBand) return { files: [...files], moved: [], stillInMiddle: [] };
  const placement = options.placement ?? 'end';
  const midpoints = positionsOf(files).map(({ start, end }) => (start + end) / 2);
  const inBand = (midpoint: number): boolean => midpoint >= middleBand.start && midpoint < middleBand.end;
  const moves = (file: T, i: number): boolean =>
    file.focus && (placement === 'end' ? midpoints[i]! >= middleBand.start : midpoints[i]! < middleBand.end);
  const group = files.filter((file, i) => moves(file, i));
  const others = files.filter((file, i) => !moves(file, i));
  const reordered = placement === 'end' ? [...others, ...group] : [...group, ...others];
  const newIndex = new Map<T, number>();
  reordered.forEach((file, i) => newIndex.set(file, i));
  const moved = files.filter((file, i) => file.focus && inBand(midpoints[i]!) && newIndex.get(file) !== i).map((file) => file.path);
  const newPositions = positionsOf(reordered);
  const stillInMiddle = reordered
    .filter((file, i) => file.focus && inBand((newPositions[i]!.start + newPositions[i]!.end) / 2))
    .map((file) => file.path);
  return { files: reordered, moved, stillInMiddle };
}

function positionsOf(files: readonly ReorderFile[]): { start: number; end: number }[] {
  let position = 0;
  return files.map((file) => {
    const start = position;
    position += file.tokens;
    return { start, end: position };
  });
}
