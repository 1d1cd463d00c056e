import { readFile } from 'node:fs/promises';
import type { ModelFileReader } from '../core/analysis/resolveTarget';
import { readGgufFile } from './ggufFile';

/** Model files on the local disk: the CLI's reader, and the extension's for GGUF headers. */
export const nodeModelFileReader: ModelFileReader = {
  readConfigText: (filePath) => readFile(filePath, 'utf8'),
  // Only the header (metadata and tensor infos) is read, never the weights.
  readGgufHeader: (filePath) => readGgufFile(filePath),
};
