// Node built-ins that the extension needs only once it counts, opens the panel, checks a server or
// downloads a tokenizer, loaded on first use instead of with the bundle. Loading the bundle in plain Node (bench/runHostBench.ts, the
// activation target: activate() + bundle load <= 50 ms) took 29-74 ms with them and 21-23 ms with
// them already loaded, on this shared 2-core machine: node:crypto alone was 8-21 ms of it, and
// node:http + node:https (the server check, the tokenizer download) 15 ms more, node:child_process
// (git, for relevance) 2.6 ms.
import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';

let childProcess: typeof ChildProcess | undefined;
let crypto: typeof Crypto | undefined;
let workerThreads: typeof WorkerThreads | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;
let zlib: typeof Zlib | undefined;

/** `node:crypto`, loaded on the first call. */
export function nodeCrypto(): typeof Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (crypto ??= require('node:crypto') as typeof Crypto);
}

/** `node:worker_threads`, loaded on the first call. */
export function nodeWorkerThreads(): typeof WorkerThreads {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (workerThreads ??= require('node:worker_threads') as typeof WorkerThreads);
}

/** `node:http`, loaded on the first call. */
export function nodeHttp(): typeof Http {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (http ??= require('node:http') as typeof Http);
}

/** `node:https`, loaded on the first call. */
export function nodeHttps(): typeof Https {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (https ??= require('node:https') as typeof Https);
}

/** `node:child_process`, loaded on the first call. */
export function nodeChildProcess(): typeof ChildProcess {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (childProcess ??= require('node:child_process') as typeof ChildProcess);
}

/** `node:zlib` (the count cache's stored outlines), loaded on the first call. */
export function nodeZlib(): typeof Zlib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately loaded on first use (see above)
  return (zlib ??= require('node:zlib') as typeof Zlib);
}
