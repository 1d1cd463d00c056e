import type { PanelSummary } from '../../protocol/panelProtocol';
import { ChangeGate, el, icon } from '../dom';

/** The warnings, each with its category and a collapsible "why"; redrawn only when they change. */
export class Warnings {
  readonly element = el('section', { class: 'warnings', 'aria-labelledby': 'warnings-title' });
  private readonly gate = new ChangeGate();
  /** Warnings the user opened stay open across updates. */
  private readonly open = new Set<string>();

  update(state: PanelSummary): void {
    this.element.hidden = state.empty;
    if (!this.gate.changed(state.warnings)) return;
    if (state.warnings.length === 0) {
      this.element.replaceChildren(
        el('h2', { id: 'warnings-title' }, 'Warnings'),
        el('p', { class: 'muted' }, icon('pass'), ' No warnings for this prompt.'),
      );
      return;
    }
    this.element.replaceChildren(
      el('h2', { id: 'warnings-title' }, `Warnings (${state.warnings.length})`),
      el(
        'ul',
        { class: 'warning-list' },
        ...state.warnings.map((warning) => {
          const details = el('details', {}, el('summary', {}, warning.message), el('p', { class: 'why' }, warning.why));
          details.open = this.open.has(warning.id);
          details.addEventListener('toggle', () => (details.open ? this.open.add(warning.id) : this.open.delete(warning.id)));
          return el(
            'li',
            { class: `warning severity-${warning.severity}`, 'data-warning': warning.id },
            icon(warning.severity === 'error' ? 'error' : warning.severity === 'warning' ? 'warning' : 'info', warning.severity),
            el('span', { class: `category category-${warning.category}` }, warning.categoryLabel),
            details,
          );
        }),
      ),
    );
  }
}
