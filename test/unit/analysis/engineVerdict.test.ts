// What the engine does with the prompt, end to end through buildBudgetReport: the window limit and its
// label, Ollama's front-drop (which files are cut), rejections by llama-server, vLLM and SGLang, the
// warnings, and the fix with its KV and time-to-first-token cost. Expected values are worked by hand in
// the comments from the rules each engine's code applies (see engineVerdict.ts and engineProfiles.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput, BudgetReport } from '../../../src/core/analysis/budgetTypes';
import { estimateCost } from '../../../src/core/cost/costEngine';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import type { ServerCheck, ServerReading } from '../../../src/core/server/serverCheck';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';

const llama = findModel('llama-3.1-8b')!;
const h100 = findGpu('h100-sxm')!;
const target = { model: llama, gpu: h100 };
/** Llama 3.1 8B, bf16: 32 layers × 8 KV heads × 128 × 2 (K and V) × 2 B = 131,072 B per cached token. */
const kvPerToken = 131_072;

function file(name: string, tokens: number): BudgetFileInput {
  return {
    uri: `file:///w/${name}`,
    relativePath: name,
    included: true,
    focus: false,
    pinned: false,
    count: { kind: 'counted', tokens, sizeBytes: tokens * 4, notes: [] },
  };
}

function reading(overrides: Partial<ServerReading>): ServerReading {
  return {
    status: 'ok',
    url: 'http://127.0.0.1:8080',
    kind: 'llama.cpp',
    serverName: 'llama-server',
    model: 'm',
    limitTokens: 8192,
    limitName: 'n_ctx',
    slots: 1,
    trainContextTokens: null,
    kvCapacityTokens: null,
    blockSize: null,
    numGpuBlocks: null,
    gpuMemoryUtilization: null,
    vramBytes: null,
    readings: [],
    notes: [],
    ...overrides,
  };
}

function report(files: readonly BudgetFileInput[], server: ServerCheck | null, settings: Partial<Settings> = {}): BudgetReport {
  return buildBudgetReport(files, { ...defaultSettings, server: server ? server.url : '', ...settings }, target, { treeTokens: 0, server });
}

const ollamaServer = reading({
  url: 'http://127.0.0.1:11434',
  kind: 'ollama',
  serverName: 'Ollama',
  limitName: 'num_ctx',
  limitTokens: 4096,
  slots: null,
});

test('Ollama server at num_ctx 4,096, 9,000-token prompt: the front is dropped and the files in it are named', () => {
  // llama architecture: num_keep 4 + BOS = 5 kept; the prompt is cut to 4,096 − ⌊(4,096 − 5) / 2⌋ = 2,051 tokens,
  // so 9,000 − 2,051 = 6,949 tokens go: [5, 6,954). a.ts [0, 3,000) loses all but its first 5 tokens (part),
  // b.ts [3,000, 6,000) is gone, c.ts [6,000, 9,000) loses its first 954 (part).
  const result = report([file('a.ts', 3000), file('b.ts', 3000), file('c.ts', 3000)], ollamaServer, { engine: 'ollama' });
  assert.deepEqual(result.windowLimit, { tokens: 4096, label: 'server num_ctx 4,096', source: 'server' });
  assert.equal(result.risk.windows.max, 4096);
  const handling = result.engineHandling!;
  assert.equal(handling.handling.kind, 'front-dropped');
  assert.deepEqual(
    { ...handling.handling, reason: '' },
    { kind: 'front-dropped', limit: 2051, maxPromptTokens: 4095, keep: 5, dropStart: 5, dropEnd: 6954, reason: '' },
  );
  assert.deepEqual(
    handling.files.map((f) => [f.relativePath, f.part]),
    [
      ['a.ts', 'part'],
      ['b.ts', 'whole'],
      ['c.ts', 'part'],
    ],
  );
  const warning = result.warnings.find((w) => w.id === 'engine-front-drop')!;
  assert.equal(
    warning.message,
    'Ollama at http://127.0.0.1:11434 will drop the first 6,949 tokens: a.ts (part), b.ts, c.ts (part) (it keeps the first 5; server num_ctx 4,096).',
  );
  assert.equal(warning.category, 'engine-limit');
  assert.equal(warning.severity, 'error');
  assert.deepEqual(
    warning.files!.map((f) => f.relativePath),
    ['a.ts', 'b.ts', 'c.ts'],
  );
  // The beyond-max warning would repeat it: not raised.
  assert.equal(
    result.warnings.some((w) => w.id === 'beyond-max-window'),
    false,
  );
  assert.equal(result.withinLimits, false);
  // The fix: num_ctx ≥ prompt + reserved output = 13,096. Ollama's cache for num_ctx 13,096: pad256 = 13,312 cells
  // × 131,072 B = 1,744,830,464 B (1.63 GiB); now 4,096 × 131,072 = 536,870,912 B (512 MiB).
  const fix = result.contextFix!;
  assert.equal(fix.engine, 'ollama');
  assert.equal(fix.contextTokens, 13_096);
  assert.deepEqual(fix.setting, { key: 'numCtx', value: 13_096 });
  assert.equal(fix.kvCacheBytes, 13_312 * kvPerToken);
  assert.equal(fix.kvCacheBytesNow, 4096 * kvPerToken);
  assert.equal(fix.prefillSeconds, result.cost.prefillSeconds);
  assert.ok(fix.prefillSecondsNow! < fix.prefillSeconds, 'now only the 2,051 kept tokens are prefilled');
  assert.match(fix.change, /^set num_ctx to 13,096 \(OLLAMA_CONTEXT_LENGTH=13096 for the server, PARAMETER num_ctx 13096 in a Modelfile/);
  assert.match(
    warning.why,
    /To fit, set num_ctx to 13,096 .*: KV cache ≈ 1\.63 GiB \(now 512 MiB\), time to first token ≈ .* for the whole prompt \(now .* for the 2,051 tokens kept\)/,
  );
});

test('the Ollama profile without a server: the same front-drop at its num_ctx, named "Ollama"', () => {
  const result = report([file('a.ts', 3000), file('b.ts', 3000), file('c.ts', 3000)], null, { engine: 'ollama', numCtx: 4096 });
  assert.deepEqual(result.windowLimit, { tokens: 4096, label: 'Ollama num_ctx 4,096', source: 'engine' });
  assert.equal(
    result.warnings.find((w) => w.id === 'engine-front-drop')!.message,
    'Ollama will drop the first 6,949 tokens: a.ts (part), b.ts, c.ts (part) (it keeps the first 5; Ollama num_ctx 4,096).',
  );
});

test('vLLM server, max_model_len 32,768: prompt 30,000 + 4,096 reserved > 32,768 is rejected; the files past 28,672 are named', () => {
  const vllm = reading({
    url: 'http://gpu:8000',
    kind: 'vllm',
    serverName: 'vLLM',
    limitName: 'max_model_len',
    limitTokens: 32_768,
    slots: null,
    kvCapacityTokens: 446_560,
  });
  const result = report([file('a.ts', 10_000), file('b.ts', 10_000), file('c.ts', 10_000)], vllm, { engine: 'vllm' });
  const handling = result.engineHandling!;
  assert.equal(handling.handling.kind, 'rejected');
  assert.equal(handling.handling.maxPromptTokens, 28_672);
  assert.deepEqual(
    handling.files.map((f) => [f.relativePath, f.part]),
    [['c.ts', 'part']],
  );
  assert.equal(
    result.warnings.find((w) => w.id === 'engine-rejects')!.message,
    'vLLM at http://gpu:8000 will reject this prompt: it is 30,000 tokens and the server takes at most 28,672 with 4,096 reserved for output (server max_model_len 32,768); past that: c.ts (part).',
  );
  assert.equal(result.risk.level, 'beyond');
  const fix = result.contextFix!;
  assert.equal(fix.change, 'restart vLLM with --max-model-len 34096');
  assert.equal(fix.kvCacheBytesNow, null, 'vLLM holds no blocks for a refused request');
  // vLLM: one request of 34,096 tokens holds cdiv(34,096, 16) = 2,131 blocks of 16 × 131,072 B.
  assert.equal(fix.kvCacheBytes, 2131 * 16 * kvPerToken);
  assert.deepEqual(fix.notes, []);
});

test("vLLM fix past the server's KV pool: the note says it would not start", () => {
  const vllm = reading({
    url: 'http://gpu:8000',
    kind: 'vllm',
    serverName: 'vLLM',
    limitName: 'max_model_len',
    limitTokens: 32_768,
    slots: null,
    kvCapacityTokens: 20_000,
  });
  const result = report([file('a.ts', 30_000)], vllm, { engine: 'vllm' });
  assert.match(result.contextFix!.notes.join(' '), /The server's KV pool holds 20,000 tokens, fewer than 34,096: it would not start/);
});

test('llama-server at n_ctx 8,192: 8,192 prompt tokens are refused, 8,191 taken (reserve 0)', () => {
  const server = reading({ slots: 4 });
  const refused = report([file('a.ts', 8192)], server, { engine: 'llama.cpp', reserveOutputTokens: 0 });
  assert.equal(refused.engineHandling?.handling.kind, 'rejected');
  assert.equal(
    refused.warnings.find((w) => w.id === 'engine-rejects')!.message,
    'llama-server at http://127.0.0.1:8080 will reject this prompt: it is 8,192 tokens and the server takes at most 8,191 (server n_ctx 8,192); past that: a.ts (part).',
  );
  // The fix: n_ctx per slot ≥ 8,193 → pad256 = 8,448, × 4 slots = -c 33,792; KV 4 × 8,448 × 131,072 B = 4.13 GiB, now 4 × 8,192 × 131,072 = 4 GiB.
  const fix = refused.contextFix!;
  assert.equal(fix.change, 'restart llama-server with -c 33,792 (--ctx-size; 4 slots × 8,448 tokens)');
  assert.equal(fix.kvCacheBytes, 4 * 8448 * kvPerToken);
  assert.equal(fix.kvCacheBytesNow, 4 * 8192 * kvPerToken);
  const taken = report([file('a.ts', 8191)], server, { engine: 'llama.cpp', reserveOutputTokens: 0 });
  assert.equal(taken.engineHandling, null);
  assert.equal(taken.contextFix, null);
  assert.equal(taken.withinLimits, true);
});

test("llama-server taking the prompt but not the reserved output: beyond, worded with the server's limit, and a fix", () => {
  const result = report([file('a.ts', 8000)], reading({ slots: 1 }), { engine: 'llama.cpp' });
  assert.equal(result.engineHandling, null);
  assert.equal(result.risk.level, 'beyond');
  assert.equal(
    result.warnings.find((w) => w.id === 'beyond-max-window')!.message,
    "12,096 tokens (prompt 8,000 + reserved output 4,096) exceed the running server's limit (server n_ctx 8,192) by 3,904.",
  );
  assert.equal(result.contextFix!.change, 'restart llama-server with -c 12,288 (--ctx-size)');
});

test("the fix past the model's training context says no -c can help", () => {
  const result = report([file('a.ts', 9000)], reading({ trainContextTokens: 8192 }), { engine: 'llama.cpp' });
  assert.match(
    result.contextFix!.notes[0]!,
    /^llama-server caps each slot at the model's training context n_ctx_train 8,192, so no -c makes this prompt fit: drop files\.$/,
  );
});

test('a server of another engine than the profile: an info warning says which profile to pick', () => {
  const result = report([file('a.ts', 100)], ollamaServer);
  const info = result.warnings.find((w) => w.id === 'server-engine-mismatch')!;
  assert.equal(info.severity, 'info');
  assert.equal(
    info.message,
    'The server at http://127.0.0.1:11434 is Ollama, but the memory estimates follow the ideal profile: set contextBudget.engine (--engine) to ollama for its allocation rules.',
  );
  assert.equal(
    report([file('a.ts', 100)], ollamaServer, { engine: 'ollama' }).warnings.some((w) => w.id === 'server-engine-mismatch'),
    false,
  );
});

test('a failed check: a warning with its message; the window falls back to the engine or the model', () => {
  const failed: ServerCheck = {
    status: 'failed',
    url: 'http://127.0.0.1:9',
    message:
      'contextBudget.server http://127.0.0.1:9: no answer from http://127.0.0.1:9: connection refused: nothing listens there (ECONNREFUSED).',
  };
  const result = report([file('a.ts', 100)], failed);
  assert.deepEqual(result.windowLimit, { tokens: 131_072, label: 'maximum window 131,072', source: 'model' });
  const warning = result.warnings.find((w) => w.id === 'server-check-failed')!;
  assert.equal(warning.message, `Server check failed: ${failed.message}`);
  assert.equal(warning.severity, 'warning');
  assert.equal(result.withinLimits, true, 'an unreadable server is not a limit');
});

test('checking, or an Ollama with nothing loaded: no server limit yet', () => {
  assert.equal(report([file('a.ts', 100)], { status: 'checking', url: 'http://x:1' }).windowLimit.source, 'model');
  const idle = reading({ kind: 'ollama', serverName: 'Ollama', limitName: 'num_ctx', limitTokens: null, slots: null });
  assert.deepEqual(report([file('a.ts', 100)], idle, { engine: 'vllm' }).windowLimit, {
    tokens: 131_072,
    label: 'vLLM max_model_len 131,072',
    source: 'engine',
  });
});

test("the ideal reference with no server: no engine handling, the model's window", () => {
  const result = report([file('a.ts', 200_000)], null);
  assert.equal(result.engineHandling, null);
  assert.equal(result.contextFix, null);
  assert.equal(result.windowLimit.label, 'maximum window 131,072');
  assert.equal(result.risk.level, 'beyond');
});

test("a server limit replaces the engine window in the largest context: window-limited at the server's n_ctx", () => {
  const result = report([file('a.ts', 100)], reading({ limitTokens: 8192 }), { engine: 'llama.cpp' });
  assert.deepEqual(result.maxContext, { ...result.maxContext, limitedBy: 'window', tokens: 8192, windowTokens: 8192 });
  // The cost engine's own figure is unchanged (it knows no server).
  assert.equal(
    estimateCost({
      model: llama,
      gpu: h100,
      gpuCount: 1,
      promptTokens: 100,
      reserveOutputTokens: 4096,
      weightDtype: 'native',
      kvDtype: 'bf16',
      batchSize: 1,
      memoryUtilization: 0.9,
      computeEfficiency: 0.8,
      memoryEfficiency: 0.9,
      engine: { engine: 'llama.cpp' },
    }).maxContext.windowTokens,
    131_072,
  );
});
