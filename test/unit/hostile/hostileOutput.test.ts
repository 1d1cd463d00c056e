// What the CLI prints about hostile input (issue 15, items 4, 5 and 9): no forged lines or escape
// sequences from names, no silent loss in glob searches, and usage errors that name the cause.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { framedFile } from '../../../src/core/export/promptExport';
import { escapeControlChars, escapeJsonForTerminal, hasControlChars } from '../../../src/core/presenters/escapeText';
import { describeUnmatchedGlobs, scanGlobs } from '../../../src/core/scan/globScan';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { ggml, gguf, v } from '../model/ggufFixture';

async function run(
  args: readonly string[],
  cwd: string,
  options: { streamed?: boolean } = {},
): Promise<{ code: number; out: string; err: string; parts: string[] }> {
  let out = '';
  let err = '';
  const parts: string[] = [];
  const code = await runCli(args, {
    out: (text) => (out += text + '\n'),
    // As the command line's stdout: a --json report arrives in parts.
    ...(options.streamed ? { write: (part: string) => ((out += part), parts.push(part)) } : {}),
    err: (text) => (err += text + '\n'),
    cwd,
  });
  return { code, out, err, parts };
}

const dir = mkdtempSync(path.join(tmpdir(), 'cb-hostile-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every character a terminal acts on, or that reorders what it shows. */
const dangerous = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('escapeControlChars', () => {
  it('escapes controls readably and leaves other text (Unicode, backslashes) alone', () => {
    const cases: Array<[string, string]> = [
      ['a\nb', 'a\\nb'],
      ['a\r\n\tb', 'a\\r\\n\\tb'],
      ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
      ['\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007', '\\x1b]8;;https://evil.example\\x07link\\x1b]8;;\\x07'],
      ['nul\u0000del\u007f', 'nul\\x00del\\x7f'],
      ['c1 \u009b31m \u0085', 'c1 \\u009b31m \\u0085'],
      ['invoice\u202Efdp.exe', 'invoice\\u202efdp.exe'],
      ['\u2066isolate\u2069 \u200e\u200f\u061c', '\\u2066isolate\\u2069 \\u200e\\u200f\\u061c'],
      ['line\u2028sep\u2029', 'line\\u2028sep\\u2029'],
      ['café 文件 😀 C:\\Users\\me', 'café 文件 😀 C:\\Users\\me'],
    ];
    for (const [input, expected] of cases) {
      assert.equal(escapeControlChars(input), expected, JSON.stringify(input));
      assert.doesNotMatch(escapeControlChars(input), dangerous);
      assert.equal(hasControlChars(input), input !== expected);
    }
  });

  it('escapeJsonForTerminal keeps the JSON valid and every value identical', () => {
    const value = { names: ['a\nb', '\u001b[2J', 'x\u202Ey', 'c1\u009b', 'sep\u2028', 'plain é'] };
    const text = escapeJsonForTerminal(JSON.stringify(value, null, 2));
    assert.doesNotMatch(text, dangerous);
    assert.deepEqual(JSON.parse(text), value);
  });
});

describe('the CLI prints names from disk escaped', () => {
  const root = path.join(dir, 'names');
  mkdirSync(root);
  const forged = 'a\nwithin window, memory and budget\n.txt';
  const names = [forged, 'b\u001b[31mred\u001b[0m.txt', 'c\u202Etxt.exe', 'd\u009b2J.txt'];
  for (const name of names) writeFileSync(path.join(root, name), `content of ${name}\n`);

  it('text: a newline in a name cannot forge the verdict line of a run that exits 1; no escape sequence reaches the terminal', async () => {
    const { code, out, err } = await run(['.', '--budget', '1'], root);
    assert.equal(err, '');
    assert.equal(code, 1);
    const lines = out.split('\n');
    assert.ok(!lines.includes('within window, memory and budget'), 'no line reads like the success verdict');
    assert.ok(lines.includes('NOT within window, memory or budget (exit status 1)'));
    assert.doesNotMatch(out, dangerous);
    for (const name of names) assert.ok(out.includes(escapeControlChars(name)), `shows ${JSON.stringify(name)} escaped`);
  });

  it('JSON: the paths are the real names, losslessly, and the raw text holds no control or bidi character', async () => {
    const { code, out } = await run(['.', '--json'], root);
    assert.equal(code, 0);
    assert.doesNotMatch(out, dangerous);
    const json = JSON.parse(out) as { files: Array<{ path: string }> };
    assert.deepEqual(json.files.map((file) => file.path).sort(), [...names].sort());
    // Written in parts, as the command line writes it: the same text, and no part holds such a character either.
    const streamed = await run(['.', '--json'], root, { streamed: true });
    assert.equal(streamed.out, out);
    assert.ok(streamed.parts.length > 0);
    for (const part of streamed.parts) assert.doesNotMatch(part, dangerous);
  });

  it('a GGUF general.name and a config folder name with control characters are escaped in the model line', async () => {
    const tensors = [{ name: 'blk.0.attn_q.weight', dims: [256, 256], ggmlType: ggml.F16, bytes: 131_072 }];
    const file = gguf(
      [
        ['general.architecture', v.str('llama')],
        ['general.name', v.str('Evil\nwithin window, memory and budget\u001b[2J')],
        ['llama.block_count', v.u32(2)],
        ['llama.context_length', v.u32(8192)],
        ['llama.embedding_length', v.u32(256)],
        ['llama.attention.head_count', v.u32(4)],
        ['llama.vocab_size', v.u32(1000)],
      ],
      tensors,
    );
    writeFileSync(path.join(dir, 'evil.gguf'), Buffer.concat([file.header, Buffer.alloc(file.size - file.header.length)]));
    const gguf1 = await run(['estimate', '--tokens', '10', '--model', 'evil.gguf', '--budget', '1'], dir);
    assert.equal(gguf1.code, 1);
    assert.match(gguf1.out, /^model {6}Evil\\nwithin window, memory and budget\\x1b\[2J \(GGUF mostly F16\) on /m);
    assert.doesNotMatch(gguf1.out, dangerous);

    const folder = path.join(dir, 'Qwen\u001b]0;pwned\u0007\nX');
    mkdirSync(folder);
    writeFileSync(
      path.join(folder, 'config.json'),
      JSON.stringify({
        model_type: 'llama',
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        max_position_embeddings: 8192,
        vocab_size: 128_256,
        intermediate_size: 14_336,
      }),
    );
    const config = await run(['estimate', '--tokens', '10', '--model', path.join(folder, 'config.json')], dir);
    assert.equal(config.code, 0, config.err);
    assert.match(config.out, /^model {6}Qwen\\x1b\]0;pwned\\x07\\nX \(config\.json\) on /m);
    assert.doesNotMatch(config.out, dangerous);
    const missing = await run(['estimate', '--tokens', '10', '--model', path.join(folder, 'nope\u001b[2J.json')], dir);
    assert.equal(missing.code, 2);
    assert.doesNotMatch(missing.err, dangerous);
  });
});

describe('file extensions that name Object.prototype members', () => {
  it("the Markdown export of `a.constructor` or `b.__proto__` gets a plain fence, not Object's source text", () => {
    for (const name of ['a.constructor', 'b.__proto__', 'c.toString', 'd.hasOwnProperty']) {
      assert.equal(framedFile(name, 'x\n', 'markdown').text, `## ${name}\n\n\`\`\`\nx\n\`\`\`\n\n`, name);
    }
    assert.equal(framedFile('e.ts', 'x\n', 'markdown').text, '## e.ts\n\n```ts\nx\n```\n\n');
  });
});

describe('glob searches keep everything the user must see', () => {
  const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 100, maxFiles: 2 };

  it('core: only matches count against maxFiles; skipped matches, the stop notice and globs matching nothing are data', async () => {
    const fs = new InMemoryWorkspaceFs();
    for (let i = 0; i < 50; i++) fs.file(`/ws/noise/n${String(i).padStart(2, '0')}.txt`, 'x');
    fs.file('/ws/z/late.md', 'a match after 50 other files').file('/ws/big.md', 'x'.repeat(500));
    const found = await scanGlobs(fs, '/ws', ['*.md', 'docs/**', '*.py'], options);
    assert.deepEqual(
      found.files.map((file) => file.relativePath),
      ['z/late.md'],
    );
    assert.deepEqual(
      found.skipped.map((entry) => [entry.relativePath, entry.reason]),
      [['big.md', 'tooLarge']],
    );
    assert.equal(found.truncated, false);
    assert.deepEqual(found.unmatched, ['docs/**', '*.py']);
    assert.equal(
      describeUnmatchedGlobs(found, options.maxFiles),
      'no file matches "docs/**", "*.py" (.gitignore files and excludes were applied).',
    );

    for (let i = 0; i < 3; i++) fs.file(`/ws/m${i}.md`, 'm');
    const stopped = await scanGlobs(fs, '/ws', ['*.md'], options);
    assert.equal(stopped.files.length, 2);
    assert.equal(stopped.truncated, true);
    assert.ok(
      stopped.skipped.some((entry) => entry.reason === 'fileLimit' && /^stopped after 2 files/.test(entry.message)),
      JSON.stringify(stopped.skipped),
    );
    assert.equal(
      describeUnmatchedGlobs({ ...stopped, unmatched: ['*.py'] }, 2),
      'no file matches "*.py" (the search stopped after 2 matching files (--max-files), so a match may lie beyond it).',
    );
  });

  it('CLI: a glob that matches nothing exits 2 naming it; a stopped search says so; a match past 50 other files is found', async () => {
    const root = path.join(dir, 'globs');
    mkdirSync(path.join(root, 'noise'), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(path.join(root, 'noise', `n${i}.txt`), 'noise\n');
    writeFileSync(path.join(root, 'zz-last.md'), 'found\n');
    const none = await run(['*.py', '--json'], root);
    assert.equal(none.code, 2);
    assert.equal(none.out, '');
    assert.match(none.err, /^context-budget: no file matches "\*\.py" \(\.gitignore files and excludes were applied\)\.$/m);
    const late = await run(['*.md', '--max-files', '10', '--json'], root);
    assert.equal(late.code, 0, late.err);
    assert.deepEqual(
      (JSON.parse(late.out) as { files: Array<{ path: string }> }).files.map((file) => file.path),
      ['zz-last.md'],
    );
    const stopped = await run(['*.txt', '--max-files', '10', '--json'], root);
    const json = JSON.parse(stopped.out) as { files: unknown[]; skipped: Array<{ reason: string; message: string }> };
    assert.equal(json.files.length, 10);
    assert.ok(
      json.skipped.some(
        (entry) => entry.reason === 'fileLimit' && /^stopped after 10 files \(contextBudget\.maxFiles, --max-files\)/.test(entry.message),
      ),
      'the notice is kept',
    );
  });
});

describe('usage errors that name the cause', () => {
  const root = path.join(dir, 'usage');
  mkdirSync(root);
  writeFileSync(path.join(root, 'a.md'), 'a\n');
  const cases: Array<[string[], RegExp]> = [
    [[''], /^context-budget: an empty path argument \(""\) names no file or folder; use "\." for the current folder\.$/],
    [['.', '--gpus', '2', '--gpus', '3'], /^context-budget: --gpus is given more than once \("2" and "3"\); give it once\.$/],
    [
      ['.', '--model=qwen3-8b', '--model', 'gpt-oss-20b'],
      /^context-budget: --model is given more than once \("qwen3-8b" and "gpt-oss-20b"\); give it once\.$/,
    ],
    [['.', '--focus', '[z-a]'], /^context-budget: --focus: invalid glob "\[z-a\]": the character class "\[z-a\]" at column 1 is not valid/],
    [['.', '--pin', 'src/{a,b'], /^context-budget: --pin: invalid glob "src\/\{a,b": the "\{" at column 5 is never closed\.$/],
    [['.', '--focus', ''], /^context-budget: --focus: invalid glob "": the pattern is empty\.$/],
    [['src/{a,b'], /^context-budget: path argument: invalid glob "src\/\{a,b": the "\{" at column 5 is never closed\.$/],
    [['.', '--target', 'x\u001b[2J'], /^context-budget: --target must be one of window, effective, memory, budget \(got "x\\x1b\[2J"\)\.$/],
  ];
  for (const [args, message] of cases) {
    it(JSON.stringify(args), async () => {
      const { code, out, err } = await run(args, root);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err.split('\n')[0]!, message);
    });
  }

  it('the lowest efficiencies accepted still give finite times (JSON numbers, not null), on the largest prompt', async () => {
    const { code, out } = await run(
      [
        'estimate',
        '--tokens',
        '1000000000000',
        '--model',
        'llama-3.1-405b',
        '--compute-efficiency',
        '0.01',
        '--memory-efficiency',
        '0.01',
        '--json',
      ],
      root,
    );
    assert.equal(code, 1);
    const json = JSON.parse(out) as { prefillSeconds: unknown; decodeSecondsPerToken: unknown };
    assert.ok(typeof json.prefillSeconds === 'number' && Number.isFinite(json.prefillSeconds), String(json.prefillSeconds));
    assert.ok(typeof json.decodeSecondsPerToken === 'number' && Number.isFinite(json.decodeSecondsPerToken));
  });
});
