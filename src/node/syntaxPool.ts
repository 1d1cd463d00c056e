import type { Worker } from 'node:worker_threads';
import { nodeWorkerThreads } from './lazyBuiltins';
import type { SyntaxOutcome, SyntaxRequest, SyntaxResponse, SyntaxWorkerData } from '../worker/syntaxProtocol';

/** Options of {@link SyntaxPool}. */
export interface SyntaxPoolOptions {
  /** Absolute path of the compiled worker: `dist/syntaxWorker.js`, or `out/src/worker/syntaxWorker.js` under tsc. */
  readonly workerScript: string;
  /** Folder with `tree-sitter.wasm` and the grammars: `dist/tree-sitter`, or the package's `wasm/` folder under tsc. */
  readonly wasmDir: string;
  /**
   * Worker threads, default 1 (the extension: the tokenizer pool has the other cores). A batch run
   * (the CLI making a plan) uses one per core: parsing is then all that is left to do.
   */
  readonly size?: number;
}

/** Counters for tests. */
export interface SyntaxPoolStats {
  readonly requests: number;
  readonly workersStarted: number;
  readonly workerCrashes: number;
}

interface Pending {
  readonly resolve: (outcome: SyntaxOutcome) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Parses files in lazily started worker threads (see {@link SyntaxWorkerLane}); each request goes to the
 * worker with the fewest requests in flight, so a second worker starts only when two parses overlap.
 */
export class SyntaxPool {
  private readonly lanes: SyntaxWorkerLane[];

  constructor(options: SyntaxPoolOptions) {
    const size = Math.max(1, Math.floor(options.size ?? 1));
    this.lanes = Array.from({ length: size }, () => new SyntaxWorkerLane(options));
  }

  /** Parses `text` as the file `path` (its extension picks the grammar). */
  parse(path: string, text: string, signal?: AbortSignal): Promise<SyntaxOutcome> {
    let lane = this.lanes[0]!;
    for (const candidate of this.lanes) if (candidate.inFlight < lane.inFlight) lane = candidate;
    return lane.parse(path, text, signal);
  }

  /** The counters of every worker, summed. */
  stats(): SyntaxPoolStats {
    const all = this.lanes.map((lane) => lane.stats());
    return {
      requests: all.reduce((sum, stats) => sum + stats.requests, 0),
      workersStarted: all.reduce((sum, stats) => sum + stats.workersStarted, 0),
      workerCrashes: all.reduce((sum, stats) => sum + stats.workerCrashes, 0),
    };
  }

  /** Rejects pending requests and terminates the workers. */
  async dispose(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.dispose()));
  }
}

/**
 * One worker thread of the pool, started on its first request. A crashed worker fails the requests it held and a new
 * one starts with the next request. Cancelling a request rejects it at once; the worker's late answer
 * is ignored (a parse cannot be interrupted from outside and is short, so the worker is kept).
 */
class SyntaxWorkerLane {
  private readonly options: SyntaxPoolOptions;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  private counters = { requests: 0, workersStarted: 0, workerCrashes: 0 };

  constructor(options: SyntaxPoolOptions) {
    this.options = options;
  }

  /** Parses `text` as the file `path` (its extension picks the grammar). */
  parse(path: string, text: string, signal?: AbortSignal): Promise<SyntaxOutcome> {
    this.counters.requests++;
    if (this.disposed) return Promise.reject(new Error('syntax pool is disposed'));
    if (signal?.aborted === true) return Promise.reject(abortError());
    return new Promise<SyntaxOutcome>((resolve, reject) => {
      const id = this.nextId++;
      const onAbort = (): void => {
        if (this.pending.delete(id)) reject(abortError());
        this.unrefWhenIdle();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      const worker = this.ensureWorker();
      worker.ref();
      const request: SyntaxRequest = { id, path, text };
      worker.postMessage(request);
    });
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** A snapshot of the counters. */
  stats(): SyntaxPoolStats {
    return { ...this.counters };
  }

  /** Rejects pending requests and terminates the worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(abortError('syntax pool disposed'));
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerData: SyntaxWorkerData = { wasmDir: this.options.wasmDir };
    const worker = new (nodeWorkerThreads().Worker)(this.options.workerScript, { workerData });
    this.counters.workersStarted++;
    worker.on('message', (response: SyntaxResponse) => {
      const pending = this.pending.get(response.id);
      if (!pending) return; // cancelled
      this.pending.delete(response.id);
      if ('error' in response) pending.reject(new Error(`parsing failed: ${response.error}`));
      else pending.resolve(response.outcome);
      this.unrefWhenIdle();
    });
    let crashDetail = '';
    worker.on('error', (error) => {
      crashDetail = `: ${error.name}: ${error.message}`;
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // terminated by dispose()
      this.worker = undefined;
      this.counters.workerCrashes++;
      this.failAll(new Error(`syntax worker exited with code ${code}${crashDetail}`));
    });
    this.worker = worker;
    return worker;
  }

  /** An idle worker must not keep the process alive (CLI exit, tests). */
  private unrefWhenIdle(): void {
    if (this.pending.size === 0) this.worker?.unref();
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const pending of all) pending.reject(error);
  }
}

function abortError(message = 'parsing was cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}
