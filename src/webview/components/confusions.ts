import type { PanelSummary } from '../../protocol/panelProtocol';
import { el } from '../dom';

/** The four common confusions about long contexts: drawn once, they never change. */
export class Confusions {
  readonly element = el('section', { class: 'confusions', 'aria-labelledby': 'confusions-title' });

  update(state: PanelSummary): void {
    if (this.element.childElementCount > 0) return;
    this.element.replaceChildren(
      el('h2', { id: 'confusions-title' }, 'Common confusions'),
      el(
        'div',
        { class: 'confusion-list' },
        ...state.confusions.map((confusion) => el('details', {}, el('summary', {}, confusion.title), el('p', {}, confusion.body))),
      ),
    );
  }
}
