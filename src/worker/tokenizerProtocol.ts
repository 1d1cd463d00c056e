import type { RegisteredTokenizerId, TokenizerId } from '../core/tokenizer/tokenizerId';

/** A count request from {@link TokenizerPool} to a tokenizer worker, naming its tokenizer by id. */
export type TokenizerRequest =
  | { readonly id: number; readonly kind: 'bytes'; readonly tokenizer: TokenizerId; readonly bytes: Uint8Array }
  | { readonly id: number; readonly kind: 'text'; readonly tokenizer: TokenizerId; readonly text: string }
  /** Parse (if needed) and describe the tokenizer: how a caller learns early that a tokenizer.json is unusable. */
  | { readonly id: number; readonly kind: 'describe'; readonly tokenizer: TokenizerId }
  /**
   * Tokens a chat template adds to a one-message prompt: `config` is the tokenizer_config.json text
   * for a tokenizer.json; a GGUF vocabulary uses its own `tokenizer.chat_template` (config omitted).
   */
  | { readonly id: number; readonly kind: 'templateOverhead'; readonly tokenizer: TokenizerId; readonly config?: string };

/**
 * The bytes of a tokenizer.json (or of a GGUF file's metadata, vocabulary included), sent to a
 * worker once, before its first request naming `tokenizer`.
 * A SharedArrayBuffer, so every worker reads the same memory and the caller's thread copies nothing
 * per worker. The worker parses it lazily, on first use, and keeps the result by id.
 */
export interface TokenizerDataMessage {
  readonly kind: 'tokenizerData';
  readonly tokenizer: RegisteredTokenizerId;
  readonly data: SharedArrayBuffer;
  /** Shown in the description, e.g. "Gemma 3". */
  readonly name: string | undefined;
}

/** Everything the pool posts to a worker. */
export type WorkerMessage = TokenizerRequest | TokenizerDataMessage;

/** What the worker computed for one request (the pool adds the hash and cache flag). */
export type WorkerOutcome =
  | {
      readonly kind: 'counted';
      readonly tokens: number;
      readonly bytes: number;
      readonly hadUtf8Bom: boolean;
      readonly invalidUtf8Sequences: number;
      /** What in the text looks like a secret (see core/secrets); empty when nothing does. */
      readonly secretHints: readonly string[];
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** The answer to a `describe` request. */
export interface TokenizerDescription {
  /** E.g. "BPE, byte-level, 128,256 tokens" or "o200k_base". */
  readonly description: string;
  /** Vocabulary size including added tokens; undefined for the tiktoken encodings. */
  readonly vocabularySize: number | undefined;
}

/** The answer to a `templateOverhead` request. */
export type TemplateOverheadAnswer =
  /** The template's tokens around one user message (BOS, role headers, the assistant header). */
  | { readonly kind: 'counted'; readonly tokens: number }
  /** No chat template to count. */
  | { readonly kind: 'none' }
  /** The template exists but could not be rendered; the count leaves it out and says why. */
  | { readonly kind: 'failed'; readonly reason: string };

/** Why a tokenizer cannot be used: the JSON path at fault (empty for the whole file) and what is wrong. */
export interface TokenizerFailure {
  readonly path: string;
  readonly detail: string;
  /** Valid for Hugging Face, but uses something we do not implement. */
  readonly unsupported: boolean;
}

/** The worker's reply: an outcome, a description, or an error (a tokenizer that cannot load says why). */
export type TokenizerResponse =
  | { readonly id: number; readonly outcome: WorkerOutcome }
  | { readonly id: number; readonly description: TokenizerDescription }
  | { readonly id: number; readonly templateOverhead: TemplateOverheadAnswer }
  | { readonly id: number; readonly error: string; readonly tokenizerFailure?: TokenizerFailure };
