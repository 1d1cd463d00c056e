import type { BudgetFileRow, BudgetReport } from '../analysis/budgetTypes';
import { formatPercent, formatTokens } from '../units';

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
  /** Checkbox: a folder is checked when every file under it is included. */
  readonly checked: boolean;
  /** URIs a checkbox change applies to (the file itself, or every file under the folder). */
  readonly fileUris: readonly string[];
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
  interface Draft { folders: Map<string, Draft>; files: BudgetFileRow[]; path: string }
  const root: Draft = { folders: new Map(), files: [], path: '' };
  for (const file of report.files) {
    const segments = file.relativePath.split('/');
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      let child = node.folders.get(segment);
      if (!child) {
        child = { folders: new Map(), files: [], path: node.path ? `${node.path}/${segment}` : segment };
        node.folders.set(segment, child);
      }
      node = child;
    }
    node.files.push(file);
  }
  const promptTokens = report.promptTokens;

  const build = (draft: Draft, label: string): TreeNode => {
    let current = draft;
    let name = label;
    while (current.files.length === 0 && current.folders.size === 1) {
      const [childName, child] = [...current.folders.entries()][0]!;
      name = `${name}/${childName}`;
      current = child;
    }
    const children = sortNodes([...[...current.folders.entries()].map(([childName, child]) => build(child, childName)), ...current.files.map((file) => fileNode(file, promptTokens))], sort);
    const fileUris = children.flatMap((child) => child.fileUris);
    const included = children.reduce((sum, child) => sum + (child.kind === 'file' ? (child.checked ? 1 : 0) : includedCount(child)), 0);
    const tokens = children.reduce((sum, child) => sum + child.tokens, 0);
    const share = promptTokens > 0 ? tokens / promptTokens : 0;
    return {
      id: `folder:${current.path}`,
      kind: 'folder',
      label: name,
      relativePath: current.path,
      description: `${included}/${fileUris.length} in · ${formatTokens(tokens)} tok · ${formatPercent(share)}`,
      tooltip: `${current.path}/\n${included} of ${fileUris.length} files in the prompt · ${formatTokens(tokens)} tokens (${formatPercent(share)} of the prompt)`,
      checked: included === fileUris.length,
      fileUris,
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

  const top = sortNodes([...[...root.folders.entries()].map(([name, child]) => build(child, name)), ...root.files.map((file) => fileNode(file, promptTokens))], sort);
  return top;
}

function includedCount(node: TreeNode): number {
  return node.kind === 'file' ? (node.checked ? 1 : 0) : node.children.reduce((sum, child) => sum + includedCount(child), 0);
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
      const rangeText = file.range ? `\nPrompt positions ${file.range.start.toLocaleString('en-US')}–${file.range.end.toLocaleString('en-US')}` : '';
      tooltip = `${file.relativePath}\n${tokens.toLocaleString('en-US')} tokens (${formatPercent(share)} of the prompt)${rangeText}${file.inMiddle ? '\nLands in the middle of a long prompt, where models recall least' : ''}${file.notes.length ? `\n${file.notes.join('\n')}` : ''}`;
    }
  }
  if (file.modeNote !== null) {
    // Outline mode shows in every status: a pending outline says it is being made, a missing one says why.
    if (file.status !== 'counted') description = `outline · ${description}`;
    tooltip += `\nOutline mode: ${file.modeNote}.`;
  }
  if (flags.length) tooltip += `\n${flags.map((flag) => (flag === 'focus' ? 'Focus file' : 'Pinned: never proposed for dropping')).join('\n')}`;
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
    fileUris: [file.uri],
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

function sortNodes(nodes: TreeNode[], sort: TreeSort): TreeNode[] {
  return nodes.sort((a, b) => {
    if (sort === 'tokens' && a.tokens !== b.tokens) return b.tokens - a.tokens;
    if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
    return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
  });
}
