import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file under `root`, as POSIX paths relative to it, in a stable (sorted) order. */
export function walkFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), relative);
      else if (entry.isFile()) files.push(relative);
    }
  };
  walk(root, '');
  return files;
}
