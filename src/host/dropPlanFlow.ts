import * as vscode from 'vscode';
import { dropTargetStatuses, firstExceededTarget, statesForActions, unavailableReason } from '../core/analysis/dropPlan';
import { formatInteger } from '../core/units';
import type { BudgetSession } from '../core/session/budgetSession';

/** Suggest Drops: pick a target, review the proposed drops and outlines with why each (untick any), apply, and undo from the notification. */
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
    const chosen = await vscode.window.showQuickPick(
      targetItems.sort((a, b) => Number(b.picked) - Number(a.picked)),
      { title: vscode.l10n.t('Context Budget: Suggest Drops'), placeHolder: vscode.l10n.t('Which limit should the prompt fit?') },
    );
    if (!chosen) return;
    const proposal = await this.session.settledDropProposal(chosen.targetKind);
    if (!proposal) {
      return void vscode.window.showInformationMessage(
        vscode.l10n.t('Context Budget: {0}: {1}.', chosen.label, unavailableReason(chosen.targetKind)),
      );
    }
    if (proposal.neededTokens === 0) {
      return void vscode.window.showInformationMessage(
        vscode.l10n.t('Context Budget: the prompt already fits ({0}).', chosen.label.toLowerCase()),
      );
    }
    if (proposal.actions.length === 0) {
      const why = proposal.outcome.kind === 'over' ? proposal.outcome.why : '';
      return void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: no file can be dropped to meet this: {0}.', why));
    }
    // Each item says what it saves and why this file (the plan's one-line explanation).
    const items = proposal.actions.map((action) => ({
      label: action.relativePath,
      description: action.explanation,
      uri: action.uri,
      action: action.action,
      picked: true,
    }));
    const after = proposal.after?.promptTokens ?? proposal.promptTokensBefore;
    const verdict =
      proposal.outcome.kind === 'over'
        ? `still ${formatInteger(proposal.outcome.overTokens)} tokens over (${proposal.outcome.why})`
        : `${formatInteger(proposal.promptTokensBefore)} → ${formatInteger(after)} prompt tokens`;
    const outlines = items.filter((item) => item.action === 'outline').length;
    const title =
      outlines > 0
        ? vscode.l10n.t('Drop {0} file(s), outline {1}: {2}', items.length - outlines, outlines, verdict)
        : vscode.l10n.t('Drop {0} file(s): {1}', items.length, verdict);
    const placeHolder =
      proposal.basisNote === ''
        ? vscode.l10n.t('Untick any file to keep it, then press Enter to apply')
        : vscode.l10n.t('Untick any file to keep it, then press Enter to apply ({0})', proposal.basisNote);
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder, canPickMany: true, matchOnDescription: true });
    if (!picked || picked.length === 0) return;
    const selection = this.session.selection;
    const previous = selection.setStates(statesForActions(picked));
    const undo = vscode.l10n.t('Undo');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Context Budget: unchecked {0} file(s), outlined {1}.',
        picked.length - picked.filter((item) => item.action === 'outline').length,
        picked.filter((item) => item.action === 'outline').length,
      ),
      undo,
    );
    if (choice === undo) selection.setStates(previous);
  }
}
