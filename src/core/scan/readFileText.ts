import { decodeFileBytes } from '../tokenizer/fileText';
import type { WorkspaceFs } from './workspaceFs';

/**
 * A file's text as it was counted (decoded like the worker decodes it: BOM stripped, invalid UTF-8
 * replaced), or undefined when it cannot be read or is not text. Used where the text is needed
 * again after counting: export framing, the export itself. `maxBytes` (the file's scan limit)
 * keeps a file that grew since it was counted from being read whole.
 */
export async function readFileText(fs: WorkspaceFs, location: string, maxBytes?: number): Promise<string | undefined> {
  try {
    const decoded = decodeFileBytes(await fs.readFile(location, maxBytes !== undefined ? { maxBytes } : {}));
    return decoded.kind === 'text' ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}
