import type { PanelChoice, PanelMetric, PanelSummary, WebviewMessage } from '../../protocol/panelProtocol';
import { maxGpuCount } from '../../protocol/panelProtocol';
import { button, el, icon, setAttribute, setText } from '../dom';

/**
 * The summary: title, risk badge, counting progress, model/GPU choices and the metric cards. It is
 * drawn first on every snapshot (the cards are what the user came for), and updates its nodes in
 * place: a changed number changes one text node.
 */
export class Header {
  readonly element = el('header', { class: 'summary' });
  private readonly riskBadge = el('span', { class: 'risk-badge', id: 'risk-badge' });
  private readonly counting = el('span', { class: 'counting', id: 'counting', role: 'status' });
  private readonly modelSelect = el('select', { id: 'model-select', 'aria-label': 'Model' });
  private readonly gpuSelect = el('select', { id: 'gpu-select', 'aria-label': 'GPU' });
  private readonly gpuCount = el('input', {
    id: 'gpu-count',
    type: 'number',
    min: '1',
    max: String(maxGpuCount),
    step: '1',
    'aria-label': 'Number of GPUs',
  });
  private readonly empty = el(
    'p',
    { class: 'empty', id: 'empty' },
    'No files in the prompt context yet. Add files from the Explorer (right-click → Add to Prompt Context) or the Context Budget view.',
  );
  private readonly metrics = el('div', { class: 'metrics', id: 'metrics' });
  /** Which tokenizer counts; Download Tokenizer when the count is an estimate for a catalog model. */
  private readonly tokenizerLabel = el('span', { id: 'tokenizer-label' });
  private readonly tokenizerRow = el('div', { class: 'tokenizer-row', id: 'tokenizer-row' });
  private readonly downloadTokenizer: HTMLButtonElement;
  private readonly cards = new Map<string, MetricCard>();
  private current: PanelSummary | null = null;

  constructor(send: (message: WebviewMessage) => void) {
    this.modelSelect.addEventListener('change', () => send({ type: 'setModel', modelId: this.modelSelect.value }));
    this.gpuSelect.addEventListener('change', () => send({ type: 'setGpu', gpuId: this.gpuSelect.value }));
    this.gpuCount.addEventListener('change', () => {
      const count = Number(this.gpuCount.value);
      if (Number.isInteger(count) && count >= 1 && count <= maxGpuCount) send({ type: 'setGpuCount', gpuCount: count });
      else if (this.current) this.gpuCount.value = String(this.current.gpuCount);
    });
    this.downloadTokenizer = button('Download Tokenizer', () => send({ type: 'runCommand', command: 'downloadTokenizer' }), {
      icon: 'cloud-download',
      id: 'download-tokenizer',
    });
    this.tokenizerRow.append(el('span', { class: 'muted' }, 'Tokenizer'), this.tokenizerLabel, this.downloadTokenizer);
    this.element.append(
      el('div', { class: 'title-row' }, el('h1', {}, 'Context Budget'), this.riskBadge, this.counting),
      el(
        'div',
        { class: 'target-row' },
        el('label', { for: 'model-select' }, 'Model'),
        this.modelSelect,
        button('Model file…', () => send({ type: 'runCommand', command: 'loadModelConfig' }), {
          icon: 'file-code',
          title: 'Load a Hugging Face config.json or a local GGUF file',
        }),
        el('label', { for: 'gpu-select' }, 'GPU'),
        this.gpuSelect,
        el('label', { for: 'gpu-count' }, '×'),
        this.gpuCount,
      ),
      this.tokenizerRow,
      this.empty,
      this.metrics,
    );
  }

  update(state: PanelSummary): void {
    this.current = state;
    syncOptions(
      this.modelSelect,
      state.models,
      state.modelConfigLabel ? { id: state.modelId, label: state.modelConfigLabel } : null,
      state.modelId,
    );
    syncOptions(this.gpuSelect, state.gpus, null, state.gpuId);
    if (document.activeElement !== this.gpuCount) this.gpuCount.value = String(state.gpuCount);
    const riskIcon = state.riskLevel === 'beyond' ? 'error' : state.riskLevel === 'degraded' ? 'warning' : 'pass';
    setAttribute(this.riskBadge, 'class', `risk-badge risk-${state.riskLevel}`);
    setAttribute(this.riskBadge, 'title', state.riskText);
    this.riskBadge.replaceChildren(icon(riskIcon), `risk: ${state.riskLevel}`);
    this.counting.hidden = state.counting === null;
    if (state.counting) {
      this.counting.replaceChildren(
        icon('loading codicon-modifier-spin'),
        `Counting ${state.counting.done} of ${state.counting.total} files…`,
      );
    }
    setText(this.tokenizerLabel, state.tokenizer.label);
    this.downloadTokenizer.hidden = state.tokenizer.download === null;
    setAttribute(
      this.downloadTokenizer,
      'title',
      state.tokenizer.download
        ? `Download tokenizer.json and tokenizer_config.json from ${state.tokenizer.download.repo} (asks first): exact counts for this model`
        : null,
    );
    this.empty.hidden = !state.empty;
    this.metrics.hidden = state.empty;
    syncCards(this.metrics, this.cards, state.metrics);
  }
}

/** One metric card; its nodes are kept and only their text changes. */
export class MetricCard {
  readonly element: HTMLElement;
  private readonly label = el('span', {});
  private readonly basis = el('span', {});
  private readonly value = el('div', { class: 'metric-value' });
  private readonly detail = el('div', { class: 'metric-detail' });

  constructor(id: string) {
    this.element = el('div', { 'data-metric': id }, el('div', { class: 'metric-label' }, this.label, this.basis), this.value, this.detail);
  }

  update(metric: PanelMetric): void {
    setAttribute(this.element, 'class', `metric tone-${metric.tone}`);
    setText(this.label, metric.label);
    setText(this.basis, metric.basis);
    setAttribute(this.basis, 'class', `basis basis-${metric.basis}`);
    setAttribute(this.basis, 'title', basisTitle(metric.basis));
    setText(this.value, metric.value);
    setText(this.detail, metric.detail);
  }
}

/** Keeps one card per metric id in `container`, in the order given. */
export function syncCards(container: HTMLElement, cards: Map<string, MetricCard>, metrics: readonly PanelMetric[]): void {
  const seen = new Set<string>();
  let previous: Element | null = null;
  for (const metric of metrics) {
    seen.add(metric.id);
    let card = cards.get(metric.id);
    if (!card) {
      card = new MetricCard(metric.id);
      cards.set(metric.id, card);
    }
    card.update(metric);
    const expectedNext: Element | null = previous ? previous.nextElementSibling : container.firstElementChild;
    if (expectedNext !== card.element) container.insertBefore(card.element, expectedNext);
    previous = card.element;
  }
  for (const [id, card] of cards) {
    if (!seen.has(id)) {
      card.element.remove();
      cards.delete(id);
    }
  }
}

function basisTitle(basis: PanelMetric['basis']): string {
  if (basis === 'exact') return "Exact: counted with the model's own tokenizer";
  if (basis === 'setting') return 'From your settings';
  return 'Estimate: computed from the model architecture, GPU specs and the stated assumptions';
}

function syncOptions(select: HTMLSelectElement, choices: readonly PanelChoice[], extra: PanelChoice | null, selected: string): void {
  const wanted = extra ? [extra, ...choices] : choices;
  const same =
    select.options.length === wanted.length &&
    wanted.every((choice, index) => select.options[index]?.value === choice.id && select.options[index]?.textContent === choice.label);
  if (!same) select.replaceChildren(...wanted.map((choice) => el('option', { value: choice.id }, choice.label)));
  if (select.value !== selected) select.value = selected;
}
