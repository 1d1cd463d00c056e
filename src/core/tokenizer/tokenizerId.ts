import { isEncodingName, type EncodingName } from './encoding';

/**
 * A Hugging Face tokenizer.json named by content: `hf:` + the lowercase hex SHA-256 of the file's
 * bytes. The same file always gets the same id, so counts cached under it stay valid across
 * sessions and model switches, and two models sharing a tokenizer share their counts.
 */
export type HfTokenizerId = `hf:${string}`;

/**
 * A vocabulary embedded in a GGUF file, named by content: `gguf:` + the hex SHA-256 of the file's
 * metadata bytes (everything before the tensor infos, the vocabulary included).
 */
export type GgufTokenizerId = `gguf:${string}`;

/** A tokenizer registered by its bytes (a tokenizer.json or a GGUF vocabulary). */
export type RegisteredTokenizerId = HfTokenizerId | GgufTokenizerId;

/** What a count request names: a tiktoken encoding, or a registered tokenizer. */
export type TokenizerId = EncodingName | RegisteredTokenizerId;

const hfIdPattern = /^hf:[0-9a-f]{64}$/;
const ggufIdPattern = /^gguf:[0-9a-f]{64}$/;

/** True for `hf:<64 hex digits>`. */
export function isHfTokenizerId(value: unknown): value is HfTokenizerId {
  return typeof value === 'string' && hfIdPattern.test(value);
}

/** True for `gguf:<64 hex digits>`. */
export function isGgufTokenizerId(value: unknown): value is GgufTokenizerId {
  return typeof value === 'string' && ggufIdPattern.test(value);
}

/** True for a well-formed `hf:` or `gguf:` id. */
export function isRegisteredTokenizerId(value: unknown): value is RegisteredTokenizerId {
  return isHfTokenizerId(value) || isGgufTokenizerId(value);
}

/** True for an encoding name or a well-formed registered id. */
export function isTokenizerId(value: unknown): value is TokenizerId {
  return isEncodingName(value) || isRegisteredTokenizerId(value);
}

/** The id of a tokenizer.json from the hex SHA-256 of its bytes. */
export function hfTokenizerId(sha256Hex: string): HfTokenizerId {
  const id = `hf:${sha256Hex.toLowerCase()}`;
  if (!isHfTokenizerId(id)) throw new RangeError(`not a SHA-256 hex digest: ${sha256Hex}`);
  return id as HfTokenizerId;
}

/** The id of a GGUF vocabulary from the hex SHA-256 of the metadata bytes. */
export function ggufTokenizerId(sha256Hex: string): GgufTokenizerId {
  const id = `gguf:${sha256Hex.toLowerCase()}`;
  if (!isGgufTokenizerId(id)) throw new RangeError(`not a SHA-256 hex digest: ${sha256Hex}`);
  return id as GgufTokenizerId;
}
