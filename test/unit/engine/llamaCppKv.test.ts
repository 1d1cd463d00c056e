// The llama.cpp engine profile against real llama.cpp: for tiny GGUFs of six architectures and a
// spread of context sizes, sequences, batch sizes, K/V cache types and --swa-full, llama.cpp's own
// `llama_kv_cache: size = … MiB (N cells, L layers, S/S seqs), K (t): … MiB, V (t): … MiB` lines must
// equal what `llamaCppKvCaches` computes from the same file's header: cells, layers, sequences and
// every MiB figure to the log's 0.01. llama.cpp v0.4.0 runs on CPU through node-llama-cpp@3.21.1,
// installed on demand by scripts/installLlamaCppOracle.mjs (a development oracle, not a dependency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { llamaCppKvCaches } from '../../../src/core/cost/engineProfiles';
import type { KvDtype } from '../../../src/core/cost/costTypes';
import { ggufToModelSpec } from '../../../src/core/model/gguf';
import { readGgufHeader } from '../../../src/core/model/ggufHeader';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import { VirtualReader } from '../model/ggufFixture';
import { tinyGguf } from './tinyGguf';
import type { ProbeCase, ProbeResult } from './llamaCppProbe';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');

/**
 * The contexts created. node-llama-cpp passes n_ctx = contextSize × sequences and n_seq_max =
 * sequences with kv_unified off, and for SWA models raises n_ubatch by one (the log shows 513 for a
 * 512 batch): the profile is fed llama.cpp's own n_ubatch and kv_unified from the log, and must
 * reproduce everything else.
 */
const cases: ProbeCase[] = [
  {
    name: 'llama-f16-1seq',
    arch: 'llama',
    layers: 4,
    contextSize: 1000,
    sequences: 1,
    batchSize: 512,
    kType: 'F16',
    vType: 'F16',
    swaFullCache: false,
  },
  {
    name: 'llama-q8-q4-3seq',
    arch: 'llama',
    layers: 5,
    contextSize: 5000,
    sequences: 3,
    batchSize: 256,
    kType: 'Q8_0',
    vType: 'Q4_0',
    swaFullCache: false,
  },
  {
    name: 'qwen3-bf16-2seq',
    arch: 'qwen3',
    layers: 3,
    contextSize: 2048,
    sequences: 2,
    batchSize: 512,
    kType: 'BF16',
    vType: 'BF16',
    swaFullCache: false,
  },
  {
    name: 'qwen3-q5_1-iq4_nl',
    arch: 'qwen3',
    layers: 3,
    contextSize: 3333,
    sequences: 1,
    batchSize: 512,
    kType: 'Q5_1',
    vType: 'IQ4_NL',
    swaFullCache: false,
  },
  {
    name: 'gemma3-swa',
    arch: 'gemma3',
    layers: 12,
    contextSize: 4096,
    sequences: 1,
    batchSize: 512,
    kType: 'F16',
    vType: 'F16',
    swaFullCache: false,
  },
  {
    name: 'gemma3-swa-2seq-q4_1-q5_0',
    arch: 'gemma3',
    layers: 7,
    contextSize: 3000,
    sequences: 2,
    batchSize: 1024,
    kType: 'Q4_1',
    vType: 'Q5_0',
    swaFullCache: false,
  },
  {
    name: 'gemma3-swa-full',
    arch: 'gemma3',
    layers: 6,
    contextSize: 4096,
    sequences: 2,
    batchSize: 512,
    kType: 'F16',
    vType: 'F16',
    swaFullCache: true,
  },
  {
    name: 'gpt-oss-alternating',
    arch: 'gpt-oss',
    layers: 6,
    contextSize: 3000,
    sequences: 2,
    batchSize: 1024,
    kType: 'Q8_0',
    vType: 'F16',
    swaFullCache: false,
  },
  {
    name: 'gpt-oss-small-ctx',
    arch: 'gpt-oss',
    layers: 4,
    contextSize: 300,
    sequences: 1,
    batchSize: 512,
    kType: 'F32',
    vType: 'F32',
    swaFullCache: false,
  },
  {
    name: 'deepseek2-mla',
    arch: 'deepseek2',
    layers: 3,
    contextSize: 1000,
    sequences: 2,
    batchSize: 512,
    kType: 'F16',
    vType: 'F16',
    swaFullCache: false,
  },
  {
    name: 'deepseek2-mla-q8',
    arch: 'deepseek2',
    layers: 2,
    contextSize: 2500,
    sequences: 1,
    batchSize: 512,
    kType: 'Q8_0',
    vType: 'Q8_0',
    swaFullCache: false,
  },
  {
    name: 'deepseek2-no-mla',
    arch: 'deepseek2-nomla',
    layers: 3,
    contextSize: 1500,
    sequences: 1,
    batchSize: 512,
    kType: 'Q8_0',
    vType: 'Q4_0',
    swaFullCache: false,
  },
];

const ggmlToKvDtype: Record<string, KvDtype> = {
  F16: 'f16',
  F32: 'f32',
  BF16: 'bf16',
  Q8_0: 'q8_0',
  Q4_0: 'q4_0',
  Q4_1: 'q4_1',
  Q5_0: 'q5_0',
  Q5_1: 'q5_1',
  IQ4_NL: 'iq4_nl',
};

/** One `llama_kv_cache: size = …` line, parsed. */
interface LoggedCache {
  readonly mib: number;
  readonly cells: number;
  readonly layers: number;
  readonly seqs: number;
  readonly streams: number;
  readonly kType: string;
  readonly kMib: number;
  readonly vType: string;
  readonly vMib: number;
}

const cacheLine =
  /llama_kv_cache: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)\/(\d+) seqs\), K \((\w+)\):\s*([\d.]+) MiB, V \((\w+)\):\s*([\d.]+) MiB/;

function parseCaches(lines: readonly string[]): LoggedCache[] {
  return lines.flatMap((line) => {
    const m = cacheLine.exec(line);
    if (!m) return [];
    return [
      {
        mib: Number(m[1]),
        cells: Number(m[2]),
        layers: Number(m[3]),
        seqs: Number(m[4]),
        streams: Number(m[5]),
        kType: m[6]!,
        kMib: Number(m[7]),
        vType: m[8]!,
        vMib: Number(m[9]),
      },
    ];
  });
}

function logged(lines: readonly string[], key: string): string {
  const m = new RegExp(`llama_context: ${key}\\s*=\\s*(\\S+)`).exec(lines.join('\n'));
  assert.ok(m, `llama.cpp logged no ${key}`);
  return m[1]!;
}

async function specOf(c: ProbeCase): Promise<ModelSpec> {
  const bytes = tinyGguf(c.arch, c.layers);
  const header = await readGgufHeader(new VirtualReader(bytes, bytes.length));
  return ggufToModelSpec(header, { id: c.name, sourcePath: `${c.name}.gguf` });
}

const mib = (bytes: number): number => bytes / 2 ** 20;

/** Installs the oracle; undefined (with the reason) when this machine cannot have it. */
function oracleDir(): { dir?: string; reason?: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'installLlamaCppOracle.mjs')], { encoding: 'utf8', timeout: 600_000 });
  if (run.status === 0) return { dir: run.stdout.trim().split('\n').pop()! };
  if (run.status === 3) return { reason: run.stderr.trim() };
  // A registry that cannot be reached is the only other reason to skip; anything else must fail loudly.
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(run.stderr)) {
    return { reason: `npm registry unreachable: ${run.stderr.trim().split('\n').slice(-1)[0]}` };
  }
  throw new Error(`installLlamaCppOracle.mjs failed (exit ${run.status}):\n${run.stderr}`);
}

test("llama.cpp profile equals real llama.cpp's KV cache log lines (6 architectures, 12 contexts)", { timeout: 900_000 }, async (t) => {
  const oracle = oracleDir();
  if (!oracle.dir) {
    t.skip(`real llama.cpp unavailable: ${oracle.reason ?? 'unknown'}`);
    return;
  }
  const probe = spawnSync(process.execPath, [join(__dirname, 'llamaCppProbe.js'), oracle.dir, JSON.stringify(cases)], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 2 ** 20,
  });
  assert.equal(probe.status, 0, `probe failed: ${probe.stderr}`);
  const results = probe.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ProbeResult);
  assert.equal(results.length, cases.length);

  for (const [i, c] of cases.entries()) {
    const result = results[i]!;
    assert.ok(
      result.ok,
      `${c.name}: llama.cpp could not create the context: ${result.error} ${result.lines.filter((l) => /error/i.test(l)).join(' | ')}`,
    );
    const model = await specOf(c);
    const nUbatch = Number(logged(result.lines, 'n_ubatch'));
    const kvUnified = logged(result.lines, 'kv_unified') === 'true';
    const caches = llamaCppKvCaches(model, {
      nCtx: c.contextSize * c.sequences,
      nSeqMax: c.sequences,
      nUbatch,
      kvUnified,
      swaFull: c.swaFullCache,
      typeK: ggmlToKvDtype[c.kType]!,
      typeV: ggmlToKvDtype[c.vType]!,
      mla: model.mla?.latentCacheInFile ?? false,
    });
    const log = parseCaches(result.lines);
    assert.equal(caches.length, log.length, `${c.name}: cache count`);
    // The padded n_ctx the profile assumes is the one llama.cpp used.
    assert.equal(caches[0]!.cells * (kvUnified ? 1 : c.sequences), Number(logged(result.lines, 'n_ctx')), `${c.name}: n_ctx`);
    for (const [j, ours] of caches.entries()) {
      const theirs = log[j]!;
      const where = `${c.name} cache ${j} (${ours.kind})`;
      assert.equal(ours.cells, theirs.cells, `${where}: cells`);
      assert.equal(ours.layers, theirs.layers, `${where}: layers`);
      assert.equal(ours.seqs, theirs.seqs, `${where}: seqs`);
      assert.equal(ours.streams, theirs.streams, `${where}: streams`);
      assert.equal(ours.kType, theirs.kType, `${where}: K type`);
      assert.equal(ours.vType, theirs.vType, `${where}: V type`);
      // The log prints %7.2f MiB: ours must round to the same hundredth.
      assert.ok(
        Math.abs(mib(ours.kBytes + ours.vBytes) - theirs.mib) <= 0.005,
        `${where}: ${mib(ours.kBytes + ours.vBytes)} MiB vs logged ${theirs.mib}`,
      );
      assert.ok(Math.abs(mib(ours.kBytes) - theirs.kMib) <= 0.005, `${where}: K ${mib(ours.kBytes)} MiB vs logged ${theirs.kMib}`);
      assert.ok(Math.abs(mib(ours.vBytes) - theirs.vMib) <= 0.005, `${where}: V ${mib(ours.vBytes)} MiB vs logged ${theirs.vMib}`);
    }
    t.diagnostic(
      `${c.name}: ${log.map((l) => `${l.mib} MiB (${l.cells} cells, ${l.layers} layers, ${l.seqs}/${l.streams} seqs)`).join(' + ')}; ours ${caches.map((x) => mib(x.kBytes + x.vBytes).toFixed(4)).join(' + ')} MiB`,
    );
  }
});
