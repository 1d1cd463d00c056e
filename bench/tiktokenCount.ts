// The official tiktoken core (npm `tiktoken`, Rust compiled to WASM) counting a folder on one
// thread, as a fresh process: walk, read every file as UTF-8, encode_ordinary, sum. Used by
// coldCountBench as the reference the CLI's total must equal.
// Run: node .cache/bench-out/bench/tiktokenCount.js <folder> [encoding]  → JSON {files: {path: tokens}, total, bytes}
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get_encoding } from 'tiktoken';
import type { TiktokenEncoding } from 'tiktoken';

function main(): void {
  const root = process.argv[2];
  if (!root) throw new Error('usage: tiktokenCount <folder> [encoding]');
  const encoder = get_encoding((process.argv[3] ?? 'o200k_base') as TiktokenEncoding);
  const files: Record<string, number> = {};
  let total = 0;
  let bytes = 0;
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), rel);
      else if (entry.isFile()) {
        const buffer = readFileSync(join(dir, entry.name));
        bytes += buffer.byteLength;
        const tokens = encoder.encode_ordinary(buffer.toString('utf8')).length;
        files[rel] = tokens;
        total += tokens;
      }
    }
  };
  walk(root, '');
  encoder.free();
  process.stdout.write(JSON.stringify({ total, bytes, files }));
}

main();
