import * as vscode from 'vscode';
import type { DropTargetKind } from '../core/analysis/dropPlan';
import { budgetAnswer } from '../core/presenters/chatAnswer';
import type { BudgetSession } from '../core/session/budgetSession';
import { commandIds } from './ids';

export const chatParticipantId = 'context-budget.budget';
export const budgetToolName = 'context-budget_getBudget';

/**
 * The budget inside VS Code's chat: an @budget participant and a language-model tool, both answering
 * from the live report (no model needed to write the answer). Where the chat or tools API is missing
 * (older VS Code, AI features turned off) nothing is registered and the rest of the extension is unaffected.
 */
export function registerChat(session: BudgetSession, output: vscode.OutputChannel): vscode.Disposable[] {
  const disposables: vscode.Disposable[] = [];
  try {
    if (typeof vscode.chat?.createChatParticipant === 'function') {
      const participant = vscode.chat.createChatParticipant(chatParticipantId, async (request, _context, stream) => {
        await session.whenIdle();
        const focus = request.command === 'fit' ? 'fit' : request.command === 'drop' ? 'drop' : 'all';
        stream.markdown(budgetAnswer(session.report(), session.inputs(), focus));
        stream.button({ command: commandIds.openPanel, title: vscode.l10n.t('Open the Context Budget panel') });
        return {};
      });
      participant.iconPath = new vscode.ThemeIcon('symbol-ruler');
      disposables.push(participant);
    }
    if (typeof vscode.lm?.registerTool === 'function') {
      disposables.push(vscode.lm.registerTool<{ target?: DropTargetKind }>(budgetToolName, {
        prepareInvocation: () => ({ invocationMessage: vscode.l10n.t('Reading the Context Budget selection') }),
        invoke: async (options) => {
          await session.whenIdle();
          const target = ['window', 'effective', 'memory', 'budget'].includes(options.input?.target ?? '') ? options.input.target : undefined;
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(budgetAnswer(session.report(), session.inputs(), 'all', target))]);
        },
      }));
    }
  } catch (error) {
    output.appendLine(`Chat integration not available here: ${(error as Error).message}`);
  }
  return disposables;
}

/** Chat models VS Code offers (empty when none, or when the API is missing). */
export async function availableChatModels(): Promise<vscode.LanguageModelChat[]> {
  try {
    return typeof vscode.lm?.selectChatModels === 'function' ? await vscode.lm.selectChatModels() : [];
  } catch {
    return [];
  }
}
