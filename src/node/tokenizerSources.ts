import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { LoadedTokenizer, TemplateCount, TokenizerLoad, TokenizerSources } from '../core/tokenizer/countingTokenizer';
import type { TokenizerId } from '../core/tokenizer/tokenizerId';
import { isReadRefused } from '../core/scan/workspaceFs';
import { readGgufMetadataBytes } from './ggufFile';
import { findCachedTokenizer } from './huggingFaceHub';
import { readRegularFile } from './regularFile';
import { maxTokenizerJsonBytes, TokenizerUnavailableError, type TokenizerFormat, type TokenizerPool } from './tokenizerPool';

/** A tokenizer_config.json larger than this is not read (Gemma 3's, the largest common one, is 1.2 MB). */
const maxTokenizerConfigBytes = 16 * 1024 * 1024;

/** Options of {@link nodeTokenizerSources}. */
export interface NodeTokenizerSourcesOptions {
  /** Where Download Tokenizer keeps its files (the extension's global storage, or --tokenizer-cache). */
  readonly cacheDir?: string;
}

/** {@link nodeTokenizerSources}' options plus how a GGUF's metadata bytes are read (readGgufMetadataBytes). */
export interface TokenizerSourcesOptions extends NodeTokenizerSourcesOptions {
  /**
   * The metadata section of a GGUF file (its vocabulary), as ggufFile.ts reads it. Passed in so the
   * extension can load the GGUF reader only when a GGUF model is set (its second bundle, issue 13).
   */
  readonly readGgufMetadata: (filePath: string) => Promise<Uint8Array>;
}

/**
 * Tokenizer files on the local disk, registered with a {@link TokenizerPool}: the TokenizerSources
 * port for the CLI and the extension. Reads are bounded and never block on a FIFO or device; a file
 * is re-read only when its size or mtime changed, so a settings change does not re-hash 30 MB.
 * Parsing happens in the pool's workers; a file that cannot be used comes back as a message naming
 * the file and the field (`normalizer.type: "Precompiled" is not supported`).
 */
export function nodeTokenizerSources(pool: TokenizerPool, options: NodeTokenizerSourcesOptions = {}): TokenizerSources {
  return tokenizerSources(pool, { ...options, readGgufMetadata: readGgufMetadataBytes });
}

/** {@link nodeTokenizerSources} with the GGUF metadata reader given. */
export function tokenizerSources(pool: TokenizerPool, options: TokenizerSourcesOptions): TokenizerSources {
  const known = new Map<string, { stamp: string; id: TokenizerId }>();

  /** Registers (once per size+mtime) and parses in a worker; a parse failure names the field. */
  const register = async (format: TokenizerFormat, filePath: string, read: () => Promise<Uint8Array>): Promise<TokenizerLoad> => {
    let stamp: string;
    try {
      const stats = await fsp.stat(filePath);
      if (!stats.isFile()) return { kind: 'failed', message: `${filePath} is not a regular file.` };
      stamp = `${stats.size}:${stats.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'failed', message: `${filePath} could not be read: ${(error as Error).message}.` };
    }
    let id = known.get(filePath)?.stamp === stamp ? known.get(filePath)?.id : undefined;
    try {
      if (id === undefined) {
        const bytes = await read();
        id = await pool.registerTokenizer(format, bytes);
        known.set(filePath, { stamp, id });
      }
      await pool.describeTokenizer(id);
      return { kind: 'loaded', tokenizer: { id, where: filePath } };
    } catch (error) {
      return { kind: 'failed', message: `${filePath}: ${describe(error)}` };
    }
  };

  const tokenizerJson = async (filePath: string): Promise<TokenizerLoad> => {
    const loaded = await register('tokenizer.json', filePath, () => readRegularFile(filePath, maxTokenizerJsonBytes));
    if (loaded.kind !== 'loaded') return loaded;
    return { kind: 'loaded', tokenizer: { ...loaded.tokenizer, ...(await configBeside(filePath)) } };
  };

  return {
    tokenizerJson,
    tokenizerBeside: (modelPath) => tokenizerJson(path.join(path.dirname(modelPath), 'tokenizer.json')),
    ggufVocabulary: (filePath) => register('gguf', filePath, () => options.readGgufMetadata(filePath)),
    downloaded: async (repo) => {
      if (options.cacheDir === undefined) return { kind: 'absent' };
      const cached = await findCachedTokenizer(options.cacheDir, repo);
      if (cached === undefined) return { kind: 'absent' };
      const file = path.join(cached.dir, 'tokenizer.json');
      const loaded = await tokenizerJson(file);
      if (loaded.kind !== 'loaded') return loaded;
      // The pool names a tokenizer.json by its SHA-256: it must be the one recorded at download.
      const expected = cached.files['tokenizer.json']?.sha256;
      if (loaded.tokenizer.id !== `hf:${expected}`) {
        return {
          kind: 'failed',
          message: `${file} changed since it was downloaded (its SHA-256 is not the recorded ${expected}); run Download Tokenizer again.`,
        };
      }
      const where: LoadedTokenizer['where'] = `${repo}@${cached.commit.slice(0, 12)}`;
      return { kind: 'loaded', tokenizer: { ...loaded.tokenizer, where } };
    },
    templateOverhead: async (id, config): Promise<TemplateCount> => {
      try {
        return await pool.templateOverhead(id, config);
      } catch (error) {
        return { kind: 'failed', reason: describe(error) };
      }
    },
  };
}

/** The tokenizer_config.json beside a tokenizer.json: its text, nothing when there is none, or why it cannot be read. */
async function configBeside(tokenizerPath: string): Promise<{ config?: string; configProblem?: string }> {
  const configPath = path.join(path.dirname(tokenizerPath), 'tokenizer_config.json');
  try {
    const bytes = await readRegularFile(configPath, maxTokenizerConfigBytes);
    return { config: new TextDecoder('utf-8').decode(bytes) };
  } catch (error) {
    // No config: the tokenizer still counts; there is just no chat template to add.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { configProblem: `${configPath}: ${describe(error)}; the chat template is left out of the count.` };
  }
}

function describe(error: unknown): string {
  if (error instanceof TokenizerUnavailableError) return error.message;
  if (isReadRefused(error)) return error.message;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error)?.message ?? String(error);
}
