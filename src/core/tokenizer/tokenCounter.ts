import { bytePairMerge } from './bytePairMerge';
import type { EncodingName } from './encoding';
import { getPretokenizePattern, replaceLoneSurrogates } from './pretokenize';
import { getRanks, type RankMap } from './rankData';

/** Counts (and, for tests, encodes) text with one BPE encoding, exactly like tiktoken's `encode_ordinary`. */
export interface TokenCounter {
  /** The encoding this counter uses. */
  readonly encoding: EncodingName;
  /**
   * Number of tokens in `text`. Special-token strings such as `<|endoftext|>` are ordinary text here
   * (never thrown on), and lone surrogates count as U+FFFD.
   */
  count(text: string): number;
  /** Token ids of `text`, identical to tiktoken's `encode_ordinary(text)`. */
  encode(text: string): number[];
}

/**
 * Thrown when one pre-tokenization piece (an unbroken run of letters, punctuation or spaces) is too
 * long for V8's regex backtracking stack, which overflows at roughly 3–4 million characters in one
 * match. Such a run has no reference count either: the official tiktoken core needs ~19 s for a
 * 100 KB run and aborts at 1 MB. Callers report the file as skipped with {@link message}.
 */
export class PieceTooLongError extends Error {
  constructor(readonly offset: number) {
    super(`an unbroken run of several million characters at offset ${offset} is too long to tokenize exactly`);
    this.name = 'PieceTooLongError';
  }
}

const counters = new Map<EncodingName, TokenCounter>();

/**
 * Returns the shared counter for `encoding`. Ranks are decoded on the first `count`/`encode`, not
 * here, so asking for a counter is free.
 */
export function getTokenCounter(encoding: EncodingName): TokenCounter {
  let counter = counters.get(encoding);
  if (counter === undefined) {
    counter = new BpeTokenCounter(encoding);
    counters.set(encoding, counter);
  }
  return counter;
}

class BpeTokenCounter implements TokenCounter {
  private ranks: RankMap | undefined;
  private pattern: RegExp | undefined;

  constructor(readonly encoding: EncodingName) {}

  count(text: string): number {
    let tokens = 0;
    this.forEachPiece(text, (piece, ranks) => {
      tokens += ranks.has(piece) ? 1 : bytePairMerge(piece, ranks).length;
    });
    return tokens;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    this.forEachPiece(text, (piece, ranks) => {
      const whole = ranks.get(piece);
      if (whole !== undefined) {
        ids.push(whole);
        return;
      }
      const starts = bytePairMerge(piece, ranks);
      for (let i = 0; i < starts.length; i++) {
        const id = ranks.get(piece.substring(starts[i] as number, starts[i + 1] ?? piece.length));
        // Cannot happen: every single byte has a rank, and merges only produce ranked byte strings.
        if (id === undefined) throw new Error('BPE produced an unranked part');
        ids.push(id);
      }
    });
    return ids;
  }

  /** Calls `visit` with every pre-tokenized piece of `text` as a UTF-8 byte string. */
  private forEachPiece(text: string, visit: (piece: string, ranks: RankMap) => void): void {
    this.ranks ??= getRanks(this.encoding);
    this.pattern ??= getPretokenizePattern(this.encoding);
    const ranks = this.ranks;
    const pattern = this.pattern;
    const source = replaceLoneSurrogates(text);
    pattern.lastIndex = 0;
    for (;;) {
      const offset = pattern.lastIndex;
      let match: RegExpExecArray | null;
      try {
        match = pattern.exec(source);
      } catch (error) {
        // V8 reports a backtracking-stack overflow as RangeError ("Maximum call stack size exceeded").
        if (error instanceof RangeError) throw new PieceTooLongError(offset);
        throw error;
      }
      if (match === null) break;
      visit(toByteString(match[0]), ranks);
    }
  }
}

/**
 * UTF-8 bytes of `text` as a byte string (one code unit per byte). ASCII text is returned as is,
 * which avoids any allocation for most pieces of source code. Expects no lone surrogates.
 */
export function toByteString(text: string): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 0x80) i++;
  if (i === text.length) return text;
  let out = text.substring(0, i);
  for (; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x80) {
      out += text[i];
    } else if (cp < 0x800) {
      out += String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out += String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      out += String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    }
  }
  return out;
}
