/**
 * The text Context Budget exports: the selected files in prompt order, framed as XML tags or
 * Markdown sections, with an optional directory tree. What the framing adds is returned apart from
 * the files, so the UI can show content and framing tokens separately.
 */

export type ExportFormat = 'xml' | 'markdown';

export interface ExportFile {
  readonly relativePath: string;
  readonly text: string;
}

export interface ExportOptions {
  readonly format: ExportFormat;
  readonly directoryTree: boolean;
}

export interface RenderedExport {
  readonly text: string;
  /** Everything the export adds around the file contents (tags, paths, tree), in order. */
  readonly framing: string;
}

export function renderExport(files: readonly ExportFile[], options: ExportOptions): RenderedExport {
  const parts: Array<{ readonly text: string; readonly framing: boolean }> = [];
  const frame = (text: string): void => void parts.push({ text, framing: true });
  const content = (text: string): void => void parts.push({ text, framing: false });
  const paths = files.map((file) => file.relativePath);
  if (options.format === 'xml') {
    if (options.directoryTree) frame(`<directory_tree>\n${directoryTree(paths)}</directory_tree>\n\n`);
    for (const file of files) {
      frame(`<file path="${escapeXmlAttribute(file.relativePath)}">\n`);
      content(file.text);
      frame(`${file.text.endsWith('\n') ? '' : '\n'}</file>\n\n`);
    }
  } else {
    if (options.directoryTree) frame(`## Directory tree\n\n\`\`\`\n${directoryTree(paths)}\`\`\`\n\n`);
    for (const file of files) {
      const fence = fenceFor(file.text);
      frame(`## ${file.relativePath.replace(/\r?\n/g, '\\n')}\n\n${fence}${languageOf(file.relativePath)}\n`);
      content(file.text);
      frame(`${file.text.endsWith('\n') ? '' : '\n'}${fence}\n\n`);
    }
  }
  return { text: parts.map((part) => part.text).join(''), framing: parts.filter((part) => part.framing).map((part) => part.text).join('') };
}

/** An indented tree of the paths (folders first, then files, each sorted), two spaces per level. */
export function directoryTree(paths: readonly string[]): string {
  interface Node { readonly folders: Map<string, Node>; readonly files: string[] }
  const root: Node = { folders: new Map(), files: [] };
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    let node = root;
    for (const folder of parts.slice(0, -1)) {
      let next = node.folders.get(folder);
      if (!next) {
        next = { folders: new Map(), files: [] };
        node.folders.set(folder, next);
      }
      node = next;
    }
    if (parts.length > 0) node.files.push(parts[parts.length - 1]!);
  }
  const lines: string[] = [];
  const walk = (node: Node, depth: number): void => {
    for (const name of [...node.folders.keys()].sort()) {
      lines.push(`${'  '.repeat(depth)}${name}/`);
      walk(node.folders.get(name)!, depth + 1);
    }
    for (const name of [...node.files].sort()) lines.push(`${'  '.repeat(depth)}${name}`);
  };
  walk(root, 0);
  return lines.map((line) => `${line}\n`).join('');
}

/** A backtick fence longer than any backtick run inside the text, so the file cannot close it. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

const languages: Readonly<Record<string, string>> = {
  ts: 'ts', tsx: 'tsx', js: 'js', jsx: 'jsx', mjs: 'js', cjs: 'js', json: 'json', md: 'md', py: 'python', rs: 'rust', go: 'go', java: 'java', kt: 'kotlin', c: 'c', h: 'c', cpp: 'cpp', cc: 'cpp', hpp: 'cpp', cs: 'csharp', rb: 'ruby', php: 'php', sh: 'sh', yml: 'yaml', yaml: 'yaml', toml: 'toml', html: 'html', css: 'css', sql: 'sql', swift: 'swift',
};

function languageOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : languages[path.slice(dot + 1).toLowerCase()] ?? '';
}

function escapeXmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;');
}
