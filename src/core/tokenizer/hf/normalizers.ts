import { byteLevelChars } from './byteLevel';
import { arrayAt, booleanAt, objectAt, stringAt, typeAt, unsupportedType } from './hfJson';
import { onigFindMatches, patternRegex } from './onigRegex';

/**
 * The result of normalizing one segment of text. `shiftsStart` is true when the first character
 * of the result no longer comes from the segment's first original character (a left strip, or a
 * leading match replaced by nothing), which Metaspace's `prepend_scheme: "first"` looks at.
 */
export interface NormalizedText {
  readonly text: string;
  readonly shiftsStart: boolean;
}

/** One parsed normalizer: a pure function of the text. */
export type Normalizer = (text: string) => NormalizedText;

const supported = ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'Replace', 'Prepend', 'Strip', 'ByteLevel', 'Sequence'];

/**
 * Parses `normalizer` of a tokenizer.json (null means none). Semantics follow
 * huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e tokenizers/src/normalizers/*.rs and
 * tokenizers/src/tokenizer/normalizer.rs; only the normalized string matters for counting, so the
 * alignments the library keeps are not modelled.
 */
export function parseNormalizer(json: unknown, path: string): Normalizer | undefined {
  if (json === null || json === undefined) return undefined;
  const record = objectAt(json, path);
  const type = typeAt(record, path);
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      // String.prototype.normalize: the same forms as the unicode-normalization crate the library uses.
      return (text) => ({ text: text.normalize(type), shiftsStart: false });
    case 'Lowercase':
      return (text) => ({ text: lowercase(text), shiftsStart: false });
    case 'Prepend': {
      const prefix = stringAt(record.prepend, `${path}.prepend`);
      // normalizers/prepend.rs: only a non-empty string gets the prefix.
      return (text) => ({ text: text.length === 0 ? text : prefix + text, shiftsStart: false });
    }
    case 'Strip': {
      const left = booleanAt(record.strip_left, `${path}.strip_left`, true);
      const right = booleanAt(record.strip_right, `${path}.strip_right`, true);
      return (text) => strip(text, left, right);
    }
    case 'Replace':
      return parseReplace(record, path);
    case 'ByteLevel':
      // normalizers/byte_level.rs: every UTF-8 byte becomes its GPT-2 byte-level character.
      return (text) => ({ text: byteLevelChars(text), shiftsStart: false });
    case 'Sequence': {
      const parts = arrayAt(record.normalizers, `${path}.normalizers`).map((part, i) => parseNormalizer(part, `${path}.normalizers[${i}]`));
      const steps = parts.filter((part): part is Normalizer => part !== undefined);
      return (text) => {
        let current = text;
        let shiftsStart = false;
        for (const step of steps) {
          const next = step(current);
          current = next.text;
          shiftsStart ||= next.shiftsStart;
        }
        return { text: current, shiftsStart };
      };
    }
    default:
      throw unsupportedType(path, type, supported);
  }
}

function parseReplace(record: Readonly<Record<string, unknown>>, path: string): Normalizer {
  const content = stringAt(record.content, `${path}.content`);
  const pattern = objectAt(record.pattern, `${path}.pattern`);
  const regex = patternRegex(pattern, path);
  // A literal pattern with no regex metacharacters is replaced with split/join, much faster.
  const plain = typeof pattern.String === 'string' && pattern.String.length > 0 ? pattern.String : undefined;
  return (text) => {
    // pattern.rs find_matches: an empty string has no match, not even an empty one.
    if (text.length === 0) return { text, shiftsStart: false };
    if (plain !== undefined) {
      if (!text.includes(plain)) return { text, shiftsStart: false };
      return { text: text.split(plain).join(content), shiftsStart: content === '' && text.startsWith(plain) };
    }
    let out = '';
    let last = 0;
    let shiftsStart = false;
    onigFindMatches(regex, text, (start, end) => {
      out += text.slice(last, start) + content;
      if (start === 0 && end > 0 && content === '') shiftsStart = true;
      last = end;
    });
    return { text: out + text.slice(last), shiftsStart };
  };
}

/** Rust's `char::to_lowercase` per character: no context rules (a final Σ stays σ). */
function lowercase(text: string): string {
  let out = '';
  for (const ch of text) out += ch.toLowerCase();
  return out;
}

const whiteSpace = /\p{White_Space}/u;

/** normalizer.rs `lrstrip`: removes leading / trailing `char::is_whitespace` (Unicode White_Space). */
function strip(text: string, left: boolean, right: boolean): NormalizedText {
  let start = 0;
  let end = text.length;
  if (left) while (start < end && whiteSpace.test(text[start] as string)) start++;
  if (right) while (end > start && whiteSpace.test(text[end - 1] as string)) end--;
  return { text: text.slice(start, end), shiftsStart: start > 0 };
}
