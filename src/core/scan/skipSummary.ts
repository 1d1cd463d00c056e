import type { SkippedEntry, SkipReason } from './workspaceFs';

const reasonLabels: Record<SkipReason, string> = {
  ignored: 'matched .gitignore',
  excluded: 'excluded',
  tooLarge: 'too large',
  binary: 'binary',
  symlinkedDirectory: 'symlinked folder',
  symlinkOutside: 'symlink out of the folder',
  brokenSymlink: 'broken symlink',
  notRegularFile: 'not a regular file',
  unreadable: 'unreadable',
  vanished: 'vanished',
  fileLimit: 'over the file limit',
  countFailed: 'could not be counted',
  secretFile: 'secret by name',
};

/** "12 (8 matched .gitignore, 3 too large, 1 binary)": one line for a notification. */
export function summariseSkips(skipped: readonly SkippedEntry[]): string {
  const byReason = new Map<SkipReason, number>();
  for (const entry of skipped) byReason.set(entry.reason, (byReason.get(entry.reason) ?? 0) + 1);
  const parts = [...byReason.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} ${reasonLabels[reason]}`);
  return `${skipped.length} (${parts.join(', ')})`;
}
