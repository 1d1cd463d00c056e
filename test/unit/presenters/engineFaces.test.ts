// Every face names the engine, says the largest context in words (never "max fit … (memory-limited)"
// for a window-limited model), shows the running server's limit, and shows what the engine cuts or
// refuses: status bar text and hover, panel metrics and engine state, chat answer, CLI text and JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessPrompt, buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput, BudgetReport } from '../../../src/core/analysis/budgetTypes';
import { proposeDrops } from '../../../src/core/analysis/dropPlan';
import { findGpu, findModel, loadBundledCatalog } from '../../../src/core/model/catalog';
import { budgetAnswer } from '../../../src/core/presenters/chatAnswer';
import { estimateJson, estimateText, reportJson, reportText } from '../../../src/core/presenters/cliReport';
import { maxContextText } from '../../../src/core/presenters/engineText';
import { buildPanelState } from '../../../src/core/presenters/panelState';
import { toStatusBarModel } from '../../../src/core/presenters/statusBarModel';
import type { ServerCheck, ServerReading } from '../../../src/core/server/serverCheck';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';

const commands = {
  openPanel: 'p',
  selectModel: 'm',
  selectGpu: 'g',
  suggestDrops: 'd',
  cancelCounting: 'c',
  addOpenEditors: 'o',
  downloadTokenizer: 't',
  checkServer: 's',
};
const llama = findModel('llama-3.1-8b')!;
const mistral = findModel('mistral-7b-v0.1')!;
const h100 = findGpu('h100-sxm')!;

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

const ollama: ServerReading = {
  status: 'ok',
  url: 'http://127.0.0.1:11434',
  kind: 'ollama',
  serverName: 'Ollama',
  model: 'llama3.1:8b',
  limitTokens: 4096,
  limitName: 'num_ctx',
  slots: null,
  trainContextTokens: 131_072,
  kvCapacityTokens: null,
  blockSize: null,
  numGpuBlocks: null,
  gpuMemoryUtilization: null,
  vramBytes: 5_333_539_264,
  readings: [{ endpoint: 'GET /api/ps', gave: 'llama3.1:8b, context_length 4,096', source: 'ollama/ollama@b7871fc:api/types.go' }],
  notes: [],
};

function build(
  files: readonly BudgetFileInput[],
  server: ServerCheck | null,
  settings: Partial<Settings> = {},
  model = llama,
): { report: BudgetReport; settings: Settings } {
  const all = { ...defaultSettings, server: server ? server.url : '', ...settings };
  return { report: buildBudgetReport(files, all, { model, gpu: h100 }, { treeTokens: 0, server }), settings: all };
}

function panel(report: BudgetReport, settings: Settings, files: readonly BudgetFileInput[], model = llama) {
  const dropProposal = proposeDrops(report, 'window', {
    reportWith: (changes) =>
      buildBudgetReport(
        files.map((f) => (changes.get(f.uri) === 'dropped' ? { ...f, included: false } : f)),
        settings,
        { model, gpu: h100 },
        { treeTokens: 0, server: report.server },
      ),
  });
  return buildPanelState({
    report,
    model,
    gpu: h100,
    settings,
    progress: null,
    catalog: loadBundledCatalog(),
    dropTarget: 'window',
    dropProposal,
    customOrderApplied: false,
    undoLabel: null,
  });
}

/** The engine fields of the CLI's JSON, as a reader of it sees them. */
interface EngineJson {
  readonly engine: { readonly id: string; readonly name: string; readonly conventions: unknown[] };
  readonly maxContext: { readonly limitedBy: string; readonly tokens: number; readonly text: string };
  readonly windowLimit: unknown;
  readonly engineHandling: { readonly kind: string; readonly files: unknown[] };
  readonly contextFix: { readonly contextTokens: number };
  readonly server: { readonly limitTokens: number; readonly kind: string } | null;
}

const dropping = [file('a.ts', 3000), file('b.ts', 3000), file('c.ts', 3000)];

test("status bar: the server's real limit and Ollama's front cut in the text; error background", () => {
  const { report } = build(dropping, ollama, { engine: 'ollama' });
  const model = toStatusBarModel(report, null, commands);
  // 9,000 + 4,096 reserved = 13,096 of num_ctx 4,096 = 320%; Ollama's cache is allocated for num_ctx: 4,096 × 128 KiB = 512 MiB.
  assert.equal(model.text, '$(error) 9k tok · 320% · KV 512 MiB · $(server) num_ctx 4,096 · $(warning) front cut 6.95k');
  assert.equal(model.severity, 'error');
  assert.match(model.accessibilityLabel, /320% of server num_ctx 4,096, .* Ollama drops the first 6\.95k tokens$/);
  assert.match(model.tooltipMarkdown, /\| Engine \| Ollama v0\\\.32\\\.15 \\\(llama\\-server runner\\\) · \d+ conventions applied \|/);
  assert.match(
    model.tooltipMarkdown,
    /\| Server \| Ollama at http:\/\/127\\\.0\\\.0\\\.1:11434: num\\_ctx 4,096, 4\\\.97 GiB VRAM, model llama3\\\.1:8b \|/,
  );
  assert.match(model.tooltipMarkdown, /\| Max window \| 320% of server num\\_ctx 4,096 \|/);
  assert.match(model.tooltipMarkdown, /\| Risk \| \$\(error\) beyond \(server num\\_ctx 4,096\) \|/);
  assert.match(
    model.tooltipMarkdown,
    /\| Prompt handling \| \$\(warning\) Ollama drops the first 6\\\.95k tokens \(server num\\_ctx 4,096\) \|/,
  );
  assert.match(
    model.tooltipMarkdown,
    /Ollama at http:\/\/127\\\.0\\\.0\\\.1:11434 will drop the first 6,949 tokens: a\\\.ts \\\(part\\\), b\\\.ts, c\\\.ts \\\(part\\\)/,
  );
  assert.match(model.tooltipMarkdown, /\[Check Server Again\]\(command:s\)/);
  assert.ok(model.enabledCommands.includes('s'));
});

test('status bar without a server: unchanged text; the hover names the engine and the largest context in words', () => {
  const { report } = build([file('a.ts', 1000)], null, {}, mistral);
  const model = toStatusBarModel(report, null, commands);
  assert.doesNotMatch(model.text, /server/);
  assert.match(
    model.tooltipMarkdown,
    /^\*\*Context Budget\*\* · Mistral 7B v0\\\.1 on 1× NVIDIA H100 SXM5 80GB · ideal \\\(reference formula, no engine overheads\\\)\n/,
  );
  // Every layer windowed (sliding 4,096): the cache stops growing, so only the 32,768 window limits.
  assert.match(model.tooltipMarkdown, /\| Max context that fits \| not memory-limited; window-limited at 32,768 tokens \|/);
  assert.doesNotMatch(model.tooltipMarkdown, /Check Server Again/);
});

test('the largest context in words: memory, window, weights', () => {
  assert.equal(
    maxContextText({ limitedBy: 'memory', tokens: 95_232, memoryLimitTokens: 95_232, windowTokens: 131_072 }),
    'memory-limited at 95,232 tokens (the window is 131,072)',
  );
  assert.equal(
    maxContextText({ limitedBy: 'window', tokens: 32_768, memoryLimitTokens: null, windowTokens: 32_768 }),
    'not memory-limited; window-limited at 32,768 tokens',
  );
  assert.equal(
    maxContextText({ limitedBy: 'window', tokens: 131_072, memoryLimitTokens: 427_246, windowTokens: 131_072 }),
    'window-limited at 131,072 tokens (memory would allow 427,246)',
  );
  assert.equal(
    maxContextText({ limitedBy: 'weights', tokens: 0, memoryLimitTokens: 0, windowTokens: 131_072 }),
    'none: the weights alone do not fit',
  );
});

test('panel: the title and an Engine metric name the engine; a Server metric carries the limit and the fix; the risk says whose limit', () => {
  const { report, settings } = build(dropping, ollama, { engine: 'ollama' });
  const state = panel(report, settings, dropping);
  assert.equal(state.title, 'Llama 3.1 8B on 1× NVIDIA H100 SXM5 80GB · Ollama');
  const metric = (id: string) => state.metrics.find((entry) => entry.id === id)!;
  assert.equal(metric('engine').value, 'Ollama');
  assert.equal(metric('engine').tone, 'error');
  assert.equal(metric('server').value, 'num_ctx 4,096');
  assert.equal(metric('server').basis, 'exact');
  assert.match(metric('server').detail, /To fit, set num_ctx to 13,096 .*KV cache ≈ 1\.63 GiB \(now 512 MiB\)/);
  assert.match(state.riskText, /^beyond \(server num_ctx 4,096\)/);
  assert.match(metric('window').detail, /^13,096 of 4,096 tokens \(server num_ctx 4,096\)/);
  assert.deepEqual(state.engine.handling, {
    kind: 'front-dropped',
    text: report.engineHandling!.handling.reason,
    files: ['a.ts', 'b.ts', 'c.ts'],
  });
  assert.equal(state.engine.fix!.value, 13_096);
  assert.equal(state.engine.server!.status, 'ok');
  assert.ok(state.engine.conventions.every((convention) => convention.source.length > 0));
  // The front-drop is in the panel's warnings too, with the fix in its why.
  assert.match(state.warnings.find((w) => w.id === 'engine-front-drop')!.why, /To fit, set num_ctx to 13,096/);
  // The cards after a drop leave out what a drop does not change.
  assert.ok(!(state.dropPlan.after ?? []).some((entry) => ['after-engine', 'after-server'].includes(entry.id)));
});

test("panel memory curve follows the engine: Ollama's cache is allocated for num_ctx whatever the context", () => {
  const files = [file('a.ts', 1000)];
  const { report, settings } = build(files, null, { engine: 'ollama', numCtx: 4096 });
  const chart = panel(report, settings, files).memory;
  assert.ok(
    chart.points.every((point) => point.kvBytes === 4096 * 131_072),
    'flat at 512 MiB',
  );
  assert.equal(chart.current.bytes, report.cost.totalBytes);
  assert.match(chart.summary, /Ollama v0\.32\.15 .*the largest context that fits: window-limited at 4,096 tokens/);
});

test('panel memory curve with vLLM: weights + runtime estimates in the fixed part, paged KV on top', () => {
  const files = [file('a.ts', 10_000)];
  const { report, settings } = build(files, null, { engine: 'vllm' });
  const chart = panel(report, settings, files).memory;
  const fixed = report.cost.totalBytes - report.cost.kvCacheBytes;
  assert.ok(fixed > report.cost.weightsBytes, 'activation and non-torch estimates are counted');
  assert.ok(chart.points.every((point) => point.weightsBytes === fixed));
  // At T = 0 no block is held; past it, cdiv(T, 16) blocks of 16 × 128 KiB.
  assert.equal(chart.points[0]!.kvBytes, 0);
  assert.match(chart.summary, /plus runtime .* \(vLLM V1\)/);
});

test('chat answer: the engine, the server, what is cut, the fix, and the largest context', () => {
  const { report } = build(dropping, ollama, { engine: 'ollama' });
  const answer = budgetAnswer(report, null, 'fit');
  assert.match(
    answer,
    /^\*\*No, it does not fit\.\*\* Llama 3\\\.1 8B on 1× NVIDIA H100 SXM5 80GB, Ollama v0\\\.32\\\.15 \\\(llama\\-server runner\\\)\./,
  );
  assert.match(answer, /- Server: Ollama at http:\/\/127\\\.0\\\.0\\\.1:11434: num\\_ctx 4,096/);
  assert.match(answer, /Ollama keeps the first 5 tokens and silently drops the next 6,949 .*\*\*: a\\\.ts, b\\\.ts, c\\\.ts\./);
  assert.match(answer, /Largest context that fits: window-limited at 4,096 tokens/);
});

test("CLI text: engine line, server line, risk with the server's limit, the largest context in words, every convention with its source", () => {
  const { report } = build(dropping, ollama, { engine: 'ollama' });
  const text = reportText(report, [], null);
  assert.match(text, /^engine {5}Ollama v0\.32\.15 \(llama-server runner\) · \d+ conventions applied \(listed below\)$/m);
  assert.match(text, /^server {5}Ollama at http:\/\/127\.0\.0\.1:11434: num_ctx 4,096, 4\.97 GiB VRAM, model llama3\.1:8b$/m);
  assert.match(text, /^risk {7}beyond \(server num_ctx 4,096\)$/m);
  assert.match(text, /^max fit {4}window-limited at 4,096 tokens \(memory would allow [\d,]+\)$/m);
  assert.doesNotMatch(text, /memory-limited, independent of the window/);
  for (const convention of report.engine.conventions) {
    assert.ok(text.includes(`  - ${convention.text}\n      source: ${convention.source}`), convention.text);
  }
  assert.match(text, /^prompt handling: Ollama keeps the first 5 tokens/m);
  assert.match(text, /^fix: To fit, set num_ctx to 13,096/m);
  assert.match(text, /^ {2}- GET \/api\/ps: llama3\.1:8b, context_length 4,096\n {6}source: ollama\/ollama@b7871fc:api\/types\.go$/m);
  assert.match(
    text,
    /\[error\] Ollama at http:\/\/127\.0\.0\.1:11434 will drop the first 6,949 tokens: a\.ts \(part\), b\.ts, c\.ts \(part\)/,
  );
});

test('CLI JSON: the engine with every convention, the largest context with its words, the server, what is cut, the fix', () => {
  const { report } = build(dropping, ollama, { engine: 'ollama' });
  const json = JSON.parse(JSON.stringify(reportJson(report, [], null))) as EngineJson;
  assert.equal(json.engine.id, 'ollama');
  assert.deepEqual(json.engine.conventions, report.engine.conventions);
  assert.equal(json.maxContext.limitedBy, 'window');
  assert.equal(json.maxContext.tokens, 4096);
  assert.match(json.maxContext.text, /^window-limited at 4,096 tokens/);
  assert.deepEqual(json.windowLimit, { tokens: 4096, label: 'server num_ctx 4,096', source: 'server' });
  assert.equal(json.engineHandling.kind, 'front-dropped');
  assert.deepEqual(json.engineHandling.files, [
    { path: 'a.ts', part: 'part' },
    { path: 'b.ts', part: 'whole' },
    { path: 'c.ts', part: 'part' },
  ]);
  assert.equal(json.contextFix.contextTokens, 13_096);
  assert.equal(json.server?.limitTokens, 4096);
  assert.equal(json.server?.kind, 'ollama');
});

test('estimate text and JSON carry the same engine account for a bare token count', () => {
  const settings = { ...defaultSettings, engine: 'vllm' as const, server: '' };
  const assessment = assessPrompt({ files: [], promptTokens: 140_000, settings, target: { model: llama, gpu: h100 } });
  const text = estimateText(assessment, { model: llama, gpu: h100 }, settings, 140_000);
  assert.match(text, /^engine {5}vLLM V1/m);
  assert.match(text, /^risk {7}beyond \(vLLM max_model_len 131,072\)$/m);
  assert.match(
    text,
    /\[error\] vLLM will reject this prompt: it is 140,000 tokens and the server takes at most 126,976 with 4,096 reserved for output \(vLLM max_model_len 131,072\)\./,
  );
  assert.match(
    text,
    /^fix: To fit, restart vLLM with --max-model-len 144096: .* --max-model-len 144,096 is past the model's 131,072: vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1/m,
  );
  const json = JSON.parse(JSON.stringify(estimateJson(assessment, { model: llama, gpu: h100 }, settings, 140_000))) as EngineJson;
  assert.equal(json.engine.name, 'vLLM V1');
  assert.equal(json.engineHandling.kind, 'rejected');
  assert.equal(json.server, null);
});
