import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { providerWindowModel } from '../../../src/core/model/providerModel';
import { proposeDrops } from '../../../src/core/analysis/dropPlan';
import { budgetAnswer } from '../../../src/core/presenters/chatAnswer';
import { windowsFor } from '../../../src/core/risk/riskEngine';
import { defaultSettings } from '../../../src/core/settings';

const llama = findModel('llama-3.1-8b')!;
const gpu = findGpu('h100-sxm')!;
const file = (name: string, tokens: number, extra: Partial<BudgetFileInput> = {}): BudgetFileInput => ({
  uri: `file:///w/${name}`,
  relativePath: name,
  included: true,
  focus: false,
  pinned: false,
  count: { kind: 'counted', tokens, sizeBytes: tokens * 4, notes: [] },
  ...extra,
});

test('a provider chat model: its maxInputTokens is the window, labelled, with the chosen architecture for memory', () => {
  const model = providerWindowModel(llama, {
    id: 'copilot-gpt-4o',
    name: 'GPT-4o',
    vendor: 'copilot',
    family: 'gpt-4o',
    maxInputTokens: 63_836,
  });
  const windows = windowsFor(model);
  assert.equal(windows.max, 63_836);
  assert.equal(windows.effectiveSource, 'fallback');
  assert.equal(model.origin, 'provider');
  assert.equal(model.tokenizer, 'other');
  assert.match(model.displayName, /^GPT-4o \(window from copilot; memory and compute as Llama 3\.1 8B\)$/);
  assert.equal(model.numKvHeads, llama.numKvHeads);
  assert.match(model.sources[0]!, /copilot language model provider via vscode\.lm: copilot-gpt-4o maxInputTokens 63836/);
});

test('@budget answers "does it fit" and "what to drop" from the report', () => {
  const files = Array.from({ length: 20 }, (_, i) => file(`f${String(i).padStart(2, '0')}.ts`, 10_000, i === 0 ? { pinned: true } : {}));
  const report = buildBudgetReport(files, defaultSettings, { model: llama, gpu });
  const proposal = proposeDrops(report, 'window', {
    reportWith: (changes) =>
      buildBudgetReport(
        files.map((f) => (changes.has(f.uri) ? { ...f, included: false } : f)),
        defaultSettings,
        { model: llama, gpu },
      ),
  });
  const fit = budgetAnswer(report, proposal, 'fit');
  assert.match(fit, /^\*\*No, it does not fit\.\*\* Llama 3\\\.1 8B on 1× NVIDIA H100/);
  assert.match(fit, /Prompt: \*\*200,000 tokens\*\*/);
  assert.doesNotMatch(fit, /drop \d+ file/);
  const drop = budgetAnswer(report, proposal, 'drop');
  assert.match(drop, /\*\*To fit the model window \(after reserved output\)\*\*, drop \d+ file\(s\)/);
  assert.doesNotMatch(drop, /f00\.ts/, 'pinned file is never proposed');
  const small = [file('a.ts', 100)];
  assert.match(drop, /The prompt goes from 200,000 to \d{2,3},\d{3} tokens\./);
  assert.match(
    budgetAnswer(buildBudgetReport(small, defaultSettings, { model: llama, gpu }), null, 'all'),
    /Yes, it fits[\s\S]*Nothing needs to be dropped/,
  );
  assert.match(
    budgetAnswer(buildBudgetReport([], defaultSettings, { model: llama, gpu }), null, 'all'),
    /No files are in the Context Budget selection yet/,
  );
});
