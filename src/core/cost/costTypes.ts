import type { ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';

export type WeightDtype = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';
export type KvDtype = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';

/** Everything an estimate depends on. Token count T = promptTokens + reserveOutputTokens. */
export interface CostInput {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly gpuCount: number;
  readonly promptTokens: number;
  readonly reserveOutputTokens: number;
  readonly weightDtype: WeightDtype;
  readonly kvDtype: KvDtype;
  /** Concurrent sequences sharing the GPUs (KV cache scales with it). */
  readonly batchSize: number;
  /** Fraction of GPU memory usable for weights + KV (vLLM's gpu_memory_utilization), default 0.9. */
  readonly memoryUtilization: number;
  /** Achieved / peak FLOP/s during prefill; an explicit assumption. */
  readonly computeEfficiency: number;
  /** Achieved / peak bandwidth during decode; an explicit assumption. */
  readonly memoryEfficiency: number;
}

/** Full-precision results; presenters round and label. */
export interface CostBreakdown {
  readonly tokens: number;
  readonly kvCacheBytes: number;
  readonly kvBytesPerToken: number;
  readonly weightsBytes: number;
  readonly totalBytes: number;
  /** Usable memory across all GPUs: gpuCount × memory × utilization. */
  readonly usableMemoryBytes: number;
  readonly fits: boolean;
  /** Largest T for which weights + KV fit (memory-limited, independent of the model's window); 0 when weights alone do not fit. */
  readonly maxContextTokens: number;
  readonly prefillFlops: { readonly linear: number; readonly attention: number; readonly total: number };
  /** Attention's share of prefill FLOPs (0 for an empty prompt): computed once, shown everywhere. */
  readonly attentionShare: number;
  readonly prefillSeconds: number;
  readonly decodeSecondsPerToken: number;
}
