import { isReadRefused } from '../core/scan/workspaceFs';
import { loadModelFile } from '../core/analysis/resolveTarget';
import type { ConfigFile, ModelFileReader } from '../core/analysis/resolveTarget';
import { decodeConfigBytes } from '../core/model/configText';
import { maxModelConfigBytes } from '../core/model/workspaceModels';
import { readGgufFile } from './ggufFile';
import { readRegularFile } from './regularFile';

/**
 * Model files on the local disk, read the way every caller should: the CLI's `--model`, and the
 * extension's `modelConfigPath` and model picker for `file:` paths. A `.gguf` has only its header
 * read; a config.json is at most {@link maxModelConfigBytes}, decoded by {@link decodeConfigBytes}
 * (BOM and UTF-16 accepted). FIFOs, devices (`/dev/zero`, also through a link), sockets and /proc
 * pseudo-files are refused without blocking (see readRegularFile), so no path can hang or exhaust
 * memory here. Errors name the cause and never quote the file's content.
 */
export const nodeModelFileReader: ModelFileReader = {
  readConfigText: async (filePath) => {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(filePath, maxModelConfigBytes);
    } catch (error) {
      throw new Error(describeModelFileError(error));
    }
    const decoded = decodeConfigBytes(bytes);
    if ('error' in decoded) throw new Error(decoded.error);
    return decoded.text;
  },
  readGgufHeader: async (filePath) => {
    try {
      return await readGgufFile(filePath);
    } catch (error) {
      throw error instanceof Error && !('code' in error) ? error : new Error(describeModelFileError(error));
    }
  },
};

/**
 * Reads a local model file (see {@link nodeModelFileReader}). Never throws: a file that cannot be
 * used comes back as `{ path, error }`.
 *
 * @param filePath absolute path to read.
 * @param label how the file is named in the result and messages (the path as the user gave it).
 */
export async function readModelFile(filePath: string, label: string = filePath): Promise<ConfigFile> {
  const loaded = await loadModelFile(filePath, nodeModelFileReader);
  return { ...loaded, path: label };
}

function describeModelFileError(error: unknown): string {
  if (isReadRefused(error)) {
    if (error.reason === 'tooLarge') return `${error.message} for a config.json (real ones are a few KB); a GGUF must end in .gguf`;
    return error.message;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return (error as Error).message;
}
