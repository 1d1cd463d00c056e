// Chat-template overhead: rendered with @huggingface/jinja, checked against each family's documented
// prompt format, and counted against the Rust library. The prompt a model receives for one user
// message then has exactly overhead + content tokens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { templateOverheadTokens } from '../../../../src/core/tokenizer/hf/chatTemplate';
import { parseHfTokenizerText } from '../../../../src/core/tokenizer/hf/hfTokenizer';
import { HfTokenizerError } from '../../../../src/core/tokenizer/hf/hfTokenizerError';
import { familyFile, oracle, oracleIds, oracleUnavailable, type Family } from './hfOracle';

/** The prompt formats the model publishers document, for one user turn awaiting the reply. */
const documented: Record<Family, { before: string; after: string; source: string }> = {
  // https://www.llama.com/docs/model-cards-and-prompt-formats/llama3_1/
  llama3_1: {
    before: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n',
    after: '<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    source: 'llama.com prompt format',
  },
  // https://qwen.readthedocs.io/en/latest/getting_started/concepts.html (ChatML)
  qwen3: { before: '<|im_start|>user\n', after: '<|im_end|>\n<|im_start|>assistant\n', source: 'ChatML' },
  // https://ai.google.dev/gemma/docs/core/prompt-structure
  gemma3: { before: '<bos><start_of_turn>user\n', after: '<end_of_turn>\n<start_of_turn>model\n', source: 'Gemma prompt structure' },
  // https://huggingface.co/deepseek-ai/DeepSeek-V3 tokenizer_config.json chat format
  deepseek_v3: { before: '<｜begin▁of▁sentence｜><｜User｜>', after: '<｜Assistant｜>', source: 'DeepSeek-V3 chat format' },
};

describe('chat template overhead', { skip: oracleUnavailable() }, () => {
  for (const family of Object.keys(documented) as Family[]) {
    it(`${family}: renders the documented format and counts what the oracle counts`, async () => {
      const tokenizer = parseHfTokenizerText(readFileSync(familyFile(family), 'utf8'));
      const config: unknown = JSON.parse(readFileSync(familyFile(family, 'tokenizer_config.json'), 'utf8'));
      const overhead = templateOverheadTokens(config, tokenizer);
      assert.ok(overhead !== undefined);
      const expected = documented[family];
      assert.equal(overhead.before, expected.before, expected.source);
      assert.equal(overhead.after, expected.after, expected.source);
      const reference = oracle().fromFile(familyFile(family));
      const oracleOverhead = (await oracleIds(reference, expected.before)).length + (await oracleIds(reference, expected.after)).length;
      assert.equal(overhead.tokens, oracleOverhead);
      // The whole prompt for real content is overhead + content, token for token.
      for (const content of [
        'How many tokens is this file?',
        'def f(x):\n    return x\n',
        '  leading spaces and trailing newline\n',
        '日本語の質問です。',
      ]) {
        const prompt = expected.before + content + expected.after;
        assert.equal(
          (await oracleIds(reference, prompt)).length,
          overhead.tokens + (await oracleIds(reference, content)).length,
          JSON.stringify(content),
        );
      }
    });
  }

  it('no chat_template: no overhead; a broken template: an error naming chat_template', () => {
    const tokenizer = parseHfTokenizerText(readFileSync(familyFile('qwen3'), 'utf8'));
    assert.equal(templateOverheadTokens({ bos_token: null }, tokenizer), undefined);
    assert.throws(
      () => templateOverheadTokens({ chat_template: '{% for m in messages %}' }, tokenizer),
      (error: unknown) => error instanceof HfTokenizerError && error.path === 'chat_template',
    );
    assert.throws(
      () => templateOverheadTokens({ chat_template: '{{ raise_exception("only system messages") }}' }, tokenizer),
      (error: unknown) => error instanceof HfTokenizerError && /only system messages/.test(error.message),
    );
    assert.throws(
      () => templateOverheadTokens({ chat_template: 'no content here' }, tokenizer),
      /does not place the user message content exactly once/,
    );
  });
});
