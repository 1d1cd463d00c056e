import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findGpu, findModel, loadBundledCatalog, parseGpuCatalog, parseModelCatalog } from '../../../src/core/model/catalog';

// out/test/unit/model → repo root; CI keeps a read-only shared/ beside the repo.
const repoRoot = resolve(__dirname, '../../../..');
const referencePath = resolve(repoRoot, '../shared/reference/llm-reference.json');
const haveReference = existsSync(referencePath);

interface RefModel {
  id: string;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  num_key_value_heads_config?: number;
  head_dim?: number;
  vocab_size: number;
}
interface Reference {
  models: RefModel[];
  gpus: { id: string; memory_gb: number }[];
}
const reference = (): Reference => JSON.parse(readFileSync(referencePath, 'utf8')) as Reference;
const cleanId = (id: string): string => id.replace(/\s*\(.*\)\s*$/, '');

const rawModels = (): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(resolve(repoRoot, 'src/core/model/catalog.models.json'), 'utf8')) as { models: Record<string, unknown>[] })
    .models;
const rawGpus = (): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(resolve(repoRoot, 'src/core/model/catalog.gpus.json'), 'utf8')) as { gpus: Record<string, unknown>[] }).gpus;

// First in this file: findModel/findGpu before anything parsed the whole catalog (activation's path).
test('findModel and findGpu answer before the whole catalog is parsed, with the specs the catalog then holds', () => {
  const model = findModel('qwen3-8b');
  const gpu = findGpu('rtx-4090');
  assert.equal(model?.id, 'qwen3-8b');
  assert.equal(gpu?.id, 'rtx-4090');
  assert.equal(findModel('no-such-model'), undefined);
  assert.equal(findGpu('no-such-gpu'), undefined);
  const catalog = loadBundledCatalog();
  // One spec object per id, whichever path parsed it first.
  assert.equal(
    catalog.models.find((m) => m.id === 'qwen3-8b'),
    model,
  );
  assert.equal(
    catalog.gpus.find((g) => g.id === 'rtx-4090'),
    gpu,
  );
  assert.deepEqual(
    catalog.models.map((m) => m.id),
    rawModels().map((m) => m['id']),
  );
  assert.deepEqual(
    catalog.gpus.map((g) => g.id),
    rawGpus().map((g) => g['id']),
  );
  assert.ok(Object.isFrozen(model));
});

test('the shipped catalogs pass validation and are memoised', () => {
  const catalog = loadBundledCatalog();
  assert.equal(catalog.models.length, 33);
  assert.equal(catalog.gpus.length, 22);
  assert.equal(loadBundledCatalog(), catalog);
  assert.ok(Object.isFrozen(catalog.models) && Object.isFrozen(catalog.models[0]));
  for (const m of catalog.models) {
    assert.equal(m.origin, 'catalog');
    assert.ok(m.sources.length > 0, m.id);
    if (m.effectiveWindow) assert.ok(m.sources.includes(m.effectiveWindow.source), `${m.id} cites its RULER source`);
  }
});

test('every reference model and GPU is in the catalog under a clean id', { skip: !haveReference && 'shared reference not present' }, () => {
  const ref = reference();
  const ids = new Set(loadBundledCatalog().models.map((m) => m.id));
  for (const m of ref.models) assert.ok(ids.has(cleanId(m.id)), `missing model ${m.id}`);
  const gpuIds = new Set(loadBundledCatalog().gpus.map((g) => g.id));
  for (const g of ref.gpus) assert.ok(gpuIds.has(g.id), `missing GPU ${g.id}`);
  assert.ok(ids.has('phi-3.5-mini') && ids.has('command-r-v01') && ids.has('command-r-08-2024'));
  for (const id of ids) assert.match(id, /^[a-z0-9][a-z0-9.-]*$/);
});

test('catalog architecture fields match the reference for every model', { skip: !haveReference && 'shared reference not present' }, () => {
  for (const r of reference().models) {
    const m = findModel(cleanId(r.id));
    assert.ok(m, r.id);
    assert.equal(m.hiddenSize, r.hidden_size, `${r.id} hidden`);
    assert.equal(m.numLayers, r.num_hidden_layers, `${r.id} layers`);
    assert.equal(m.numAttentionHeads, r.num_attention_heads, `${r.id} heads`);
    assert.equal(m.numKvHeads, r.num_key_value_heads ?? r.num_key_value_heads_config, `${r.id} kv heads`);
    if (r.head_dim !== undefined) assert.equal(m.headDim, r.head_dim, `${r.id} head dim`);
    assert.equal(m.vocabSize, r.vocab_size, `${r.id} vocab`);
  }
});

test(
  'regenerating the catalogs from the reference reproduces the committed files byte for byte',
  { skip: !haveReference && 'shared reference not present' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      const run = spawnSync(process.execPath, [resolve(repoRoot, 'scripts/buildCatalog.mjs'), '--reference', referencePath, '--out', dir], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      for (const name of ['catalog.models.json', 'catalog.gpus.json']) {
        assert.equal(
          readFileSync(join(dir, name), 'utf8'),
          readFileSync(resolve(repoRoot, 'src/core/model', name), 'utf8'),
          `${name} is stale: run node scripts/buildCatalog.mjs`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('RULER effective lengths use K = 1024 and attach only where the row measured this checkpoint', () => {
  assert.deepEqual(findModel('llama-3.1-8b')?.effectiveWindow?.tokens, 32_768);
  assert.equal(findModel('llama-3.1-70b')?.effectiveWindow?.tokens, 65_536);
  assert.equal(findModel('mistral-nemo-12b')?.effectiveWindow?.tokens, 16_384);
  assert.equal(findModel('qwen3-32b')?.effectiveWindow?.tokens, 131_072);
  assert.ok(findModel('qwen3-32b')?.notes?.some((n) => n.includes('lower bound')));
  assert.equal(findModel('phi-3-medium')?.effectiveWindow, undefined);
  assert.equal(findModel('llama-3.1-405b')?.effectiveWindow, undefined);
  assert.equal(findModel('phi-3.5-mini')?.effectiveWindow?.benchmark, 'RULER');
});

test('windows follow the reference notes', () => {
  const qwen25 = findModel('qwen2.5-7b');
  assert.deepEqual(
    [qwen25?.maxPositionEmbeddings, qwen25?.pretrainedWindow, qwen25?.trainedWindow, qwen25?.ropeScaling],
    [32_768, 32_768, 131_072, undefined],
  );
  const qwen3 = findModel('qwen3-8b');
  assert.deepEqual([qwen3?.maxPositionEmbeddings, qwen3?.pretrainedWindow, qwen3?.trainedWindow], [40_960, 32_768, 131_072]);
  const llama = findModel('llama-3.1-8b');
  assert.deepEqual(
    [llama?.pretrainedWindow, llama?.trainedWindow, llama?.ropeScaling],
    [8192, 131_072, { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 }],
  );
  assert.deepEqual(findModel('phi-3.5-mini')?.ropeScaling, { type: 'longrope', factor: 32, originalMaxPositionEmbeddings: 4096 });
  assert.equal(findModel('deepseek-v3')?.pretrainedWindow, 4096);
  assert.equal(findModel('command-r-v01')?.trainedWindow, 131_072);
  assert.equal(findModel('mistral-7b-v0.3')?.trainedWindow, undefined);
});

test('layer mixes, MLA and tokenizers', () => {
  assert.deepEqual(findModel('gemma-3-27b')?.layers, [
    { count: 52, attention: { kind: 'sliding', window: 1024 } },
    { count: 10, attention: { kind: 'full' } },
  ]);
  assert.deepEqual(findModel('gemma-2-9b')?.layers, [
    { count: 21, attention: { kind: 'sliding', window: 4096 } },
    { count: 21, attention: { kind: 'full' } },
  ]);
  assert.deepEqual(findModel('llama-4-scout-17b-16e')?.layers, [
    { count: 36, attention: { kind: 'chunked', chunk: 8192 } },
    { count: 12, attention: { kind: 'full' } },
  ]);
  assert.deepEqual(findModel('mistral-7b-v0.1')?.layers, [{ count: 32, attention: { kind: 'sliding', window: 4096 } }]);
  assert.deepEqual(findModel('deepseek-v3')?.mla, { kvLoraRank: 512, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128 });
  assert.equal(findModel('gpt-oss-20b')?.tokenizer, 'o200k_base');
  assert.equal(findModel('gpt-oss-120b')?.tokenizer, 'o200k_base');
  assert.equal(findModel('qwen3-8b')?.tokenizer, 'other');
  const phi4mini = findModel('phi-4-mini');
  assert.equal(phi4mini?.paramsDerived, true);
  assert.ok(Math.abs((phi4mini?.paramsTotal ?? 0) / 3.84e9 - 1) < 0.01);
});

test('GPU units and flagged estimates', () => {
  const h100 = findGpu('h100-sxm');
  // Memory is what nvidia-smi reports for an H100 80GB: 81,559 MiB = 81,559 × 2^20 = 85,520,809,984 B, not 80e9.
  assert.deepEqual(
    [h100?.memoryBytes, h100?.bandwidthBytesPerSec, h100?.bf16FlopsPerSec, h100?.fp8FlopsPerSec, h100?.measuredBf16FlopsPerSec],
    [85_520_809_984, 3.35e12, 989e12, 1979e12, 794.5e12],
  );
  assert.equal(h100?.marketingMemoryGb, 80);
  assert.equal(h100?.name, 'NVIDIA H100 SXM5 80GB');
  // vLLM's log: total_gpu_memory 79.22 GiB = round(79.22 × 1,073,741,824) = 85,061,827,297 B.
  assert.equal(h100?.cudaTotalBytes, 85_061_827_297);
  // Driver totals with a cited output: RTX 4090 24,564 MiB, B200 183,359 MiB, H100 NVL 95,830 MiB.
  assert.equal(findGpu('rtx-4090')?.memoryBytes, 24_564 * 2 ** 20);
  assert.equal(findGpu('b200-sxm')?.memoryBytes, 183_359 * 2 ** 20);
  assert.equal(findGpu('h100-nvl')?.memoryBytes, 95_830 * 2 ** 20);
  assert.equal(findGpu('a100-sxm-80gb')?.fp8FlopsPerSec, undefined);
  assert.deepEqual(findGpu('h100-nvl')?.estimatedFields, ['bandwidthBytesPerSec']);
  // No cited driver output: the marketing GB stays, flagged as an estimate.
  assert.deepEqual(findGpu('h200-sxm')?.estimatedFields, ['memoryBytes']);
  assert.equal(findGpu('h200-sxm')?.memoryBytes, 141e9);
  for (const id of ['apple-m2-ultra', 'apple-m3-ultra', 'apple-m3-max', 'apple-m4-max', 'apple-m4-pro', 'apple-m4']) {
    assert.deepEqual(findGpu(id)?.estimatedFields, ['bf16FlopsPerSec', 'memoryBytes'], id);
  }
  assert.equal(findGpu('h100-sxm')?.estimatedFields, undefined);
  assert.equal(findGpu('tpu-v9'), undefined);
  assert.equal(findModel('gpt-5'), undefined);
});

/** A valid model entry with one field replaced (or removed when the value is undefined). */
function modelWith(id: string, patch: Record<string, unknown>): Record<string, unknown> {
  const base = rawModels().find((m) => m['id'] === id);
  assert.ok(base);
  const copy: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  }
  return copy;
}

const modelFailures: [string, Record<string, unknown>, RegExp][] = [
  ['missing headDim', { headDim: undefined }, /entry "qwen3-8b": "headDim" must be an integer/],
  ['string layer count', { numLayers: '36' }, /"numLayers" must be an integer .* \(got "36"\)/],
  ['negative vocab', { vocabSize: -5 }, /"vocabSize" must be an integer/],
  ['NaN hidden size', { hiddenSize: Number.NaN }, /"hiddenSize" .*\(got NaN\)/],
  ['kv heads not dividing heads', { numKvHeads: 7 }, /"numKvHeads" must be a divisor of numAttentionHeads \(32\)/],
  [
    'groups not summing to numLayers',
    { layers: [{ count: 30, attention: { kind: 'full' } }] },
    /"layers" must be groups whose counts sum to numLayers \(36\)/,
  ],
  [
    'repeated group kind',
    {
      layers: [
        { count: 18, attention: { kind: 'full' } },
        { count: 18, attention: { kind: 'full' } },
      ],
    },
    /one group per distinct attention/,
  ],
  [
    'sliding group without window',
    { layers: [{ count: 36, attention: { kind: 'sliding' } }] },
    /"layers\.0\.attention\.window" must be an integer/,
  ],
  [
    'unknown attention kind',
    { layers: [{ count: 36, attention: { kind: 'linear' } }] },
    /"layers\.0\.attention\.kind" must be one of full, sliding, chunked/,
  ],
  ['active above total', { paramsActive: 9e9 }, /"paramsActive" must be at most paramsTotal/],
  ['bad rope type', { ropeScaling: { type: 'ntk', factor: 2 } }, /"ropeScaling\.type" must be one of/],
  ['zero rope factor', { ropeScaling: { type: 'yarn', factor: 0 } }, /"ropeScaling\.factor" must be a positive number/],
  [
    'effective beyond every window',
    { effectiveWindow: { tokens: 1_048_576, benchmark: 'RULER', source: 'x' } },
    /"effectiveWindow\.tokens" must be at most/,
  ],
  ['unknown tokenizer', { tokenizer: 'p50k' }, /"tokenizer" must be one of o200k_base, cl100k_base, other/],
  ['no sources', { sources: [] }, /"sources" must be a non-empty array of strings/],
  ['unknown key', { contextWindow: 4096 }, /"contextWindow" must be absent: it is not a known field/],
  ['absurd positions', { maxPositionEmbeddings: 1e15 }, /"maxPositionEmbeddings" must be an integer/],
];

for (const [name, patch, message] of modelFailures) {
  test(`model catalog rejects an entry with ${name}`, () => {
    assert.throws(() => parseModelCatalog({ models: [modelWith('qwen3-8b', patch)] }), message);
  });
}

test('model catalog rejects bad ids, duplicates and a non-list', () => {
  assert.throws(() => parseModelCatalog([modelWith('qwen3-8b', { id: 'Qwen3 8B (dense)' })]), /entry #0 "id" must be a lower-case slug/);
  assert.throws(() => parseModelCatalog([modelWith('qwen3-8b', {}), modelWith('qwen3-8b', {})]), /duplicate id "qwen3-8b"/);
  assert.throws(() => parseModelCatalog({ models: 'none' }), /expected an array/);
  assert.deepEqual(parseModelCatalog([]), []);
});

function gpuWith(patch: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(rawGpus().find((g) => g['id'] === 'h100-sxm')!);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  }
  return copy;
}

const gpuFailures: [string, Record<string, unknown>, RegExp][] = [
  ['missing bandwidth', { bandwidthBytesPerSec: undefined }, /entry "h100-sxm": "bandwidthBytesPerSec" must be a positive number/],
  ['zero memory', { memoryBytes: 0 }, /"memoryBytes" must be a positive number/],
  ['string FLOPs', { bf16FlopsPerSec: '989e12' }, /"bf16FlopsPerSec" must be a positive number .* \(got "989e12"\)/],
  ['measured above peak', { measuredBf16FlopsPerSec: 2e15 }, /"measuredBf16FlopsPerSec" must be at most the bf16 peak/],
  ['unknown estimated field', { estimatedFields: ['price'] }, /"estimatedFields\[0\]" must be one of/],
  ['empty name', { name: ' ' }, /"name" must be a non-empty string/],
];

for (const [name, patch, message] of gpuFailures) {
  test(`GPU catalog rejects an entry with ${name}`, () => {
    assert.throws(() => parseGpuCatalog({ gpus: [gpuWith(patch)] }), message);
  });
}
