// Syntax worker: parses files with tree-sitter off the extension host's thread (a grammar load takes
// tens of milliseconds and a large file's parse more), beside the tokenizer worker. Requests are
// answered in order; the runtime and each grammar load on the first file that needs them.
import { parentPort, workerData } from 'node:worker_threads';
import { parseLimitReason } from '../core/relevance/parseLimits';
import { ParseBudgetError, TreeSitterParser } from '../node/treeSitterParser';
import type { SyntaxOutcome, SyntaxRequest, SyntaxResponse, SyntaxWorkerData } from './syntaxProtocol';

if (parentPort === null) throw new Error('syntaxWorker must run in a worker thread');
const port = parentPort;
const parser = new TreeSitterParser((workerData as SyntaxWorkerData).wasmDir);

async function handle(request: SyntaxRequest): Promise<SyntaxOutcome> {
  const limit = parseLimitReason(request.path, request.text);
  if (limit !== null) return { kind: 'unsupported', reason: limit };
  try {
    const syntax = await parser.parse(request.path, request.text);
    return syntax ? { kind: 'parsed', syntax } : { kind: 'unsupported', reason: 'no parser for this file type' };
  } catch (error) {
    if (error instanceof ParseBudgetError) return { kind: 'unsupported', reason: error.message };
    throw error;
  }
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (request: SyntaxRequest) => {
  chain = chain.then(async () => {
    let response: SyntaxResponse;
    try {
      response = { id: request.id, outcome: await handle(request) };
    } catch (error) {
      response = { id: request.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    port.postMessage(response);
  });
});
