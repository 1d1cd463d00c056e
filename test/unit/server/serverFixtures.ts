// What each server answers, for the live-check tests. Where each response comes from:
// - llama-server: captured from the real llama-server (llama.cpp v0.4.0 source that node-llama-cpp
//   3.21.1 ships, built by scripts/installLlamaServer.mjs) started with `-m tiny-llama.gguf -c 2048 -np 2`:
//   test/fixtures/servers/llama-server-{props,slots,models}.json, byte for byte.
// - Ollama: the examples in its own API reference, ollama/ollama@b7871fc0d1d82fe109536efa3e0e8e411c766c75:
//   docs/openapi.yaml (/api/ps with context_length; /api/show with parameters "temperature 0.7\nnum_ctx 2048")
//   and docs/api.md (the older /api/ps example without context_length; /api/show for llava without num_ctx).
// - vLLM: no running vLLM here (it needs a GPU); the answers are built field by field from its own
//   definitions: ModelCard (vllm-project/vllm@040a2cc2a6295ea9c313d86526ff90a103eacb3e:
//   vllm/entrypoints/openai/engine/protocol.py) and the vllm:cache_config_info gauge, whose labels
//   are CacheConfig.metrics_info() = every CacheConfig field as a string (vllm/v1/metrics/loggers.py,
//   vllm-project/vllm@002f10e0cfa1373a19a0d2756598a34b700d20e5:vllm/config/cache.py).
// - SGLang: likewise from ModelCard (sgl-project/sglang@9b116dffe828b2dfa7ec0e4d061555b6c354b67a:
//   python/sglang/srt/entrypoints/openai/protocol.py) and the sglang:max_total_num_tokens gauge
//   (sgl-project/sglang@00ae9c1590d2d0bb6c0bfff39e312c34ae3dd538:python/sglang/srt/metrics/collector.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'servers');

/** The captured llama-server answers (n_ctx 1,024 per slot, 2 slots, n_ctx_train 8,192). */
export const llamaServer = {
  props: readFileSync(join(fixtures, 'llama-server-props.json'), 'utf8'),
  slots: readFileSync(join(fixtures, 'llama-server-slots.json'), 'utf8'),
  models: readFileSync(join(fixtures, 'llama-server-models.json'), 'utf8'),
};

/** llama-server's 404 body (server-http.cpp: "File Not Found", captured). */
export const llamaServerNotFound = '{"error":{"message":"File Not Found","type":"not_found_error","code":404}}';

/** docs/openapi.yaml `/api/ps` example. */
export const ollamaPs = JSON.stringify({
  models: [
    {
      name: 'gemma4',
      model: 'gemma4',
      size: 6591830464,
      digest: 'c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'gemma4',
        families: ['gemma4'],
        parameter_size: '8.0B',
        quantization_level: 'Q4_K_M',
      },
      expires_at: '2025-10-17T16:47:07.93355-07:00',
      size_vram: 5333539264,
      context_length: 4096,
    },
  ],
});

/** docs/openapi.yaml `/api/show` example (model_info shortened to the keys read, plus a few others). */
export const ollamaShow = JSON.stringify({
  parameters: 'temperature 0.7\nnum_ctx 2048',
  license: 'Gemma Terms of Use \n\nLast modified: February 21, 2024...',
  capabilities: ['completion', 'vision'],
  modified_at: '2025-08-14T15:49:43.634137516-07:00',
  details: {
    parent_model: '',
    format: 'gguf',
    family: 'gemma4',
    families: ['gemma4'],
    parameter_size: '8.0B',
    quantization_level: 'Q4_K_M',
  },
  model_info: {
    'gemma4.attention.head_count': 8,
    'gemma4.attention.head_count_kv': 2,
    'gemma4.attention.sliding_window': 512,
    'gemma4.block_count': 42,
    'gemma4.context_length': 131072,
    'gemma4.embedding_length': 2560,
    'general.architecture': 'gemma4',
    'general.file_type': 15,
  },
});

/** docs/api.md `/api/ps` example: an Ollama that does not report context_length. */
export const ollamaPsOld = JSON.stringify({
  models: [
    {
      name: 'mistral:latest',
      model: 'mistral:latest',
      size: 5137025024,
      digest: '2ae6f6dd7a3dd734790bbbf58b8909a606e0e7e97e94b7604e0aa7ae4490e6d8',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '7.2B',
        quantization_level: 'Q4_0',
      },
      expires_at: '2024-06-04T14:38:31.83753-07:00',
      size_vram: 5137025024,
    },
  ],
});

/** docs/api.md `/api/show` example (llava): parameters without num_ctx, llama.context_length 8192. */
export const ollamaShowOld = JSON.stringify({
  parameters:
    'num_keep                       24\nstop                           "<|start_header_id|>"\nstop                           "<|end_header_id|>"\nstop                           "<|eot_id|>"',
  details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8.0B', quantization_level: 'Q4_0' },
  model_info: { 'general.architecture': 'llama', 'llama.context_length': 8192, 'llama.block_count': 32 },
  capabilities: ['completion', 'vision'],
});

/** vLLM's /v1/models: a ModelList of one ModelCard. */
export const vllmModels = JSON.stringify({
  object: 'list',
  data: [
    {
      id: 'meta-llama/Llama-3.1-8B-Instruct',
      object: 'model',
      created: 1764432000,
      owned_by: 'vllm',
      root: 'meta-llama/Llama-3.1-8B-Instruct',
      parent: null,
      max_model_len: 32768,
      permission: [
        {
          id: 'modelperm-0',
          object: 'model_permission',
          created: 1764432000,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: '*',
          group: null,
          is_blocking: false,
        },
      ],
    },
  ],
});

/** A vLLM /metrics page: the cache_config_info gauge among other series (label values are str() of each CacheConfig field). */
export const vllmMetrics = [
  '# HELP vllm:num_requests_running Number of requests in model execution batches.',
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0',
  '# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig',
  '# TYPE vllm:cache_config_info gauge',
  'vllm:cache_config_info{block_size="16",cache_dtype="auto",enable_prefix_caching="True",engine="0",gpu_memory_utilization="0.9",is_attention_free="False",' +
    'kv_cache_memory_bytes="None",num_cpu_blocks="None",num_gpu_blocks="27910",num_gpu_blocks_override="None",prefix_caching_hash_algo="sha256",sliding_window="None"} 1.0',
  '# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.',
  '# TYPE vllm:time_to_first_token_seconds histogram',
  'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0',
  'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0',
  '',
].join('\n');

/** SGLang's /v1/models. */
export const sglangModels = JSON.stringify({
  object: 'list',
  data: [
    {
      id: 'Qwen/Qwen3-8B',
      object: 'model',
      created: 1764432000,
      owned_by: 'sglang',
      root: 'Qwen/Qwen3-8B',
      parent: null,
      max_model_len: 40960,
    },
  ],
});

/** An SGLang /metrics page (--enable-metrics): the KV pool gauge per TP rank. */
export const sglangMetrics = [
  '# HELP sglang:max_total_num_tokens Maximum total number of tokens in the KV cache pool.',
  '# TYPE sglang:max_total_num_tokens gauge',
  'sglang:max_total_num_tokens{model_name="Qwen/Qwen3-8B",tp_rank="0"} 471258.0',
  'sglang:max_total_num_tokens{model_name="Qwen/Qwen3-8B",tp_rank="1"} 471258.0',
  '# HELP sglang:num_used_tokens The number of used tokens.',
  '# TYPE sglang:num_used_tokens gauge',
  'sglang:num_used_tokens{model_name="Qwen/Qwen3-8B",tp_rank="0"} 0.0',
  '',
].join('\n');
