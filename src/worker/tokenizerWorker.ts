// Tokenizer worker: decodes file bytes and counts tokens off the extension host's thread, because a
// pathological file can take seconds and a frozen host is the worst bug this product can have.
import { parentPort } from 'node:worker_threads';
import { secretContentHints } from '../core/secrets/secretScan';
import { decodeFileBytes } from '../core/tokenizer/fileText';
import { getTokenCounter, PieceTooLongError } from '../core/tokenizer/tokenCounter';
import type { TokenizerRequest, TokenizerResponse, WorkerOutcome } from './tokenizerProtocol';

function handle(request: TokenizerRequest): WorkerOutcome {
  try {
    return count(request);
  } catch (error) {
    if (error instanceof PieceTooLongError) return { kind: 'skipped', reason: error.message };
    throw error;
  }
}

function count(request: TokenizerRequest): WorkerOutcome {
  const counter = getTokenCounter(request.encoding);
  if (request.kind === 'text') {
    return {
      kind: 'counted',
      tokens: counter.count(request.text),
      bytes: Buffer.byteLength(request.text, 'utf8'),
      hadUtf8Bom: false,
      invalidUtf8Sequences: 0,
      secretHints: secretContentHints(request.text),
    };
  }
  const decoded = decodeFileBytes(request.bytes);
  if (decoded.kind === 'binary') return { kind: 'skipped', reason: decoded.reason };
  return {
    kind: 'counted',
    tokens: counter.count(decoded.text),
    bytes: request.bytes.byteLength,
    hadUtf8Bom: decoded.hadUtf8Bom,
    invalidUtf8Sequences: decoded.invalidUtf8Sequences,
    secretHints: secretContentHints(decoded.text),
  };
}

if (parentPort === null) throw new Error('tokenizerWorker must run in a worker thread');
const port = parentPort;
port.on('message', (request: TokenizerRequest) => {
  let response: TokenizerResponse;
  try {
    response = { id: request.id, outcome: handle(request) };
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  port.postMessage(response);
});
