import type { ResolvedTarget } from '../analysis/resolveTarget';
import type { Settings } from '../settings';
import { Emitter } from '../util/emitter';

/**
 * One immutable snapshot of what the numbers are for: the settings and the model and GPU they
 * resolved to, numbered. Every reader (report, panel, commands, CLI) takes settings and target from
 * the same snapshot, so they can never disagree.
 */
export interface BudgetContext {
  /** Increases with every settings change that was resolved; a later snapshot always has a larger one. */
  readonly generation: number;
  readonly settings: Settings;
  readonly target: ResolvedTarget;
}

/** Resolves settings to a target; may read model files, so it is asynchronous. */
export type TargetResolve = (settings: Settings) => Promise<ResolvedTarget>;

/**
 * Turns settings changes into context snapshots, latest wins: each change is numbered, and a
 * resolution that finishes after a newer change was made is dropped, so a slow read of an old model
 * file can never install a stale model over the one the user picked last (the panel and the model
 * picker write two or three settings in a row).
 */
export class BudgetContextResolver {
  private requested: number;
  private latest: BudgetContext;
  private readonly _onDidChange = new Emitter<BudgetContext>();
  /** Fires with each snapshot that is installed. */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly resolve: TargetResolve,
    initial: BudgetContext,
    private readonly onResolveError: (error: unknown) => void = () => undefined,
  ) {
    this.latest = initial;
    this.requested = initial.generation;
  }

  get current(): BudgetContext {
    return this.latest;
  }

  /**
   * Resolves `settings` and installs the snapshot unless a newer `update` was called meanwhile.
   * Resolves to the installed snapshot, or undefined when this one was superseded.
   */
  async update(settings: Settings): Promise<BudgetContext | undefined> {
    const generation = ++this.requested;
    let target: ResolvedTarget;
    try {
      target = await this.resolve(settings);
    } catch (error) {
      // resolve() reports file problems as data; a throw is a bug, logged, and the old target kept.
      this.onResolveError(error);
      target = this.latest.target;
    }
    if (generation !== this.requested) return undefined;
    this.latest = { generation, settings, target };
    this._onDidChange.fire(this.latest);
    return this.latest;
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
