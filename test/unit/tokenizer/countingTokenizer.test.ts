// Which tokenizer counts, and what every face says about it: the order (an explicit path,
// the tokenizer.json beside config.json, a GGUF's vocabulary, a download, else the encoding), a
// fall-through with one message per unusable file, labels that stay true, the chat template's
// overhead as leading prompt tokens, and the Download Tokenizer offer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { reportJson, reportText } from '../../../src/core/presenters/cliReport';
import { toStatusBarModel } from '../../../src/core/presenters/statusBarModel';
import { defaultSettings, type Settings } from '../../../src/core/settings';
import {
  resolveCountingTokenizer,
  type TemplateCount,
  type TokenizerLoad,
  type TokenizerSources,
} from '../../../src/core/tokenizer/countingTokenizer';
import type { TokenizerId } from '../../../src/core/tokenizer/tokenizerId';

const llama = findModel('llama-3.1-8b')!;
const gptOss = findModel('gpt-oss-20b')!;
const h100 = findGpu('h100-sxm')!;
const hfId = `hf:${'a'.repeat(64)}` as TokenizerId;
const ggufId = `gguf:${'b'.repeat(64)}` as TokenizerId;

/** A fake port: files by path, recording what was asked. */
function sources(
  files: Record<string, TokenizerLoad>,
  templates: Record<string, TemplateCount> = {},
  asked: string[] = [],
): TokenizerSources {
  const lookup = (key: string): Promise<TokenizerLoad> => {
    asked.push(key);
    return Promise.resolve(files[key] ?? { kind: 'absent' });
  };
  return {
    tokenizerJson: (path) => lookup(`json:${path}`),
    tokenizerBeside: (path) => lookup(`beside:${path}`),
    ggufVocabulary: (path) => lookup(`gguf:${path}`),
    downloaded: (repo) => lookup(`downloaded:${repo}`),
    templateOverhead: (id) => Promise.resolve(templateCount(templates, id)),
  };
}

function templateCount(templates: Record<string, TemplateCount>, id: string): TemplateCount {
  return templates[id] ?? { kind: 'none' };
}

const loaded = (id: TokenizerId, where: string): TokenizerLoad => ({ kind: 'loaded', tokenizer: { id, where } });
const settings = (overrides: Partial<Settings> = {}): Settings => ({ ...defaultSettings, ...overrides });

describe('resolveCountingTokenizer', () => {
  it('takes the tokenizer.json beside a config.json, exact, named for the model, with its template overhead', async () => {
    const asked: string[] = [];
    const tokenizer = await resolveCountingTokenizer(
      {
        settings: settings(),
        model: { ...llama, origin: 'hf-config', displayName: 'Llama-3.1-8B (config.json)' },
        modelFile: { kind: 'config', path: '/m/config.json' },
      },
      sources({ 'beside:/m/config.json': loaded(hfId, '/m/tokenizer.json') }, { [hfId]: { kind: 'counted', tokens: 26 } }, asked),
    );
    assert.deepEqual(asked, ['beside:/m/config.json']);
    assert.equal(tokenizer.id, hfId);
    assert.equal(tokenizer.label, 'Llama-3.1-8B tokenizer (tokenizer.json beside config.json), exact');
    assert.equal(tokenizer.exactForModel, true);
    assert.equal(tokenizer.templateOverheadTokens, 26);
    assert.equal(tokenizer.download, null);
  });

  it('an explicit tokenizerPath comes first, exact for that file; a .gguf path means its vocabulary', async () => {
    const json = await resolveCountingTokenizer(
      { settings: settings({ tokenizerPath: '/t/tokenizer.json' }), model: llama },
      sources({ 'json:/t/tokenizer.json': loaded(hfId, '/t/tokenizer.json') }),
    );
    assert.equal(json.label, 'tokenizer.json (contextBudget.tokenizerPath: /t/tokenizer.json), exact for that file');
    const gguf = await resolveCountingTokenizer(
      { settings: settings({ tokenizerPath: '/t/m.gguf' }), model: llama, pathName: '--tokenizer' },
      sources({ 'gguf:/t/m.gguf': loaded(ggufId, '/t/m.gguf') }),
    );
    assert.equal(gguf.id, ggufId);
    assert.equal(gguf.label, 'vocabulary of m.gguf (--tokenizer: /t/m.gguf), exact for that file');
  });

  it('a GGUF model counts with its own vocabulary', async () => {
    const tokenizer = await resolveCountingTokenizer(
      {
        settings: settings(),
        model: { ...llama, origin: 'gguf', displayName: 'Qwen3 8B' },
        modelFile: { kind: 'gguf', path: '/m/qwen3-8b-q4_k_m.gguf' },
      },
      sources({ 'gguf:/m/qwen3-8b-q4_k_m.gguf': loaded(ggufId, '/m/qwen3-8b-q4_k_m.gguf') }),
    );
    assert.equal(tokenizer.label, 'Qwen3 8B tokenizer (GGUF vocabulary of qwen3-8b-q4_k_m.gguf), exact');
  });

  it('a catalog model uses a downloaded tokenizer when there is one, else the encoding with a download offer', async () => {
    const downloaded = await resolveCountingTokenizer(
      { settings: settings(), model: llama },
      sources({ 'downloaded:meta-llama/Llama-3.1-8B-Instruct': loaded(hfId, 'meta-llama/Llama-3.1-8B-Instruct@0123456789ab') }),
    );
    assert.equal(downloaded.label, 'Llama 3.1 8B tokenizer (downloaded from meta-llama/Llama-3.1-8B-Instruct), exact');
    const estimate = await resolveCountingTokenizer({ settings: settings(), model: llama }, sources({}));
    assert.equal(estimate.id, 'o200k_base');
    assert.equal(estimate.label, 'o200k_base, estimate for Llama 3.1 8B');
    assert.equal(estimate.exactForModel, false);
    assert.deepEqual(estimate.download, { repo: 'meta-llama/Llama-3.1-8B-Instruct' });
    assert.deepEqual(estimate.problems, []);
  });

  it('gpt-oss counts exactly with o200k_base and is offered nothing', async () => {
    const tokenizer = await resolveCountingTokenizer({ settings: settings(), model: gptOss }, sources({}));
    assert.equal(tokenizer.label, 'o200k_base, exact (gpt-oss-20b uses it)');
    assert.equal(tokenizer.exactForModel, true);
    assert.equal(tokenizer.download, null);
  });

  it('an unusable file falls through to the next source, and the message names the file and the field', async () => {
    const tokenizer = await resolveCountingTokenizer(
      {
        settings: settings({ tokenizerPath: '/t/bad.json' }),
        model: { ...llama, origin: 'hf-config' },
        modelFile: { kind: 'config', path: '/m/config.json' },
      },
      sources({
        'json:/t/bad.json': { kind: 'failed', message: '/t/bad.json: tokenizer.json normalizer.type: "Precompiled" is not supported' },
        'beside:/m/config.json': {
          kind: 'failed',
          message: '/m/tokenizer.json: tokenizer.json model: missing: a tokenizer.json needs a model',
        },
      }),
    );
    assert.equal(tokenizer.id, 'o200k_base');
    assert.equal(tokenizer.exactForModel, false);
    assert.deepEqual(tokenizer.problems, [
      '/t/bad.json: tokenizer.json normalizer.type: "Precompiled" is not supported',
      '/m/tokenizer.json: tokenizer.json model: missing: a tokenizer.json needs a model',
    ]);
    const report = buildBudgetReport([file('a.ts', 100)], settings(), { model: llama, gpu: h100, tokenizer });
    const warnings = report.warnings.filter((warning) => warning.id === 'tokenizer-problem').map((warning) => warning.message);
    assert.deepEqual(warnings, [
      '/t/bad.json: tokenizer.json normalizer.type: "Precompiled" is not supported. Counting with o200k_base, estimate for Llama 3.1 8B.',
      '/m/tokenizer.json: tokenizer.json model: missing: a tokenizer.json needs a model. Counting with o200k_base, estimate for Llama 3.1 8B.',
    ]);
  });

  it('a missing explicit path is said, and a template that cannot be rendered is left out with a reason', async () => {
    const missing = await resolveCountingTokenizer({ settings: settings({ tokenizerPath: '/nope.json' }), model: llama }, sources({}));
    assert.deepEqual(missing.problems, ['contextBudget.tokenizerPath /nope.json: no such file.']);
    const noTemplate = await resolveCountingTokenizer(
      { settings: settings({ tokenizerPath: '/t/tokenizer.json' }), model: llama },
      sources(
        { 'json:/t/tokenizer.json': loaded(hfId, '/t/tokenizer.json') },
        { [hfId]: { kind: 'failed', reason: 'chat_template: could not be rendered: unknown filter' } },
      ),
    );
    assert.equal(noTemplate.templateOverheadTokens, null);
    assert.deepEqual(noTemplate.problems, [
      'The chat template of /t/tokenizer.json is left out of the count: chat_template: could not be rendered: unknown filter',
    ]);
  });

  it('contextBudget.tokenizer set to an encoding skips every file', async () => {
    const asked: string[] = [];
    const tokenizer = await resolveCountingTokenizer(
      { settings: settings({ tokenizer: 'cl100k_base', tokenizerPath: '/t/tokenizer.json' }), model: llama },
      sources({}, {}, asked),
    );
    assert.deepEqual(asked, []);
    assert.equal(tokenizer.label, 'cl100k_base, estimate for Llama 3.1 8B');
    assert.equal(tokenizer.download, null, 'no offer: the user chose the encoding');
  });
});

function file(relativePath: string, tokens: number): BudgetFileInput {
  return {
    uri: `file:///w/${relativePath}`,
    relativePath,
    included: true,
    focus: false,
    pinned: false,
    count: { kind: 'counted', tokens, sizeBytes: tokens, notes: [] },
  };
}

describe('the report with a model tokenizer', () => {
  const tokenizer = {
    id: hfId,
    name: 'Gemma 3 tokenizer',
    sourceKind: 'beside-config' as const,
    source: 'tokenizer.json beside config.json',
    exactForModel: true,
    label: 'Gemma 3 tokenizer (tokenizer.json beside config.json), exact',
    templateOverheadTokens: 12,
    problems: [],
    download: null,
  };
  const report = buildBudgetReport([file('a.ts', 1000), file('b.ts', 500)], settings(), { model: llama, gpu: h100, tokenizer });

  it('adds the template overhead once, as leading tokens: the first file starts after it', () => {
    assert.equal(report.templateOverheadTokens, 12);
    assert.equal(report.promptTokens, 1512);
    assert.deepEqual(report.files[0]!.range, { start: 12, end: 1012 });
    const empty = buildBudgetReport([], settings(), { model: llama, gpu: h100, tokenizer });
    assert.equal(empty.promptTokens, 0, 'no files, no request, no template');
  });

  it('names the tokenizer in the hover, the CLI text and JSON', () => {
    const hover = toStatusBarModel(report, null, {
      openPanel: 'p',
      selectModel: 'm',
      selectGpu: 'g',
      suggestDrops: 'd',
      cancelCounting: 'c',
      addOpenEditors: 'o',
      downloadTokenizer: 't',
    }).tooltipMarkdown;
    // Markdown-escaped, as every name in the hover.
    assert.match(hover, /\| Tokenizer \| Gemma 3 tokenizer \\\(tokenizer\\\.json beside config\\\.json\\\), exact \|/);
    assert.match(hover, /\| Template overhead \| 12 of them/);
    assert.doesNotMatch(hover, /Download Tokenizer/);
    const json = reportJson(report, [], null) as Record<string, unknown>;
    assert.deepEqual(json.tokenizer, {
      name: 'Gemma 3 tokenizer',
      source: 'tokenizer.json beside config.json',
      exactForModel: true,
      label: 'Gemma 3 tokenizer (tokenizer.json beside config.json), exact',
    });
    assert.equal(json.templateOverheadTokens, 12);
    const text = reportText(report, [], null);
    assert.match(text, /\(Gemma 3 tokenizer \(tokenizer\.json beside config\.json\), exact\)/);
    assert.match(text, /template   12 of the prompt tokens are the chat template's/);
  });

  it('offers Download Tokenizer in the hover when the count is an estimate for a catalog model', () => {
    const estimate = buildBudgetReport([file('a.ts', 1000)], settings(), { model: llama, gpu: h100 });
    const hover = toStatusBarModel(estimate, null, {
      openPanel: 'p',
      selectModel: 'm',
      selectGpu: 'g',
      suggestDrops: 'd',
      cancelCounting: 'c',
      addOpenEditors: 'o',
      downloadTokenizer: 't',
    }).tooltipMarkdown;
    assert.match(hover, /\| Tokenizer \| o200k\\_base, estimate for Llama 3\\\.1 8B · \[Download Tokenizer\]\(command:t\) \|/);
  });
});
