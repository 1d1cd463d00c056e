// Child process for the GGUF tokenizer tests: loads each GGUF vocabulary with the real llama.cpp
// (node-llama-cpp@3.21.1 from the oracle folder, vocabulary only) and prints, per model, one JSON
// line with the ids `model.tokenize(text, true)` gives for each text (add_special = false,
// parse_special = true). Out of process, so a native abort fails one run instead of the runner.
//
// argv: <oracle dir> <job file>. The job file is JSON: [{ name, path, texts: string[] }].
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One GGUF to load and the texts to tokenize with it. */
export interface ProbeJob {
  readonly name: string;
  readonly path: string;
  readonly texts: readonly string[];
}

/** What the child prints for one job. */
export interface ProbeAnswer {
  readonly name: string;
  readonly ids?: readonly (readonly number[])[];
  readonly error?: string;
}

interface NodeLlamaCpp {
  getLlama(options: object): Promise<{
    loadModel(options: {
      modelPath: string;
      vocabOnly: boolean;
    }): Promise<{ tokenize(text: string, special: boolean): number[]; dispose(): Promise<void> }>;
    dispose(): Promise<void>;
  }>;
  LlamaLogLevel: { error: string };
}

async function main(): Promise<void> {
  const [oracleDir, jobFile] = process.argv.slice(2);
  if (!oracleDir || !jobFile) throw new Error('usage: llamaTokenizeProbe <oracle dir> <job file>');
  const jobs = JSON.parse(readFileSync(jobFile, 'utf8')) as ProbeJob[];
  const entry = pathToFileURL(join(oracleDir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')).href;
  const lib = (await import(entry)) as NodeLlamaCpp;
  const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error, logger: () => undefined });
  try {
    for (const job of jobs) {
      let answer: ProbeAnswer;
      try {
        const model = await llama.loadModel({ modelPath: job.path, vocabOnly: true });
        answer = { name: job.name, ids: job.texts.map((text) => Array.from(model.tokenize(text, true))) };
        await model.dispose();
      } catch (error) {
        answer = { name: job.name, error: (error as Error).message };
      }
      process.stdout.write(`${JSON.stringify(answer)}\n`);
    }
  } finally {
    await llama.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
