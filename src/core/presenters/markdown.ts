/** Escapes text for VS Code MarkdownString so file names like `<img …>` or `*x*` render literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&$]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

/** A command link; arguments are JSON-encoded as VS Code's command URIs expect. */
export function commandLink(label: string, command: string, args?: unknown): string {
  const query = args === undefined ? '' : `?${encodeURIComponent(JSON.stringify(args))}`;
  return `[${label}](command:${command}${query})`;
}
