import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { get_encoding } from 'tiktoken';
import { runCli } from '../../../src/cli/main';
import { renderExport } from '../../../src/core/export/promptExport';

async function run(args: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-cli-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const answer = 42;\n'.repeat(40));
  writeFileSync(path.join(dir, 'src', 'b.md'), '# Notes\n\nSome prose with <|endoftext|> inside.\n');
  writeFileSync(path.join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
  writeFileSync(path.join(dir, '.gitignore'), 'ignored.txt\n');
  writeFileSync(path.join(dir, 'ignored.txt'), 'never counted');
  return dir;
}

test('estimate --json has every promised field with hand-checkable values (Llama 3.1 8B, bf16 KV = 131,072 B/token)', async () => {
  const { code, out } = await run([
    'estimate',
    '--model',
    'llama-3.1-8b',
    '--gpu',
    'h100-sxm',
    '--tokens',
    '10000',
    '--reserve-output',
    '0',
    '--json',
  ]);
  assert.equal(code, 0);
  const json = JSON.parse(out);
  for (const field of [
    'tokens',
    'kvCacheBytes',
    'weightsBytes',
    'totalBytes',
    'fits',
    'maxContextTokens',
    'prefillFlops',
    'prefillSeconds',
    'decodeSecondsPerToken',
    'risk',
    'warnings',
  ]) {
    assert.ok(field in json, field);
  }
  assert.equal(json.tokens, 10000);
  assert.equal(json.kvCacheBytes, 10000 * 131072);
  assert.equal(json.weightsBytes, 8e9 * 2);
  assert.equal(json.prefillFlops.linear, 2 * 8e9 * 10000);
  assert.equal(json.prefillFlops.total, json.prefillFlops.linear + json.prefillFlops.attention);
  assert.deepEqual(Object.keys(json.risk.windows).sort(), ['effective', 'effectiveSource', 'max', 'pretrained', 'trained']);
  assert.equal(json.risk.level, 'ok');
});

test('estimate exits 1 when the prompt does not fit or is past the window', async () => {
  assert.equal((await run(['estimate', '--model', 'llama-3.1-70b', '--tokens', '1000'])).code, 1);
  assert.equal((await run(['estimate', '--model', 'llama-3.1-8b', '--tokens', '200000'])).code, 1);
});

test('bad usage exits 2 with a message naming the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['estimate', '--tokens', 'lots'], /--tokens must be a number/],
    [['estimate'], /needs --tokens/],
    [['estimate', '--tokens', '5', '--gpus=-1'], /--gpus must be a whole number/],
    [['estimate', '--tokens', '5', '--gpus', '0'], /--gpus must be a whole number from 1/],
    [['estimate', '--tokens', '5', '--memory-utilization', '1.5'], /--memory-utilization must be a number greater than 0/],
    [['estimate', '--tokens', '5', '--model', 'no-such-model'], /Unknown model "no-such-model"/],
    [['estimate', '--tokens', '5', '--gpu', 'tpu'], /Unknown GPU "tpu"/],
    [['estimate', '--tokens', '5', '--kv-dtype', 'fp4'], /--kv-dtype must be one of/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['missing-folder'], /no such file or folder: missing-folder/],
    [['estimate', '--tokens', '5', '--model', 'nope/config.json'], /no such config file/],
  ];
  for (const [args, message] of cases) {
    const { code, err } = await run(args);
    assert.equal(code, 2, args.join(' '));
    assert.match(err, message, args.join(' '));
  }
});

test('a malformed config.json is a usage error naming the field', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-cfg-'));
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 7,
      vocab_size: 32000,
      max_position_embeddings: 4096,
    }),
  );
  const { code, err } = await run(['estimate', '--tokens', '10', '--model', 'config.json'], dir);
  assert.equal(code, 2);
  assert.match(err, /num_key_value_heads/);
});

test('files run: respects .gitignore, skips binaries with the reason, counts exactly, --json is one object', async () => {
  const dir = workspace();
  const { code, out } = await run(['.', '--json', '--model', 'gpt-oss-20b'], dir);
  assert.equal(code, 0);
  const json = JSON.parse(out);
  const oracle = get_encoding('o200k_base');
  const expectA = oracle.encode_ordinary('export const answer = 42;\n'.repeat(40)).length;
  const expectB = oracle.encode_ordinary('# Notes\n\nSome prose with <|endoftext|> inside.\n').length;
  oracle.free();
  const byPath = Object.fromEntries(json.files.map((file: { path: string }) => [file.path, file]));
  assert.equal(byPath['src/a.ts'].tokens, expectA);
  assert.equal(byPath['src/b.md'].tokens, expectB);
  assert.equal(byPath['image.png'].status, 'skipped');
  assert.match(byPath['image.png'].skipReason, /PNG/);
  assert.equal(byPath['ignored.txt'], undefined);
  assert.equal(json.promptTokens, expectA + expectB + byPath['.gitignore'].tokens);
  assert.deepEqual(json.tokenizer, {
    name: 'o200k_base',
    source: "the model's own encoding",
    exactForModel: true,
    label: 'o200k_base, exact (gpt-oss-20b uses it)',
  });
  assert.equal(json.templateOverheadTokens, 0);
});

test('files run over budget exits 1 and proposes drops that meet the budget', async () => {
  const dir = workspace();
  const { code, out } = await run(['src', '--budget', '100', '--json'], dir);
  assert.equal(code, 1);
  const json = JSON.parse(out);
  assert.equal(json.dropPlan.target, 'budget');
  assert.ok(json.dropPlan.tokensAfter <= 100);
  assert.deepEqual(
    json.dropPlan.drops.map((drop: { path: string }) => drop.path),
    ['src/a.ts'],
  );
});

test('--focus marks files and globs select files', async () => {
  const dir = workspace();
  const { out } = await run(['src/*.md', '--focus', '*.md', '--json'], dir);
  const json = JSON.parse(out);
  assert.deepEqual(
    json.files.map((file: { path: string; focus: boolean }) => [file.path, file.focus]),
    [['src/b.md', true]],
  );
});

test('models and gpus list the catalogs', async () => {
  const models = await run(['models']);
  assert.match(models.out, /llama-3\.1-8b/);
  assert.match(models.out, /deepseek-v3 .*MLA/);
  const gpus = JSON.parse((await run(['gpus', '--json'])).out);
  assert.ok(gpus.some((gpu: { id: string }) => gpu.id === 'h100-sxm'));
});

test('--framing xml --tree: the prompt is counted as exported, and equals the oracle count of the export text', async () => {
  const dir = workspace();
  const plain = JSON.parse((await run(['src', '--json'], dir)).out);
  assert.equal(plain.framing, null);
  for (const [format, tree] of [
    ['xml', true],
    ['markdown', false],
  ] as const) {
    const { code, out } = await run(['src', '--framing', format, ...(tree ? ['--tree'] : []), '--json'], dir);
    assert.equal(code, 0);
    const json = JSON.parse(out);
    const files = ['src/a.ts', 'src/b.md'].map((relativePath) => ({
      relativePath,
      text: readFileSync(path.join(dir, relativePath), 'utf8'),
    }));
    const encoding = get_encoding('o200k_base');
    const exported = encoding.encode_ordinary(renderExport(files, { format, directoryTree: tree }).text).length;
    encoding.free();
    assert.equal(json.promptTokens, exported, `${format}: the budget is the export's exact count`);
    assert.equal(json.framing.format, format);
    assert.equal(json.framing.tokens, exported - plain.promptTokens);
    assert.equal(json.framing.pending, false);
    assert.equal(
      json.files.reduce((sum: number, file: { tokens: number }) => sum + file.tokens, 0) + json.framing.treeTokens,
      json.promptTokens,
    );
  }
  const bad = await run(['src', '--framing', 'html'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--framing/);
});
