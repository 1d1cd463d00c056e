import type { BudgetFileRow, BudgetReport } from '../analysis/budgetTypes';
import { formatInteger, formatPercent } from '../units';
import type { TreemapCell } from '../../protocol/panelProtocol';

/** Most cells the treemap draws; past it, files are grouped by folder. */
export const treemapMaxCells = 60;
/** Treemap layout aspect (width ÷ height); the webview draws it at this aspect. */
export const treemapAspect = 3;
/** Colours available to the treemap (the webview maps them to --vscode-charts-* variables). */
export const treemapPaletteSize = 7;
/** A file at least this share of the prompt keeps its own cell even when its folder is grouped. */
export const treemapOwnCellShare = 0.02;

interface TreemapItem {
  readonly label: string;
  readonly folder: string;
  readonly tokens: number;
  readonly files: number;
}

/**
 * Token share as a squarified treemap. Up to {@link treemapMaxCells} files each get a cell; a larger
 * selection is grouped by folder, at the deepest folder level that still fits the cell budget, so
 * 20,000 files read as "src/core/ · 3,112 files" rather than one grey block. A file holding at least
 * {@link treemapOwnCellShare} of the prompt keeps its own cell. Colours follow the top-level folder
 * and are derived from its name, so a folder keeps its colour from one render to the next.
 */
export function buildTreemap(report: BudgetReport): TreemapCell[] {
  const counted = report.files.filter((file) => file.status === 'counted' && (file.tokens ?? 0) > 0);
  const total = counted.reduce((sum, file) => sum + (file.tokens ?? 0), 0);
  if (counted.length === 0 || total <= 0) return [];
  const items = counted.length <= treemapMaxCells ? counted.map(fileItem) : groupedItems(counted, total);
  items.sort((a, b) => b.tokens - a.tokens || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const rects = squarify(
    items.map((item) => item.tokens),
    { x: 0, y: 0, width: treemapAspect, height: 1 },
  );
  return items.map((item, index) => {
    const rect = rects[index]!;
    return {
      label: item.label,
      folder: item.folder,
      colorIndex: colorIndexOf(item.folder),
      tokens: item.tokens,
      files: item.files,
      shareText: formatPercent(item.tokens / report.promptTokens),
      x: rect.x / treemapAspect,
      y: rect.y,
      width: rect.width / treemapAspect,
      height: rect.height,
    };
  });
}

function fileItem(file: BudgetFileRow): TreemapItem {
  return { label: file.relativePath, folder: topFolderOf(file.relativePath), tokens: file.tokens ?? 0, files: 1 };
}

/** Big files alone, the rest summed per folder at the deepest level whose groups fit the cell budget. */
function groupedItems(files: readonly BudgetFileRow[], total: number): TreemapItem[] {
  const own = files.filter((file) => (file.tokens ?? 0) / total >= treemapOwnCellShare).slice(0, treemapMaxCells - 1);
  const ownSet = new Set(own);
  const rest = files.filter((file) => !ownSet.has(file));
  const budget = treemapMaxCells - own.length;
  let groups = groupByDepth(rest, 1);
  for (let depth = 2; depth <= 32; depth++) {
    const deeper = groupByDepth(rest, depth);
    if (deeper.size > budget || deeper.size === groups.size) break;
    groups = deeper;
  }
  const items: TreemapItem[] = own.map(fileItem);
  for (const [folder, group] of groups) {
    items.push({
      label: group.files === 1 ? group.only : `${folder === '' ? '(root)' : `${folder}/`} · ${formatInteger(group.files)} files`,
      folder: topFolderOf(group.only),
      tokens: group.tokens,
      files: group.files,
    });
  }
  return items;
}

function groupByDepth(files: readonly BudgetFileRow[], depth: number): Map<string, { tokens: number; files: number; only: string }> {
  const groups = new Map<string, { tokens: number; files: number; only: string }>();
  for (const file of files) {
    const segments = file.relativePath.split('/');
    const folder = segments.slice(0, Math.min(depth, segments.length - 1)).join('/');
    const group = groups.get(folder) ?? { tokens: 0, files: 0, only: file.relativePath };
    group.tokens += file.tokens ?? 0;
    group.files++;
    groups.set(folder, group);
  }
  return groups;
}

/** `src/core/a.ts` → `src`; a file at the root → `(root)`. */
function topFolderOf(relativePath: string): string {
  const slash = relativePath.indexOf('/');
  return slash < 0 ? '(root)' : relativePath.slice(0, slash);
}

/** A palette index from the folder's name (FNV-1a), stable across renders and selections. */
export function colorIndexOf(folder: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < folder.length; i++) {
    hash ^= folder.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % treemapPaletteSize;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Squarified treemap layout (Bruls, Huizing and van Wijk, 2000) of `weights` (sorted descending)
 * into `bounds`: rows are laid along the shorter side while adding a cell keeps the row's worst
 * aspect ratio from getting worse. Areas are proportional to weights and the cells tile `bounds`.
 */
export function squarify(weights: readonly number[], bounds: Rect): Rect[] {
  const result: Rect[] = weights.map(() => ({ x: bounds.x, y: bounds.y, width: 0, height: 0 }));
  const total = weights.reduce((sum, weight) => sum + Math.max(0, weight), 0);
  if (total <= 0) return result;
  const scale = (bounds.width * bounds.height) / total;
  const areas = weights.map((weight) => Math.max(0, weight) * scale);
  let free = { ...bounds };
  let index = 0;
  while (index < areas.length) {
    const side = Math.min(free.width, free.height);
    let end = index + 1;
    let rowArea = areas[index]!;
    while (
      end < areas.length &&
      worstRatio(areas, index, end + 1, rowArea + areas[end]!, side) <= worstRatio(areas, index, end, rowArea, side)
    ) {
      rowArea += areas[end]!;
      end++;
    }
    const thickness = side > 0 ? rowArea / side : 0;
    let offset = 0;
    for (let i = index; i < end; i++) {
      const length = thickness > 0 ? areas[i]! / thickness : 0;
      result[i] =
        free.width >= free.height
          ? { x: free.x, y: free.y + offset, width: thickness, height: length }
          : { x: free.x + offset, y: free.y, width: length, height: thickness };
      offset += length;
    }
    free =
      free.width >= free.height
        ? { x: free.x + thickness, y: free.y, width: Math.max(0, free.width - thickness), height: free.height }
        : { x: free.x, y: free.y + thickness, width: free.width, height: Math.max(0, free.height - thickness) };
    index = end;
  }
  return result;
}

function worstRatio(areas: readonly number[], start: number, end: number, sum: number, side: number): number {
  if (sum <= 0 || side <= 0) return Infinity;
  let min = Infinity;
  let max = 0;
  for (let i = start; i < end; i++) {
    min = Math.min(min, areas[i]!);
    max = Math.max(max, areas[i]!);
  }
  if (min <= 0) return Infinity;
  const side2 = side * side;
  const sum2 = sum * sum;
  return Math.max((side2 * max) / sum2, sum2 / (side2 * min));
}
