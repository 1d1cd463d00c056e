import type { BudgetFileRow, BudgetReport } from '../analysis/budgetTypes';
import type { SkippedEntry } from '../scan/workspaceFs';
import { formatInteger, formatPercent, formatTokens } from '../units';

export type TreeSort = 'name' | 'tokens';

/** A row of the context tree, free of VS Code types; the host maps it to a TreeItem. */
export interface TreeNode {
  /** Stable id: the file URI, or `folder:<path>` for folders, so expansion survives refreshes. */
  readonly id: string;
  readonly kind: 'folder' | 'file';
  readonly label: string;
  readonly relativePath: string;
  /** Shown after the label: tokens, share, and for folders how many files are in. */
  readonly description: string;
  readonly tooltip: string;
  /**
   * Checkbox: a file is checked when it is in the prompt; a folder when any file under it is (its
   * description says "63/77 in" when only some are, and unchecking it takes them all out).
   */
  readonly checked: boolean;
  /** False for a file a folder add skipped: it is listed with its reason but has no checkbox. */
  readonly checkable: boolean;
  /** URIs a checkbox change applies to (the file itself, or every file under the folder). */
  readonly fileUris: readonly string[];
  /** The URIs under this node that are in the prompt now. */
  readonly includedUris: readonly string[];
  /** For `view/item/context` when clauses: `file`, `file.focus.pinned`, `folder`… */
  readonly contextValue: string;
  readonly uri: string | null;
  readonly children: readonly TreeNode[];
  readonly focus: boolean;
  readonly pinned: boolean;
  readonly status: BudgetFileRow['status'] | null;
  /** Tokens counted under this node, for sorting and the description. */
  readonly tokens: number;
  /** The file looks like it holds a secret: export asks before including it. */
  readonly secret: boolean;
  /** Files: full text, outline or dropped (unchecked); null for folders. */
  readonly mode: BudgetFileRow['mode'] | null;
}

/**
 * Builds the folder/file tree of the selection. Single-child folder chains are compacted
 * (`src/core/scan`) like the Explorer does, so deep paths stay readable.
 */
export function toTreeNodes(report: BudgetReport, sort: TreeSort): TreeNode[] {
  interface Draft {
    folders: Map<string, Draft>;
    files: BudgetFileRow[];
    skipped: SkippedEntry[];
    path: string;
  }
  const root: Draft = { folders: new Map(), files: [], skipped: [], path: '' };
  const folderOf = (relativePath: string): Draft => {
    const segments = relativePath.split('/');
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      let child = node.folders.get(segment);
      if (!child) {
        child = { folders: new Map(), files: [], skipped: [], path: node.path ? `${node.path}/${segment}` : segment };
        node.folders.set(segment, child);
      }
      node = child;
    }
    return node;
  };
  for (const entry of report.skippedFiles) folderOf(entry.relativePath).skipped.push(entry);
  for (const file of report.files) folderOf(file.relativePath).files.push(file);
  const promptTokens = report.promptTokens;

  const build = (draft: Draft, label: string): TreeNode => {
    let current = draft;
    let name = label;
    while (current.files.length === 0 && current.skipped.length === 0 && current.folders.size === 1) {
      const [childName, child] = [...current.folders.entries()][0]!;
      name = `${name}/${childName}`;
      current = child;
    }
    const children = sortNodes(
      [
        ...[...current.folders.entries()].map(([childName, child]) => build(child, childName)),
        ...current.files.map((file) => fileNode(file, promptTokens)),
        ...current.skipped.map(skippedNode),
      ],
      sort,
    );
    const fileUris = children.flatMap((child) => child.fileUris);
    const includedUris = children.flatMap((child) => child.includedUris);
    const included = includedUris.length;
    const tokens = children.reduce((sum, child) => sum + child.tokens, 0);
    const share = promptTokens > 0 ? tokens / promptTokens : 0;
    return {
      id: `folder:${current.path}`,
      kind: 'folder',
      label: name,
      relativePath: current.path,
      description:
        included === fileUris.length
          ? `${included} in · ${formatTokens(tokens)} tok · ${formatPercent(share)}`
          : included === 0
            ? `0/${fileUris.length} in · unchecked`
            : `${included}/${fileUris.length} in (partly) · ${formatTokens(tokens)} tok · ${formatPercent(share)}`,
      tooltip: `${current.path}/\n${included} of ${fileUris.length} files in the prompt · ${formatTokens(tokens)} tokens (${formatPercent(share)} of the prompt)${included > 0 && included < fileUris.length ? '\nPartly in: unchecking the folder takes all of its files out (Undo in the notification); checking it again puts them all in' : ''}`,
      checked: included > 0,
      checkable: fileUris.length > 0,
      fileUris,
      includedUris,
      contextValue: 'folder',
      uri: null,
      children,
      focus: false,
      pinned: false,
      status: null,
      tokens,
      secret: children.some((child) => child.secret),
      mode: null,
    };
  };

  const top = sortNodes(
    [
      ...[...root.folders.entries()].map(([name, child]) => build(child, name)),
      ...root.files.map((file) => fileNode(file, promptTokens)),
      ...root.skipped.map(skippedNode),
    ],
    sort,
  );
  return top;
}

function fileNode(file: BudgetFileRow, promptTokens: number): TreeNode {
  const label = file.relativePath.slice(file.relativePath.lastIndexOf('/') + 1);
  const tokens = file.included && file.tokens !== null ? file.tokens : 0;
  const flags = [file.focus ? 'focus' : '', file.pinned ? 'pinned' : ''].filter(Boolean);
  let description: string;
  let tooltip: string;
  switch (file.status) {
    case 'pending':
      description = 'counting…';
      tooltip = `${file.relativePath}\nCounting tokens…`;
      break;
    case 'skipped':
      description = `skipped: ${file.skipMessage ?? ''}`;
      tooltip = `${file.relativePath}\nNot counted: ${file.skipMessage ?? ''}`;
      break;
    case 'excluded':
      description = `${file.tokens === null ? '' : `${formatTokens(file.tokens)} tok · `}unchecked`;
      tooltip = `${file.relativePath}\nUnchecked: not in the prompt${file.tokens === null ? '' : ` (would add ${formatTokens(file.tokens)} tokens)`}`;
      break;
    default: {
      const share = promptTokens > 0 ? tokens / promptTokens : 0;
      const marks = [file.inMiddle ? 'middle' : '', file.level && file.level !== 'ok' ? file.level : ''].filter(Boolean);
      description = `${file.mode === 'outline' ? 'outline · ' : ''}${formatTokens(tokens)} tok · ${formatPercent(share)}${marks.length ? ` · ${marks.join(' · ')}` : ''}`;
      const rangeText = file.range ? `\nPrompt positions ${formatInteger(file.range.start)}–${formatInteger(file.range.end)}` : '';
      tooltip = `${file.relativePath}\n${formatInteger(tokens)} tokens (${formatPercent(share)} of the prompt)${rangeText}${file.inMiddle ? '\nLands in the middle of a long prompt, where models recall least' : ''}${file.notes.length ? `\n${file.notes.join('\n')}` : ''}`;
    }
  }
  if (file.modeNote !== null) {
    // Outline mode shows in every status: a pending outline says it is being made, a missing one says why.
    if (file.status !== 'counted') description = `outline · ${description}`;
    tooltip += `\nOutline mode: ${file.modeNote}.`;
  }
  if (flags.length) {
    tooltip += `\n${flags.map((flag) => (flag === 'focus' ? 'Focus file' : 'Pinned: never proposed for dropping')).join('\n')}`;
  }
  if (file.symlinkTarget !== undefined) {
    description = `link → ${file.symlinkTarget ?? '?'} · ${description}`;
    tooltip += `\nSymbolic link to ${file.symlinkTarget ?? 'a target this file system cannot resolve'}: its target is what is counted`;
  }
  if (file.secrets.length > 0) {
    description = `possible secret · ${description}`;
    tooltip += `\nLooks like a secret: ${file.secrets.join('; ')}. Export asks before including it.`;
  }
  return {
    id: file.uri,
    kind: 'file',
    label,
    relativePath: file.relativePath,
    description,
    tooltip,
    checked: file.included,
    checkable: true,
    fileUris: [file.uri],
    includedUris: file.included ? [file.uri] : [],
    // `outline` in the context value switches the row menu between Use Outline and Use Full Text.
    contextValue: ['file', ...flags, ...(file.modeNote !== null ? ['outline'] : [])].join('.'),
    uri: file.uri,
    children: [],
    focus: file.focus,
    pinned: file.pinned,
    status: file.status,
    tokens: file.status === 'excluded' ? 0 : tokens,
    secret: file.secrets.length > 0,
    mode: file.mode,
  };
}

/**
 * Names compare as the Explorer's default sort does: numbers inside names by value (mod2 before
 * mod10), letters case-insensitively, then by code units so the order is total and the same on
 * every machine. Written out rather than Intl.Collator: a 20,000-file tree sorts about 10× faster.
 */
export function compareNamesNaturally(a: string, b: string): number {
  const keyA = naturalKey(a);
  const keyB = naturalKey(b);
  return compareNaturalKeys(keyA, keyB) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A name cut into runs of digits (as numbers, with their length to order 01 after 1) and lowercased text. */
type NaturalKey = readonly (string | number)[];

function naturalKey(name: string): NaturalKey {
  const key: (string | number)[] = [];
  for (const run of name.toLowerCase().match(/\d+|\D+/g) ?? []) {
    if (run.charCodeAt(0) >= 48 && run.charCodeAt(0) <= 57) key.push(Number(run.length > 15 ? run.slice(0, 15) : run), run.length);
    else key.push(run);
  }
  return key;
}

function compareNaturalKeys(a: NaturalKey, b: NaturalKey): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A file a folder add left out: listed with its reason, never counted, no checkbox. */
function skippedNode(entry: SkippedEntry): TreeNode {
  const label = entry.relativePath.slice(entry.relativePath.lastIndexOf('/') + 1);
  return {
    id: `skipped:${entry.location ?? entry.relativePath}`,
    kind: 'file',
    label,
    relativePath: entry.relativePath,
    mode: null,
    description: `skipped: ${entry.message}`,
    tooltip: `${entry.relativePath}\nNot added: ${entry.message}`,
    checked: false,
    checkable: false,
    fileUris: [],
    includedUris: [],
    contextValue: 'skippedFile',
    uri: entry.location ?? null,
    children: [],
    focus: false,
    pinned: false,
    status: 'skipped',
    tokens: 0,
    secret: entry.reason === 'secretFile',
  };
}

function sortNodes(nodes: TreeNode[], sort: TreeSort): TreeNode[] {
  const keys = new Map(nodes.map((node) => [node, naturalKey(node.label)]));
  return nodes.sort((a, b) => {
    if (sort === 'tokens' && a.tokens !== b.tokens) return b.tokens - a.tokens;
    if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
    return compareNaturalKeys(keys.get(a)!, keys.get(b)!) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  });
}

/** What a checkbox click does to the selection, and what to tell the user (with Undo) when it is a bulk change. */
export interface CheckboxEffect {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** One line for a notification when a folder click changed several files; null for a single file. */
  readonly summary: string | null;
}

/**
 * A click on a checkbox. A file follows its box. A folder: checking puts every file under it in;
 * unchecking takes every file under it out, including when only some were in (its box showed
 * checked, "63/77 in (partly)"), and says so, so one click never silently changes dozens of files.
 */
export function checkboxEffect(node: TreeNode, checked: boolean): CheckboxEffect {
  const included = new Set(node.includedUris);
  if (checked) {
    const include = node.fileUris.filter((uri) => !included.has(uri));
    return {
      include,
      exclude: [],
      summary: node.kind === 'folder' && include.length > 1 ? `Checked ${include.length} more file(s) in ${node.relativePath}/.` : null,
    };
  }
  const exclude = node.fileUris.filter((uri) => included.has(uri));
  return {
    include: [],
    exclude,
    summary:
      node.kind === 'folder' && exclude.length > 1
        ? `Unchecked ${exclude.length} file(s) in ${node.relativePath}/: they are out of the prompt.`
        : null,
  };
}
