// Tokenizer worker: decodes file bytes and counts tokens off the extension host's thread, because a
// pathological file can take seconds and a frozen host is the worst bug this product can have.
// A tokenizer.json or a GGUF vocabulary is parsed here too (a 30 MB file takes seconds), once per worker.
import { parentPort } from 'node:worker_threads';
import { readGgufHeader } from '../core/model/ggufHeader';
import { secretContentHints } from '../core/secrets/secretScan';
import { isEncodingName } from '../core/tokenizer/encoding';
import { decodeFileBytes } from '../core/tokenizer/fileText';
import { ggufTokenizer } from '../core/tokenizer/gguf/ggufTokenizer';
import { ggufVocabulary, isGgufVocabularyKey, type GgufVocabulary } from '../core/tokenizer/gguf/ggufVocabulary';
import { templateOverheadTokens } from '../core/tokenizer/hf/chatTemplate';
import { parseHfTokenizerText, type HfTokenizer } from '../core/tokenizer/hf/hfTokenizer';
import { HfTokenizerError } from '../core/tokenizer/hf/hfTokenizerError';
import { getTokenCounter, PieceTooLongError } from '../core/tokenizer/tokenCounter';
import { isGgufTokenizerId, type TokenizerId } from '../core/tokenizer/tokenizerId';
import type {
  TemplateOverheadAnswer,
  TokenizerDataMessage,
  TokenizerDescription,
  TokenizerRequest,
  TokenizerResponse,
  WorkerMessage,
  WorkerOutcome,
} from './tokenizerProtocol';

/** Something that counts text: a tiktoken counter, a parsed tokenizer.json or a GGUF vocabulary. */
interface Counter {
  count(text: string): number;
  readonly description: TokenizerDescription;
  /** The parsed tokenizer (undefined for tiktoken encodings), for chat templates. */
  readonly parsed: HfTokenizer | undefined;
  /** The GGUF vocabulary behind it, if any. */
  readonly gguf: GgufVocabulary | undefined;
}

/** Tokenizer bytes received but not parsed yet, by id. */
const pendingData = new Map<string, TokenizerDataMessage>();
/** Parsed tokenizers, or the error that parsing gave (reported for every request naming it). */
const parsedTokenizers = new Map<string, { tokenizer: HfTokenizer; gguf: GgufVocabulary | undefined } | HfTokenizerError>();

async function counterFor(tokenizer: TokenizerId): Promise<Counter> {
  if (isEncodingName(tokenizer)) {
    const counter = getTokenCounter(tokenizer);
    return {
      count: (text) => counter.count(text),
      description: { description: tokenizer, vocabularySize: undefined },
      parsed: undefined,
      gguf: undefined,
    };
  }
  let parsed = parsedTokenizers.get(tokenizer);
  if (parsed === undefined) {
    const data = pendingData.get(tokenizer);
    if (data === undefined) throw new Error(`tokenizer ${tokenizer} was never sent to this worker`);
    pendingData.delete(tokenizer);
    parsed = isGgufTokenizerId(tokenizer) ? await parseGguf(data) : parseTokenizerJson(data);
    parsedTokenizers.set(tokenizer, parsed);
  }
  if (parsed instanceof HfTokenizerError) throw parsed;
  const { tokenizer: hf, gguf } = parsed;
  return {
    count: (text) => hf.count(text),
    description: { description: hf.description, vocabularySize: hf.vocabularySize },
    parsed: hf,
    gguf,
  };
}

function parseTokenizerJson(data: TokenizerDataMessage): { tokenizer: HfTokenizer; gguf: undefined } | HfTokenizerError {
  let text: string;
  try {
    // Copied out of the shared memory: TextDecoder refuses shared buffers.
    text = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(data.data).slice());
  } catch {
    return new HfTokenizerError('', 'not valid UTF-8 text');
  }
  try {
    return { tokenizer: parseHfTokenizerText(text, data.name === undefined ? {} : { name: data.name }), gguf: undefined };
  } catch (error) {
    if (error instanceof HfTokenizerError) return error;
    // A RangeError from a regex too complex for V8, or similar: still one clear message.
    return new HfTokenizerError('', `could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A GGUF file's metadata bytes → its vocabulary → a tokenizer. Errors name the GGUF key. */
async function parseGguf(data: TokenizerDataMessage): Promise<{ tokenizer: HfTokenizer; gguf: GgufVocabulary } | HfTokenizerError> {
  const bytes = new Uint8Array(data.data);
  try {
    const header = await readGgufHeader(
      { size: bytes.byteLength, read: (offset, length) => Promise.resolve(bytes.slice(offset, offset + length)) },
      { keep: isGgufVocabularyKey, metadataOnly: true },
    );
    const vocabulary = ggufVocabulary(header.metadata);
    return { tokenizer: ggufTokenizer(vocabulary, data.name), gguf: vocabulary };
  } catch (error) {
    if (error instanceof HfTokenizerError) return error;
    return new HfTokenizerError('', `the GGUF vocabulary could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function count(counter: Counter, request: Extract<TokenizerRequest, { kind: 'bytes' | 'text' }>): WorkerOutcome {
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
    if (error instanceof RangeError) {
      return { kind: 'skipped', reason: `an unbroken run of text is too long to tokenize exactly (${error.message})` };
    }
    throw error;
  }
}

/**
 * The chat template's overhead: a tokenizer.json's from its tokenizer_config.json, a GGUF's from
 * `tokenizer.chat_template` with the vocabulary's BOS/EOS/UNK/PAD texts as the special tokens.
 */
function templateOverhead(counter: Counter, config: string | undefined): TemplateOverheadAnswer {
  if (counter.parsed === undefined) return { kind: 'none' };
  let configJson: unknown;
  if (config !== undefined) {
    try {
      configJson = JSON.parse(config);
    } catch (error) {
      return { kind: 'failed', reason: `tokenizer_config.json is not valid JSON: ${(error as Error).message}` };
    }
  } else if (counter.gguf?.chatTemplate !== undefined) {
    const { tokens, specialIds } = counter.gguf;
    const text = (id: number | undefined): string | undefined => (id === undefined ? undefined : tokens[id]);
    configJson = {
      chat_template: counter.gguf.chatTemplate,
      bos_token: text(specialIds.bos),
      eos_token: text(specialIds.eos),
      unk_token: text(specialIds.unk),
      pad_token: text(specialIds.pad),
    };
  } else {
    return { kind: 'none' };
  }
  try {
    const overhead = templateOverheadTokens(configJson, counter.parsed);
    return overhead === undefined ? { kind: 'none' } : { kind: 'counted', tokens: overhead.tokens };
  } catch (error) {
    const message = error instanceof HfTokenizerError ? error.message : error instanceof Error ? error.message : String(error);
    return { kind: 'failed', reason: message };
  }
}

async function respond(request: TokenizerRequest): Promise<TokenizerResponse> {
  try {
    const counter = await counterFor(request.tokenizer);
    if (request.kind === 'describe') return { id: request.id, description: counter.description };
    if (request.kind === 'templateOverhead') return { id: request.id, templateOverhead: templateOverhead(counter, request.config) };
    return { id: request.id, outcome: count(counter, request) };
  } catch (error) {
    if (error instanceof HfTokenizerError) {
      const what = isGgufTokenizerId(request.tokenizer) ? 'GGUF vocabulary' : 'tokenizer.json';
      return {
        id: request.id,
        error: `${what} ${error.message}`,
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
    if (!parsedTokenizers.has(message.tokenizer)) pendingData.set(message.tokenizer, message);
    return;
  }
  void respond(message).then((response) => port.postMessage(response));
});
