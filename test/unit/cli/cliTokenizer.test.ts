// The CLI counts with the model's own tokenizer: the tokenizer.json beside --model config.json, a
// GGUF model's vocabulary, --tokenizer, a downloaded one (--tokenizer-cache, --download-tokenizer
// against a loopback Hub). Counts equal the oracles (Hugging Face's `tokenizers` for tokenizer.json,
// llama.cpp for GGUF); the JSON names the tokenizer; a bad file is a warning naming the field and
// the count falls back to the encoding, labelled.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { familyFile, oracle, oracleIds, oracleUnavailable } from '../tokenizer/hf/hfOracle';
import { tinyGguf } from '../engine/tinyGguf';
import { llamaOracleUnavailable, llamaTokenize } from '../tokenizer/gguf/llamaOracle';
import { oracleEncode, repoRoot } from '../tokenizer/oracleSupport';

// @huggingface/jinja renders the template the way the extension does; the parts are counted by the oracle.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS build of an ESM-typed package
const { Template } = require('@huggingface/jinja') as {
  Template: new (source: string) => { render(items: Record<string, unknown>): string };
};

async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
    return { code, out, err };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const sources = {
  'src/a.ts': 'export const answer = 42; // café <|begin_of_text|>\n'.repeat(30),
  'src/b.md': '# Notes\n\n    indented   text\twith tabs, 日本語 and 😀\n',
};

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-clitok-'));
  for (const [relative, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), text);
  }
  return dir;
}

interface CliJson {
  tokenizer: { name: string; source: string; exactForModel: boolean; label: string };
  templateOverheadTokens: number;
  promptTokens: number;
  files: { path: string; tokens: number }[];
  warnings: { id: string; message: string }[];
}

describe('CLI with the model tokenizer (tokenizer.json)', { skip: oracleUnavailable() }, () => {
  let dir = '';
  let cache = '';
  before(() => {
    dir = workspace();
    cache = mkdtempSync(path.join(tmpdir(), 'cb-clitok-cache-'));
    mkdirSync(path.join(dir, 'model'));
    copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'configs', 'llama-3.1-8b.json'), path.join(dir, 'model', 'config.json'));
    copyFileSync(familyFile('llama3_1'), path.join(dir, 'model', 'tokenizer.json'));
    copyFileSync(familyFile('llama3_1', 'tokenizer_config.json'), path.join(dir, 'model', 'tokenizer_config.json'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('the tokenizer.json beside --model config.json counts every file exactly, and the template overhead is added once', async () => {
    const { code, out, err } = await run(['src', '--model', 'model/config.json', '--tokenizer-cache', cache, '--json'], dir);
    assert.equal(err, '');
    assert.equal(code, 0);
    const json = JSON.parse(out) as CliJson;
    assert.deepEqual(json.tokenizer, {
      name: 'model tokenizer',
      source: 'tokenizer.json beside config.json',
      exactForModel: true,
      label: 'model tokenizer (tokenizer.json beside config.json), exact',
    });
    const reference = oracle().fromFile(familyFile('llama3_1'));
    let files = 0;
    for (const file of json.files) {
      const expected = (await oracleIds(reference, sources[file.path as keyof typeof sources])).length;
      assert.equal(file.tokens, expected, file.path);
      files += expected;
    }
    // The template for one user message, its parts counted by the oracle (special tokens as added tokens).
    const config = JSON.parse(readFileSync(familyFile('llama3_1', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const sentinel = '\u{E000}content\u{E001}';
    const rendered = new Template(config.chat_template as string).render({
      messages: [{ role: 'user', content: sentinel }],
      add_generation_prompt: true,
      bos_token: config.bos_token,
      eos_token: config.eos_token,
    });
    const [before, after] = rendered.split(sentinel) as [string, string];
    const overhead = (await oracleIds(reference, before)).length + (await oracleIds(reference, after)).length;
    assert.ok(overhead > 5, `a Llama 3.1 template adds its headers (${overhead})`);
    assert.equal(json.templateOverheadTokens, overhead);
    assert.equal(json.promptTokens, files + overhead);
  });

  it('--tokenizer names a tokenizer.json; a bad one is a warning naming the field, and the count falls back, labelled', async () => {
    const explicit = JSON.parse(
      (await run(['src', '--model', 'llama-3.1-8b', '--tokenizer', 'model/tokenizer.json', '--tokenizer-cache', cache, '--json'], dir)).out,
    ) as CliJson;
    assert.equal(
      explicit.tokenizer.label,
      `tokenizer.json (--tokenizer: ${path.join(dir, 'model', 'tokenizer.json')}), exact for that file`,
    );
    const json = JSON.parse(readFileSync(familyFile('qwen3'), 'utf8')) as Record<string, unknown>;
    json.normalizer = { type: 'Precompiled', precompiled_charsmap: '' };
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(json));
    const { code, out } = await run(
      ['src', '--model', 'llama-3.1-8b', '--tokenizer', 'bad.json', '--tokenizer-cache', cache, '--json'],
      dir,
    );
    assert.equal(code, 0);
    const fallback = JSON.parse(out) as CliJson;
    assert.equal(fallback.tokenizer.label, 'o200k_base, estimate for Llama 3.1 8B');
    assert.equal(fallback.files[0]!.tokens, oracleEncode('o200k_base', sources['src/a.ts']).length);
    assert.deepEqual(
      fallback.warnings.filter((warning) => warning.id === 'tokenizer-problem').map((warning) => warning.message),
      [
        `${path.join(dir, 'bad.json')}: tokenizer.json normalizer.type: "Precompiled" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, ByteLevel, Sequence). Counting with o200k_base, estimate for Llama 3.1 8B.`,
      ],
    );
    const text = (await run(['src', '--model', 'llama-3.1-8b', '--tokenizer', 'bad.json', '--tokenizer-cache', cache], dir)).out;
    assert.match(text, /tokens .*\(o200k_base, estimate for Llama 3\.1 8B\)/);
    assert.match(text, /normalizer\.type: "Precompiled" is not supported/);
    const missing = await run(['src', '--tokenizer', 'nope.json'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--tokenizer: no such file: nope\.json/);
  });

  describe('--download-tokenizer against a loopback Hub (HF_ENDPOINT)', () => {
    let server: Server;
    let endpoint = '';
    const requests: string[] = [];
    before(async () => {
      server = createServer((request, response) => {
        requests.push(request.url ?? '');
        const file = /\/resolve\/main\/(tokenizer(?:_config)?\.json)$/.exec(request.url ?? '')?.[1];
        if (!request.url?.startsWith('/meta-llama/Llama-3.1-8B-Instruct/') || file === undefined) return void response.writeHead(404).end();
        const body = readFileSync(familyFile('llama3_1', file as 'tokenizer.json'));
        response.writeHead(200, { 'content-length': String(body.length), 'x-repo-commit': 'c'.repeat(40) }).end(body);
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((done) => server.close(done));
    });

    it('downloads once into --tokenizer-cache, counts exactly, and never goes to the network without the flag', async () => {
      const fresh = mkdtempSync(path.join(tmpdir(), 'cb-clitok-dl-'));
      try {
        const before = JSON.parse(
          (await run(['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', fresh, '--json'], dir, { HF_ENDPOINT: endpoint })).out,
        ) as CliJson;
        assert.equal(before.tokenizer.exactForModel, false);
        assert.equal(requests.length, 0, 'no flag, no request');
        const { out, err } = await run(
          ['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', fresh, '--download-tokenizer', '--json'],
          dir,
          { HF_ENDPOINT: endpoint },
        );
        assert.match(err, /downloading the tokenizer of meta-llama\/Llama-3\.1-8B-Instruct from http:\/\/127\.0\.0\.1:\d+/);
        const json = JSON.parse(out) as CliJson;
        assert.equal(json.tokenizer.label, 'Llama 3.1 8B tokenizer (downloaded from meta-llama/Llama-3.1-8B-Instruct), exact');
        assert.equal(
          json.files.find((file) => file.path === 'src/a.ts')?.tokens,
          (await oracleIds(oracle().fromFile(familyFile('llama3_1')), sources['src/a.ts'])).length,
        );
        assert.deepEqual(requests, [
          '/meta-llama/Llama-3.1-8B-Instruct/resolve/main/tokenizer.json',
          '/meta-llama/Llama-3.1-8B-Instruct/resolve/main/tokenizer_config.json',
        ]);
        // Cached: a second run reuses it without the network, with or without the flag.
        await run(['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', fresh, '--download-tokenizer', '--json'], dir, {
          HF_ENDPOINT: endpoint,
        });
        const reused = JSON.parse(
          (await run(['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', fresh, '--json'], dir)).out,
        ) as CliJson;
        assert.equal(reused.tokenizer.exactForModel, true);
        assert.equal(requests.length, 2);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    });

    it('a failed download (404) says so and the estimate stays', async () => {
      const fresh = mkdtempSync(path.join(tmpdir(), 'cb-clitok-dl-'));
      try {
        const { code, out, err } = await run(
          ['src', '--model', 'qwen3-8b', '--tokenizer-cache', fresh, '--download-tokenizer', '--json'],
          dir,
          { HF_ENDPOINT: endpoint },
        );
        assert.equal(code, 0);
        assert.match(
          err,
          /the tokenizer was not downloaded: Qwen\/Qwen3-8B has no tokenizer\.json at revision "main" on http:\/\/127\.0\.0\.1:\d+ \(404\)/,
        );
        assert.equal((JSON.parse(out) as CliJson).tokenizer.label, 'o200k_base, estimate for Qwen3 8B');
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    });
  });
});

describe('CLI with a GGUF model: its own vocabulary, equal to llama.cpp', { skip: llamaOracleUnavailable() }, () => {
  it('counts every file as llama.cpp tokenizes it, and names the GGUF vocabulary', async () => {
    const dir = workspace();
    try {
      const modelPath = path.join(dir, 'tiny-llama.gguf');
      writeFileSync(modelPath, tinyGguf('llama', 2));
      const { code, out, err } = await run(['src', '--model', 'tiny-llama.gguf', '--json'], dir);
      assert.equal(err, '');
      assert.equal(code, 0);
      const json = JSON.parse(out) as CliJson;
      assert.equal(json.tokenizer.label, 'tiny-llama tokenizer (GGUF vocabulary of tiny-llama.gguf), exact');
      const texts = json.files.map((file) => sources[file.path as keyof typeof sources]);
      const ids = llamaTokenize([{ name: 'tiny', path: modelPath, texts }]).get('tiny')?.ids;
      assert.ok(ids);
      assert.deepEqual(
        json.files.map((file) => file.tokens),
        ids.map((each) => each.length),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
