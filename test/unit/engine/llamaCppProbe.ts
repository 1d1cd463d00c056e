// Child process for llamaCppKv.test.ts: writes each tiny GGUF, loads it with the real llama.cpp
// (node-llama-cpp from the oracle folder given as argv[2]), creates the requested context, and prints
// one JSON line per case with every log line llama.cpp wrote while doing so. Run out of process so a
// native abort in llama.cpp fails one test run instead of killing the test runner.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tinyGguf } from './tinyGguf';
import type { TinyArch } from './tinyGguf';

/** One context to create. */
export interface ProbeCase {
  readonly name: string;
  readonly arch: TinyArch;
  readonly layers: number;
  readonly contextSize: number;
  readonly sequences: number;
  readonly batchSize: number;
  readonly kType: string;
  readonly vType: string;
  readonly swaFullCache: boolean;
}

/** What the child reports for one case. */
export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly lines: readonly string[];
}

interface NodeLlamaCpp {
  getLlama(options: object): Promise<{
    loadModel(options: {
      modelPath: string;
    }): Promise<{ createContext(options: object): Promise<{ dispose(): Promise<void> }>; dispose(): Promise<void> }>;
    dispose(): Promise<void>;
  }>;
  LlamaLogLevel: { info: string };
}

/**
 * node-llama-cpp delivers llama.cpp's log lines asynchronously (a thread-safe callback), so some can
 * arrive after createContext resolves: wait for the last line context creation writes
 * (`sched_reserve: reserve took …`), at most 5 s.
 */
async function settled(lines: readonly string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!lines.some((line) => line.includes('reserve took')) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
}

async function main(): Promise<void> {
  const oracleDir = process.argv[2];
  const cases = JSON.parse(process.argv[3] ?? '[]') as ProbeCase[];
  if (!oracleDir) throw new Error('usage: llamaCppProbe <oracle dir> <cases json>');
  const entry = pathToFileURL(join(oracleDir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')).href;
  const lib = (await import(entry)) as NodeLlamaCpp;
  const lines: string[] = [];
  const llama = await lib.getLlama({
    gpu: false,
    build: 'never',
    logLevel: lib.LlamaLogLevel.info,
    logger: (_level: string, message: string) => lines.push(...message.split('\n').map((line) => line.trimEnd())),
  });
  const dir = mkdtempSync(join(tmpdir(), 'cb-llamacpp-'));
  try {
    for (const c of cases) {
      const path = join(dir, `${c.name}.gguf`);
      writeFileSync(path, tinyGguf(c.arch, c.layers));
      const model = await llama.loadModel({ modelPath: path });
      lines.length = 0;
      let result: ProbeResult;
      try {
        const context = await model.createContext({
          contextSize: c.contextSize,
          sequences: c.sequences,
          batchSize: c.batchSize,
          flashAttention: true,
          experimentalKvCacheKeyType: c.kType,
          experimentalKvCacheValueType: c.vType,
          swaFullCache: c.swaFullCache,
        });
        await settled(lines);
        result = { name: c.name, ok: true, lines: [...lines] };
        await context.dispose();
      } catch (error) {
        result = { name: c.name, ok: false, error: (error as Error).message, lines: [...lines] };
      }
      await model.dispose();
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    await llama.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
