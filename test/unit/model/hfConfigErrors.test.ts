import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelConfigError, parseHfConfig } from '../../../src/core/model/hfConfig';

/** A valid Llama-style config with fields replaced (undefined removes the key). */
function config(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    model_type: 'llama',
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 8192,
    vocab_size: 128_256,
    intermediate_size: 14_336,
    tie_word_embeddings: false,
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** Asserts parseHfConfig throws a ModelConfigError for `field` whose message matches. */
function rejects(json: unknown, field: string, message: RegExp, sourcePath?: string): void {
  assert.throws(
    () => parseHfConfig(json, { id: 'bad', ...(sourcePath ? { sourcePath } : {}) }),
    (err: unknown) => {
      assert.ok(err instanceof ModelConfigError, `expected ModelConfigError, got ${String(err)}`);
      assert.equal(err.field, field);
      assert.match(err.message, message);
      assert.ok(err.message.includes(`"${field}"`) || field === '(root)', `message names the field: ${err.message}`);
      return true;
    },
  );
}

test('the baseline config parses', () => {
  assert.equal(parseHfConfig(config(), { id: 'ok' }).numKvHeads, 8);
});

test("the brief's example message, word for word", () => {
  rejects(
    config({ num_key_value_heads: 7 }),
    'num_key_value_heads',
    /^config\.json: "num_key_value_heads" must be a positive integer dividing num_attention_heads \(got 7\)$/,
  );
});

test('not a JSON object', () => {
  rejects(null, '(root)', /config\.json: must be a JSON object \(got null\)/);
  rejects([1, 2], '(root)', /got an array/);
  rejects('{"hidden_size": 1}', '(root)', /must be a JSON object/);
});

for (const field of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'max_position_embeddings', 'vocab_size']) {
  test(`missing ${field}`, () => {
    rejects(config({ [field]: undefined }), field, new RegExp(`"${field}" is missing; it must be an integer`));
  });
}

test('null required field counts as missing', () => {
  rejects(config({ vocab_size: null }), 'vocab_size', /"vocab_size" is missing/);
});

test('wrong type', () => {
  rejects(config({ hidden_size: '4096' }), 'hidden_size', /"hidden_size" must be an integer from 1 to 1,048,576 \(got "4096"\)/);
  rejects(config({ num_hidden_layers: [32] }), 'num_hidden_layers', /\(got an array\)/);
  rejects(config({ num_attention_heads: true }), 'num_attention_heads', /\(got true\)/);
});

test('negative', () => {
  rejects(config({ num_hidden_layers: -32 }), 'num_hidden_layers', /\(got -32\)/);
});

test('zero', () => {
  rejects(config({ num_attention_heads: 0 }), 'num_attention_heads', /\(got 0\)/);
});

test('NaN and Infinity', () => {
  rejects(config({ hidden_size: Number.NaN }), 'hidden_size', /\(got NaN\)/);
  rejects(config({ max_position_embeddings: Number.POSITIVE_INFINITY }), 'max_position_embeddings', /\(got Infinity\)/);
});

test('fractional', () => {
  rejects(config({ num_hidden_layers: 32.5 }), 'num_hidden_layers', /\(got 32\.5\)/);
});

test('absurdly huge', () => {
  rejects(config({ max_position_embeddings: 1e15 }), 'max_position_embeddings', /from 1 to 1,073,741,824/);
  rejects(config({ vocab_size: 1e12 }), 'vocab_size', /must be an integer/);
  rejects(config({ num_hidden_layers: 1_000_000 }), 'num_hidden_layers', /from 1 to 10,000/);
});

test('kv heads larger than the query heads, zero or fractional', () => {
  rejects(config({ num_key_value_heads: 64 }), 'num_key_value_heads', /dividing num_attention_heads \(got 64\)/);
  rejects(config({ num_key_value_heads: 0 }), 'num_key_value_heads', /\(got 0\)/);
  rejects(config({ num_key_value_heads: 2.5 }), 'num_key_value_heads', /\(got 2\.5\)/);
});

test('no head_dim and hidden_size not divisible by the heads', () => {
  rejects(
    config({ hidden_size: 4000, num_attention_heads: 48, num_key_value_heads: 8 }),
    'head_dim',
    /"head_dim" is absent and hidden_size 4000 is not divisible by num_attention_heads 48/,
  );
});

test('explicit head_dim that is not a positive integer', () => {
  rejects(config({ head_dim: 0 }), 'head_dim', /"head_dim" must be an integer/);
});

test('errors inside text_config name the nested path', () => {
  rejects(
    { model_type: 'gemma3', text_config: config({ num_key_value_heads: 7 }) },
    'text_config.num_key_value_heads',
    /"text_config\.num_key_value_heads" must be a positive integer dividing/,
  );
  rejects(
    { model_type: 'llama4', text_config: config({ hidden_size: undefined }) },
    'text_config.hidden_size',
    /"text_config\.hidden_size" is missing/,
  );
  rejects({ text_config: 'gemma' }, 'text_config', /"text_config" must be an object/);
});

test('model_type and boolean fields with the wrong type', () => {
  rejects(config({ model_type: 7 }), 'model_type', /"model_type" must be a string \(got 7\)/);
  rejects(config({ tie_word_embeddings: 'yes' }), 'tie_word_embeddings', /must be true or false \(got "yes"\)/);
  rejects(config({ use_sliding_window: 'no' }), 'use_sliding_window', /must be true or false/);
});

test('layer_types of the wrong length or with an unknown kind', () => {
  rejects(
    config({ layer_types: ['full_attention'] }),
    'layer_types',
    /"layer_types" must be an array of num_hidden_layers \(32\) entries \(got "1 entries"\)/,
  );
  rejects(
    config({ layer_types: Array.from({ length: 32 }, (_, i) => (i === 1 ? 'linear_attention' : 'full_attention')) }),
    'layer_types[1]',
    /"layer_types\[1\]" must be one of .* \(got "linear_attention"\)/,
  );
  rejects(config({ layer_types: 'full_attention' }), 'layer_types', /must be an array/);
});

test('sliding or chunked layers without their size', () => {
  rejects(
    config({ layer_types: Array.from({ length: 32 }, () => 'sliding_attention') }),
    'sliding_window',
    /"sliding_window" must be an integer window because "?layer_types\[0\]/,
  );
  rejects(
    config({ layer_types: Array.from({ length: 32 }, () => 'chunked_attention') }),
    'attention_chunk_size',
    /"attention_chunk_size" must be an integer/,
  );
  rejects(config({ sliding_window: -1 }), 'sliding_window', /\(got -1\)/);
});

test('Llama 4 no_rope_layers of the wrong length or with bad entries', () => {
  rejects(
    config({ model_type: 'llama4_text', attention_chunk_size: 8192, no_rope_layers: [1, 1, 1, 0] }),
    'no_rope_layers',
    /num_hidden_layers \(32\) entries/,
  );
  rejects(
    config({ model_type: 'llama4_text', attention_chunk_size: 8192, no_rope_layers: Array.from({ length: 32 }, () => 2) }),
    'no_rope_layers[0]',
    /"no_rope_layers\[0\]" must be 0 or 1 \(got 2\)/,
  );
});

test('rope_scaling: not an object, unknown or missing type', () => {
  rejects(config({ rope_scaling: 8 }), 'rope_scaling', /"rope_scaling" must be an object \(got 8\)/);
  rejects(
    config({ rope_scaling: { rope_type: 'ntk-by-parts', factor: 2 } }),
    'rope_scaling.rope_type',
    /"rope_scaling\.rope_type" must be one of "linear", "dynamic", "yarn", "llama3", "longrope", "default" \(got "ntk-by-parts"\)/,
  );
  rejects(config({ rope_scaling: { type: 'magic', factor: 2 } }), 'rope_scaling.type', /"rope_scaling\.type" must be one of/);
  rejects(config({ rope_scaling: { factor: 2 } }), 'rope_scaling.rope_type', /\(got nothing\)/);
});

test('rope_scaling: bad factors', () => {
  rejects(
    config({ rope_scaling: { rope_type: 'linear', factor: 0 } }),
    'rope_scaling.factor',
    /"rope_scaling\.factor" must be a number from 1 to 10,000 \(got 0\)/,
  );
  rejects(config({ rope_scaling: { rope_type: 'yarn', factor: '4' } }), 'rope_scaling.factor', /\(got "4"\)/);
  rejects(config({ rope_scaling: { rope_type: 'dynamic' } }), 'rope_scaling.factor', /\(got nothing\)/);
  rejects(config({ rope_scaling: { rope_type: 'yarn', factor: 1e9 } }), 'rope_scaling.factor', /from 1 to 10,000/);
});

test('rope_scaling: llama3 without its original window, and a bad original window', () => {
  rejects(
    config({ rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4 } }),
    'rope_scaling.original_max_position_embeddings',
    /required by rope_type "llama3"/,
  );
  rejects(
    config({ rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: -4096 } }),
    'rope_scaling.original_max_position_embeddings',
    /\(got -4096\)/,
  );
});

test('MLA with a missing dimension', () => {
  rejects(config({ kv_lora_rank: 512, qk_nope_head_dim: 128, v_head_dim: 128 }), 'qk_rope_head_dim', /"qk_rope_head_dim" is missing/);
});

test('MoE without or with too many experts per token', () => {
  rejects(config({ num_local_experts: 8 }), 'num_experts_per_tok', /"num_experts_per_tok" is missing/);
  rejects(config({ num_local_experts: 8, num_experts_per_tok: 9 }), 'num_experts_per_tok', /from 1 to 8 \(got 9\)/);
  rejects(config({ n_routed_experts: -3 }), 'n_routed_experts', /\(got -3\)/);
});

test('gated MLP without intermediate_size', () => {
  rejects(config({ intermediate_size: undefined }), 'intermediate_size', /"intermediate_size" is missing/);
});

test('the error prefix is the config path when given', () => {
  rejects(
    config({ hidden_size: undefined }),
    'hidden_size',
    /^\/models\/x\/config\.json: "hidden_size" is missing/,
    '/models/x/config.json',
  );
});
