import * as vscode from 'vscode';
import type { BudgetReport } from '../core/analysis/budgetTypes';
import { firstExceededTarget } from '../core/analysis/dropPlan';
import type { DropProposal } from '../core/analysis/dropPlan';
import { isDropTargetKind } from '../core/vocabulary';
import type { DropTargetKind } from '../core/vocabulary';
import type { BudgetSession } from '../core/session/budgetSession';
import { commandIds } from './ids';

export const chatParticipantId = 'context-budget.budget';
export const budgetToolName = 'context-budget_getBudget';

/** Writes the answer's Markdown (core's budgetAnswer, which the extension loads from its second bundle on the first question). */
export type BudgetAnswerWriter = (report: BudgetReport, proposal: DropProposal | null, focus: 'all' | 'fit' | 'drop') => string;

/**
 * The budget inside VS Code's chat: an @budget participant and a language-model tool, both answering
 * from the live report (no model needed to write the answer). Where the chat or tools API is missing
 * (older VS Code, AI features turned off) nothing is registered and the rest of the extension is unaffected.
 */
export function registerChat(
  session: BudgetSession,
  log: vscode.LogOutputChannel,
  ready: Promise<void>,
  budgetAnswer: () => BudgetAnswerWriter,
): vscode.Disposable[] {
  const disposables: vscode.Disposable[] = [];
  try {
    if (typeof vscode.chat?.createChatParticipant === 'function') {
      const participant = vscode.chat.createChatParticipant(chatParticipantId, async (request, _context, stream) => {
        const focus = request.command === 'fit' ? 'fit' : request.command === 'drop' ? 'drop' : 'all';
        stream.markdown(await answerFromSession(session, ready, budgetAnswer, focus));
        stream.button({ command: commandIds.openPanel, title: vscode.l10n.t('Open the Context Budget panel') });
        return {};
      });
      participant.iconPath = new vscode.ThemeIcon('symbol-ruler');
      disposables.push(participant);
    }
    if (typeof vscode.lm?.registerTool === 'function') {
      disposables.push(
        vscode.lm.registerTool<{ target?: DropTargetKind }>(budgetToolName, {
          prepareInvocation: () => ({ invocationMessage: vscode.l10n.t('Reading the Context Budget selection') }),
          invoke: async (options) => {
            const target = isDropTargetKind(options.input?.target) ? options.input.target : undefined;
            return new vscode.LanguageModelToolResult([
              new vscode.LanguageModelTextPart(await answerFromSession(session, ready, budgetAnswer, 'all', target)),
            ]);
          },
        }),
      );
    }
  } catch (error) {
    log.warn(`Chat integration not available here: ${(error as Error).message}`);
  }
  return disposables;
}

/** The answer from settled numbers (once the saved selection is restored): the requested target, or the first limit the prompt exceeds. */
async function answerFromSession(
  session: BudgetSession,
  ready: Promise<void>,
  budgetAnswer: () => BudgetAnswerWriter,
  focus: 'all' | 'fit' | 'drop',
  requested?: DropTargetKind,
): Promise<string> {
  await ready;
  await session.whenIdle();
  const target = requested ?? firstExceededTarget(session.report());
  const proposal = target ? await session.settledDropProposal(target) : null;
  return budgetAnswer()(session.report(), proposal, focus);
}

/** Chat models VS Code offers (empty when none, or when the API is missing). */
export async function availableChatModels(): Promise<vscode.LanguageModelChat[]> {
  try {
    return typeof vscode.lm?.selectChatModels === 'function' ? await vscode.lm.selectChatModels() : [];
  } catch {
    return [];
  }
}
