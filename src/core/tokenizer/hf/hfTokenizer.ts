import { replaceLoneSurrogates } from '../pretokenize';
import { AddedVocabulary } from './addedVocabulary';
import { BpeModel } from './bpeModel';
import { objectAt, typeAt } from './hfJson';
import { HfTokenizerError } from './hfTokenizerError';
import { parseNormalizer, type Normalizer } from './normalizers';
import { parsePreTokenizer, type Piece, type PreTokenizer } from './preTokenizers';

/**
 * A Hugging Face `tokenizer.json` tokenizer, counting exactly what the Rust library
 * (npm `tokenizers`, huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e) returns for
 * `encode(text, add_special_tokens = false)`: added tokens, normalizer, pre-tokenizer, BPE model.
 *
 * The decoder and post-processor play no part: the decoder only maps ids back to text, and with
 * `add_special_tokens = false` the post-processor adds nothing (tokenizer/mod.rs `post_process`
 * passes `add_special_tokens` to `process`, and TemplateProcessing / ByteLevel / RobertaProcessing
 * add their BOS/EOS pieces only when it is true). BOS, EOS and chat-template tokens belong to the
 * request, not to a file: see `templateOverheadTokens`. `truncation` and `padding` are ignored too:
 * a file's count is its full length, never cut or padded to a model's batch length.
 */
export interface HfTokenizer {
  /** E.g. "BPE, byte-level, 128,256 tokens". */
  readonly description: string;
  /** Vocabulary size: model vocabulary plus added tokens that are not in it. */
  readonly vocabularySize: number;
  /** Number of tokens of `text`; lone surrogates count as U+FFFD, as the library receives them. */
  count(text: string): number;
  /** Token ids of `text`, identical to the library's `encode(text, false).ids` (for tests). */
  encode(text: string): number[];
  /** Id of an exact token string (added or model vocabulary), for template checks. */
  tokenId(token: string): number | undefined;
}

/** Options of {@link parseHfTokenizer}. */
export interface HfTokenizerOptions {
  /** A name for the description, e.g. "Gemma 3". */
  readonly name?: string;
}

/**
 * Parses and validates a tokenizer.json document (already `JSON.parse`d). Throws
 * {@link HfTokenizerError} naming the JSON path of the first malformed or unsupported field, e.g.
 * `normalizer.type: "Precompiled" is not supported`, so the caller can fall back to the counting
 * encoding and label the count an estimate.
 */
export function parseHfTokenizer(json: unknown, options: HfTokenizerOptions = {}): HfTokenizer {
  const root = objectAt(json, '');
  if (root.model === undefined || root.model === null) throw new HfTokenizerError('model', 'missing: a tokenizer.json needs a model');
  const modelRecord = objectAt(root.model, 'model');
  // Older files omit model.type for BPE; anything else must say what it is.
  const modelType = modelRecord.type === undefined ? 'BPE' : typeAt(modelRecord, 'model');
  if (modelType !== 'BPE') {
    throw new HfTokenizerError('model.type', `"${modelType}" is not supported (supported: BPE)`, true);
  }
  const normalizer = parseNormalizer(root.normalizer, 'normalizer');
  const preTokenizer = parsePreTokenizer(root.pre_tokenizer, 'pre_tokenizer');
  const model = new BpeModel(modelRecord, 'model');
  const added = new AddedVocabulary(root.added_tokens, 'added_tokens', model.vocab, normalizer);
  return new Pipeline(normalizer, preTokenizer, model, added, describe(root, model, added, options.name));
}

/** Parses tokenizer.json text; a JSON syntax error becomes an {@link HfTokenizerError} for the whole document. */
export function parseHfTokenizerText(text: string, options: HfTokenizerOptions = {}): HfTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HfTokenizerError('', `not valid JSON: ${(error as Error).message}`);
  }
  return parseHfTokenizer(json, options);
}

function describe(root: Readonly<Record<string, unknown>>, model: BpeModel, added: AddedVocabulary, name: string | undefined): string {
  const kinds: string[] = ['BPE'];
  const text = JSON.stringify([root.pre_tokenizer ?? null, root.normalizer ?? null]);
  if (text.includes('"ByteLevel"')) kinds.push('byte-level');
  else if (text.includes('"Metaspace"') || text.includes('\u2581')) kinds.push('SentencePiece-style');
  const size = model.size + added.extraIds;
  const prefix = name === undefined ? '' : `${name}: `;
  return `${prefix}${kinds.join(', ')}, ${size.toLocaleString('en-US')} tokens`;
}

class Pipeline implements HfTokenizer {
  readonly vocabularySize: number;

  constructor(
    private readonly normalizer: Normalizer | undefined,
    private readonly preTokenizer: PreTokenizer | undefined,
    private readonly model: BpeModel,
    private readonly added: AddedVocabulary,
    readonly description: string,
  ) {
    this.vocabularySize = model.size + added.extraIds;
  }

  count(text: string): number {
    let tokens = 0;
    this.run(
      text,
      () => tokens++,
      (piece) => (tokens += this.model.count(piece)),
    );
    return tokens;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    this.run(
      text,
      (id) => ids.push(id),
      (piece) => this.model.encode(piece, ids),
    );
    return ids;
  }

  tokenId(token: string): number | undefined {
    return this.added.idOf(token) ?? this.model.vocab.get(token);
  }

  /** tokenizer/mod.rs `encode_single_sequence`: extract_and_normalize, pre-tokenize, tokenize. */
  private run(input: string, onAddedToken: (id: number) => void, onPiece: (piece: string) => void): void {
    const text = replaceLoneSurrogates(input);
    for (const segment of this.added.splitRaw(text)) {
      if (segment.tokenId >= 0) {
        onAddedToken(segment.tokenId);
        continue;
      }
      const raw = text.slice(segment.start, segment.end);
      const normalized = this.normalizer === undefined ? { text: raw, shiftsStart: false } : this.normalizer(raw);
      const atOrigin = segment.start === 0 && !normalized.shiftsStart;
      for (const part of this.added.splitNormalized(normalized.text)) {
        if (part.tokenId >= 0) {
          onAddedToken(part.tokenId);
          continue;
        }
        const piece: Piece = { text: normalized.text.slice(part.start, part.end), atOrigin: atOrigin && part.start === 0 };
        const pieces = this.preTokenizer === undefined ? [piece] : this.preTokenizer([piece]);
        for (const each of pieces) onPiece(each.text);
      }
    }
  }
}
