import { isReadRefused } from '../core/scan/workspaceFs';
import type { ConfigFile } from '../core/analysis/resolveTarget';
import { decodeConfigBytes } from '../core/model/configText';
import { isGgufPath, maxModelConfigBytes } from '../core/model/workspaceModels';
import { readGgufFile } from './ggufFile';
import { readRegularFile } from './regularFile';

/**
 * Reads a model file the way every caller should: the CLI's `--model`, and (to be wired) the
 * extension's `modelConfigPath` and model picker. A `.gguf` has only its header read; anything else
 * is a config.json of at most {@link maxModelConfigBytes}, decoded by {@link decodeConfigBytes}.
 * FIFOs, devices (`/dev/zero`, also through a link), sockets and /proc pseudo-files are refused
 * without blocking (see readRegularFile), so no path can hang or exhaust memory here.
 *
 * Never throws: a file that cannot be used comes back as `{ path, error }` with the cause, which
 * never quotes the file's content.
 *
 * @param filePath absolute path to read.
 * @param label how the file is named in the result and messages (the path as the user gave it).
 */
export async function readModelFile(filePath: string, label: string = filePath): Promise<ConfigFile> {
  try {
    if (isGgufPath(filePath)) return { path: label, gguf: await readGgufFile(filePath) };
    const bytes = await readRegularFile(filePath, maxModelConfigBytes);
    const decoded = decodeConfigBytes(bytes);
    return 'error' in decoded ? { path: label, error: decoded.error } : { path: label, text: decoded.text };
  } catch (error) {
    return { path: label, error: describeModelFileError(error) };
  }
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

