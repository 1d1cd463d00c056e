import { isEncodingName, type EncodingName } from './encoding';

/**
 * A Hugging Face tokenizer.json named by content: `hf:` + the lowercase hex SHA-256 of the file's
 * bytes. The same file always gets the same id, so counts cached under it stay valid across
 * sessions and model switches, and two models sharing a tokenizer share their counts.
 */
export type HfTokenizerId = `hf:${string}`;

/** What a count request names: a tiktoken encoding, or a registered tokenizer.json. */
export type TokenizerId = EncodingName | HfTokenizerId;

const hfIdPattern = /^hf:[0-9a-f]{64}$/;

/** True for `hf:<64 hex digits>`. */
export function isHfTokenizerId(value: unknown): value is HfTokenizerId {
  return typeof value === 'string' && hfIdPattern.test(value);
}

/** True for an encoding name or a well-formed `hf:` id. */
export function isTokenizerId(value: unknown): value is TokenizerId {
  return isEncodingName(value) || isHfTokenizerId(value);
}

/** The id of a tokenizer.json from the hex SHA-256 of its bytes. */
export function hfTokenizerId(sha256Hex: string): HfTokenizerId {
  const id = `hf:${sha256Hex.toLowerCase()}`;
  if (!isHfTokenizerId(id)) throw new RangeError(`not a SHA-256 hex digest: ${sha256Hex}`);
  return id as HfTokenizerId;
}
