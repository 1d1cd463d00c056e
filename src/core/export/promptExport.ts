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
  const tree = options.directoryTree
    ? treeBlock(
        files.map((file) => file.relativePath),
        options.format,
      )
    : '';
  let text = tree;
  let framing = tree;
  for (const file of files) {
    const framed = framedFile(file.relativePath, file.text, options.format);
    text += framed.text;
    framing += framed.header + framed.footer;
  }
  return { text, framing };
}

/**
 * One file as exported: header + content + footer. Every piece ends in `>\n\n` or a fence and
 * `\n\n`, and every header starts with `<` or `#`, so no token spans two pieces and the tokens of
 * an export are exactly the sum of its pieces' tokens (the budget relies on this; a test proves it).
 */
export function framedFile(
  relativePath: string,
  text: string,
  format: ExportFormat,
): { readonly text: string; readonly header: string; readonly footer: string } {
  const newline = text.endsWith('\n') ? '' : '\n';
  if (format === 'xml') {
    const header = `<file path="${escapeXmlAttribute(relativePath)}">\n`;
    const footer = `${newline}</file>\n\n`;
    return { text: header + text + footer, header, footer };
  }
  const fence = fenceFor(text);
  const header = `## ${relativePath.replace(/\r?\n/g, '\\n')}\n\n${fence}${languageOf(relativePath)}\n`;
  const footer = `${newline}${fence}\n\n`;
  return { text: header + text + footer, header, footer };
}

/** The directory-tree block that opens an export, or the empty string for no files. */
export function treeBlock(paths: readonly string[], format: ExportFormat): string {
  if (paths.length === 0) return '';
  return format === 'xml'
    ? `<directory_tree>\n${escapeXmlText(directoryTree(paths))}</directory_tree>\n\n`
    : `## Directory tree\n\n${fenceFor(directoryTree(paths))}\n${directoryTree(paths)}${fenceFor(directoryTree(paths))}\n\n`;
}

/** An indented tree of the paths (folders first, then files, each sorted), two spaces per level. */
export function directoryTree(paths: readonly string[]): string {
  interface Node {
    readonly folders: Map<string, Node>;
    readonly files: string[];
  }
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

// A Map: the extension comes from a file name, and `a.constructor` must not find Object's constructor.
const languages: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ts: 'ts',
    tsx: 'tsx',
    js: 'js',
    jsx: 'jsx',
    mjs: 'js',
    cjs: 'js',
    json: 'json',
    md: 'md',
    py: 'python',
    rs: 'rust',
    go: 'go',
    java: 'java',
    kt: 'kotlin',
    c: 'c',
    h: 'c',
    cpp: 'cpp',
    cc: 'cpp',
    hpp: 'cpp',
    cs: 'csharp',
    rb: 'ruby',
    php: 'php',
    sh: 'sh',
    yml: 'yaml',
    yaml: 'yaml',
    toml: 'toml',
    html: 'html',
    css: 'css',
    sql: 'sql',
    swift: 'swift',
  }),
);

function languageOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : (languages.get(path.slice(dot + 1).toLowerCase()) ?? '');
}

function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeXmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;');
}
