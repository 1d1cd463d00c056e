import type { PanelSummary } from '../../protocol/panelProtocol';
import { ChangeGate, el, icon } from '../dom';

/**
 * The serving engine: what it does with this prompt (the files Ollama cuts, a server's refusal), the
 * fix with its KV-memory and time-to-first-token cost, what the live server check read from each
 * endpoint, and every convention the estimate applied with its source. Redrawn only when it changes.
 */
export class Engine {
  readonly element = el('section', { class: 'engine', 'aria-labelledby': 'engine-title' });
  private readonly gate = new ChangeGate();
  /** The conventions list stays open across updates once the user opened it. */
  private conventionsOpen = false;

  update(state: PanelSummary): void {
    this.element.hidden = state.empty;
    const engine = state.engine;
    if (!this.gate.changed(engine)) return;
    const conventions = el(
      'details',
      { class: 'engine-conventions' },
      el('summary', {}, `${engine.conventions.length} convention${engine.conventions.length === 1 ? '' : 's'} applied`),
      el(
        'ul',
        {},
        ...engine.conventions.map((convention) =>
          el('li', {}, convention.text, el('span', { class: 'engine-source' }, ` (source: ${convention.source})`)),
        ),
      ),
    );
    conventions.open = this.conventionsOpen;
    conventions.addEventListener('toggle', () => (this.conventionsOpen = conventions.open));
    const parts: Array<Node | null> = [
      el('h2', { id: 'engine-title' }, `Engine: ${engine.name}`),
      el('p', { class: 'muted' }, `Window: ${engine.windowLimit} · largest context that fits: ${engine.maxContext}`),
      engine.handling
        ? el(
            'div',
            { class: `engine-handling handling-${engine.handling.kind}`, 'data-handling': engine.handling.kind },
            icon(
              engine.handling.kind === 'front-dropped' ? 'warning' : 'error',
              engine.handling.kind === 'front-dropped' ? 'the front is cut' : 'refused',
            ),
            el('span', {}, ` ${engine.handling.text}`),
            engine.handling.files.length > 0
              ? el(
                  'p',
                  { class: 'engine-files' },
                  `${engine.handling.kind === 'front-dropped' ? 'Files cut' : 'Files past the limit'}: ${engine.handling.files.join(', ')}`,
                )
              : null,
          )
        : null,
      engine.fix ? el('p', { class: 'engine-fix', id: 'engine-fix' }, icon('lightbulb'), ` ${engine.fix.text}`) : null,
      engine.server
        ? el(
            'div',
            { class: 'engine-server', 'data-server': engine.server.status },
            el('p', {}, icon('server'), ` ${engine.server.summary}`),
            engine.server.readings.length + engine.server.notes.length > 0
              ? el(
                  'ul',
                  {},
                  ...engine.server.readings.map((reading) => el('li', {}, reading)),
                  ...engine.server.notes.map((note) => el('li', { class: 'muted' }, note)),
                )
              : null,
          )
        : null,
      engine.problems.length > 0
        ? el('ul', { class: 'engine-problems' }, ...engine.problems.map((problem) => el('li', {}, icon('warning'), ` ${problem}`)))
        : null,
      conventions,
    ];
    this.element.replaceChildren(...parts.filter((part): part is Node => part !== null));
  }
}
