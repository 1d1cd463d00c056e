import * as path from 'node:path';
import { combineGgufShards, GgufFormatError, ggufLimits, ggufSplit, readGgufHeader } from '../core/model/ggufHeader';
import type { GgufHeader, GgufReadOptions } from '../core/model/ggufHeader';
import { openRegularFile } from './regularFile';

/** `Qwen3-235B-Q4_K_M-00001-of-00003.gguf`: llama.cpp's gguf-split naming. */
const shardName = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * Reads a local GGUF file's header (metadata and tensor infos) without reading tensor data. When
 * the file is one shard of a split model, the other shards' headers are read too, so the tensors
 * (and so the weights) are the whole model's.
 *
 * @throws GgufFormatError for a malformed or truncated header; Error when a file cannot be opened.
 */
export async function readGgufFile(filePath: string, options: GgufReadOptions = {}): Promise<GgufHeader> {
  const header = await readOne(filePath, options);
  const split = ggufSplit(header);
  if (!split || split.count === 1) return header;
  const match = shardName.exec(path.basename(filePath));
  if (!match) {
    throw new GgufFormatError(
      0,
      `this file is shard ${split.index + 1} of ${split.count} of a split model, but its name does not end in -0000N-of-0000M.gguf, so the other shards cannot be found`,
    );
  }
  const [, prefix, , total] = match;
  const shards: GgufHeader[] = [];
  for (let i = 1; i <= split.count; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}-of-${total}.gguf`;
    if (i === split.index + 1) {
      shards.push(header);
      continue;
    }
    const shardPath = path.join(path.dirname(filePath), name);
    try {
      shards.push(await readOne(shardPath, options));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found next to it' : (error as Error).message;
      throw new GgufFormatError(0, `shard ${i} of ${split.count} of this split model (${name}): ${reason}`);
    }
  }
  return combineGgufShards(shards);
}

/**
 * The bytes of a GGUF file from its start to the end of its metadata: what a tokenizer needs (the
 * embedded vocabulary, chat template and special ids), never the tensor infos or data. For a split
 * model, the first shard's (the only one carrying the vocabulary). Bounded by the header read cap.
 */
export async function readGgufMetadataBytes(filePath: string): Promise<Uint8Array> {
  const match = shardName.exec(path.basename(filePath));
  const first = match ? path.join(path.dirname(filePath), `${match[1]}-00001-of-${match[3]}.gguf`) : filePath;
  const { handle, stats } = await openRegularFile(first);
  try {
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const header = await readGgufHeader({ size: stats.size, read }, { metadataOnly: true });
    if (header.metadataBytes > ggufLimits.maxHeaderReadBytes) {
      throw new GgufFormatError(
        0,
        `the metadata is ${header.metadataBytes.toLocaleString('en-US')} bytes, more than the ${ggufLimits.maxHeaderReadBytes.toLocaleString('en-US')} read for a header (real vocabularies take under 30 MiB)`,
        'maxHeaderReadBytes',
      );
    }
    const bytes = await read(0, header.metadataBytes);
    if (bytes.byteLength !== header.metadataBytes) {
      throw new GgufFormatError(bytes.byteLength, 'the file changed while its metadata was read');
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

async function readOne(filePath: string, options: GgufReadOptions): Promise<GgufHeader> {
  // Never a FIFO, device or pseudo-file, and the size is the opened file's own (fstat): every length
  // in the header is then checked against it before anything is allocated.
  const { handle, stats } = await openRegularFile(filePath);
  try {
    const size = stats.size;
    return await readGgufHeader(
      {
        size,
        read: async (offset, length) => {
          const buffer = Buffer.allocUnsafe(length);
          const { bytesRead } = await handle.read(buffer, 0, length, offset);
          return buffer.subarray(0, bytesRead);
        },
      },
      options,
    );
  } finally {
    await handle.close();
  }
}
