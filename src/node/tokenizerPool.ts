import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CountCache, countCacheKey } from '../core/tokenizer/countCache';
import { isEncodingName } from '../core/tokenizer/encoding';
import {
  ggufTokenizerId,
  hfTokenizerId,
  isRegisteredTokenizerId,
  type RegisteredTokenizerId,
  type TokenizerId,
} from '../core/tokenizer/tokenizerId';
import type { PersistentCountStore } from './diskCountStore';
import { nodeCrypto, nodeWorkerThreads } from './lazyBuiltins';
import type {
  TemplateOverheadAnswer,
  TokenizerDataMessage,
  TokenizerDescription,
  TokenizerFailure,
  TokenizerRequest,
  TokenizerResponse,
  WorkerOutcome,
} from '../worker/tokenizerProtocol';

export type { TemplateOverheadAnswer, TokenizerDescription, TokenizerFailure } from '../worker/tokenizerProtocol';

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
      /** Hex SHA-256 of the file bytes, or of the text's UTF-8 encoding. */
      readonly contentHash: string;
      /** True when the count came from a cache (this process's, or the persistent one) and no worker ran. */
      readonly cached: boolean;
    }
  | { readonly kind: 'skipped'; readonly reason: string; readonly contentHash?: string };

/** Options of {@link TokenizerPool}. */
export interface TokenizerPoolOptions {
  /** Absolute path of the compiled worker: `dist/tokenizerWorker.js`, or `out/src/worker/tokenizerWorker.js` under tsc. */
  readonly workerScript: string;
  /** Worker threads, default max(1, min(4, availableParallelism() − 1)). */
  readonly size?: number;
  /** Count-cache entries, default 4096. */
  readonly cacheEntries?: number;
  /** Largest tokenizer.json accepted by {@link TokenizerPool.registerHfTokenizer}, default {@link maxTokenizerJsonBytes}. */
  readonly maxTokenizerBytes?: number;
  /**
   * The persistent count cache shared across runs and processes (src/node/diskCountStore.ts):
   * looked up after this process's own cache misses, and told every fresh count.
   */
  readonly store?: PersistentCountStore;
  /**
   * Whether an extra worker serves small jobs while every worker runs a large one (default true: the
   * extension, where a 2 KB edit must not wait behind a 5 MB bundle). A batch run (the CLI) turns it
   * off: it only wants throughput, and on 2 cores each extra worker costs a start (the ranks are
   * parsed again, about 0.5 s of CPU) and competes for the cores the others use.
   */
  readonly overflowWorker?: boolean;
  /** How long an idle overflow worker is kept for the next run of large jobs, default {@link overflowIdleMs}. */
  readonly overflowIdleMs?: number;
}

/**
 * An overflow worker that has nothing to do is ended after this long: a folder with many large files
 * would otherwise start (and pay the start-up of) a new one for each of them.
 */
export const overflowIdleMs = 10_000;

/**
 * Default cap on a tokenizer.json: Gemma 3's, the largest of the common ones, is 33 MB. Above it the
 * file is refused with a message before any worker parses it.
 */
export const maxTokenizerJsonBytes = 256 * 1024 * 1024;

/** Bytes copied and hashed per turn of the event loop when a tokenizer.json is registered (a few ms each). */
const registerSliceBytes = 2 * 1024 * 1024;

/**
 * A tokenizer.json or GGUF vocabulary that cannot be used: malformed, unsupported, too large, or
 * unreadable. Every request naming it rejects with this error, parsed at most once per worker;
 * callers fall back to the counting encoding and label the count an estimate, naming
 * {@link failure}'s path (a JSON path, or a GGUF key).
 */
export class TokenizerUnavailableError extends Error {
  constructor(
    /** The id, or undefined when the file was refused before it got one (over the size cap). */
    readonly tokenizer: TokenizerId | undefined,
    readonly failure: TokenizerFailure,
    /** What the file is, when there is no id to tell (default: from the id, else tokenizer.json). */
    format?: TokenizerFormat,
  ) {
    const what =
      (format ?? (tokenizer?.startsWith('gguf:') === true ? 'gguf' : 'tokenizer.json')) === 'gguf' ? 'GGUF vocabulary' : 'tokenizer.json';
    super(`${what} ${failure.path === '' ? failure.detail : `${failure.path}: ${failure.detail}`}`);
    this.name = 'TokenizerUnavailableError';
  }
}

/** The kinds of tokenizer file {@link TokenizerPool.registerTokenizer} takes. */
export type TokenizerFormat = 'tokenizer.json' | 'gguf';

/** Counters for tests and benchmarks. */
export interface TokenizerPoolStats {
  /** countBytes + countText calls. */
  readonly requests: number;
  /** Requests answered from a cache (this process's or the persistent one). */
  readonly cacheHits: number;
  /** Of those, requests answered from the persistent cache: counts an earlier run or another process made. */
  readonly persistentHits: number;
  /** Requests a worker finished (decoded and counted, or found binary). */
  readonly tokenizations: number;
  /** Workers that died unexpectedly. */
  readonly workerCrashes: number;
  /** Workers terminated to cancel a running request. */
  readonly workersTerminated: number;
  /** tokenizer.json data messages posted to workers (at most one per worker and tokenizer). */
  readonly tokenizersSent: number;
  /** Worker threads started (each parses its tokenizer's ranks again). */
  readonly workersStarted: number;
}

interface Job {
  readonly request: TokenizerRequest;
  readonly transfer: ArrayBuffer[];
  /** Empty for `describe` and `templateOverhead` requests, which are not cached here. */
  readonly cacheKey: string;
  readonly contentHash: string;
  /** What was hashed, for the persistent cache; undefined for `describe` and `templateOverhead`. */
  readonly source: 'bytes' | 'text' | undefined;
  readonly resolve: (outcome: CountOutcome | TokenizerDescription | TemplateOverheadAnswer) => void;
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
  /** Registered tokenizer ids whose bytes this worker has been sent. */
  readonly tokenizersSent: Set<string>;
  /** The extra worker for small jobs while every other runs a large one (see {@link largeJobBytes}). */
  readonly overflow: boolean;
}

/** A registered tokenizer: its bytes in shared memory and a display name. */
interface RegisteredTokenizerData {
  readonly data: SharedArrayBuffer;
  readonly name: string | undefined;
}

/**
 * Counts tokens in `worker_threads` so the caller's thread never blocks. Content is hashed on the
 * caller's thread and looked up in an LRU before anything is dispatched; decoding and counting run in
 * a worker. Requests queue FIFO when all workers are busy. Cancelling a queued request drops it;
 * cancelling a running one terminates its worker (a BPE run cannot be interrupted) and a fresh
 * worker is started for the next request. A crashed worker fails only its own request. While all
 * workers run large jobs, one overflow worker serves small ones, and it ends when no large job remains.
 *
 * Requests name their tokenizer by id: an encoding, or a tokenizer.json registered with
 * {@link registerHfTokenizer} (`hf:<sha256>`). Its bytes reach each worker once, lazily, before the
 * first request that needs them; the worker parses them on first use and keeps the result. A
 * tokenizer.json that fails to parse fails every request naming it with one
 * {@link TokenizerUnavailableError}, and is not sent to another worker again.
 */
export class TokenizerPool {
  private readonly workerScript: string;
  private readonly size: number;
  private readonly cache: CountCache<WorkerOutcome>;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly registered = new Map<string, RegisteredTokenizerData>();
  private readonly failedTokenizers = new Map<string, TokenizerUnavailableError>();
  private readonly maxTokenizerBytes: number;
  private readonly store: PersistentCountStore | undefined;
  private readonly overflowWorker: boolean;
  private readonly overflowIdle: number;
  private overflowTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  private disposed = false;
  private counters = {
    requests: 0,
    cacheHits: 0,
    persistentHits: 0,
    tokenizations: 0,
    workerCrashes: 0,
    workersTerminated: 0,
    tokenizersSent: 0,
    workersStarted: 0,
  };

  constructor(options: TokenizerPoolOptions) {
    this.workerScript = options.workerScript;
    this.size = Math.max(1, Math.floor(options.size ?? Math.min(4, availableParallelism() - 1)));
    this.cache = new CountCache(options.cacheEntries ?? 4096);
    this.maxTokenizerBytes = options.maxTokenizerBytes ?? maxTokenizerJsonBytes;
    this.store = options.store;
    this.overflowWorker = options.overflowWorker ?? true;
    this.overflowIdle = options.overflowIdleMs ?? overflowIdleMs;
  }

  /**
   * Registers the bytes of a tokenizer.json and resolves to its id, `hf:<sha256 of the bytes>`. The
   * bytes are copied into shared memory and hashed in slices of {@link registerSliceBytes}, yielding
   * to the event loop between slices, and parsing happens in the workers, so even a 100 MB file
   * never blocks the caller's thread for long. Nothing is parsed yet: a malformed or unsupported file shows
   * on the first {@link describeTokenizer} or count, as a {@link TokenizerUnavailableError}. A file
   * above the size cap rejects here. Registering the same bytes again returns the same id.
   */
  async registerHfTokenizer(bytes: Uint8Array, name?: string): Promise<`hf:${string}`> {
    return (await this.registerTokenizer('tokenizer.json', bytes, name)) as `hf:${string}`;
  }

  /**
   * Registers a tokenizer.json, or the metadata bytes of a GGUF file (from byte 0 to the end of the
   * metadata: `GgufHeader.metadataBytes`), whose embedded vocabulary the workers then parse.
   * Resolves to `hf:<sha256>` or `gguf:<sha256>`; otherwise as {@link registerHfTokenizer}.
   */
  async registerTokenizer(format: TokenizerFormat, bytes: Uint8Array, name?: string): Promise<RegisteredTokenizerId> {
    if (this.disposed) throw new Error('tokenizer pool is disposed');
    if (bytes.byteLength > this.maxTokenizerBytes) {
      const megabytes = (size: number): string => `${(size / 1024 / 1024).toFixed(1)} MiB`;
      throw new TokenizerUnavailableError(
        undefined,
        {
          path: '',
          detail: `is ${megabytes(bytes.byteLength)}, over the ${megabytes(this.maxTokenizerBytes)} limit`,
          unsupported: false,
        },
        format,
      );
    }
    const data = new SharedArrayBuffer(bytes.byteLength);
    const shared = new Uint8Array(data);
    const hash = nodeCrypto().createHash('sha256');
    for (let offset = 0; offset < bytes.byteLength; offset += registerSliceBytes) {
      const slice = bytes.subarray(offset, offset + registerSliceBytes);
      shared.set(slice, offset);
      hash.update(slice);
      if (offset + registerSliceBytes < bytes.byteLength) await new Promise((resolve) => setImmediate(resolve));
    }
    const digest = hash.digest('hex');
    const id = format === 'gguf' ? ggufTokenizerId(digest) : hfTokenizerId(digest);
    if (!this.registered.has(id)) this.registered.set(id, { data, name });
    return id;
  }

  /**
   * Tokens the chat template adds to a one-message prompt, counted with `tokenizer` in a worker:
   * `config` is the tokenizer_config.json text for a tokenizer.json; a GGUF vocabulary uses its own
   * template. Rejects like a count when the tokenizer is unusable.
   */
  templateOverhead(tokenizer: TokenizerId, config?: string, signal?: AbortSignal): Promise<TemplateOverheadAnswer> {
    return this.submit(
      '',
      '',
      undefined,
      (id) => ({ id, kind: 'templateOverhead', tokenizer, ...(config === undefined ? {} : { config }) }),
      [],
      signal,
      tokenizer,
      0,
    ) as Promise<TemplateOverheadAnswer>;
  }

  /**
   * Parses the tokenizer in a worker (once) and describes it, e.g. "BPE, byte-level, 128,256 tokens".
   * Rejects with {@link TokenizerUnavailableError} naming the JSON path when it cannot be used.
   */
  describeTokenizer(tokenizer: TokenizerId, signal?: AbortSignal): Promise<TokenizerDescription> {
    return this.submit(
      '',
      '',
      undefined,
      (id) => ({ id, kind: 'describe', tokenizer }),
      [],
      signal,
      tokenizer,
      0,
    ) as Promise<TokenizerDescription>;
  }

  /**
   * Decodes `bytes` as a file (see `decodeFileBytes`) and counts its tokens. When `bytes` spans its
   * whole ArrayBuffer the buffer is transferred to the worker, which detaches it: do not use `bytes`
   * after calling this. Views into a larger (e.g. pooled Buffer) allocation are copied instead.
   */
  countBytes(bytes: Uint8Array, tokenizer: TokenizerId, signal?: AbortSignal): Promise<CountOutcome> {
    const contentHash = contentSha256(bytes);
    const transferable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    return this.submit(
      countCacheKey(tokenizer, 'bytes', contentHash),
      contentHash,
      'bytes',
      (id) => ({ id, kind: 'bytes', tokenizer, bytes }),
      transferable ? [bytes.buffer] : [],
      signal,
      tokenizer,
      bytes.byteLength,
    ) as Promise<CountOutcome>;
  }

  /**
   * The count of content known only by its SHA-256 (file bytes from the persistent cache's path index,
   * a cached parse's outline text), from this process's cache or the persistent one; undefined when
   * neither has it. Never tokenizes.
   */
  async countKnown(source: 'bytes' | 'text', contentHash: string, tokenizer: TokenizerId): Promise<CountOutcome | undefined> {
    if (this.disposed) return undefined;
    const cacheKey = countCacheKey(tokenizer, source, contentHash);
    let known = this.cache.get(cacheKey);
    let persistent = false;
    if (known === undefined && this.store !== undefined) {
      known = await this.store.lookup(tokenizer, source, contentHash).catch(() => undefined);
      persistent = known !== undefined;
      if (known !== undefined) this.cache.set(cacheKey, known);
    }
    if (known === undefined) return undefined;
    this.counters.requests++;
    this.counters.cacheHits++;
    if (persistent) this.counters.persistentHits++;
    return toCountOutcome(known, contentHash, true);
  }

  /** Counts already-decoded text (no BOM stripping, no binary detection). */
  countText(text: string, tokenizer: TokenizerId, signal?: AbortSignal): Promise<CountOutcome> {
    const contentHash = contentSha256(text);
    return this.submit(
      countCacheKey(tokenizer, 'text', contentHash),
      contentHash,
      'text',
      (id) => ({ id, kind: 'text', tokenizer, text }),
      [],
      signal,
      tokenizer,
      text.length,
    ) as Promise<CountOutcome>;
  }

  /** Forgets this process's cached counts (Clear Count Cache); the persistent store is cleared by its owner. */
  clearCache(): void {
    this.cache.clear();
  }

  /** A snapshot of the counters. */
  stats(): TokenizerPoolStats {
    return { ...this.counters };
  }

  /** Rejects pending requests with an AbortError and terminates every worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.overflowTimer !== undefined) clearTimeout(this.overflowTimer);
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
    source: 'bytes' | 'text' | undefined,
    makeRequest: (id: number) => TokenizerRequest,
    transfer: ArrayBuffer[],
    signal: AbortSignal | undefined,
    tokenizer: TokenizerId,
    size: number,
  ): Promise<CountOutcome | TokenizerDescription | TemplateOverheadAnswer> {
    this.counters.requests++;
    if (this.disposed) return Promise.reject(new Error('tokenizer pool is disposed'));
    if (signal?.aborted === true) return Promise.reject(abortError());
    if (!isEncodingName(tokenizer)) {
      const failed = this.failedTokenizers.get(tokenizer);
      if (failed !== undefined) return Promise.reject(failed);
      if (!isRegisteredTokenizerId(tokenizer) || !this.registered.has(tokenizer)) {
        return Promise.reject(new Error(`unknown tokenizer ${JSON.stringify(tokenizer)}: register its tokenizer.json or GGUF first`));
      }
    }
    const cached = cacheKey === '' ? undefined : this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.counters.cacheHits++;
      return Promise.resolve(toCountOutcome(cached, contentHash, true));
    }
    const enqueue = (): Promise<CountOutcome | TokenizerDescription | TemplateOverheadAnswer> =>
      this.enqueue(cacheKey, contentHash, source, makeRequest, transfer, signal, size);
    const store = this.store;
    if (store === undefined || source === undefined) return enqueue();
    return store
      .lookup(tokenizer, source, contentHash)
      .catch(() => undefined)
      .then((stored) => {
        if (stored !== undefined) {
          this.counters.cacheHits++;
          this.counters.persistentHits++;
          this.cache.set(cacheKey, stored);
          return toCountOutcome(stored, contentHash, true);
        }
        if (this.disposed) throw new Error('tokenizer pool is disposed');
        if (signal?.aborted === true) throw abortError();
        return enqueue();
      });
  }

  private enqueue(
    cacheKey: string,
    contentHash: string,
    source: 'bytes' | 'text' | undefined,
    makeRequest: (id: number) => TokenizerRequest,
    transfer: ArrayBuffer[],
    signal: AbortSignal | undefined,
    size: number,
  ): Promise<CountOutcome | TokenizerDescription | TemplateOverheadAnswer> {
    return new Promise<CountOutcome | TokenizerDescription | TemplateOverheadAnswer>((resolve, reject) => {
      const request = makeRequest(this.nextId++);
      const job: Job = {
        request,
        transfer,
        cacheKey,
        contentHash,
        source,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        large: size >= largeJobBytes,
      };
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
      let slot = this.slots.find((candidate) => !candidate.overflow && candidate.job === undefined);
      let index = 0;
      if (slot === undefined) {
        const regular = this.slots.filter((candidate) => !candidate.overflow);
        if (regular.length < this.size) {
          slot = this.spawn(false);
        } else {
          // Every worker is busy. Only when all of them run large jobs does the first small queued job go to the overflow worker.
          index = this.queue.findIndex((job) => !job.large);
          if (index < 0 || !regular.every((candidate) => candidate.job?.large === true)) return;
          slot = this.slots.find((candidate) => candidate.overflow && candidate.job === undefined);
          if (slot === undefined) {
            if (!this.overflowWorker || this.slots.some((candidate) => candidate.overflow)) return;
            slot = this.spawn(true);
          }
        }
      }
      const job = this.queue.splice(index, 1)[0]!;
      slot.job = job;
      slot.worker.ref();
      const tokenizer = job.request.tokenizer;
      if (!slot.tokenizersSent.has(tokenizer)) {
        const registered = this.registered.get(tokenizer);
        if (registered !== undefined) {
          const message: TokenizerDataMessage = {
            kind: 'tokenizerData',
            tokenizer: tokenizer as RegisteredTokenizerId,
            data: registered.data,
            name: registered.name,
          };
          slot.worker.postMessage(message);
          slot.tokenizersSent.add(tokenizer);
          this.counters.tokenizersSent++;
        }
      }
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  private spawn(overflow: boolean): Slot {
    const worker = new (nodeWorkerThreads().Worker)(this.workerScript);
    this.counters.workersStarted++;
    const slot: Slot = { worker, job: undefined, tokenizersSent: new Set(), overflow };
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
      const failure = response.tokenizerFailure;
      if (failure !== undefined) {
        const error = new TokenizerUnavailableError(job.request.tokenizer, failure);
        this.failedTokenizers.set(job.request.tokenizer, error);
        this.rejectQueuedFor(job.request.tokenizer, error);
        this.settle(job, () => job.reject(error));
      } else {
        this.settle(job, () => job.reject(new Error(`token counting failed: ${response.error}`)));
      }
    } else if ('description' in response) {
      this.settle(job, () => job.resolve(response.description));
    } else if ('templateOverhead' in response) {
      this.settle(job, () => job.resolve(response.templateOverhead));
    } else {
      this.cache.set(job.cacheKey, response.outcome);
      if (job.source !== undefined) this.store?.record(job.request.tokenizer, job.source, job.contentHash, response.outcome);
      this.settle(job, () => job.resolve(toCountOutcome(response.outcome, job.contentHash, false)));
    }
    this.pump();
  }

  /** Fails the queued requests naming a tokenizer that turned out unusable, so no worker parses it again. */
  private rejectQueuedFor(tokenizer: TokenizerId, error: TokenizerUnavailableError): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i] as Job;
      if (job.request.tokenizer !== tokenizer) continue;
      this.queue.splice(i, 1);
      this.settle(job, () => job.reject(error));
    }
  }

  /**
   * Ends idle workers beyond `size` once no large job has run for {@link overflowIdleMs}: the overflow
   * worker is temporary, but kept across a short pause so a run of large files starts it once.
   */
  private retireOverflow(): void {
    if (
      !this.slots.some((slot) => slot.overflow) ||
      this.slots.some((slot) => slot.job?.large === true) ||
      this.overflowTimer !== undefined
    ) {
      return;
    }
    this.overflowTimer = setTimeout(() => {
      this.overflowTimer = undefined;
      this.retireIdleOverflow();
    }, this.overflowIdle);
    this.overflowTimer.unref?.();
  }

  private retireIdleOverflow(): void {
    if (this.disposed || this.slots.some((slot) => slot.job?.large === true)) return;
    for (const slot of this.slots.filter((candidate) => candidate.overflow && candidate.job === undefined)) {
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
  // Field by field, not a spread: a re-run answers ~18,000 lookups from the cache, and the spread's
  // copy was 48 ms of them in the profile of the 9,005-file bench tree.
  if (outcome.kind === 'skipped') return { kind: 'skipped', reason: outcome.reason, contentHash };
  return {
    kind: 'counted',
    tokens: outcome.tokens,
    bytes: outcome.bytes,
    hadUtf8Bom: outcome.hadUtf8Bom,
    invalidUtf8Sequences: outcome.invalidUtf8Sequences,
    secretHints: outcome.secretHints,
    contentHash,
    cached,
  };
}

function abortError(message = 'token counting was cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/**
 * The SHA-256 (lowercase hex) counts are keyed by: of file bytes, or of a text's UTF-8 encoding.
 * The session hashes what it reads again with it, so a parse is kept under the same key as its count.
 */
export function contentSha256(content: Uint8Array | string): string {
  const hash = nodeCrypto().createHash('sha256');
  return (typeof content === 'string' ? hash.update(content, 'utf8') : hash.update(content)).digest('hex');
}
