import * as vscode from 'vscode';
import { dropTargetStatuses, firstExceededTarget, unavailableReason } from '../core/analysis/dropPlan';
import { formatInteger, formatTokens } from '../core/units';
import type { BudgetSession } from '../core/session/budgetSession';

/** Suggest Drops: pick a target, review the proposed drops (untick any), apply, and undo from the notification. */
export class DropPlanFlow {
  constructor(private readonly session: BudgetSession) {}

  async run(): Promise<void> {
    await this.session.whenIdle();
    const report = this.session.report();
    const suggested = firstExceededTarget(report);
    const targetItems = dropTargetStatuses(report).map((target) => ({
      label: target.label,
      description: target.available && target.neededTokens === 0 ? 'already met' : target.status,
      targetKind: target.kind,
      picked: target.kind === suggested,
    }));
    const chosen = await vscode.window.showQuickPick(targetItems.sort((a, b) => Number(b.picked) - Number(a.picked)), { title: vscode.l10n.t('Context Budget: Suggest Drops'), placeHolder: vscode.l10n.t('Which limit should the prompt fit?') });
    if (!chosen) return;
    const proposal = await this.session.settledDropProposal(chosen.targetKind);
    if (!proposal) return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: {0}: {1}.', chosen.label, unavailableReason(chosen.targetKind)));
    if (proposal.neededTokens === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: the prompt already fits ({0}).', chosen.label.toLowerCase()));
    if (proposal.drops.length === 0) {
      const why = proposal.outcome.kind === 'over' ? proposal.outcome.why : '';
      return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: no file can be dropped to meet this: {0}.', why));
    }
    const items = proposal.drops.map((drop) => ({
      label: drop.relativePath,
      description: `saves ${formatTokens(drop.savesTokens)} tokens · ${drop.priority}`,
      uri: drop.uri,
      picked: true,
    }));
    const after = proposal.after?.promptTokens ?? proposal.promptTokensBefore;
    const verdict = proposal.outcome.kind === 'over'
      ? `still ${formatInteger(proposal.outcome.overTokens)} tokens over (${proposal.outcome.why})`
      : `${formatInteger(proposal.promptTokensBefore)} → ${formatInteger(after)} prompt tokens`;
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Drop {0} file(s): {1}', items.length, verdict), placeHolder: vscode.l10n.t('Untick any file to keep it, then press Enter to apply'), canPickMany: true });
    if (!picked || picked.length === 0) return;
    const uris = picked.map((item) => item.uri);
    const selection = this.session.selection;
    selection.setIncluded(uris, false);
    const undo = vscode.l10n.t('Undo');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: unchecked {0} file(s).', uris.length), undo);
    if (choice === undo) selection.setIncluded(uris, true);
  }
}
