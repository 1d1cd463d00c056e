/**
 * The Context Budget panel in the browser. It renders the host's state snapshots and sends user
 * intents back; it never computes a figure. Every string from the host is set with textContent or
 * as an attribute value, so file names are shown as text and never parsed as HTML.
 */
import type {
  ChartAxes, ChartMark, FlopsChart, HostMessage, MemoryChart, PanelDropPlan, PanelDropTarget, PanelFileFlag, PanelFileRow, PanelMetric, PanelReorder, PanelState, PositionStrip, TreemapCell, WebviewMessage,
} from '../protocol/panelProtocol';
import { maxGpuCount, panelDropTargets } from '../protocol/panelProtocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type SortKey = 'order' | 'path' | 'tokens' | 'share';
interface ViewState {
  sortKey: SortKey;
  descending: boolean;
  filter: string;
  flag: PanelFileFlag | '';
  dropTarget?: PanelDropTarget;
}

const vscode = acquireVsCodeApi();
let current: PanelState | null = null;

const flagLabels: Record<PanelFileFlag, { text: string; icon: string; title: string }> = {
  middle: { text: 'middle', icon: 'arrow-both', title: 'Midpoint lies in the middle band of the prompt, where recall is lowest (Lost in the Middle)' },
  focus: { text: 'focus', icon: 'star-full', title: 'Marked as focus: what the model most needs to see' },
  pinned: { text: 'pinned', icon: 'pinned', title: 'Pinned: never proposed for dropping' },
  'beyond-effective': { text: 'past effective', icon: 'warning', title: 'Ends past the effective or trained window: degraded recall' },
  'beyond-max': { text: 'past max', icon: 'error', title: 'Ends past the maximum window: the server rejects it or positions extrapolate' },
  skipped: { text: 'skipped', icon: 'circle-slash', title: 'Not counted: see the note' },
  unchecked: { text: 'unchecked', icon: 'circle-large-outline', title: 'In the list but unchecked: not in the prompt' },
  pending: { text: 'counting', icon: 'loading', title: 'Being counted' },
  secret: { text: 'secret?', icon: 'key', title: 'Looks like it holds a secret (see the note): export asks before including it' },
};

// After flagLabels: restoring a saved view state checks its flag against them.
const view: ViewState = restoreViewState(vscode.getState());

// ---------------------------------------------------------------- DOM helpers (text only, never HTML)

type Child = Node | string | null | undefined | false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  append(element, children);
  return element;
}

const svgNs = 'http://www.w3.org/2000/svg';
function svg(tag: string, attributes: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

function icon(name: string, label?: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': label ? undefined : 'true', 'aria-label': label, role: label ? 'img' : undefined });
}

function button(label: string, onClick: () => void, options: { icon?: string; title?: string; primary?: boolean; disabled?: boolean; id?: string } = {}): HTMLButtonElement {
  const result = el('button', { type: 'button', class: options.primary ? 'button primary' : 'button', title: options.title, id: options.id }, options.icon ? icon(options.icon) : null, label);
  result.disabled = options.disabled ?? false;
  result.addEventListener('click', onClick);
  return result;
}

function send(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function saveView(): void {
  vscode.setState(view);
}

// ---------------------------------------------------------------- page skeleton (built once, so focus and typing survive updates)

const app = document.getElementById('app') as HTMLElement;
app.replaceChildren();
const header = el('header', { class: 'summary' });
const warningsSection = el('section', { class: 'warnings', 'aria-labelledby': 'warnings-title' });
const chartsSection = el('section', { class: 'charts', 'aria-labelledby': 'charts-title' });
const planSection = el('section', { class: 'plan', 'aria-labelledby': 'plan-title' });
const filesSection = el('section', { class: 'files', 'aria-labelledby': 'files-title' });
const confusionsSection = el('section', { class: 'confusions', 'aria-labelledby': 'confusions-title' });

const modelSelect = el('select', { id: 'model-select', 'aria-label': 'Model' });
modelSelect.addEventListener('change', () => send({ type: 'setModel', modelId: modelSelect.value }));
const gpuSelect = el('select', { id: 'gpu-select', 'aria-label': 'GPU' });
gpuSelect.addEventListener('change', () => send({ type: 'setGpu', gpuId: gpuSelect.value }));
const gpuCountInput = el('input', { id: 'gpu-count', type: 'number', min: '1', max: String(maxGpuCount), step: '1', 'aria-label': 'Number of GPUs' });
gpuCountInput.addEventListener('change', () => {
  const count = Number(gpuCountInput.value);
  if (Number.isInteger(count) && count >= 1 && count <= maxGpuCount) send({ type: 'setGpuCount', gpuCount: count });
  else if (current) gpuCountInput.value = String(current.gpuCount);
});

const filterInput = el('input', { id: 'file-filter', type: 'search', placeholder: 'Filter by path', 'aria-label': 'Filter files by path' });
filterInput.value = view.filter;
filterInput.addEventListener('input', () => {
  view.filter = filterInput.value;
  saveView();
  if (current) renderFileTable(current);
});
const flagSelect = el('select', { id: 'flag-filter', 'aria-label': 'Show only files with this flag' }, el('option', { value: '' }, 'All files'), ...Object.entries(flagLabels).map(([flag, label]) => el('option', { value: flag }, `Only ${label.text}`)));
flagSelect.value = view.flag;
flagSelect.addEventListener('change', () => {
  view.flag = flagSelect.value as PanelFileFlag | '';
  saveView();
  if (current) renderFileTable(current);
});
const fileTableHost = el('div', { class: 'table-host' });
const fileCount = el('p', { class: 'muted', id: 'file-count', 'aria-live': 'polite' });

append(filesSection, [
  el('h2', { id: 'files-title' }, 'Files in prompt order'),
  el('div', { class: 'toolbar' }, filterInput, flagSelect, fileCount),
  fileTableHost,
]);

app.append(header, warningsSection, planSection, chartsSection, filesSection, confusionsSection);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as HostMessage;
  if (message && message.type === 'state' && message.state && message.state.version === 1) render(message.state);
});
send(view.dropTarget ? { type: 'ready', dropTarget: view.dropTarget } : { type: 'ready' });

// ---------------------------------------------------------------- render

function render(state: PanelState): void {
  const focused = focusKey(document.activeElement);
  current = state;
  app.setAttribute('aria-busy', state.counting ? 'true' : 'false');
  document.body.dataset.risk = state.riskLevel;
  if (view.dropTarget !== state.dropPlan.target) {
    view.dropTarget = state.dropPlan.target;
    saveView();
  }
  renderHeader(state);
  for (const section of [warningsSection, planSection, chartsSection, filesSection]) section.hidden = state.empty;
  renderWarnings(state);
  renderPlan(state);
  renderCharts(state);
  renderFileTable(state);
  renderConfusions(state);
  if (focused) restoreFocus(focused);
}

/** Sections are rebuilt on every snapshot; the control that had focus gets it back by its id or data-key. */
function focusKey(element: Element | null): string | null {
  if (!(element instanceof HTMLElement) || element === document.body) return null;
  if (element.dataset.key) return `key:${element.dataset.key}`;
  return element.id ? `id:${element.id}` : null;
}

function restoreFocus(key: string): void {
  if (focusKey(document.activeElement) === key) return;
  const match = [...document.querySelectorAll<HTMLElement>('[data-key], [id]')].find((element) => focusKey(element) === key);
  match?.focus();
}

function renderHeader(state: PanelState): void {
  syncOptions(modelSelect, state.models, state.modelConfigLabel ? { id: state.modelId, label: state.modelConfigLabel } : null, state.modelId);
  syncOptions(gpuSelect, state.gpus, null, state.gpuId);
  if (document.activeElement !== gpuCountInput) gpuCountInput.value = String(state.gpuCount);
  const riskIcon = state.riskLevel === 'beyond' ? 'error' : state.riskLevel === 'degraded' ? 'warning' : 'pass';
  header.replaceChildren(
    el('div', { class: 'title-row' },
      el('h1', {}, 'Context Budget'),
      el('span', { class: `risk-badge risk-${state.riskLevel}`, id: 'risk-badge', title: state.riskText }, icon(riskIcon), `risk: ${state.riskLevel}`),
      state.counting ? el('span', { class: 'counting', id: 'counting' }, icon('loading codicon-modifier-spin'), `Counting ${state.counting.done} of ${state.counting.total} files…`) : null,
    ),
    el('div', { class: 'target-row' },
      el('label', { for: 'model-select' }, 'Model'), modelSelect,
      button('Model file…', () => send({ type: 'runCommand', command: 'loadModelConfig' }), { icon: 'file-code', title: 'Load a Hugging Face config.json or a local GGUF file' }),
      el('label', { for: 'gpu-select' }, 'GPU'), gpuSelect,
      el('label', { for: 'gpu-count' }, '×'), gpuCountInput,
    ),
    state.empty
      ? el('p', { class: 'empty', id: 'empty' }, 'No files in the prompt context yet. Add files from the Explorer (right-click → Add to Prompt Context) or the Context Budget view.')
      : el('div', { class: 'metrics', id: 'metrics' }, ...state.metrics.map(metricCard)),
  );
}

function syncOptions(select: HTMLSelectElement, choices: readonly { id: string; label: string }[], extra: { id: string; label: string } | null, selected: string): void {
  const wanted = extra ? [extra, ...choices] : choices;
  const same = select.options.length === wanted.length && wanted.every((choice, index) => select.options[index]?.value === choice.id && select.options[index]?.textContent === choice.label);
  if (!same) select.replaceChildren(...wanted.map((choice) => el('option', { value: choice.id }, choice.label)));
  if (select.value !== selected) select.value = selected;
}

function metricCard(metric: PanelMetric): HTMLElement {
  return el('div', { class: `metric tone-${metric.tone}`, 'data-metric': metric.id },
    el('div', { class: 'metric-label' }, metric.label, el('span', { class: `basis basis-${metric.basis}`, title: basisTitle(metric.basis) }, metric.basis)),
    el('div', { class: 'metric-value' }, metric.value),
    el('div', { class: 'metric-detail' }, metric.detail),
  );
}

function basisTitle(basis: PanelMetric['basis']): string {
  if (basis === 'exact') return 'Exact: counted with the model\'s own tokenizer';
  if (basis === 'setting') return 'From your settings';
  return 'Estimate: computed from the model architecture, GPU specs and the stated assumptions';
}

function renderWarnings(state: PanelState): void {
  if (state.warnings.length === 0) {
    warningsSection.replaceChildren(el('h2', { id: 'warnings-title' }, 'Warnings'), el('p', { class: 'muted' }, icon('pass'), ' No warnings for this prompt.'));
    return;
  }
  warningsSection.replaceChildren(
    el('h2', { id: 'warnings-title' }, `Warnings (${state.warnings.length})`),
    el('ul', { class: 'warning-list' }, ...state.warnings.map((warning) => el('li', { class: `warning severity-${warning.severity}`, 'data-warning': warning.id },
      icon(warning.severity === 'error' ? 'error' : warning.severity === 'warning' ? 'warning' : 'info', warning.severity),
      el('span', { class: `bottleneck bottleneck-${warning.category}` }, warning.categoryLabel),
      el('details', {}, el('summary', {}, warning.message), el('p', { class: 'why' }, warning.why)),
    ))),
  );
}

// ---------------------------------------------------------------- drop plan and reorder

function renderPlan(state: PanelState): void {
  const plan = state.dropPlan;
  planSection.replaceChildren(
    el('h2', { id: 'plan-title' }, 'What to drop or move'),
    dropPlanBlock(plan),
    reorderBlock(state.reorder),
    ...(state.undoLabel ? [el('p', { class: 'undo-row' }, button(`Undo: ${state.undoLabel}`, () => send({ type: 'undo' }), { icon: 'discard', id: 'undo' }))] : []),
  );
}

function dropPlanBlock(plan: PanelDropPlan): HTMLElement {
  const targetSelect = el('select', { id: 'drop-target', 'aria-label': 'Limit the prompt should fit' }, ...plan.targets.map((target) => {
    const option = el('option', { value: target.kind }, `${target.label} — ${target.status}`);
    option.disabled = !target.available;
    return option;
  }));
  targetSelect.value = plan.target;
  targetSelect.addEventListener('change', () => send({ type: 'setDropTarget', target: targetSelect.value as PanelDropTarget }));
  const selected = plan.proposals.filter((proposal) => proposal.selected).map((proposal) => proposal.uri);
  const proposals = plan.proposals.length === 0 ? null : el('table', { class: 'proposals', id: 'drop-proposals' },
    el('caption', { class: 'visually-hidden' }, 'Proposed drops; untick a file to keep it'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Drop'), el('th', { scope: 'col' }, 'File'), el('th', { scope: 'col', class: 'num' }, 'Saves'), el('th', { scope: 'col' }, 'Kind'))),
    el('tbody', {}, ...plan.proposals.map((proposal) => {
      const checkbox = el('input', { type: 'checkbox', 'aria-label': `Drop ${proposal.path}`, 'data-key': `drop:${proposal.uri}` });
      checkbox.checked = proposal.selected;
      checkbox.addEventListener('change', () => send({ type: 'setProposalSelected', uri: proposal.uri, selected: checkbox.checked }));
      return el('tr', { 'data-uri': proposal.uri }, el('td', {}, checkbox), el('td', { class: 'path' }, proposal.path), el('td', { class: 'num' }, proposal.savesText), el('td', {}, proposal.priority));
    })),
  );
  return el('div', { class: 'drop-plan' },
    el('div', { class: 'toolbar' }, el('label', { for: 'drop-target' }, 'Fit'), targetSelect),
    el('p', { id: 'drop-message' }, plan.message),
    proposals,
    plan.after ? el('div', { class: 'after' }, el('h3', {}, plan.afterPending ? 'After dropping the ticked files (the smaller directory tree is still being counted)' : 'After dropping the ticked files'), el('div', { class: 'metrics compact', id: 'after-metrics' }, ...plan.after.map(metricCard))) : null,
    plan.proposals.length > 0 ? el('p', {}, button(`Apply: uncheck ${selected.length} file(s)`, () => send({ type: 'applyDrops', uris: selected }), { icon: 'check', primary: true, disabled: !plan.canApply, id: 'apply-drops' })) : null,
  );
}

function reorderBlock(reorder: PanelReorder): HTMLElement {
  return el('div', { class: 'reorder', id: 'reorder' },
    el('h3', {}, 'Prompt order'),
    el('p', {}, reorder.message),
    reorder.moves.length > 0 ? el('ul', { class: 'moves' }, ...reorder.moves.map((path) => el('li', { class: 'path' }, path))) : null,
    el('p', {},
      reorder.available ? button(reorder.placement === 'end' ? 'Move focus files to the end' : 'Move focus files to the start', () => send({ type: 'applyReorder', placement: reorder.placement }), { icon: 'arrow-swap', primary: true, id: 'apply-reorder' }) : null,
      reorder.customOrderApplied ? button('Reset to path order', () => send({ type: 'resetOrder' }), { icon: 'list-ordered', id: 'reset-order' }) : null,
    ),
  );
}

// ---------------------------------------------------------------- file table

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'order', label: '#', numeric: true },
  { key: 'path', label: 'Path', numeric: false },
  { key: 'tokens', label: 'Tokens', numeric: true },
  { key: 'share', label: 'Share', numeric: true },
];

function renderFileTable(state: PanelState): void {
  const needle = view.filter.trim().toLowerCase();
  const rows = state.files.filter((row) => (!needle || row.path.toLowerCase().includes(needle)) && (!view.flag || row.flags.includes(view.flag)));
  rows.sort(compareRows(view.sortKey, view.descending));
  fileCount.textContent = rows.length === state.files.length ? `${state.files.length} file(s)` : `${rows.length} of ${state.files.length} file(s)`;
  const headerRow = el('tr', {}, ...columns.map((column) => {
    const active = view.sortKey === column.key;
    const sortButton = el('button', { type: 'button', class: 'sort', 'data-sort': column.key, 'data-key': `sort:${column.key}`, title: `Sort by ${column.label === '#' ? 'prompt order' : column.label.toLowerCase()}` }, column.label, active ? icon(view.descending ? 'arrow-down' : 'arrow-up') : null);
    sortButton.addEventListener('click', () => {
      if (view.sortKey === column.key) view.descending = !view.descending;
      else {
        view.sortKey = column.key;
        view.descending = column.key === 'tokens' || column.key === 'share';
      }
      saveView();
      renderFileTable(state);
      restoreFocus(`key:sort:${column.key}`);
    });
    return el('th', { scope: 'col', class: column.numeric ? 'num' : undefined, 'aria-sort': active ? (view.descending ? 'descending' : 'ascending') : 'none' }, sortButton);
  }), el('th', { scope: 'col' }, 'Token range'), el('th', { scope: 'col' }, 'Flags'), el('th', { scope: 'col' }, 'Note'));
  const body = el('tbody', {}, ...rows.map(fileRow));
  fileTableHost.replaceChildren(el('table', { class: 'file-table', id: 'file-table' }, el('caption', { class: 'visually-hidden' }, 'Files in the prompt context'), el('thead', {}, headerRow), body));
}

function fileRow(row: PanelFileRow): HTMLTableRowElement {
  const open = el('button', { type: 'button', class: 'link path', title: `Open ${row.path}`, 'data-key': `open:${row.uri}` }, row.path);
  open.addEventListener('click', () => send({ type: 'openFile', uri: row.uri }));
  return el('tr', { 'data-uri': row.uri, class: row.flags.includes('unchecked') || row.flags.includes('skipped') ? 'dim' : undefined },
    el('td', { class: 'num' }, row.order === null ? '—' : String(row.order)),
    el('td', {}, open),
    el('td', { class: 'num' }, row.tokensText),
    el('td', { class: 'num share-cell' }, shareBar(row.share), row.shareText),
    el('td', { class: 'num' }, row.rangeText),
    el('td', { class: 'flags' }, ...row.flags.map((flag) => el('span', { class: `flag flag-${flag}`, title: flagLabels[flag].title }, icon(flagLabels[flag].icon), flagLabels[flag].text))),
    el('td', { class: 'note' }, row.note),
  );
}

function shareBar(share: number | null): HTMLElement | null {
  if (share === null) return null;
  const bar = el('span', { class: 'share-bar', 'aria-hidden': 'true' });
  bar.style.width = `${Math.max(1, Math.round(share * 60))}px`;
  return bar;
}

function compareRows(key: SortKey, descending: boolean): (a: PanelFileRow, b: PanelFileRow) => number {
  const direction = descending ? -1 : 1;
  const numeric = (value: number | null): number => (value === null ? -Infinity : value);
  return (a, b) => {
    let result: number;
    if (key === 'path') result = a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    else if (key === 'order') result = (a.order ?? Infinity) - (b.order ?? Infinity) || (a.path < b.path ? -1 : 1);
    else result = numeric(key === 'tokens' ? a.tokens : a.share) - numeric(key === 'tokens' ? b.tokens : b.share);
    return (Number.isNaN(result) ? 0 : result) * direction;
  };
}

// ---------------------------------------------------------------- charts (plain SVG, styled by theme variables in panel.css)

function renderCharts(state: PanelState): void {
  if (state.empty) {
    chartsSection.replaceChildren();
    return;
  }
  chartsSection.replaceChildren(
    el('h2', { id: 'charts-title' }, 'Where the budget goes'),
    el('div', { class: 'chart-grid' },
      figure('Token share by file', 'chart-treemap', treemapChart(state.treemap), 'Largest files by tokens; one colour per top-level folder. Hover a cell for its share.'),
      figure('Where each file lands in the prompt', 'chart-positions', positionChart(state.positions), state.positions.summary),
      figure('GPU memory vs context length', 'chart-memory', memoryChartSvg(state.memory), state.memory.summary),
      figure('Prefill compute vs prompt length', 'chart-flops', flopsChartSvg(state.flops), state.flops.summary),
    ),
  );
}

function figure(title: string, id: string, chart: SVGElement, caption: string): HTMLElement {
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', `${title}. ${caption}`);
  return el('figure', { class: 'chart', id }, el('h3', {}, title), chart, el('figcaption', {}, caption));
}

function treemapChart(cells: readonly TreemapCell[]): SVGElement {
  const width = 600;
  const height = 200;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'treemap' });
  for (const cell of cells) {
    const x = cell.x * width;
    const y = cell.y * height;
    const w = cell.width * width;
    const h = cell.height * height;
    const group = svg('g', { class: `cell c${cell.colorIndex}` },
      svg('title', {}, `${cell.label}: ${cell.tokens.toLocaleString('en-US')} tokens (${cell.shareText})`),
      svg('rect', { x, y, width: Math.max(0, w - 1), height: Math.max(0, h - 1) }),
    );
    if (w > 48 && h > 16) {
      const name = cell.label.split('/').pop() ?? cell.label;
      group.appendChild(svg('text', { x: x + 4, y: y + 13, class: 'cell-label' }, truncate(name, Math.floor((w - 8) / 6.2))));
      if (h > 30) group.appendChild(svg('text', { x: x + 4, y: y + 26, class: 'cell-share' }, cell.shareText));
    }
    root.appendChild(group);
  }
  return root;
}

function positionChart(strip: PositionStrip): SVGElement {
  const width = 600;
  const left = 8;
  const right = 8;
  const plot = width - left - right;
  const total = Math.max(strip.promptTokens, 1);
  const x = (tokens: number): number => left + (tokens / total) * plot;
  const labelRows = Math.max(1, ...strip.limits.map((limit) => limit.row + 1));
  const height = 84 + (labelRows - 1) * 11;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'positions' });
  if (strip.middleBand) {
    root.appendChild(svg('rect', { x: x(strip.middleBand.start), y: 4, width: x(strip.middleBand.end) - x(strip.middleBand.start), height: 48, class: 'middle-band' }, svg('title', {}, `Middle band ${strip.middleBand.start.toLocaleString('en-US')}–${strip.middleBand.end.toLocaleString('en-US')}: recall is lowest here`)));
    root.appendChild(svg('text', { x: (x(strip.middleBand.start) + x(strip.middleBand.end)) / 2, y: 14, class: 'band-label', 'text-anchor': 'middle' }, 'middle band'));
  }
  strip.segments.forEach((segment, index) => {
    const classes = ['segment', segment.focus ? 'focus' : index % 2 ? 'odd' : 'even', segment.inMiddle && segment.focus ? 'lost' : '', `level-${segment.level}`].filter(Boolean).join(' ');
    root.appendChild(svg('rect', { x: x(segment.start), y: 20, width: Math.max(0.5, x(segment.end) - x(segment.start)), height: 28, class: classes },
      svg('title', {}, `${segment.label}: tokens ${segment.start.toLocaleString('en-US')}–${segment.end.toLocaleString('en-US')}${segment.focus ? ' (focus)' : ''}${segment.inMiddle ? ', in the middle band' : ''}`)));
  });
  for (const limit of strip.limits) {
    root.appendChild(svg('line', { x1: x(limit.tokens), x2: x(limit.tokens), y1: 2, y2: 54, class: 'limit' }));
    root.appendChild(svg('line', { x1: x(limit.tokens), x2: x(limit.tokens), y1: 54, y2: 54 + limit.row * 11, class: 'limit' }));
    root.appendChild(svg('text', { x: x(limit.tokens) + (limit.anchor === 'end' ? -3 : 3), y: 62 + limit.row * 11, class: 'limit-label', 'text-anchor': limit.anchor }, limit.label));
  }
  for (const tick of strip.ticks) root.appendChild(svg('text', { x: x(tick.value), y: height - 6, class: 'tick', 'text-anchor': tick.value === 0 ? 'start' : 'middle' }, tick.label));
  return root;
}

interface Plot {
  readonly root: SVGElement;
  readonly x: (value: number) => number;
  readonly y: (value: number) => number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

function axes(chart: ChartAxes, className: string): Plot {
  const width = 600;
  const height = 290;
  const margin = { left: 70, right: 16, top: 58, bottom: 40 };
  const x = (value: number): number => margin.left + (value / chart.xMax) * (width - margin.left - margin.right);
  const y = (value: number): number => height - margin.bottom - (value / chart.yMax) * (height - margin.top - margin.bottom);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: className });
  for (const tick of chart.yTicks) {
    root.appendChild(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick.value), y2: y(tick.value), class: 'grid' }));
    root.appendChild(svg('text', { x: margin.left - 6, y: y(tick.value) + 4, class: 'tick', 'text-anchor': 'end' }, tick.label));
  }
  for (const tick of chart.xTicks) root.appendChild(svg('text', { x: x(tick.value), y: height - margin.bottom + 16, class: 'tick', 'text-anchor': 'middle' }, tick.label));
  root.appendChild(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), class: 'axis' }));
  root.appendChild(svg('text', { x: (margin.left + width - margin.right) / 2, y: height - 6, class: 'axis-label', 'text-anchor': 'middle' }, chart.xLabel));
  return { root, x, y, top: margin.top, bottom: height - margin.bottom, left: margin.left, right: width - margin.right };
}

function area(points: readonly { x: number; low: number; high: number }[], className: string, title: string): SVGElement {
  const upper = points.map((point) => `${point.x.toFixed(1)},${point.high.toFixed(1)}`);
  const lower = [...points].reverse().map((point) => `${point.x.toFixed(1)},${point.low.toFixed(1)}`);
  return svg('polygon', { points: [...upper, ...lower].join(' '), class: className }, svg('title', {}, title));
}

/** Window marks: dashed verticals, labelled in the top margin, one row each so labels never collide. */
function windowLines(plot: Plot, marks: readonly ChartMark[]): SVGElement[] {
  return marks.flatMap((mark, index) => {
    const x = plot.x(mark.tokens);
    const leftHalf = x < (plot.left + plot.right) / 2;
    const y = plot.top - 4 - (marks.length - 1 - index) * 11;
    return [
      svg('line', { x1: x, x2: x, y1: y + 2, y2: plot.bottom, class: 'window-mark' }),
      svg('text', { x: leftHalf ? x + 3 : x - 3, y, class: 'mark-label', 'text-anchor': leftHalf ? 'start' : 'end' }, `${mark.label} ${mark.tokens.toLocaleString('en-US')}`),
    ];
  });
}

function legend(items: readonly { label: string; className: string }[]): SVGElement {
  const group = svg('g', { class: 'legend' });
  let offset = 72;
  for (const item of items) {
    group.appendChild(svg('rect', { x: offset, y: 2, width: 10, height: 10, class: item.className }));
    group.appendChild(svg('text', { x: offset + 14, y: 11, class: 'tick' }, item.label));
    offset += 24 + item.label.length * 6.2;
  }
  return group;
}

function memoryChartSvg(chart: MemoryChart): SVGElement {
  const plot = axes(chart, 'memory');
  const weights = chart.points.map((point) => ({ x: plot.x(point.tokens), low: plot.y(0), high: plot.y(point.weightsBytes) }));
  const kv = chart.points.map((point) => ({ x: plot.x(point.tokens), low: plot.y(point.weightsBytes), high: plot.y(point.weightsBytes + point.kvBytes) }));
  append(plot.root, [
    area(weights, 'area weights', 'weights'),
    area(kv, 'area kv', 'KV cache'),
    ...windowLines(plot, chart.windowMarks),
    svg('line', { x1: plot.x(0), x2: plot.x(chart.xMax), y1: plot.y(chart.gpuTotalBytes), y2: plot.y(chart.gpuTotalBytes), class: 'gpu-line' }),
    svg('text', { x: plot.x(0) + 4, y: plot.y(chart.gpuTotalBytes) - 4, class: 'line-label' }, chart.gpuTotalLabel),
    svg('line', { x1: plot.x(0), x2: plot.x(chart.xMax), y1: plot.y(chart.usableBytes), y2: plot.y(chart.usableBytes), class: 'usable-line' }),
    svg('text', { x: plot.x(0) + 4, y: plot.y(chart.usableBytes) + 12, class: 'line-label' }, chart.usableLabel),
    chart.maxContextTokens !== null ? svg('line', { x1: plot.x(chart.maxContextTokens), x2: plot.x(chart.maxContextTokens), y1: plot.top, y2: plot.bottom, class: 'fit-line' }, svg('title', {}, `largest context that fits: ${chart.maxContextTokens.toLocaleString('en-US')} tokens`)) : null,
    marker(plot, chart.current.tokens, chart.current.bytes, chart.current.label, chart.xMax),
    legend([{ label: 'weights', className: 'area weights' }, { label: 'KV cache', className: 'area kv' }]),
  ]);
  return plot.root;
}

function flopsChartSvg(chart: FlopsChart): SVGElement {
  const plot = axes(chart, 'flops');
  const linear = chart.points.map((point) => ({ x: plot.x(point.tokens), low: plot.y(0), high: plot.y(point.linear) }));
  const attention = chart.points.map((point) => ({ x: plot.x(point.tokens), low: plot.y(point.linear), high: plot.y(point.linear + point.attention) }));
  append(plot.root, [
    area(linear, 'area linear', 'linear (weight) FLOPs'),
    area(attention, 'area attention', 'attention FLOPs'),
    ...windowLines(plot, chart.windowMarks),
    chart.crossoverTokens !== null && chart.crossoverTokens <= chart.xMax
      ? svg('g', { class: 'crossover-mark' },
        svg('line', { x1: plot.x(chart.crossoverTokens), x2: plot.x(chart.crossoverTokens), y1: plot.top, y2: plot.bottom, class: 'crossover' }, svg('title', {}, chart.crossoverLabel)),
        svg('text', { x: plot.x(chart.crossoverTokens) + 3, y: plot.bottom - 6, class: 'mark-label crossover-label' }, 'attention = linear'))
      : null,
    marker(plot, chart.current.tokens, chart.current.linear + chart.current.attention, chart.current.label, chart.xMax),
    legend([{ label: 'linear (weights)', className: 'area linear' }, { label: 'attention (quadratic)', className: 'area attention' }]),
  ]);
  return plot.root;
}

function marker(plot: Plot, tokens: number, value: number, label: string, xMax: number): SVGElement {
  const cx = plot.x(tokens);
  const cy = plot.y(value);
  const anchor = tokens > xMax * 0.6 ? 'end' : 'start';
  return svg('g', { class: 'current' },
    svg('line', { x1: cx, x2: cx, y1: plot.top, y2: plot.bottom, class: 'current-line' }),
    svg('circle', { cx, cy, r: 4 }),
    svg('text', { x: anchor === 'end' ? cx - 8 : cx + 8, y: Math.max(plot.top + 10, cy - 8), class: 'current-label', 'text-anchor': anchor }, label),
  );
}

function truncate(text: string, max: number): string {
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function renderConfusions(state: PanelState): void {
  if (confusionsSection.childElementCount > 0) return;
  confusionsSection.replaceChildren(
    el('h2', { id: 'confusions-title' }, 'Common confusions'),
    el('div', { class: 'confusion-list' }, ...state.confusions.map((confusion) => el('details', {}, el('summary', {}, confusion.title), el('p', {}, confusion.body)))),
  );
}

function restoreViewState(saved: unknown): ViewState {
  const fallback: ViewState = { sortKey: 'order', descending: false, filter: '', flag: '' };
  if (typeof saved !== 'object' || saved === null) return fallback;
  const value = saved as Partial<ViewState>;
  const sortKeys: SortKey[] = ['order', 'path', 'tokens', 'share'];
  const targets: readonly PanelDropTarget[] = panelDropTargets;
  return {
    sortKey: sortKeys.includes(value.sortKey as SortKey) ? (value.sortKey as SortKey) : fallback.sortKey,
    descending: value.descending === true,
    filter: typeof value.filter === 'string' ? value.filter.slice(0, 500) : '',
    flag: typeof value.flag === 'string' && Object.hasOwn(flagLabels, value.flag) ? (value.flag as PanelFileFlag) : '',
    dropTarget: targets.includes(value.dropTarget as PanelDropTarget) ? value.dropTarget : undefined,
  };
}
