import type {
  PanelDetails,
  PanelDropPlan,
  PanelDropProposal,
  PanelDropTarget,
  PanelReorder,
  WebviewMessage,
} from '../../protocol/panelProtocol';
import { button, ChangeGate, el } from '../dom';
import type { MetricCard } from './header';
import { syncCards } from './header';

/** Proposals listed one per row; a plan with more applies them all, and says how many are not listed. */
const proposalRowsShown = 200;

/** What to drop (the plan for the chosen target, with the figures after it) and how to reorder. */
export class Plan {
  readonly element = el('section', { class: 'plan', 'aria-labelledby': 'plan-title' });
  private readonly gate = new ChangeGate();
  private readonly afterCards = new Map<string, MetricCard>();

  constructor(private readonly send: (message: WebviewMessage) => void) {}

  update(state: PanelDetails, empty: boolean): void {
    this.element.hidden = empty;
    if (!this.gate.changed([state.dropPlan, state.reorder, state.undoLabel])) return;
    this.element.replaceChildren(
      el('h2', { id: 'plan-title' }, 'What to drop or move'),
      this.dropPlanBlock(state.dropPlan),
      this.reorderBlock(state.reorder),
      ...(state.undoLabel
        ? [
            el(
              'p',
              { class: 'undo-row' },
              button(`Undo: ${state.undoLabel}`, () => this.send({ type: 'undo' }), { icon: 'discard', id: 'undo' }),
            ),
          ]
        : []),
    );
  }

  private dropPlanBlock(plan: PanelDropPlan): HTMLElement {
    const targetSelect = el(
      'select',
      { id: 'drop-target', 'aria-label': 'Limit the prompt should fit' },
      ...plan.targets.map((target) => {
        const option = el('option', { value: target.kind }, `${target.label} — ${target.status}`);
        option.disabled = !target.available;
        return option;
      }),
    );
    targetSelect.value = plan.target;
    targetSelect.addEventListener('change', () => this.send({ type: 'setDropTarget', target: targetSelect.value as PanelDropTarget }));
    const selected = plan.proposals.filter((proposal) => proposal.selected).map((proposal) => proposal.uri);
    const shown = plan.proposals.slice(0, proposalRowsShown);
    const proposals =
      plan.proposals.length === 0
        ? null
        : el(
            'table',
            { class: 'proposals', id: 'drop-proposals' },
            el('caption', { class: 'visually-hidden' }, 'Proposed drops and outlines; untick a file to keep it as it is'),
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', { scope: 'col' }, 'Apply'),
                el('th', { scope: 'col' }, 'File'),
                el('th', { scope: 'col' }, 'Action'),
                el('th', { scope: 'col', class: 'num' }, 'Saves'),
                el('th', { scope: 'col' }, 'Why'),
              ),
            ),
            el(
              'tbody',
              {},
              ...shown.map((proposal) => {
                const verb = proposal.action === 'outline' ? 'Outline' : 'Drop';
                const checkbox = el('input', {
                  type: 'checkbox',
                  'aria-label': `${verb} ${proposal.path}`,
                  'data-key': `drop:${proposal.uri}`,
                });
                checkbox.checked = proposal.selected;
                checkbox.addEventListener('change', () =>
                  this.send({ type: 'setProposalSelected', uri: proposal.uri, selected: checkbox.checked }),
                );
                return el(
                  'tr',
                  { 'data-uri': proposal.uri, 'data-action': proposal.action },
                  el('td', {}, checkbox),
                  el('td', { class: 'path', title: proposal.path }, proposal.path),
                  el('td', { class: 'action' }, verb.toLowerCase()),
                  el('td', { class: 'num' }, proposal.savesText),
                  el('td', { class: 'why', title: proposal.explanation }, proposal.explanation),
                );
              }),
            ),
          );
    const more =
      plan.proposals.length > shown.length
        ? el(
            'p',
            { class: 'muted' },
            `… and ${(plan.proposals.length - shown.length).toLocaleString('en-US')} more file(s), applied with the rest.`,
          )
        : null;
    let after: HTMLElement | null = null;
    if (plan.after) {
      const cards = el('div', { class: 'metrics compact', id: 'after-metrics' });
      syncCards(cards, this.afterCards, plan.after);
      after = el(
        'div',
        { class: 'after' },
        el(
          'h3',
          {},
          plan.afterPending ? 'After the ticked changes (the smaller directory tree is still being counted)' : 'After the ticked changes',
        ),
        cards,
      );
    }
    return el(
      'div',
      { class: 'drop-plan' },
      el('div', { class: 'toolbar' }, el('label', { for: 'drop-target' }, 'Fit'), targetSelect),
      el('p', { id: 'drop-message' }, plan.message),
      plan.proposals.length > 0
        ? el(
            'p',
            { id: 'drop-basis', class: 'muted' },
            plan.basis === 'relevance'
              ? `Weighed by relevance: imports from the focus, open and changed files, file kinds, outlines.${plan.basisNote ? ` ${plan.basisNote}` : ''}`
              : `Weighed by size only: ${plan.basisNote || 'relevance is not available'}.`,
          )
        : null,
      proposals,
      more,
      after,
      plan.proposals.length > 0
        ? el(
            'p',
            {},
            button(
              applyLabel(plan.proposals.filter((proposal) => proposal.selected)),
              () => this.send({ type: 'applyDrops', uris: selected }),
              { icon: 'check', primary: true, disabled: !plan.canApply, id: 'apply-drops' },
            ),
          )
        : null,
    );
  }

  private reorderBlock(reorder: PanelReorder): HTMLElement {
    return el(
      'div',
      { class: 'reorder', id: 'reorder' },
      el('h3', {}, 'Prompt order'),
      el('p', {}, reorder.message),
      reorder.moves.length > 0
        ? el('ul', { class: 'moves' }, ...reorder.moves.slice(0, proposalRowsShown).map((path) => el('li', { class: 'path' }, path)))
        : null,
      el(
        'p',
        {},
        reorder.available
          ? button(
              reorder.placement === 'end' ? 'Move focus files to the end' : 'Move focus files to the start',
              () => this.send({ type: 'applyReorder', placement: reorder.placement }),
              { icon: 'arrow-swap', primary: true, id: 'apply-reorder' },
            )
          : null,
        reorder.customOrderApplied
          ? button('Reset to path order', () => this.send({ type: 'resetOrder' }), { icon: 'list-ordered', id: 'reset-order' })
          : null,
      ),
    );
  }
}

/** `Apply: drop 3, outline 2 file(s)`: what the button will do to the ticked proposals. */
function applyLabel(ticked: readonly PanelDropProposal[]): string {
  const outlines = ticked.filter((proposal) => proposal.action === 'outline').length;
  const drops = ticked.length - outlines;
  const parts = [
    drops > 0 || outlines === 0 ? `drop ${drops.toLocaleString('en-US')}` : '',
    outlines > 0 ? `outline ${outlines.toLocaleString('en-US')}` : '',
  ].filter(Boolean);
  return `Apply: ${parts.join(', ')} file(s)`;
}
