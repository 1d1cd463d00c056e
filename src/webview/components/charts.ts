import type { ChartAxes, ChartMark, FlopsChart, MemoryChart, PanelDetails, PositionStrip, TreemapCell } from '../../protocol/panelProtocol';
import { append, ChangeGate, el, svg } from '../dom';

/**
 * The four charts (plain SVG styled by theme variables in panel.css: no chart library to load under
 * the CSP). Each is redrawn only when its own data changed.
 */
export class Charts {
  readonly element = el('section', { class: 'charts', 'aria-labelledby': 'charts-title' });
  private readonly gates = { treemap: new ChangeGate(), positions: new ChangeGate(), memory: new ChangeGate(), flops: new ChangeGate() };
  private readonly figures = {
    treemap: el('figure', { class: 'chart', id: 'chart-treemap' }),
    positions: el('figure', { class: 'chart', id: 'chart-positions' }),
    memory: el('figure', { class: 'chart', id: 'chart-memory' }),
    flops: el('figure', { class: 'chart', id: 'chart-flops' }),
  };

  constructor() {
    this.element.append(
      el('h2', { id: 'charts-title' }, 'Where the budget goes'),
      el('div', { class: 'chart-grid' }, this.figures.treemap, this.figures.positions, this.figures.memory, this.figures.flops),
    );
  }

  update(state: PanelDetails, empty: boolean): void {
    this.element.hidden = empty;
    if (empty) return;
    if (this.gates.treemap.changed(state.treemap)) {
      fillFigure(
        this.figures.treemap,
        'Token share by file',
        treemapChart(state.treemap),
        'Largest files by tokens; in a large selection, folders. One colour per top-level folder; hover a cell for its share.',
      );
    }
    if (this.gates.positions.changed(state.positions)) {
      fillFigure(this.figures.positions, 'Where each file lands in the prompt', positionChart(state.positions), state.positions.summary);
    }
    if (this.gates.memory.changed(state.memory)) {
      fillFigure(this.figures.memory, 'GPU memory vs context length', memoryChartSvg(state.memory), state.memory.summary);
    }
    if (this.gates.flops.changed(state.flops)) {
      fillFigure(this.figures.flops, 'Prefill compute vs prompt length', flopsChartSvg(state.flops), state.flops.summary);
    }
  }
}

function fillFigure(figure: HTMLElement, title: string, chart: SVGElement, caption: string): void {
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', `${title}. ${caption}`);
  figure.replaceChildren(el('h3', {}, title), chart, el('figcaption', {}, caption));
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
    const group = svg(
      'g',
      { class: `cell c${cell.colorIndex}` },
      svg(
        'title',
        {},
        `${cell.label}: ${cell.tokens.toLocaleString('en-US')} tokens (${cell.shareText})${cell.files > 1 ? `, ${cell.files.toLocaleString('en-US')} files` : ''}`,
      ),
      svg('rect', { x, y, width: Math.max(0, w - 1), height: Math.max(0, h - 1) }),
    );
    if (w > 48 && h > 16) {
      // A grouped cell ("src/core/ · 312 files") keeps its whole label; a file shows its name.
      const name = cell.files > 1 ? cell.label : (cell.label.split('/').pop() ?? cell.label);
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
    root.appendChild(
      svg(
        'rect',
        {
          x: x(strip.middleBand.start),
          y: 4,
          width: x(strip.middleBand.end) - x(strip.middleBand.start),
          height: 48,
          class: 'middle-band',
        },
        svg(
          'title',
          {},
          `Middle band ${strip.middleBand.start.toLocaleString('en-US')}–${strip.middleBand.end.toLocaleString('en-US')}: recall is lowest here`,
        ),
      ),
    );
    root.appendChild(
      svg(
        'text',
        { x: (x(strip.middleBand.start) + x(strip.middleBand.end)) / 2, y: 14, class: 'band-label', 'text-anchor': 'middle' },
        'middle band',
      ),
    );
  }
  strip.segments.forEach((segment, index) => {
    const classes = [
      'segment',
      segment.focus ? 'focus' : index % 2 ? 'odd' : 'even',
      segment.inMiddle && segment.focus ? 'lost' : '',
      `level-${segment.level}`,
    ]
      .filter(Boolean)
      .join(' ');
    root.appendChild(
      svg(
        'rect',
        { x: x(segment.start), y: 20, width: Math.max(0.5, x(segment.end) - x(segment.start)), height: 28, class: classes },
        svg(
          'title',
          {},
          `${segment.label}: tokens ${segment.start.toLocaleString('en-US')}–${segment.end.toLocaleString('en-US')}${segment.focus ? ' (focus)' : ''}${segment.inMiddle ? ', in the middle band' : ''}`,
        ),
      ),
    );
  });
  for (const limit of strip.limits) {
    root.appendChild(svg('line', { x1: x(limit.tokens), x2: x(limit.tokens), y1: 2, y2: 54, class: 'limit' }));
    root.appendChild(svg('line', { x1: x(limit.tokens), x2: x(limit.tokens), y1: 54, y2: 54 + limit.row * 11, class: 'limit' }));
    root.appendChild(
      svg(
        'text',
        {
          x: x(limit.tokens) + (limit.anchor === 'end' ? -3 : 3),
          y: 62 + limit.row * 11,
          class: 'limit-label',
          'text-anchor': limit.anchor,
        },
        limit.label,
      ),
    );
  }
  for (const tick of strip.ticks) {
    root.appendChild(
      svg('text', { x: x(tick.value), y: height - 6, class: 'tick', 'text-anchor': tick.value === 0 ? 'start' : 'middle' }, tick.label),
    );
  }
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
  for (const tick of chart.xTicks) {
    root.appendChild(svg('text', { x: x(tick.value), y: height - margin.bottom + 16, class: 'tick', 'text-anchor': 'middle' }, tick.label));
  }
  root.appendChild(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), class: 'axis' }));
  root.appendChild(
    svg('text', { x: (margin.left + width - margin.right) / 2, y: height - 6, class: 'axis-label', 'text-anchor': 'middle' }, chart.xLabel),
  );
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
      svg(
        'text',
        { x: leftHalf ? x + 3 : x - 3, y, class: 'mark-label', 'text-anchor': leftHalf ? 'start' : 'end' },
        `${mark.label} ${mark.tokens.toLocaleString('en-US')}`,
      ),
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
  const kv = chart.points.map((point) => ({
    x: plot.x(point.tokens),
    low: plot.y(point.weightsBytes),
    high: plot.y(point.weightsBytes + point.kvBytes),
  }));
  append(plot.root, [
    area(weights, 'area weights', 'weights'),
    area(kv, 'area kv', 'KV cache'),
    ...windowLines(plot, chart.windowMarks),
    svg('line', {
      x1: plot.x(0),
      x2: plot.x(chart.xMax),
      y1: plot.y(chart.gpuTotalBytes),
      y2: plot.y(chart.gpuTotalBytes),
      class: 'gpu-line',
    }),
    svg('text', { x: plot.x(0) + 4, y: plot.y(chart.gpuTotalBytes) - 4, class: 'line-label' }, chart.gpuTotalLabel),
    svg('line', {
      x1: plot.x(0),
      x2: plot.x(chart.xMax),
      y1: plot.y(chart.usableBytes),
      y2: plot.y(chart.usableBytes),
      class: 'usable-line',
    }),
    svg('text', { x: plot.x(0) + 4, y: plot.y(chart.usableBytes) + 12, class: 'line-label' }, chart.usableLabel),
    chart.maxContextTokens !== null
      ? svg(
          'line',
          { x1: plot.x(chart.maxContextTokens), x2: plot.x(chart.maxContextTokens), y1: plot.top, y2: plot.bottom, class: 'fit-line' },
          svg('title', {}, `largest context that fits: ${chart.maxContextTokens.toLocaleString('en-US')} tokens`),
        )
      : null,
    marker(plot, chart.current.tokens, chart.current.bytes, chart.current.label, chart.xMax),
    legend([
      { label: 'weights', className: 'area weights' },
      { label: 'KV cache', className: 'area kv' },
    ]),
  ]);
  return plot.root;
}

function flopsChartSvg(chart: FlopsChart): SVGElement {
  const plot = axes(chart, 'flops');
  const linear = chart.points.map((point) => ({ x: plot.x(point.tokens), low: plot.y(0), high: plot.y(point.linear) }));
  const attention = chart.points.map((point) => ({
    x: plot.x(point.tokens),
    low: plot.y(point.linear),
    high: plot.y(point.linear + point.attention),
  }));
  append(plot.root, [
    area(linear, 'area linear', 'linear (weight) FLOPs'),
    area(attention, 'area attention', 'attention FLOPs'),
    ...windowLines(plot, chart.windowMarks),
    chart.crossoverTokens !== null && chart.crossoverTokens <= chart.xMax
      ? svg(
          'g',
          { class: 'crossover-mark' },
          svg(
            'line',
            { x1: plot.x(chart.crossoverTokens), x2: plot.x(chart.crossoverTokens), y1: plot.top, y2: plot.bottom, class: 'crossover' },
            svg('title', {}, chart.crossoverLabel),
          ),
          svg(
            'text',
            { x: plot.x(chart.crossoverTokens) + 3, y: plot.bottom - 6, class: 'mark-label crossover-label' },
            'attention = linear',
          ),
        )
      : null,
    marker(plot, chart.current.tokens, chart.current.linear + chart.current.attention, chart.current.label, chart.xMax),
    legend([
      { label: 'linear (weights)', className: 'area linear' },
      { label: 'attention (quadratic)', className: 'area attention' },
    ]),
  ]);
  return plot.root;
}

function marker(plot: Plot, tokens: number, value: number, label: string, xMax: number): SVGElement {
  const cx = plot.x(tokens);
  const cy = plot.y(value);
  const anchor = tokens > xMax * 0.6 ? 'end' : 'start';
  return svg(
    'g',
    { class: 'current' },
    svg('line', { x1: cx, x2: cx, y1: plot.top, y2: plot.bottom, class: 'current-line' }),
    svg('circle', { cx, cy, r: 4 }),
    svg(
      'text',
      { x: anchor === 'end' ? cx - 8 : cx + 8, y: Math.max(plot.top + 10, cy - 8), class: 'current-label', 'text-anchor': anchor },
      label,
    ),
  );
}

function truncate(text: string, max: number): string {
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
