import * as vscode from 'vscode';
import { dropTargetFor, dropTargetLabels, firstExceededTarget, planDropsForReport } from '../core/analysis/dropPlan';
import type { DropTargetKind } from '../core/analysis/dropPlan';
import { tokensToRemove } from '../core/plan/planner';
import { formatInteger, formatTokens } from '../core/units';
import type { BudgetSession } from '../core/session/budgetSession';

/** Suggest Drops: pick a target, review the proposed drops (untick any), apply, and undo from the notification. */
export class DropPlanFlow {
  constructor(private readonly session: BudgetSession) {}

  async run(): Promise<void> {
    await this.session.whenIdle();
    const report = this.session.report();
    const suggested = firstExceededTarget(report);
    const kinds: DropTargetKind[] = ['window', 'effective', 'memory', 'budget'];
    const targetItems = kinds.map((kind) => {
      const target = dropTargetFor(kind, report);
      const needed = target ? tokensToRemove(target, report.promptTokens, report.reserveOutputTokens) : 0;
      return {
        label: dropTargetLabels[kind],
        description: !target ? 'no budget set (contextBudget.budgetTokens)' : needed > 0 ? `remove ≥ ${formatInteger(needed)} tokens` : 'already met',
        targetKind: kind,
        picked: kind === suggested,
      };
    });
    const chosen = await vscode.window.showQuickPick(targetItems.sort((a, b) => Number(b.picked) - Number(a.picked)), { title: vscode.l10n.t('Context Budget: Suggest Drops'), placeHolder: vscode.l10n.t('Which limit should the prompt fit?') });
    if (!chosen) return;
    const plan = planDropsForReport(report, this.session.inputs(), chosen.targetKind);
    if (!plan) return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: set contextBudget.budgetTokens to plan against a budget.'));
    if (plan.neededTokens === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: the prompt already fits ({0}).', chosen.label.toLowerCase()));
    const selection = this.session.selection;
    const items = plan.drops.map((drop) => ({
      label: selection.get(drop.path)?.relativePath ?? drop.path,
      description: `saves ${formatTokens(drop.savesTokens)} tokens · ${drop.priority}`,
      uri: drop.path,
      picked: true,
    }));
    const verdict = plan.feasible ? `${formatInteger(plan.tokensBefore)} → ${formatInteger(plan.tokensAfter)} prompt tokens` : `not enough without pinned/focus files: still ${formatInteger(plan.shortfallTokens)} tokens over`;
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Drop {0} file(s): {1}', items.length, verdict), placeHolder: vscode.l10n.t('Untick any file to keep it, then press Enter to apply'), canPickMany: true });
    if (!picked || picked.length === 0) return;
    const uris = picked.map((item) => item.uri);
    selection.setIncluded(uris, false);
    const undo = vscode.l10n.t('Undo');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: unchecked {0} file(s).', uris.length), undo);
    if (choice === undo) selection.setIncluded(uris, true);
  }
}
