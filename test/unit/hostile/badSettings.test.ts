// Bad settings, flags and model configs: wrong types, negative, huge, NaN, missing. Each gives one
// clear message naming the setting, flag or field, and a fallback (extension) or exit 2 (CLI).
// test/unit/settings.test.ts and test/unit/model/hfConfigErrors.test.ts cover the basics; this adds
// the rest of the matrix for every setting and the CLI end of config errors.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { problemText, resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { defaultSettings, parseSettings, settingKeys } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';

async function run(args: readonly string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

/** The error lines of a usage error, without the trailing help hint. */
function problemLines(err: string): string[] {
  return err.split('\n').filter((line) => line !== '' && !line.startsWith('Run "context-budget --help"'));
}

const bad: Record<keyof Settings, readonly unknown[]> = {
  model: [42, '', '   ', {}, ['gpt-oss-20b'], true],
  modelConfigPath: [5, false, { path: 'x' }],
  gpu: [0, '', [], { id: 'h100-sxm' }],
  gpuCount: ['4', -1, 0, 1.5, 1025, 1e9, Number.NaN, Number.POSITIVE_INFINITY, true, [2]],
  encoding: ['p50k_base', 'O200K_BASE', 200, {}],
  tokenizer: ['gemma', 'AUTO', 1, {}],
  tokenizerPath: [5, true, { path: 'x' }],
  huggingFaceEndpoint: ['ftp://mirror', 'huggingface.co', 'https://user:pw@hf.co', 'https://hf.co/?x=1', 3],
  kvCacheDtype: ['fp4', 'BF16', 16, []],
  weightDtype: ['q4_k_m', 2, {}],
  reserveOutputTokens: [-1, -4096, 1e300, 100_000_001, 4096.5, '4096', Number.NaN],
  budgetTokens: [-1, 1e12, Number.MAX_VALUE, 0.5, '100k', Number.NEGATIVE_INFINITY],
  batchSize: [0, -8, 100_001, 1.5, '8', Number.POSITIVE_INFINITY],
  memoryUtilization: [0, -0.1, 1.0001, 90, '0.9', Number.NaN, 1e308],
  computeEfficiency: [0, -1, 1.5, '0.7', Number.POSITIVE_INFINITY, false],
  memoryEfficiency: [0, 2, 'high', [], Number.NaN],
  excludes: ['node_modules', [7], ['ok', null], { glob: '*' }, 1],
  maxFileBytes: [0, -1, 1e12, 2 ** 31, 1024.5, '2MB', Number.NaN],
  maxFiles: [0, -5, 1_000_001, 1e7, 2.5, '20000'],
  respectGitignore: ['yes', 1, 0, 'false', [], {}],
  skipSecretFiles: ['no', 1, 0, 'true', [], {}],
  skipGeneratedFiles: ['no', 1, 0, 'true', [], {}],
  explorerBadges: ['yes', 1, 0, 'false', [], {}],
  chatModel: [1, true, [], {}],
  exportFraming: ['html', 1, true, [], {}],
  exportDirectoryTree: ['yes', 1, [], {}],
  engine: ['llamacpp', 'VLLM', 'tgi', 1, [], {}],
  kCacheDtype: ['q8', 'Q8_0', 'fp4', 8, []],
  vCacheDtype: ['q3_k', 4, {}, true],
  ubatch: [0, -512, 512.5, '512', 2 ** 21, Number.NaN],
  swaFull: ['yes', 1, 0, 'true', []],
  mla: ['yes', true, 'ON', 0, []],
  maxModelLen: [0, -1, 1.5, '131072', 2 ** 31, Number.POSITIVE_INFINITY],
  numCtx: [0, -4096, 2048.5, '8k', 2 ** 31, Number.NaN],
  countCacheMaxMiB: [-1, 4097, 1.5, '64', Number.NaN, true],
  // A string that is not a URL is not a type error: the live check reports it, naming the setting (test/unit/server).
  server: [8080, true, ['http://127.0.0.1:8080'], { url: 'x' }],
};

describe('every setting, every kind of bad value: one message naming it, and its default', () => {
  it('the matrix covers every setting key', () => {
    assert.deepEqual(Object.keys(bad).sort(), [...settingKeys].sort());
  });

  for (const key of settingKeys) {
    it(`contextBudget.${key}`, () => {
      for (const value of bad[key]) {
        const { settings, problems } = parseSettings((k) => (k === key ? value : undefined));
        const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
        assert.equal(problems.length, 1, `${key} = ${shown}: ${JSON.stringify(problems)}`);
        assert.match(
          problems[0]!,
          new RegExp(`^contextBudget\\.${key} must be .* \\(got .*\\); using the default .*\\.$`),
          `${key} = ${shown}`,
        );
        assert.ok(problems[0]!.length < 300, 'one short message');
        assert.deepEqual(settings, { ...defaultSettings }, `${key} = ${shown} falls back to the default and nothing else changes`);
      }
    });
  }

  it('missing (undefined) and null values are silent defaults', () => {
    for (const value of [undefined, null]) {
      const { settings, problems } = parseSettings(() => value);
      assert.deepEqual(problems, []);
      assert.deepEqual(settings.excludes, []);
      assert.equal(settings.computeEfficiency, null);
      assert.equal(settings.maxFileBytes, defaultSettings.maxFileBytes);
    }
  });

  it('a huge bad value is previewed, not echoed whole', () => {
    const { problems } = parseSettings((key) => (key === 'excludes' ? 'x'.repeat(1_000_000) : undefined));
    assert.equal(problems.length, 1);
    assert.ok(problems[0]!.length < 200, `${problems[0]!.length} characters`);
    assert.match(problems[0]!, /\.\.\.\); using the default \[\]\.$/);
  });

  it('several bad values give one message each, in a stable order', () => {
    const raw: Partial<Record<keyof Settings, unknown>> = { gpuCount: '2', batchSize: -1, maxFiles: 1e9, encoding: 7 };
    const { problems } = parseSettings((key) => raw[key]);
    assert.deepEqual(
      problems.map((problem) => problem.split(' ')[0]),
      ['contextBudget.gpuCount', 'contextBudget.encoding', 'contextBudget.batchSize', 'contextBudget.maxFiles'],
    );
  });
});

describe('bad CLI flags: exit 2 and one message naming the flag', () => {
  const cases: Array<[readonly string[], RegExp]> = [
    [['estimate', '--tokens', '5', '--gpus', '1.5'], /^context-budget: --gpus must be a whole number from 1 to 1,024 \(got 1\.5\)\.$/],
    [
      ['estimate', '--tokens', '5', '--gpus', '1e9'],
      /^context-budget: --gpus must be a whole number from 1 to 1,024 \(got 1000000000\)\.$/,
    ],
    [['estimate', '--tokens', '5', '--batch=-1'], /^context-budget: --batch must be a whole number from 1 to 100,000 \(got -1\)\.$/],
    [['estimate', '--tokens', '5', '--reserve-output=-5'], /^context-budget: --reserve-output must be a whole number from 0 /],
    [['estimate', '--tokens', '5', '--reserve-output', '1e400'], /^context-budget: --reserve-output must be a number \(got "1e400"\)\.$/],
    [['estimate', '--tokens', '5', '--budget', '1e300'], /^context-budget: --budget must be a whole number from 0 to 1,000,000,000/],
    [['estimate', '--tokens', '5', '--budget', '128k'], /^context-budget: --budget must be a number \(got "128k"\)\.$/],
    [
      ['estimate', '--tokens', '5', '--memory-efficiency', '0'],
      /^context-budget: --memory-efficiency must be a number from 0\.01 to 1, or null for the default \(got 0\)\.$/,
    ],
    // 1e-300 passed "greater than 0" and gave time to first token Infinity, printed as null in JSON.
    [
      ['estimate', '--tokens', '5', '--compute-efficiency', '1e-300'],
      /^context-budget: --compute-efficiency must be a number from 0\.01 to 1, or null for the default \(got 1e-300\)\.$/,
    ],
    [
      ['estimate', '--tokens', '5', '--compute-efficiency', 'NaN'],
      /^context-budget: --compute-efficiency must be a number \(got "NaN"\)\.$/,
    ],
    [
      ['estimate', '--tokens', '5', '--encoding', 'p50k_base'],
      /^context-budget: --encoding must be one of o200k_base, cl100k_base \(got "p50k_base"\)\.$/,
    ],
    [['estimate', '--tokens', '5', '--weight-dtype', 'q4'], /^context-budget: --weight-dtype must be one of /],
    [['estimate', '--tokens=-5'], /^context-budget: --tokens must be a whole number from 0 to 1000000000000/],
    [['estimate', '--tokens', '1e13'], /^context-budget: --tokens must be a whole number from 0 to 1000000000000/],
    [['estimate', '--tokens', '2.5'], /^context-budget: --tokens must be a whole number/],
    [['.', '--max-file-bytes', '0'], /^context-budget: --max-file-bytes must be a whole number from 1 to 1,073,741,824 \(got 0\)\.$/],
    [['.', '--max-file-bytes', '1e30'], /^context-budget: --max-file-bytes must be a whole number from 1 to 1,073,741,824/],
    [['.', '--max-files=-3'], /^context-budget: --max-files must be a whole number from 1 to 1,000,000 \(got -3\)\.$/],
    [['.', '--target', 'everything'], /^context-budget: --target must be one of window, effective, memory, budget \(got "everything"\)\.$/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const { code, out, err } = await run(args);
      assert.equal(code, 2);
      assert.equal(out, '');
      const lines = problemLines(err);
      assert.equal(lines.length, 1, err);
      assert.match(lines[0]!, message);
    });
  }
});

describe('malformed model config.json: the extension falls back, the CLI exits 2; both name the field', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-bad-config-'));
  const valid = {
    model_type: 'llama',
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 8192,
    vocab_size: 128_256,
    intermediate_size: 14_336,
  };
  const configs: Array<[string, string, RegExp]> = [
    [
      'trailing-comma.json',
      '{"hidden_size": 4096,}',
      /: is not valid JSON at line 1, column 22: a property name in double quotes was expected\./,
    ],
    ['empty.json', '', /: is empty, not a JSON object\./],
    ['array.json', '[1, 2]', /must be a JSON object \(got an array\)/],
    ['missing.json', JSON.stringify({ ...valid, hidden_size: undefined }), /"hidden_size" is missing/],
    [
      'wrong-type.json',
      JSON.stringify({ ...valid, num_hidden_layers: '32' }),
      /"num_hidden_layers" must be an integer from 1 to 10,000 \(got "32"\)/,
    ],
    ['negative.json', JSON.stringify({ ...valid, num_attention_heads: -8 }), /"num_attention_heads" must be an integer .*\(got -8\)/],
    [
      'huge.json',
      JSON.stringify({ ...valid, max_position_embeddings: 1e15 }),
      /"max_position_embeddings" must be an integer from 1 to 1,073,741,824 \(got 1000000000000000\)/,
    ],
    [
      'huge-rope.json',
      JSON.stringify({ ...valid, rope_scaling: { rope_type: 'yarn', factor: 1e9 } }),
      /"rope_scaling\.factor" must be a number from 1 to 10,000/,
    ],
    ['null-field.json', JSON.stringify({ ...valid, vocab_size: null }), /"vocab_size" is missing/],
  ];
  for (const [name, text] of configs) writeFileSync(path.join(dir, name), text);
  mkdirSync(path.join(dir, 'folder.json'));

  for (const [name, text, message] of configs) {
    it(`${name}: one message, catalog fallback in the extension, exit 2 on the CLI`, async () => {
      const resolved = resolveTarget(defaultSettings, { path: path.join(dir, name), text });
      assert.equal(resolved.problems.length, 1, JSON.stringify(resolved.problems));
      assert.match(resolved.problems[0]!.message, message);
      assert.match(
        problemText(resolved.problems[0]!),
        /[^.]\. Using the catalog model gpt-oss-20b instead\.$/,
        'a full stop before the fallback sentence',
      );
      assert.equal(resolved.model.id, defaultSettings.model);

      const { code, out, err } = await run(['estimate', '--tokens', '100', '--model', name], dir);
      assert.equal(code, 2);
      assert.equal(out, '');
      const lines = problemLines(err);
      assert.equal(lines.length, 1, err);
      assert.match(lines[0]!, message);
      assert.ok(lines[0]!.includes(name), 'names the file');
      assert.doesNotMatch(lines[0]!, /Using the catalog model/, 'the CLI uses no fallback, so it does not claim one');
    });
  }

  it('a folder named like a config file is a clear usage error', async () => {
    const { code, err } = await run(['estimate', '--tokens', '100', '--model', 'folder.json'], dir);
    assert.equal(code, 2);
    assert.match(
      problemLines(err)[0]!,
      /^context-budget: --model: cannot read config file folder\.json \(a folder, not a regular file: not opened for reading\)$/,
    );
  });
});
