import type { BudgetReport } from '../analysis/budgetTypes';
import { formatInteger, formatPercent } from '../units';

/** One Explorer decoration: the badge, and what its tooltip is made from (formatted only when shown). */
export interface ExplorerBadge {
  readonly badge: string;
  readonly tokens: number;
  /** Selected files under a folder; undefined for a file. */
  readonly files?: number;
  readonly share: number;
  /** The tokenizer that counted, e.g. "o200k_base, estimate for Llama 3.1 8B", named in the tooltip. */
  readonly tokenizer: string;
}

/** The tooltip of a badge, with the exact count. */
export function badgeTooltip(badge: ExplorerBadge): string {
  return badge.files === undefined
    ? `Context Budget: ${formatInteger(badge.tokens)} tokens, ${formatPercent(badge.share)} of the prompt (${badge.tokenizer})`
    : `Context Budget: ${formatInteger(badge.tokens)} tokens in ${formatInteger(badge.files)} selected file(s), ${formatPercent(badge.share)} of the prompt (${badge.tokenizer})`;
}

/**
 * Two characters, as VS Code allows for a file decoration, in thousands of tokens:
 * `<1` under 1,000; `1k`–`9k`; `10`–`99` (thousands, the k dropped for room); `.1`–`.9` (tenths of a
 * million); `1M`–`9M`; `M+` beyond.
 * Rounded down, so a badge never claims more than the file holds; the tooltip has the exact count.
 */
export function tokenBadge(tokens: number): string {
  if (tokens < 1000) return '<1';
  if (tokens < 10_000) return `${Math.floor(tokens / 1000)}k`;
  if (tokens < 100_000) return String(Math.floor(tokens / 1000));
  if (tokens < 1_000_000) return `.${Math.floor(tokens / 100_000)}`;
  if (tokens < 10_000_000) return `${Math.floor(tokens / 1_000_000)}M`;
  return 'M+';
}

/**
 * Badges for the included, counted files and every folder above them (up to the workspace roots),
 * keyed by URI. A folder's badge is the sum of its selected files and its tooltip says how many.
 */
export function explorerBadges(report: BudgetReport, roots: readonly string[]): Map<string, ExplorerBadge> {
  const badges = new Map<string, ExplorerBadge>();
  const folders = new Map<string, { tokens: number; files: number }>();
  const prompt = report.promptTokens;
  const sortedRoots = roots.map((root) => root.replace(/\/+$/, '')).sort((a, b) => b.length - a.length);
  for (const file of report.files) {
    if (file.status !== 'counted' || file.tokens === null) continue;
    badges.set(file.uri, {
      badge: tokenBadge(file.tokens),
      tokens: file.tokens,
      share: prompt > 0 ? file.tokens / prompt : 0,
      tokenizer: report.tokenizer.label,
    });
    for (const folder of ancestors(file.uri, sortedRoots)) {
      const entry = folders.get(folder) ?? { tokens: 0, files: 0 };
      entry.tokens += file.tokens;
      entry.files += 1;
      folders.set(folder, entry);
    }
  }
  for (const [folder, entry] of folders) {
    badges.set(folder, {
      badge: tokenBadge(entry.tokens),
      tokens: entry.tokens,
      files: entry.files,
      share: prompt > 0 ? entry.tokens / prompt : 0,
      tokenizer: report.tokenizer.label,
    });
  }
  return badges;
}

/** Folder URIs between a file and the workspace root that holds it (root included); none outside every root. */
function ancestors(uri: string, rootsLongestFirst: readonly string[]): string[] {
  const root = rootsLongestFirst.find((candidate) => uri.startsWith(`${candidate}/`));
  if (root === undefined) return [];
  const result: string[] = [];
  let current = uri.slice(0, uri.lastIndexOf('/'));
  while (current.length >= root.length) {
    result.push(current);
    if (current === root) break;
    current = current.slice(0, current.lastIndexOf('/'));
  }
  return result;
}
