import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost } from '../../../src/core/cost/costEngine';
import { assessRisk, windowsFor } from '../../../src/core/risk/riskEngine';
import { buildWarnings, warningIds } from '../../../src/core/risk/warnings';
import type { Warning } from '../../../src/core/risk/riskTypes';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import type { GpuSpec } from '../../../src/core/model/gpuSpec';
import { costInput, h100Sxm, llama31_405b, llama31_70b, llama31_8b, qwen25_7bYarn } from '../cost/specFixtures';

interface Scenario {
  model: ModelSpec;
  gpu?: GpuSpec;
  gpuCount?: number;
  files: { path: string; tokens: number; focus: boolean }[];
  reserveOutputTokens?: number;
  budgetTokens?: number;
}

function warningsFor(scenario: Scenario): Warning[] {
  const reserveOutputTokens = scenario.reserveOutputTokens ?? 0;
  const promptTokens = scenario.files.reduce((sum, f) => sum + f.tokens, 0);
  const gpuCount = scenario.gpuCount ?? 1;
  const cost = estimateCost(
    costInput({ model: scenario.model, gpu: scenario.gpu ?? h100Sxm, gpuCount, promptTokens, reserveOutputTokens }),
  );
  const risk = assessRisk({ files: scenario.files, reserveOutputTokens, windows: windowsFor(scenario.model) });
  return buildWarnings({ cost, risk, model: scenario.model, gpuCount, budgetTokens: scenario.budgetTokens, gpuName: 'H100' });
}

const byId = (warnings: Warning[], id: string): Warning | undefined => warnings.find((w) => w.id === id);

test('a short prompt that fits raises nothing', () => {
  assert.deepEqual(warningsFor({ model: llama31_8b, files: [{ path: 'a.ts', tokens: 2000, focus: true }], reserveOutputTokens: 1000 }), []);
});

test('KV does not fit: error on kv-memory with the byte numbers and the max context in the message', () => {
  const warnings = warningsFor({ model: llama31_70b, gpuCount: 2, files: [{ path: 'big.ts', tokens: 20000, focus: false }] });
  const warning = byId(warnings, warningIds.kvDoesNotFit)!;
  assert.equal(warning.severity, 'error');
  assert.equal(warning.category, 'kv-memory');
  assert.match(warning.message, /GiB/);
  assert.match(warning.message, /12,207 tokens fit/);
  assert.equal(warning.numbers.maxContextTokens, 12207);
  assert.equal(warning.numbers.kvCacheBytes, 20000 * 327680);
  assert.equal(warnings[0]!.id, warningIds.kvDoesNotFit);
});

test('weights alone do not fit: a separate error, because dropping files cannot help', () => {
  const warnings = warningsFor({ model: llama31_405b, files: [{ path: 'a.ts', tokens: 10, focus: false }] });
  assert.ok(byId(warnings, warningIds.weightsDoNotFit));
  assert.equal(byId(warnings, warningIds.kvDoesNotFit), undefined);
});

test('past the maximum window: one position error, no effective/trained warnings on top', () => {
  const warnings = warningsFor({
    model: llama31_8b,
    gpu: { ...h100Sxm, memoryBytes: 1e12 },
    files: [{ path: 'a.ts', tokens: 130000, focus: false }],
    reserveOutputTokens: 4096,
  });
  const warning = byId(warnings, warningIds.beyondMaxWindow)!;
  assert.equal(warning.severity, 'error');
  assert.equal(warning.category, 'position-extrapolation');
  assert.match(warning.message, /134,096 tokens \(prompt 130,000 \+ reserved output 4,096\)/);
  assert.match(warning.message, /131,072 tokens by 3,024/);
  assert.equal(byId(warnings, warningIds.beyondEffectiveWindow), undefined);
  assert.equal(byId(warnings, warningIds.untrainedScaledRange), undefined);
});

test('beyond the effective window: a retrieval-dilution warning naming the files that end past it', () => {
  const warnings = warningsFor({
    model: llama31_8b,
    files: [
      { path: 'a.ts', tokens: 30000, focus: false },
      { path: 'b.ts', tokens: 5000, focus: false },
    ],
  });
  const warning = byId(warnings, warningIds.beyondEffectiveWindow)!;
  assert.equal(warning.severity, 'warning');
  assert.equal(warning.category, 'retrieval-dilution');
  assert.match(warning.message, /effective window of 32,768 tokens \(RULER, measured\)/);
  assert.deepEqual(warning.files, [{ uri: 'b.ts', relativePath: 'b.ts' }]);
  assert.match(warning.why, /RULER/);
  assert.match(warning.why, /NoLiMa/);
});

test('a bare estimate past the effective window names no file count (it has no files)', () => {
  const cost = estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, gpuCount: 1, promptTokens: 60000, reserveOutputTokens: 0 }));
  const risk = assessRisk({ files: [], reserveOutputTokens: 0, windows: windowsFor(llama31_8b) });
  const warnings = buildWarnings({
    cost,
    risk,
    model: llama31_8b,
    gpuCount: 1,
    gpuName: 'H100',
    promptTokens: 60000,
    reserveOutputTokens: 0,
  });
  const warning = byId(warnings, warningIds.beyondEffectiveWindow)!;
  assert.equal(
    warning.message,
    '60,000 tokens (prompt 60,000 + reserved output 0) are past the effective window of 32,768 tokens (RULER, measured).',
  );
  const withFiles = warningsFor({ model: llama31_8b, files: [{ path: 'a.ts', tokens: 60000, focus: false }] });
  assert.match(byId(withFiles, warningIds.beyondEffectiveWindow)!.message, /; 1 file ends beyond it\.$/);
});

test('in the untrained RoPE-scaled range (Qwen2.5 + YaRN past 32K): position warning naming the scaling', () => {
  const warnings = warningsFor({ model: qwen25_7bYarn, files: [{ path: 'a.ts', tokens: 40000, focus: false }] });
  const warning = byId(warnings, warningIds.untrainedScaledRange)!;
  assert.equal(warning.severity, 'warning');
  assert.equal(warning.category, 'position-extrapolation');
  assert.match(warning.message, /32,768-token window/);
  assert.match(warning.message, /yarn RoPE scaling ×4/);
});

test('attention share of prefill FLOPs above 50%: info on attention-compute with the share', () => {
  // Llama-3.1-8B: attention/linear ≈ T × 262,144 / 1.6e10, so past ~61K tokens attention is the larger part.
  const warnings = warningsFor({
    model: llama31_8b,
    gpu: { ...h100Sxm, memoryBytes: 1e12 },
    files: [{ path: 'a.ts', tokens: 100000, focus: false }],
  });
  const warning = byId(warnings, warningIds.attentionDominatesPrefill)!;
  assert.equal(warning.severity, 'info');
  assert.equal(warning.category, 'attention-compute');
  assert.ok(warning.numbers.attentionShare! > 0.5 && warning.numbers.attentionShare! < 0.7);
  assert.match(warning.message, /of prefill compute/);
  assert.equal(
    byId(warningsFor({ model: llama31_8b, files: [{ path: 'a.ts', tokens: 20000, focus: false }] }), warningIds.attentionDominatesPrefill),
    undefined,
  );
});

test('focus files in the middle band and a low focus share: retrieval-dilution warnings listing the files', () => {
  const files = [
    { path: 'head.ts', tokens: 4000, focus: false },
    { path: 'focus.ts', tokens: 500, focus: true },
    { path: 'tail.ts', tokens: 5500, focus: false },
  ];
  const warnings = warningsFor({ model: llama31_8b, files });
  const middle = byId(warnings, warningIds.focusInMiddle)!;
  assert.equal(middle.category, 'retrieval-dilution');
  assert.deepEqual(middle.files, [{ uri: 'focus.ts', relativePath: 'focus.ts' }]);
  assert.match(middle.message, /tokens 2,500–7,500/);
  assert.match(middle.why, /Lost in the Middle/);
  const share = byId(warnings, warningIds.focusShareLow)!;
  assert.match(share.message, /5\.0%|5%/);
  assert.match(share.message, /10,000-token prompt/);
  assert.equal(share.numbers.focusShare, 0.05);
});

test('no focus-share warning without focus files or in a short prompt', () => {
  assert.equal(
    byId(warningsFor({ model: llama31_8b, files: [{ path: 'a', tokens: 10000, focus: false }] }), warningIds.focusShareLow),
    undefined,
  );
  assert.equal(
    byId(
      warningsFor({
        model: llama31_8b,
        files: [
          { path: 'a', tokens: 3000, focus: false },
          { path: 'b', tokens: 10, focus: true },
        ],
      }),
      warningIds.focusShareLow,
    ),
    undefined,
  );
});

test('over budget: warning with the overage; no warning at exactly the budget or without one', () => {
  const files = [{ path: 'a', tokens: 5000, focus: false }];
  const warning = byId(warningsFor({ model: llama31_8b, files, budgetTokens: 4000 }), warningIds.overBudget)!;
  assert.equal(warning.severity, 'warning');
  assert.match(warning.message, /5,000 tokens, 1,000 over your 4,000-token budget/);
  assert.equal(byId(warningsFor({ model: llama31_8b, files, budgetTokens: 5000 }), warningIds.overBudget), undefined);
  assert.equal(byId(warningsFor({ model: llama31_8b, files, budgetTokens: 0 }), warningIds.overBudget), undefined);
});

test('warnings are sorted errors → warnings → info, every one has a stable id, one bottleneck, a message and a why', () => {
  const warnings = warningsFor({
    model: llama31_70b,
    gpuCount: 2,
    budgetTokens: 1000,
    reserveOutputTokens: 4096,
    files: [
      { path: 'a', tokens: 40000, focus: false },
      { path: 'f', tokens: 100, focus: true },
      { path: 'b', tokens: 80000, focus: false },
    ],
  });
  const ranks = warnings.map((w) => ({ error: 0, warning: 1, info: 2 })[w.severity]);
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
  const ids = Object.values(warningIds) as string[];
  for (const warning of warnings) {
    assert.ok(ids.includes(warning.id));
    assert.ok(!warning.message.includes('\n') && warning.message.length > 0);
    assert.ok(warning.why.length > 80);
  }
  assert.deepEqual(
    warnings.map((w) => w.id),
    [
      warningIds.kvDoesNotFit,
      warningIds.beyondEffectiveWindow,
      warningIds.focusInMiddle,
      warningIds.focusShareLow,
      warningIds.overBudget,
      warningIds.attentionDominatesPrefill,
    ],
  );
});
