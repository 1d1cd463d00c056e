/**
 * Formatting for what users read. Engines keep full precision; these helpers round and label.
 * Binary prefixes (KiB, MiB, GiB) for memory, SI (k, M, G) for counts, FLOPs and rates.
 */

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 6_596_591_616 → "6.14 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '∞';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${binaryUnits[unit]}`;
}

/** Compact token count: 950 → "950", 48_213 → "48.2k", 1_250_000 → "1.25M". */
export function formatTokens(tokens: number): string {
  if (!Number.isFinite(tokens)) return '∞';
  const abs = Math.abs(tokens);
  if (abs < 1000) return String(Math.round(tokens));
  if (abs < 1e6) return `${trim(tokens / 1e3)}k`;
  if (abs < 1e9) return `${trim(tokens / 1e6)}M`;
  return `${trim(tokens / 1e9)}G`;
}

/** Full count with thin grouping for tables: 48213 → "48,213". */
export function formatInteger(value: number): string {
  // Same output as toLocaleString('en-US') for integers, several times faster (tooltips for 20k files).
  const rounded = Math.round(value);
  if (!Number.isFinite(rounded) || Math.abs(rounded) >= 1e21) return rounded.toLocaleString('en-US');
  return String(rounded).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** FLOPs with SI prefix: 1.23e15 → "1.23 PFLOP". */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [
    [1e18, 'EFLOP'],
    [1e15, 'PFLOP'],
    [1e12, 'TFLOP'],
    [1e9, 'GFLOP'],
    [1e6, 'MFLOP'],
  ];
  for (const [scale, label] of units) {
    if (flops >= scale) return `${trim(flops / scale)} ${label}`;
  }
  return `${Math.round(flops)} FLOP`;
}

/** Seconds in the unit a person would use: 0.0123 → "12.3 ms", 95 → "1.6 min". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds < 1e-3) return `${trim(seconds * 1e6)} µs`;
  if (seconds < 1) return `${trim(seconds * 1e3)} ms`;
  if (seconds < 120) return `${trim(seconds)} s`;
  if (seconds < 7200) return `${trim(seconds / 60)} min`;
  return `${trim(seconds / 3600)} h`;
}

/** 0.3712 → "37%"; values under 1% keep one decimal. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '∞%';
  const percent = fraction * 100;
  if (percent !== 0 && Math.abs(percent) < 1) return `${percent.toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

/** Three significant digits, trailing zeros dropped. */
function trim(value: number): string {
  const abs = Math.abs(value);
  const text = abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
