// Windows, risk levels, placements and the middle band. Window facts come from models[] in
// /work/shared/reference/llm-reference.json; the fallback ratio from its ruler[] table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  assessRisk,
  fallbackEffectiveRatio,
  levelAt,
  middleBandFor,
  middleBandMinPromptTokens,
  windowsFor,
} from '../../../src/core/risk/riskEngine';
import type { Windows } from '../../../src/core/risk/riskTypes';
import { deepseekV3, gemma3_27b, gptOss20b, llama31_8b, llama4Scout, mistral7bV01, model, qwen25_7bYarn } from '../cost/specFixtures';

const referencePath = resolve(__dirname, '../../../..', '../shared/reference/llm-reference.json');

test(
  'fallback ratio 1/4 is the median effective/claimed over the reference RULER table (all rows and exact rows only)',
  { skip: !existsSync(referencePath) },
  () => {
    const rows = (
      JSON.parse(readFileSync(referencePath, 'utf8')) as {
        ruler: { claimed_length_tokens?: number; effective_length_tokens?: number; effective_length_qualifier?: string }[];
      }
    ).ruler.filter((row) => row.claimed_length_tokens && row.effective_length_tokens);
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const ratios = rows.map((row) => row.effective_length_tokens! / row.claimed_length_tokens!);
    assert.equal(rows.length, 44);
    assert.equal(median(ratios), fallbackEffectiveRatio);
    const exact = rows
      .filter((row) => row.effective_length_qualifier !== '>')
      .map((row) => row.effective_length_tokens! / row.claimed_length_tokens!);
    assert.equal(median(exact), fallbackEffectiveRatio);
  },
);

test('windowsFor Llama-3.1-8B: pretrained 8K, max 128K, trained 128K, effective 32K from RULER', () => {
  assert.deepEqual(windowsFor(llama31_8b), { pretrained: 8192, max: 131072, trained: 131072, effective: 32768, effectiveSource: 'RULER' });
});

test('windowsFor Qwen2.5-7B with YaRN ×4 added: max = 32,768 × 4; the scaled range is untrained; effective = ¼ of claimed, capped at trained', () => {
  assert.deepEqual(windowsFor(qwen25_7bYarn), {
    pretrained: 32768,
    max: 131072,
    trained: 32768,
    effective: 32768,
    effectiveSource: 'fallback',
  });
  // With the model card's 128K published as trained, only the ¼ fallback remains.
  assert.deepEqual(windowsFor({ ...qwen25_7bYarn, trainedWindow: 131072 }), {
    pretrained: 32768,
    max: 131072,
    trained: 131072,
    effective: 32768,
    effectiveSource: 'fallback',
  });
});

test('windowsFor DeepSeek-V3 (YaRN ×40 from 4K = 163,840), gpt-oss (×32 from 4K), Gemma 3 (linear ×8 already in max_position_embeddings)', () => {
  assert.deepEqual(windowsFor(deepseekV3), {
    pretrained: 4096,
    max: 163840,
    trained: 131072,
    effective: 32768,
    effectiveSource: 'fallback',
  });
  assert.deepEqual(windowsFor(gptOss20b), {
    pretrained: 4096,
    max: 131072,
    trained: 131072,
    effective: 32768,
    effectiveSource: 'fallback',
  });
  assert.deepEqual(windowsFor(gemma3_27b), {
    pretrained: 131072,
    max: 131072,
    trained: 131072,
    effective: 32768,
    effectiveSource: 'fallback',
  });
});

test("windowsFor without RoPE scaling: trained = max; Llama 4 Scout's 10M claim gives a 2.5M fallback", () => {
  assert.deepEqual(windowsFor(mistral7bV01), {
    pretrained: 32768,
    max: 32768,
    trained: 32768,
    effective: 8192,
    effectiveSource: 'fallback',
  });
  assert.equal(windowsFor(llama4Scout).effective, 2_500_000);
});

test('windowsFor clamps a RULER length measured with scaling the config does not enable (Qwen3-8B: 64K measured, 40,960 max)', () => {
  const qwen3 = model('qwen3-8b', {
    hiddenSize: 4096,
    numAttentionHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    layers: [{ count: 36, attention: { kind: 'full' } }],
    paramsTotal: 8.2e9,
    paramsActive: 8.2e9,
    maxPositionEmbeddings: 40960,
    pretrainedWindow: 32768,
    trainedWindow: 131072,
    effectiveWindow: { tokens: 65536, benchmark: 'RULER', source: 'ruler_readme' },
  });
  assert.deepEqual(windowsFor(qwen3), { pretrained: 32768, max: 40960, trained: 40960, effective: 40960, effectiveSource: 'RULER' });
});

test('dynamic NTK scaling without an original window scales from the pretrained window', () => {
  const dynamic = { ...mistral7bV01, ropeScaling: { type: 'dynamic' as const, factor: 2 } };
  const windows = windowsFor(dynamic);
  assert.equal(windows.max, 65536);
  assert.equal(windows.trained, 32768);
});

const windows: Windows = { pretrained: 8192, max: 131072, trained: 65536, effective: 32768, effectiveSource: 'RULER' };

test('levelAt boundaries: ok through effective, degraded after it through max, beyond after max', () => {
  assert.equal(levelAt(0, windows), 'ok');
  assert.equal(levelAt(32768, windows), 'ok');
  assert.equal(levelAt(32769, windows), 'degraded');
  assert.equal(levelAt(131072, windows), 'degraded');
  assert.equal(levelAt(131073, windows), 'beyond');
});

test('levelAt: inside the effective window but past the trained one (untrained RoPE-scaled range) is degraded', () => {
  const scaled: Windows = { pretrained: 32768, max: 131072, trained: 32768, effective: 65536, effectiveSource: 'RULER' };
  assert.equal(levelAt(32768, scaled), 'ok');
  assert.equal(levelAt(32769, scaled), 'degraded');
});

test('middle band: none below 4,096 prompt tokens; [25%, 75%) from 4,096 on', () => {
  assert.equal(middleBandMinPromptTokens, 4096);
  assert.equal(middleBandFor(4095), null);
  assert.deepEqual(middleBandFor(4096), { start: 1024, end: 3072 });
  assert.deepEqual(middleBandFor(10_001), { start: 2500, end: 7500 });
});

test('assessRisk places files in prompt order and rates each by its END position', () => {
  const report = assessRisk({
    windows,
    reserveOutputTokens: 4096,
    files: [
      { path: 'a.ts', tokens: 30000, focus: false },
      { path: 'b.ts', tokens: 2768, focus: false }, // ends exactly at 32,768: ok
      { path: 'c.ts', tokens: 10, focus: true }, // starts inside, tail crosses: degraded
      { path: 'd.ts', tokens: 98294, focus: false }, // ends at 131,072: degraded
      { path: 'e.ts', tokens: 1, focus: false }, // ends at 131,073: beyond
    ],
  });
  assert.deepEqual(
    report.files.map((f) => [f.path, f.start, f.end, f.level]),
    [
      ['a.ts', 0, 30000, 'ok'],
      ['b.ts', 30000, 32768, 'ok'],
      ['c.ts', 32768, 32778, 'degraded'],
      ['d.ts', 32778, 131072, 'degraded'],
      ['e.ts', 131072, 131073, 'beyond'],
    ],
  );
  // Overall level includes the reserved output: 131,073 + 4,096 > max.
  assert.equal(report.level, 'beyond');
  assert.equal(report.focusShare, 10 / 131073);
});

test('assessRisk overall level counts reserved output tokens', () => {
  const files = [{ path: 'a.ts', tokens: 30000, focus: false }];
  assert.equal(assessRisk({ windows, reserveOutputTokens: 2768, files }).level, 'ok');
  assert.equal(assessRisk({ windows, reserveOutputTokens: 2769, files }).level, 'degraded');
});

test('assessRisk: a file is in the middle when its midpoint lands in [25%, 75%) of a long prompt', () => {
  // 8,000 tokens → band [2,000, 6,000).
  const report = assessRisk({
    windows,
    reserveOutputTokens: 0,
    files: [
      { path: 'head.ts', tokens: 3000, focus: false }, // midpoint 1,500: not in the band
      { path: 'mid.ts', tokens: 2000, focus: true }, // midpoint 4,000: in
      { path: 'edge.ts', tokens: 2000, focus: false }, // [5,000, 7,000) midpoint 6,000: not in (end exclusive)
      { path: 'tail.ts', tokens: 1000, focus: false },
    ],
  });
  assert.deepEqual(report.middleBand, { start: 2000, end: 6000 });
  assert.deepEqual(
    report.files.map((f) => f.inMiddle),
    [false, true, false, false],
  );
  assert.equal(report.focusShare, 2000 / 8000);
});

test('assessRisk: short prompts have no middle band; focusShare is 1 with no focus files or an empty prompt', () => {
  const short = assessRisk({
    windows,
    reserveOutputTokens: 0,
    files: [
      { path: 'a', tokens: 1000, focus: false },
      { path: 'b', tokens: 3000, focus: false },
    ],
  });
  assert.equal(short.middleBand, null);
  assert.ok(short.files.every((f) => !f.inMiddle));
  assert.equal(short.focusShare, 1);
  const empty = assessRisk({ windows, reserveOutputTokens: 0, files: [] });
  assert.equal(empty.focusShare, 1);
  assert.equal(empty.level, 'ok');
  assert.deepEqual(empty.files, []);
});
