// Tiny GGUF models with real (zero-filled) F32 tensors, complete enough for llama.cpp to load them and
// create a context: one per architecture the llama.cpp profile is checked against. Tensor names and
// shapes follow ggml-org/llama.cpp@v0.4.0 (as node-llama-cpp@3.21.1 ships it): src/llama-arch.cpp
// LLM_TENSOR_NAMES and the `load_arch_tensors` of src/models/{llama,qwen3,gemma3,openai-moe,deepseek2}.cpp.
// Zero weights give meaningless outputs, but the KV cache llama.cpp allocates depends only on the
// hyper-parameters, which is what these files exist to vary.
import { fileBytes, ggml, gguf, v } from '../model/ggufFixture';
import type { Encoded, TensorSpec } from '../model/ggufFixture';

/** The architectures the real-llama.cpp test covers. */
export type TinyArch = 'llama' | 'qwen3' | 'gemma3' | 'gpt-oss' | 'deepseek2' | 'deepseek2-nomla';

/** Shapes shared by the tiny models: 4 query heads, 2 KV heads of 32 (rows of 64, whole q8_0 blocks). */
export const tiny = { embd: 64, heads: 4, kvHeads: 2, headDim: 32, ff: 128, vocab: 288, ctxTrain: 8192 } as const;

function spmToken(i: number): string {
  if (i === 0) return '<unk>';
  if (i === 1) return '<s>';
  if (i === 2) return '</s>';
  if (i < 259) return `<0x${(i - 3).toString(16).toUpperCase().padStart(2, '0')}>`;
  return `▁t${i}`;
}

const f32 = (name: string, dims: readonly number[]): TensorSpec => ({
  name,
  dims,
  ggmlType: ggml.F32,
  bytes: 4 * dims.reduce((a, b) => a * b, 1),
});

/** The GGUF bytes and the layer count of one tiny model. */
export function tinyGguf(arch: TinyArch, layers: number): Buffer {
  const { embd, heads, kvHeads, headDim, ff, vocab, ctxTrain } = tiny;
  const ggufArch = arch === 'deepseek2-nomla' ? 'deepseek2' : arch;
  const k = (suffix: string): string => `${ggufArch}.${suffix}`;
  const kv: [string, Encoded][] = [
    ['general.architecture', v.str(ggufArch)],
    ['general.name', v.str(`tiny-${arch}`)],
    [k('block_count'), v.u32(layers)],
    [k('context_length'), v.u32(ctxTrain)],
    [k('embedding_length'), v.u32(embd)],
    [k('feed_forward_length'), v.u32(ff)],
    [k('attention.head_count'), v.u32(heads)],
    [k('attention.head_count_kv'), v.u32(kvHeads)],
    [k('attention.layer_norm_rms_epsilon'), v.f32(1e-6)],
    [k('vocab_size'), v.u32(vocab)],
    // A minimal SentencePiece vocabulary: node-llama-cpp tokenizes while creating a context, so "none" will not do.
    ['tokenizer.ggml.model', v.str('llama')],
    // <unk>, <s>, </s>, the 256 byte tokens llama.cpp looks up (e.g. <0x0A>), then plain pieces.
    [
      'tokenizer.ggml.tokens',
      v.arr(
        'string',
        Array.from({ length: vocab }, (_, i) => spmToken(i)),
      ),
    ],
    [
      'tokenizer.ggml.scores',
      v.arr(
        'float32',
        Array.from({ length: vocab }, (_, i) => -i),
      ),
    ],
    [
      'tokenizer.ggml.token_type',
      v.arr(
        'int32',
        Array.from({ length: vocab }, (_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1)),
      ),
    ],
    ['tokenizer.ggml.bos_token_id', v.u32(1)],
    ['tokenizer.ggml.eos_token_id', v.u32(2)],
    ['tokenizer.ggml.unknown_token_id', v.u32(0)],
  ];
  const tensors: TensorSpec[] = [
    f32('token_embd.weight', [embd, vocab]),
    f32('output_norm.weight', [embd]),
    f32('output.weight', [embd, vocab]),
  ];
  const qkv = (i: number, qDim: number, kvDim: number): void => {
    tensors.push(
      f32(`blk.${i}.attn_q.weight`, [embd, qDim]),
      f32(`blk.${i}.attn_k.weight`, [embd, kvDim]),
      f32(`blk.${i}.attn_v.weight`, [embd, kvDim]),
    );
    tensors.push(f32(`blk.${i}.attn_output.weight`, [qDim, embd]));
  };
  const denseFfn = (i: number): void => {
    tensors.push(
      f32(`blk.${i}.ffn_norm.weight`, [embd]),
      f32(`blk.${i}.ffn_gate.weight`, [embd, ff]),
      f32(`blk.${i}.ffn_down.weight`, [ff, embd]),
      f32(`blk.${i}.ffn_up.weight`, [embd, ff]),
    );
  };

  switch (arch) {
    case 'llama':
    case 'qwen3':
      kv.push(
        [k('attention.key_length'), v.u32(headDim)],
        [k('attention.value_length'), v.u32(headDim)],
        [k('rope.dimension_count'), v.u32(headDim)],
      );
      for (let i = 0; i < layers; i++) {
        tensors.push(f32(`blk.${i}.attn_norm.weight`, [embd]));
        qkv(i, heads * headDim, kvHeads * headDim);
        if (arch === 'qwen3') tensors.push(f32(`blk.${i}.attn_q_norm.weight`, [headDim]), f32(`blk.${i}.attn_k_norm.weight`, [headDim]));
        denseFfn(i);
      }
      break;
    case 'gemma3':
      // Sliding window 128 on five layers of every six (llama.cpp's gemma3 default period 6).
      kv.push(
        [k('attention.key_length'), v.u32(headDim)],
        [k('attention.value_length'), v.u32(headDim)],
        [k('attention.sliding_window'), v.u32(128)],
      );
      for (let i = 0; i < layers; i++) {
        tensors.push(f32(`blk.${i}.attn_norm.weight`, [embd]));
        qkv(i, heads * headDim, kvHeads * headDim);
        tensors.push(f32(`blk.${i}.attn_q_norm.weight`, [headDim]), f32(`blk.${i}.attn_k_norm.weight`, [headDim]));
        tensors.push(f32(`blk.${i}.post_attention_norm.weight`, [embd]), f32(`blk.${i}.post_ffw_norm.weight`, [embd]));
        denseFfn(i);
      }
      break;
    case 'gpt-oss': {
      // Alternating sliding(64)/full layers (period 2), 4 experts of which 2 are used.
      const experts = 4;
      kv.push(
        [k('attention.key_length'), v.u32(headDim)],
        [k('attention.value_length'), v.u32(headDim)],
        [k('rope.dimension_count'), v.u32(headDim)],
        [k('attention.sliding_window'), v.u32(64)],
        [k('expert_count'), v.u32(experts)],
        [k('expert_used_count'), v.u32(2)],
        [k('expert_feed_forward_length'), v.u32(ff)],
      );
      for (let i = 0; i < layers; i++) {
        tensors.push(f32(`blk.${i}.attn_norm.weight`, [embd]), f32(`blk.${i}.post_attention_norm.weight`, [embd]));
        qkv(i, heads * headDim, kvHeads * headDim);
        tensors.push(f32(`blk.${i}.attn_output.bias`, [embd]), f32(`blk.${i}.attn_sinks.weight`, [heads]));
        tensors.push(f32(`blk.${i}.ffn_gate_inp.weight`, [embd, experts]), f32(`blk.${i}.ffn_gate_inp.bias`, [experts]));
        tensors.push(f32(`blk.${i}.ffn_gate_exps.weight`, [embd, ff, experts]), f32(`blk.${i}.ffn_gate_exps.bias`, [ff, experts]));
        tensors.push(f32(`blk.${i}.ffn_down_exps.weight`, [ff, embd, experts]), f32(`blk.${i}.ffn_down_exps.bias`, [embd, experts]));
        tensors.push(f32(`blk.${i}.ffn_up_exps.weight`, [embd, ff, experts]), f32(`blk.${i}.ffn_up_exps.bias`, [ff, experts]));
      }
      break;
    }
    case 'deepseek2':
    case 'deepseek2-nomla': {
      // MLA: kv_lora_rank 64, rope 32, nope 32, v 32; every layer dense (leading_dense_block_count = layers).
      const kvLora = 64;
      const qLora = 64;
      const rope = 32;
      const nope = 32;
      const vDim = 32;
      const mla = arch === 'deepseek2';
      kv.push(
        [k('attention.kv_lora_rank'), v.u32(kvLora)],
        [k('attention.q_lora_rank'), v.u32(qLora)],
        [k('rope.dimension_count'), v.u32(rope)],
        [k('leading_dense_block_count'), v.u32(layers)],
        [k('expert_feed_forward_length'), v.u32(ff)],
        [k('expert_shared_count'), v.u32(1)],
        [k('expert_count'), v.u32(4)],
        [k('expert_used_count'), v.u32(2)],
      );
      if (mla) {
        // The MLA layout: one latent "KV head" of kv_lora_rank + rope, with the per-head sizes in *_mla.
        kv.push(
          [k('attention.key_length'), v.u32(kvLora + rope)],
          [k('attention.value_length'), v.u32(kvLora)],
          [k('attention.key_length_mla'), v.u32(nope + rope)],
          [k('attention.value_length_mla'), v.u32(vDim)],
        );
        kv.splice(
          kv.findIndex(([key]) => key === k('attention.head_count_kv')),
          1,
          [k('attention.head_count_kv'), v.u32(1)],
        );
      } else {
        kv.push([k('attention.key_length'), v.u32(nope + rope)], [k('attention.value_length'), v.u32(vDim)]);
        kv.splice(
          kv.findIndex(([key]) => key === k('attention.head_count_kv')),
          1,
          [k('attention.head_count_kv'), v.u32(heads)],
        );
      }
      for (let i = 0; i < layers; i++) {
        tensors.push(
          f32(`blk.${i}.attn_norm.weight`, [embd]),
          f32(`blk.${i}.attn_q_a_norm.weight`, [qLora]),
          f32(`blk.${i}.attn_kv_a_norm.weight`, [kvLora]),
        );
        tensors.push(f32(`blk.${i}.attn_q_a.weight`, [embd, qLora]), f32(`blk.${i}.attn_q_b.weight`, [qLora, heads * (nope + rope)]));
        tensors.push(f32(`blk.${i}.attn_kv_a_mqa.weight`, [embd, kvLora + rope]));
        if (mla) {
          tensors.push(f32(`blk.${i}.attn_k_b.weight`, [nope, kvLora, heads]), f32(`blk.${i}.attn_v_b.weight`, [kvLora, vDim, heads]));
        } else tensors.push(f32(`blk.${i}.attn_kv_b.weight`, [kvLora, heads * (nope + vDim)]));
        tensors.push(f32(`blk.${i}.attn_output.weight`, [heads * vDim, embd]));
        denseFfn(i);
      }
      break;
    }
  }
  return fileBytes(gguf(kv, tensors));
}
