import type { BudgetReport } from '../analysis/budgetTypes';
import type { Windows } from '../risk/riskTypes';
import type { ChartMark, ChartTick } from '../../protocol/panelProtocol';

/** Points per curve: smooth at panel width, cheap to send. */
export const curvePoints = 81;

/** Ticks each axis aims for. */
const tickCount = 4;

/** Step sizes that read well: 1, 2, 5 × 10^k for counts and FLOPs. */
export function decimalStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** Token axes use decimal steps too (1k, 2k, 5k…), matching how windows are quoted. */
export const tokenStep = decimalStep;

/** Memory axes step in powers of two of a binary unit (…, 8 GiB, 16 GiB, 32 GiB). */
export function binaryStep(rough: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(rough, 1)));
}

/** The axis maximum: `value` rounded up to a whole step. */
export function niceMax(value: number, step: (rough: number) => number): number {
  if (!(value > 0)) return 1;
  const size = step(value / tickCount);
  return Math.ceil(value / size) * size;
}

/** Ticks from 0 to `max`, labelled with `format` (units included). */
export function ticks(max: number, step: (rough: number) => number, format: (value: number) => string): ChartTick[] {
  if (!(max > 0)) return [{ value: 0, label: format(0) }];
  const size = step(max / tickCount);
  const result: ChartTick[] = [];
  for (let value = 0; value <= max + size * 1e-9; value += size) result.push({ value, label: format(value) });
  return result;
}

/** The pretrained, effective and maximum windows as chart marks; windows that coincide share one mark. */
export function windowMarks(windows: Windows): ChartMark[] {
  const marks = new Map<number, string[]>();
  const add = (tokens: number, label: string): void => {
    marks.set(tokens, [...(marks.get(tokens) ?? []), label]);
  };
  add(windows.pretrained, 'pretrained');
  add(windows.effective, windows.effectiveSource === 'RULER' ? 'effective (RULER)' : 'effective (est.)');
  add(windows.max, 'max window');
  return [...marks.entries()].sort((a, b) => a[0] - b[0]).map(([tokens, labels]) => ({ tokens, label: labels.join(' = ') }));
}

/** Shared x range for both curves: past the maximum window and the current prompt, so both marks show. */
export function chartXMax(report: BudgetReport): number {
  return Math.max(1024, Math.ceil(Math.max(report.risk.windows.max, report.totalTokens) * 1.05));
}

/** Evenly spaced x values from 0 to `xMax`. */
export function samplePoints(xMax: number): number[] {
  return Array.from({ length: curvePoints }, (_, i) => Math.round((xMax * i) / (curvePoints - 1)));
}
