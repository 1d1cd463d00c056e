import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CountCache, countCacheKey } from '../core/tokenizer/countCache';
import type { EncodingName } from '../core/tokenizer/encoding';
import type { TokenizerRequest, TokenizerResponse, WorkerOutcome } from '../worker/tokenizerProtocol';

/** Result of one count request. Cancellation is not an outcome: the promise rejects with an AbortError. */
export type CountOutcome =
  | {
      readonly kind: 'counted';
      readonly tokens: number;
      /** Size of the input: file bytes (BOM included) or the UTF-8 length of the text. */
      readonly bytes: number;
      readonly hadUtf8Bom: boolean;
      readonly invalidUtf8Sequences: number;
      readonly secretHints: readonly string[];
      /** Hex SHA-1 of the file bytes, or of the text's UTF-8 encoding. */
      readonly contentHash: string;
      /** True when the count came from the cache and no worker ran. */
      readonly cached: boolean;
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** Options of {@link TokenizerPool}. */
export interface TokenizerPoolOptions {
  /** Absolute path of the compiled worker: `dist/tokenizerWorker.js`, or `out/src/worker/tokenizerWorker.js` under tsc. */
  readonly workerScript: string;
  /** Worker threads, default max(1, min(4, availableParallelism() − 1)). */
  readonly size?: number;
  /** Count-cache entries, default 4096. */
  readonly cacheEntries?: number;
}

/** Counters for tests and benchmarks. */
export interface TokenizerPoolStats {
  /** countBytes + countText calls. */
  readonly requests: number;
  /** Requests answered from the cache. */
  readonly cacheHits: number;
  /** Requests a worker finished (decoded and counted, or found binary). */
  readonly tokenizations: number;
  /** Workers that died unexpectedly. */
  readonly workerCrashes: number;
  /** Workers terminated to cancel a running request. */
  readonly workersTerminated: number;
}

interface Job {
  readonly request: TokenizerRequest;
  readonly transfer: ArrayBuffer[];
  readonly cacheKey: string;
  readonly contentHash: string;
  readonly resolve: (outcome: CountOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** At least {@link largeJobBytes}: may take seconds (a minified bundle, a log). */
  readonly large: boolean;
}

/**
 * Inputs this big (bytes, or UTF-16 units of text) count as large. While every worker is busy with a
 * large job, one extra worker takes the small jobs queued behind it, so a 5 MB file never holds up a
 * 2 KB one (on 2 cores the pool has a single worker).
 */
export const largeJobBytes = 512 * 1024;

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

/**
 * Counts tokens in `worker_threads` so the caller's thread never blocks. Content is hashed on the
 * caller's thread and looked up in an LRU before anything is dispatched; decoding and counting run in
 * a worker. Requests queue FIFO when all workers are busy. Cancelling a queued request drops it;
 * cancelling a running one terminates its worker (a BPE run cannot be interrupted) and a fresh
 * worker is started for the next request. A crashed worker fails only its own request. While all
 * workers run large jobs, one overflow worker serves small ones, and it ends when no large job remains.
 */
export class TokenizerPool {
  private readonly workerScript: string;
  private readonly size: number;
  private readonly cache: CountCache<WorkerOutcome>;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;
  private counters = { requests: 0, cacheHits: 0, tokenizations: 0, workerCrashes: 0, workersTerminated: 0 };

  constructor(options: TokenizerPoolOptions) {
    this.workerScript = options.workerScript;
    this.size = Math.max(1, Math.floor(options.size ?? Math.min(4, availableParallelism() - 1)));
    this.cache = new CountCache(options.cacheEntries ?? 4096);
  }

  /**
   * Decodes `bytes` as a file (see `decodeFileBytes`) and counts its tokens. When `bytes` spans its
   * whole ArrayBuffer the buffer is transferred to the worker, which detaches it: do not use `bytes`
   * after calling this. Views into a larger (e.g. pooled Buffer) allocation are copied instead.
   */
  countBytes(bytes: Uint8Array, encoding: EncodingName, signal?: AbortSignal): Promise<CountOutcome> {
    const contentHash = createHash('sha1').update(bytes).digest('hex');
    const transferable =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    return this.submit(
      countCacheKey(encoding, 'bytes', contentHash),
      contentHash,
      (id) => ({ id, kind: 'bytes', encoding, bytes }),
      transferable ? [bytes.buffer] : [],
      signal,
    );
  }

  /** Counts already-decoded text (no BOM stripping, no binary detection). */
  countText(text: string, encoding: EncodingName, signal?: AbortSignal): Promise<CountOutcome> {
    const contentHash = createHash('sha1').update(text, 'utf8').digest('hex');
    return this.submit(countCacheKey(encoding, 'text', contentHash), contentHash, (id) => ({ id, kind: 'text', encoding, text }), [], signal);
  }

  /** A snapshot of the counters. */
  stats(): TokenizerPoolStats {
    return { ...this.counters };
  }

  /** Rejects pending requests with an AbortError and terminates every worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const job of this.queue.splice(0)) this.settle(job, () => job.reject(abortError('tokenizer pool disposed')));
    const workers = this.slots.splice(0).map((slot) => {
      if (slot.job !== undefined) {
        const job = slot.job;
        this.settle(job, () => job.reject(abortError('tokenizer pool disposed')));
      }
      return slot.worker.terminate();
    });
    await Promise.all(workers);
  }

  private submit(
    cacheKey: string,
    contentHash: string,
    makeRequest: (id: number) => TokenizerRequest,
    transfer: ArrayBuffer[],
    signal: AbortSignal | undefined,
  ): Promise<CountOutcome> {
    this.counters.requests++;
    if (this.disposed) return Promise.reject(new Error('tokenizer pool is disposed'));
    if (signal?.aborted === true) return Promise.reject(abortError());
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.counters.cacheHits++;
      return Promise.resolve(toCountOutcome(cached, contentHash, true));
    }
    return new Promise<CountOutcome>((resolve, reject) => {
      const request = makeRequest(this.nextId++);
      const size = request.kind === 'bytes' ? request.bytes.byteLength : request.text.length;
      const job: Job = { request, transfer, cacheKey, contentHash, resolve, reject, signal, onAbort: undefined, large: size >= largeJobBytes };
      if (signal !== undefined) {
        job.onAbort = () => this.cancel(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Starts queued jobs on idle workers, spawning workers up to `size`. */
  private pump(): void {
    while (this.queue.length > 0 && !this.disposed) {
      let slot = this.slots.find((candidate) => candidate.job === undefined);
      let index = 0;
      if (slot === undefined) {
        if (this.slots.length < this.size) {
          slot = this.spawn();
        } else {
          // Every worker is busy. Only when all of them run large jobs does the first small queued job get an overflow worker.
          const allLarge = this.slots.every((candidate) => candidate.job?.large === true);
          index = this.queue.findIndex((job) => !job.large);
          if (!allLarge || index < 0 || this.slots.length > this.size) return;
          slot = this.spawn();
        }
      } else if (this.slots.length > this.size) {
        // The idle slot is the overflow worker: it takes only small jobs.
        index = this.queue.findIndex((job) => !job.large);
        if (index < 0) return;
      }
      const job = this.queue.splice(index, 1)[0]!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerScript);
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (response: TokenizerResponse) => this.onResponse(slot, response));
    // 'error' (uncaught exception) is followed by 'exit'; handle the death once, on 'exit'.
    let crashDetail = '';
    worker.on('error', (error) => {
      crashDetail = `: ${error.name}: ${error.message}`;
    });
    worker.on('exit', (code) => this.onExit(slot, `tokenizer worker exited with code ${code}${crashDetail}`));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private onResponse(slot: Slot, response: TokenizerResponse): void {
    const job = slot.job;
    if (job === undefined || job.request.id !== response.id) return;
    slot.job = undefined;
    slot.worker.unref();
    this.counters.tokenizations++;
    this.retireOverflow();
    if ('error' in response) {
      this.settle(job, () => job.reject(new Error(`token counting failed: ${response.error}`)));
    } else {
      this.cache.set(job.cacheKey, response.outcome);
      this.settle(job, () => job.resolve(toCountOutcome(response.outcome, job.contentHash, false)));
    }
    this.pump();
  }

  /** Ends idle workers beyond `size` once no large job is running: the overflow worker is temporary. */
  private retireOverflow(): void {
    if (this.slots.length <= this.size || this.slots.some((slot) => slot.job?.large === true)) return;
    for (const slot of this.slots.filter((candidate) => candidate.job === undefined).slice(0, this.slots.length - this.size)) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }
  }

  /** A worker died. If it was not terminated by us, its job fails and a replacement is spawned on demand. */
  private onExit(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // Already removed: terminated by cancel() or dispose().
    this.slots.splice(index, 1);
    this.counters.workerCrashes++;
    const job = slot.job;
    if (job !== undefined) this.settle(job, () => job.reject(new Error(message)));
    this.pump();
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else {
      const slot = this.slots.find((candidate) => candidate.job === job);
      if (slot === undefined) return; // Already settled.
      // A running BPE merge cannot be interrupted from outside, so the worker goes.
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.counters.workersTerminated++;
      void slot.worker.terminate();
    }
    this.settle(job, () => job.reject(abortError()));
    this.pump();
  }

  private settle(job: Job, finish: () => void): void {
    if (job.onAbort !== undefined) job.signal?.removeEventListener('abort', job.onAbort);
    finish();
  }
}

function toCountOutcome(outcome: WorkerOutcome, contentHash: string, cached: boolean): CountOutcome {
  return outcome.kind === 'counted' ? { ...outcome, contentHash, cached } : outcome;
}

function abortError(message = 'token counting was cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}
