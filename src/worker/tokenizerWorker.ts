// Tokenizer worker: decodes file bytes and counts tokens off the extension host's thread, because a
// pathological file can take seconds and a frozen host is the worst bug this product can have.
// A tokenizer.json is parsed here too (a 30 MB file takes seconds to parse), once per worker.
import { parentPort } from 'node:worker_threads';
import { secretContentHints } from '../core/secrets/secretScan';
import { isEncodingName } from '../core/tokenizer/encoding';
import { decodeFileBytes } from '../core/tokenizer/fileText';
import { parseHfTokenizerText, type HfTokenizer } from '../core/tokenizer/hf/hfTokenizer';
import { HfTokenizerError } from '../core/tokenizer/hf/hfTokenizerError';
import { getTokenCounter, PieceTooLongError } from '../core/tokenizer/tokenCounter';
import type { TokenizerId } from '../core/tokenizer/tokenizerId';
import type { TokenizerDataMessage, TokenizerDescription, TokenizerRequest, TokenizerResponse, WorkerMessage, WorkerOutcome } from './tokenizerProtocol';

/** Something that counts text: a tiktoken counter or a parsed tokenizer.json. */
interface Counter {
  count(text: string): number;
  readonly description: TokenizerDescription;
}

/** tokenizer.json bytes received but not parsed yet, by id. */
const pendingData = new Map<string, TokenizerDataMessage>();
/** Parsed tokenizers, or the error that parsing gave (reported for every request naming it). */
const hfTokenizers = new Map<string, HfTokenizer | HfTokenizerError>();

function counterFor(tokenizer: TokenizerId): Counter {
  if (isEncodingName(tokenizer)) {
    const counter = getTokenCounter(tokenizer);
    return { count: (text) => counter.count(text), description: { description: tokenizer, vocabularySize: undefined } };
  }
  let parsed = hfTokenizers.get(tokenizer);
  if (parsed === undefined) {
    const data = pendingData.get(tokenizer);
    if (data === undefined) throw new Error(`tokenizer ${tokenizer} was never sent to this worker`);
    pendingData.delete(tokenizer);
    parsed = parseData(data);
    hfTokenizers.set(tokenizer, parsed);
  }
  if (parsed instanceof HfTokenizerError) throw parsed;
  const hf = parsed;
  return { count: (text) => hf.count(text), description: { description: hf.description, vocabularySize: hf.vocabularySize } };
}

function parseData(data: TokenizerDataMessage): HfTokenizer | HfTokenizerError {
  let text: string;
  try {
    // Copied out of the shared memory: TextDecoder refuses shared buffers.
    text = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(data.data).slice());
  } catch {
    return new HfTokenizerError('', 'not valid UTF-8 text');
  }
  try {
    return parseHfTokenizerText(text, data.name === undefined ? {} : { name: data.name });
  } catch (error) {
    if (error instanceof HfTokenizerError) return error;
    // A RangeError from a regex too complex for V8, or similar: still one clear message.
    return new HfTokenizerError('', `could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function count(request: Exclude<TokenizerRequest, { kind: 'describe' }>): WorkerOutcome {
  const counter = counterFor(request.tokenizer);
  try {
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
  } catch (error) {
    if (error instanceof PieceTooLongError) return { kind: 'skipped', reason: error.message };
    // V8 reports a regex backtracking-stack overflow (a run of millions of characters) as a RangeError.
    if (error instanceof RangeError) return { kind: 'skipped', reason: `an unbroken run of text is too long to tokenize exactly (${error.message})` };
    throw error;
  }
}

function respond(request: TokenizerRequest): TokenizerResponse {
  try {
    if (request.kind === 'describe') return { id: request.id, description: counterFor(request.tokenizer).description };
    return { id: request.id, outcome: count(request) };
  } catch (error) {
    if (error instanceof HfTokenizerError) {
      return {
        id: request.id,
        error: `tokenizer.json ${error.message}`,
        tokenizerFailure: { path: error.path, detail: error.detail, unsupported: error.unsupported },
      };
    }
    return { id: request.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

if (parentPort === null) throw new Error('tokenizerWorker must run in a worker thread');
const port = parentPort;
port.on('message', (message: WorkerMessage) => {
  if (message.kind === 'tokenizerData') {
    if (!hfTokenizers.has(message.tokenizer)) pendingData.set(message.tokenizer, message);
    return;
  }
  port.postMessage(respond(message));
});
