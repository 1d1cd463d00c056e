import { replaceLoneSurrogates } from '../pretokenize';
import { byteToChar } from '../hf/byteLevel';
import { PairTable } from '../hf/bpeModel';
import { HfTokenizerError } from '../hf/hfTokenizerError';
import type { HfTokenizer } from '../hf/hfTokenizer';
import { llamaPreTokenizer, type LlamaPreTokenizer } from './llamaPreTokenize';
import { specialTokenAttributes, tokenAttr, type GgufVocabulary } from './ggufVocabulary';

// The tokenizer of a GGUF vocabulary, counting what llama.cpp's `llama_tokenize(text,
// add_special = false, parse_special = true)` returns (ggml-org/llama.cpp@v0.4.0:src/llama-vocab.cpp
// llama_vocab::impl::tokenize; node-llama-cpp@3.21.1 `model.tokenize(text, true)`):
// - special tokens first (tokenizer_st_partition): every control, user-defined and unknown token
//   found in the text becomes that token, longest first; the text between them is tokenized apart.
//   parse_special = true is what llama-server does with a prompt, and what a tokenizer.json's added
//   tokens do in Hugging Face's `encode`, so both kinds of model file count a file alike;
// - `gpt2` (and `gemma4`) vocabularies: byte-level BPE. The pre-tokenizer named by
//   `tokenizer.ggml.pre` cuts words (llamaPreTokenize.ts), each word is merged by merge rank
//   (llm_tokenizer_bpe_session: lowest rank first, leftmost on ties);
// - `llama` vocabularies: SentencePiece BPE (llm_tokenizer_spm_session): spaces become U+2581, a
//   space is prepended to the text after each special token (and at the start) when
//   add_space_prefix, then adjacent symbols whose concatenation is a token merge, highest score
//   first, leftmost on ties, and what is left unmerged falls back to <0xXX> byte tokens.
// BOS/EOS are not added: they belong to the request (see the template overhead), not to a file.

/** Piece lengths (UTF-16 units) whose counts are memoized per tokenizer. */
const cacheMaxWordLength = 256;
const cacheMaxEntries = 1 << 16;

/** Parses a GGUF vocabulary into a tokenizer; throws {@link HfTokenizerError} naming the key at fault. */
export function ggufTokenizer(vocabulary: GgufVocabulary, name?: string): HfTokenizer {
  return new GgufTokenizer(vocabulary, name);
}

class GgufTokenizer implements HfTokenizer {
  readonly description: string;
  readonly vocabularySize: number;
  private readonly tokenIds = new Map<string, number>();
  private readonly specials: SpecialMatcher;
  private readonly bpe: BpeMerger | undefined;
  private readonly spm: SpmMerger | undefined;

  constructor(
    private readonly vocab: GgufVocabulary,
    name: string | undefined,
  ) {
    vocab.tokens.forEach((token, id) => this.tokenIds.set(token, id));
    this.vocabularySize = vocab.tokens.length;
    const attributes = specialTokenAttributes(vocab);
    this.specials = new SpecialMatcher(vocab.tokens, attributes);
    if (vocab.model === 'llama') {
      this.spm = new SpmMerger(vocab, this.tokenIds);
    } else {
      this.bpe = new BpeMerger(vocab, this.tokenIds, llamaPreTokenizer(vocab.model === 'gemma4' ? 'gemma4' : vocab.pre));
    }
    const kind = this.spm
      ? 'SentencePiece BPE'
      : `BPE, ${this.bpe?.pre.byteEncode ? 'byte-level, ' : ''}pre-tokenizer ${this.bpe?.pre.name}`;
    const prefix = name === undefined ? '' : `${name}: `;
    this.description = `${prefix}GGUF vocabulary, ${kind}, ${this.vocabularySize.toLocaleString('en-US')} tokens`;
  }

  count(text: string): number {
    let tokens = 0;
    this.run(text, undefined, (n) => (tokens += n));
    return tokens;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    this.run(text, ids, () => undefined);
    return ids;
  }

  tokenId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  /** llama_vocab::impl::tokenize with add_special = false, parse_special = true. */
  private run(input: string, out: number[] | undefined, add: (tokens: number) => void): void {
    const text = replaceLoneSurrogates(input);
    let previousSpecial = true;
    for (const fragment of this.specials.partition(text)) {
      if (typeof fragment === 'number') {
        out?.push(fragment);
        add(1);
        previousSpecial = true;
        continue;
      }
      if (this.spm) {
        const prefixed = this.vocab.addSpacePrefix && previousSpecial ? ` ${fragment}` : fragment;
        add(this.spm.tokenize(prefixed.split(' ').join('\u2581'), out));
      } else {
        const bpe = this.bpe as BpeMerger;
        add(bpe.tokenize(bpe.pre.escapeWhitespaces ? fragment.split(' ').join('\u2581') : fragment, out));
      }
      previousSpecial = false;
    }
  }
}

/**
 * tokenizer_st_partition: cuts the text at special tokens. Tokens are tried longest first (byte
 * length; equal lengths by id), each taking every occurrence left to right in what earlier tokens
 * left. A trie finds which special tokens occur at all, so a vocabulary of thousands of them
 * (Gemma's <unusedN>) costs one pass over the text, not one per token.
 */
class SpecialMatcher {
  /** Trie over UTF-16 units: per node, child by unit, and the token ending there (−1 none). */
  private readonly children: Map<number, number>[] = [new Map()];
  private readonly ending: number[] = [-1];
  private readonly order = new Map<number, number>();
  private readonly lstrip = new Set<number>();
  private readonly rstrip = new Set<number>();
  /** UTF-16 units a special token starts with: most text positions are rejected with one array read. */
  private readonly firstUnits = new Uint8Array(0x10000);

  constructor(
    private readonly tokens: readonly string[],
    attributes: readonly number[],
  ) {
    const specials: number[] = [];
    attributes.forEach((attr, id) => {
      if (attr & (tokenAttr.control | tokenAttr.userDefined | tokenAttr.unknown)) specials.push(id);
      if (attr & tokenAttr.lstrip) this.lstrip.add(id);
      if (attr & tokenAttr.rstrip) this.rstrip.add(id);
    });
    specials.sort((a, b) => utf8Length(tokens[b] as string) - utf8Length(tokens[a] as string) || a - b);
    specials.forEach((id, rank) => this.order.set(id, rank));
    for (const id of specials) {
      const text = tokens[id] as string;
      this.insert(text, id);
      if (text.length > 0) this.firstUnits[text.charCodeAt(0)] = 1;
    }
  }

  private insert(text: string, id: number): void {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      let child = this.children[node]!.get(unit);
      if (child === undefined) {
        child = this.children.length;
        this.children.push(new Map());
        this.ending.push(-1);
        this.children[node]!.set(unit, child);
      }
      node = child;
    }
    // Two ids with the same text: llama.cpp's token_to_id keeps the last, but both are in the cache;
    // the one tried first (lower order) claims the occurrences.
    const existing = this.ending[node] as number;
    if (existing < 0 || (this.order.get(id) as number) < (this.order.get(existing) as number)) this.ending[node] = id;
  }

  /** Special tokens occurring in `text`, in the order llama.cpp tries them. */
  private present(text: string): number[] {
    const found = new Set<number>();
    const root = this.children[0] as Map<number, number>;
    if (root.size === 0) return [];
    const firstUnits = this.firstUnits;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (firstUnits[unit] === 0) continue;
      let node = root.get(unit);
      for (let j = i + 1; node !== undefined; j++) {
        const id = this.ending[node] as number;
        if (id >= 0) found.add(id);
        if (j >= text.length) break;
        node = this.children[node]!.get(text.charCodeAt(j));
      }
    }
    return [...found].sort((a, b) => (this.order.get(a) as number) - (this.order.get(b) as number));
  }

  /** Raw text pieces (strings) and special tokens (ids), in order. */
  partition(text: string): (string | number)[] {
    if (text.length === 0) return [];
    type Fragment = { readonly token: number } | { readonly start: number; readonly end: number };
    let fragments: Fragment[] = [{ start: 0, end: text.length }];
    for (const id of this.present(text)) {
      const special = this.tokens[id] as string;
      const next: Fragment[] = [];
      for (const fragment of fragments) {
        if ('token' in fragment) {
          next.push(fragment);
          continue;
        }
        let start = fragment.start;
        const end = fragment.end;
        for (;;) {
          const match = text.indexOf(special, start);
          if (match < 0 || match + special.length > end) {
            if (start < end) next.push({ start, end });
            break;
          }
          let leftEnd = match;
          if (this.lstrip.has(id)) while (leftEnd > start && isCSpace(text.charCodeAt(leftEnd - 1))) leftEnd--;
          if (leftEnd > start) next.push({ start, end: leftEnd });
          next.push({ token: id });
          start = match + special.length;
          if (this.rstrip.has(id)) while (start < end && isCSpace(text.charCodeAt(start))) start++;
          if (start >= end) break;
        }
      }
      fragments = next;
    }
    return fragments.map((fragment) => ('token' in fragment ? fragment.token : text.slice(fragment.start, fragment.end)));
  }
}

/** C isspace in the C locale, which LSTRIP/RSTRIP use. */
function isCSpace(unit: number): boolean {
  return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const utf8 = new TextEncoder();

/** Code points of a string (lone surrogates are already U+FFFD). */
function codePoints(text: string): Uint32Array {
  const out = new Uint32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      out[n++] = 0x10000 + ((unit - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
    } else {
      out[n++] = unit;
    }
  }
  return out.subarray(0, n);
}

/**
 * A binary min-heap of bigrams ordered by (primary, then position), each carrying two payload
 * integers. Both llama.cpp merge queues order this way: BPE by (rank, left index), SentencePiece
 * by (−score, left index).
 */
class BigramHeap {
  private primary = new Float64Array(256);
  private position = new Int32Array(256);
  private payloadA = new Int32Array(256);
  private payloadB = new Int32Array(256);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  private less(i: number, primary: number, position: number): boolean {
    const p = this.primary[i] as number;
    return p < primary || (p === primary && (this.position[i] as number) < position);
  }

  push(primary: number, position: number, a: number, b: number): void {
    if (this.size === this.primary.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(parent, primary, position)) break;
      this.move(parent, i);
      i = parent;
    }
    this.primary[i] = primary;
    this.position[i] = position;
    this.payloadA[i] = a;
    this.payloadB[i] = b;
  }

  /** Fields of the minimum. */
  topPosition(): number {
    return this.position[0] as number;
  }
  topA(): number {
    return this.payloadA[0] as number;
  }
  topB(): number {
    return this.payloadB[0] as number;
  }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const primary = this.primary[last] as number;
    const position = this.position[last] as number;
    const a = this.payloadA[last] as number;
    const b = this.payloadB[last] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.less(right, this.primary[left] as number, this.position[left] as number) ? right : left;
      if (!this.less(child, primary, position)) break;
      this.move(child, i);
      i = child;
    }
    this.primary[i] = primary;
    this.position[i] = position;
    this.payloadA[i] = a;
    this.payloadB[i] = b;
  }

  private move(from: number, to: number): void {
    this.primary[to] = this.primary[from] as number;
    this.position[to] = this.position[from] as number;
    this.payloadA[to] = this.payloadA[from] as number;
    this.payloadB[to] = this.payloadB[from] as number;
  }

  private grow(): void {
    const size = this.primary.length * 2;
    const primary = new Float64Array(size);
    primary.set(this.primary);
    this.primary = primary;
    for (const key of ['position', 'payloadA', 'payloadB'] as const) {
      const next = new Int32Array(size);
      next.set(this[key]);
      this[key] = next;
    }
  }
}

/**
 * llm_tokenizer_bpe_session over interned strings: every token and every merge part or result
 * gets an internal id, and a merge is (left id, right id) → (rank, merged id). llama.cpp keys
 * merges by strings and keeps the first of two equal pairs (std::map::emplace); a merge result
 * need not be a token. A final symbol that is not a token falls back to single-byte tokens.
 */
class BpeMerger {
  /** Strings that are not tokens (merge parts or results), internal id = vocabulary size + index. */
  private readonly extraIds = new Map<string, number>();
  private readonly extraStrings: string[] = [];
  private readonly tokens: readonly string[];
  private readonly pairs: PairTable;
  private readonly byteSymbols = new Int32Array(256);
  private readonly countCache = new Map<string, number>();
  private readonly heap = new BigramHeap();
  private ids = new Int32Array(64);
  private next = new Int32Array(64);
  private prev = new Int32Array(64);

  constructor(
    vocab: GgufVocabulary,
    private readonly tokenIds: ReadonlyMap<string, number>,
    readonly pre: LlamaPreTokenizer,
  ) {
    this.tokens = vocab.tokens;
    const merges = vocab.merges ?? [];
    this.pairs = new PairTable(merges.length);
    merges.forEach((merge, rank) => {
      // llama_vocab::impl::load: split at the first space after the first character.
      const space = merge.indexOf(' ', 1);
      const left = space < 0 ? '' : merge.slice(0, space);
      const right = space < 0 ? '' : merge.slice(space + 1);
      const leftId = this.internId(left);
      const rightId = this.internId(right);
      if (this.pairs.find(leftId, rightId) < 0) this.pairs.set(leftId, rightId, rank, this.internId(left + right));
    });
    for (let byte = 0; byte < 256; byte++) {
      this.byteSymbols[byte] = this.internId(pre.byteEncode ? (byteToChar[byte] as string) : String.fromCharCode(byte));
    }
  }

  /** A token's own id (the last of repeated texts, as token_to_id), else an id past the vocabulary. */
  private internId(text: string): number {
    const token = this.tokenIds.get(text);
    if (token !== undefined) return token;
    let id = this.extraIds.get(text);
    if (id === undefined) {
      id = this.tokens.length + this.extraStrings.length;
      this.extraIds.set(text, id);
      this.extraStrings.push(text);
    }
    return id;
  }

  private stringOf(id: number): string {
    return id < this.tokens.length ? (this.tokens[id] as string) : (this.extraStrings[id - this.tokens.length] as string);
  }

  /** Tokens of one raw fragment (already whitespace-escaped when the pre-tokenizer wants it). */
  tokenize(fragment: string, out: number[] | undefined): number {
    const cpts = codePoints(fragment);
    let tokens = 0;
    let start = 0;
    let unit = 0;
    for (const length of this.pre.split(cpts)) {
      const word = cpts.subarray(start, start + length);
      start += length;
      // The word's text is a slice of the fragment (UTF-16 offsets follow the code points).
      let end = unit;
      for (let i = 0; i < length; i++) end += (word[i] as number) > 0xffff ? 2 : 1;
      const text = fragment.slice(unit, end);
      unit = end;
      if (out === undefined && length <= cacheMaxWordLength) {
        let count = this.countCache.get(text);
        if (count === undefined) {
          count = this.word(text, word, undefined);
          if (this.countCache.size >= cacheMaxEntries) this.countCache.clear();
          this.countCache.set(text, count);
        }
        tokens += count;
      } else {
        tokens += this.word(text, word, out);
      }
    }
    return tokens;
  }

  /** One word (its text and code points): symbols, merges, final tokens. */
  private word(text: string, word: Uint32Array, out: number[] | undefined): number {
    if (this.pre.ignoreMerges || this.pre.newlineRunsWhole) {
      const whole = this.tokenIds.get(this.pre.byteEncode ? byteEncode(text) : text);
      const allNewlines = /^\n+$/.test(text);
      if (whole !== undefined && (this.pre.ignoreMerges || allNewlines)) {
        out?.push(whole);
        return 1;
      }
    }
    // Symbols: one per byte (byte-level) or per code point (raw UTF-8, Gemma 4 style).
    const bytes = utf8.encode(text);
    const n = this.pre.byteEncode ? bytes.length : word.length;
    this.ensure(n);
    const { ids, next, prev } = this;
    if (this.pre.byteEncode) {
      for (let i = 0; i < n; i++) ids[i] = this.byteSymbols[bytes[i] as number] as number;
    } else {
      for (let i = 0; i < n; i++) ids[i] = this.internId(String.fromCodePoint(word[i] as number));
    }
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    const heap = this.heap;
    heap.clear();
    const pushPair = (left: number): void => {
      const right = next[left] as number;
      if (left < 0 || right < 0) return;
      const slot = this.pairs.find(ids[left] as number, ids[right] as number);
      if (slot >= 0) heap.push(this.pairs.rank(slot), left, ids[left] as number, ids[right] as number);
    };
    for (let i = 0; i + 1 < n; i++) pushPair(i);
    const alive = new Uint8Array(n).fill(1);
    while (heap.size > 0) {
      const left = heap.topPosition();
      const leftId = heap.topA();
      const rightId = heap.topB();
      heap.pop();
      const right = next[left] as number;
      // Outdated: a side was merged away or has grown since (llama.cpp compares the texts).
      if (alive[left] !== 1 || right < 0 || ids[left] !== leftId || ids[right] !== rightId) continue;
      const slot = this.pairs.find(leftId, rightId);
      ids[left] = this.pairs.merged(slot);
      alive[right] = 0;
      const after = next[right] as number;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      if ((prev[left] as number) >= 0) pushPair(prev[left] as number);
      pushPair(left);
    }
    let tokens = 0;
    for (let i = 0; i >= 0 && i < n; i = next[i] as number) {
      const id = ids[i] as number;
      if (id < this.tokens.length) {
        out?.push(id);
        tokens++;
        continue;
      }
      tokens += this.fallback(this.stringOf(id), out);
    }
    return tokens;
  }

  /**
   * A final symbol that is not a token: byte-level vocabularies look up each byte of its UTF-8 as
   * a one-byte string (only ASCII can be a token), others each byte's <0xXX> token.
   */
  private fallback(symbol: string, out: number[] | undefined): number {
    let tokens = 0;
    for (const byte of utf8.encode(symbol)) {
      const key = this.pre.byteEncode ? (byte < 0x80 ? String.fromCharCode(byte) : undefined) : byteTokenText(byte);
      const id = key === undefined ? undefined : this.tokenIds.get(key);
      if (id !== undefined) {
        out?.push(id);
        tokens++;
      }
    }
    return tokens;
  }

  private ensure(n: number): void {
    if (n <= this.ids.length) return;
    const size = Math.max(n, this.ids.length * 2);
    this.ids = new Int32Array(size);
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
  }
}

function byteEncode(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += byteToChar[byte] as string;
  return out;
}

function byteTokenText(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * llm_tokenizer_spm_session: symbols are code points; the adjacent pair whose concatenation is the
 * highest-scoring token merges first (leftmost on ties), until no pair is a token. What remains
 * unmerged and is not a token becomes its UTF-8 bytes' <0xXX> tokens (byte_to_token, which falls
 * back to the one-byte string). The text is never split first, as llama.cpp does not.
 */
class SpmMerger {
  private readonly scores: Float32Array;
  private readonly maxTokenUnits: number;
  private readonly byteTokens = new Int32Array(256);
  private readonly heap = new BigramHeap();
  private readonly table: TokenTable;

  constructor(vocab: GgufVocabulary, tokenIds: ReadonlyMap<string, number>) {
    this.table = new TokenTable(tokenIds, vocab.tokens);
    this.scores = vocab.scores ?? new Float32Array(vocab.tokens.length);
    let longest = 0;
    for (const token of vocab.tokens) longest = Math.max(longest, token.length);
    this.maxTokenUnits = longest;
    for (let byte = 0; byte < 256; byte++) {
      const id = tokenIds.get(byteTokenText(byte)) ?? (byte < 0x80 ? tokenIds.get(String.fromCharCode(byte)) : undefined);
      // llama.cpp's byte_to_token throws when the byte has no token, failing any text that needs it.
      if (id === undefined) {
        throw new HfTokenizerError(
          'tokenizer.ggml.tokens',
          `has no ${byteTokenText(byte)} byte token: llama.cpp cannot tokenize text that needs it`,
        );
      }
      this.byteTokens[byte] = id;
    }
  }

  tokenize(text: string, out: number[] | undefined): number {
    // Symbols as [start, start + length) in UTF-16 units of `text`.
    const start = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      start[n++] = i;
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) i++;
    }
    const length = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      length[i] = (i + 1 < n ? (start[i + 1] as number) : text.length) - (start[i] as number);
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    const heap = this.heap;
    heap.clear();
    // Highest score first (the heap takes −score), then the smallest left index; payload: the pair's length.
    const tryPair = (left: number, right: number): void => {
      if (left < 0 || right < 0) return;
      const size = (length[left] as number) + (length[right] as number);
      if (size > this.maxTokenUnits) return;
      const token = this.table.find(text, start[left] as number, size);
      if (token < 0) return;
      heap.push(-(this.scores[token] as number), left, size, 0);
    };
    for (let i = 1; i < n; i++) tryPair(i - 1, i);
    while (heap.size > 0) {
      const left = heap.topPosition();
      const size = heap.topA();
      heap.pop();
      const right = next[left] as number;
      if (right < 0 || length[left] === 0 || length[right] === 0 || (length[left] as number) + (length[right] as number) !== size) continue;
      length[left] = size;
      length[right] = 0;
      const after = next[right] as number;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      tryPair(prev[left] as number, left);
      tryPair(left, next[left] as number);
    }
    let tokens = 0;
    for (let i = 0; i >= 0 && i < n; i = next[i] as number) {
      const token = this.table.find(text, start[i] as number, length[i] as number);
      if (token >= 0) {
        out?.push(token);
        tokens++;
        continue;
      }
      for (const byte of utf8.encode(text.substr(start[i] as number, length[i] as number))) {
        out?.push(this.byteTokens[byte] as number);
        tokens++;
      }
    }
    return tokens;
  }
}

/**
 * Token text → id without building a string per lookup: an open-addressing table of ids hashed by
 * FNV-1a over UTF-16 units, compared in place. SentencePiece looks up every adjacent pair of a
 * text that is never split, a million lookups for 1 MiB, and a Map would allocate each key.
 */
class TokenTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    tokenIds: ReadonlyMap<string, number>,
    private readonly texts: readonly string[],
  ) {
    let capacity = 16;
    while (capacity < tokenIds.size * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity).fill(-1);
    // token_to_id keeps the last id of a repeated text, and so does the map this is built from.
    for (const [text, id] of tokenIds) {
      let slot = hashUnits(text, 0, text.length) & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
    }
  }

  /** Id of the token equal to `text[start, start + length)`, or −1. */
  find(text: string, start: number, length: number): number {
    let slot = hashUnits(text, start, length) & this.mask;
    for (;;) {
      const id = this.slots[slot] as number;
      if (id < 0) return -1;
      const token = this.texts[id] as string;
      if (token.length === length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (token.charCodeAt(i) !== text.charCodeAt(start + i)) {
            same = false;
            break;
          }
        }
        if (same) return id;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

function hashUnits(text: string, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ text.charCodeAt(start + i), 0x01000193);
  return hash >>> 0;
}
