export interface GpuSpec {
  readonly id: string;
  readonly name: string;
  /**
   * Memory per device in bytes: what the driver reports (`nvidia-smi` memory.total, MiB × 2^20) where
   * a real output is cited in `sources`, else the marketing GB × 1e9 (and `memoryBytes` is listed in
   * `estimatedFields`).
   */
  readonly memoryBytes: number;
  /** The marketing capacity in GB (1e9 bytes), e.g. 80 for "H100 80GB": kept for the name, not for arithmetic. */
  readonly marketingMemoryGb?: number;
  /**
   * Total memory as CUDA reports it to PyTorch (`torch.cuda.mem_get_info`), which vLLM multiplies by
   * gpu_memory_utilization; slightly below nvidia-smi's total. Only where a real log gives it.
   */
  readonly cudaTotalBytes?: number;
  /** Peak memory bandwidth per device, bytes/s. */
  readonly bandwidthBytesPerSec: number;
  /** Dense (no 2:4 sparsity) bf16/fp16 peak, FLOP/s. */
  readonly bf16FlopsPerSec: number;
  /** Dense fp8 peak, FLOP/s, when the device has fp8 tensor cores. */
  readonly fp8FlopsPerSec?: number;
  /** Measured achievable matmul FLOP/s (MAMF) when published; sets the default compute efficiency. */
  readonly measuredBf16FlopsPerSec?: number;
  /**
   * Fields holding an estimate rather than a sourced figure (explained in `notes`), so presenters can
   * mark them as approximate. Absent when every number is sourced.
   */
  readonly estimatedFields?: readonly GpuEstimatedField[];
  readonly sources: readonly string[];
  /** Caveats carried over from the reference: alternative figures, derivations, confidence, estimates. */
  readonly notes?: readonly string[];
}

/** The numeric {@link GpuSpec} fields that may be estimated. */
export type GpuEstimatedField = 'memoryBytes' | 'bandwidthBytesPerSec' | 'bf16FlopsPerSec' | 'fp8FlopsPerSec' | 'measuredBf16FlopsPerSec';
