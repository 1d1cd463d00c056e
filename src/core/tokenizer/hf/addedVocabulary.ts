import { arrayAt, booleanAt, objectAt, stringAt } from './hfJson';
import type { Normalizer } from './normalizers';
import { onigSpace, regexCrateWord } from './onigRegex';

// Added tokens (special or not) are cut out of the text before the model sees it, exactly as
// huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e tokenizers/src/tokenizer/added_vocabulary.rs
// does in `extract_and_normalize`:
// 1. tokens with `normalized: false` are matched in the raw text;
// 2. every remaining segment is normalized, then tokens with `normalized: true` are matched in it,
//    by their own normalized content.
// Matching is leftmost-longest and non-overlapping (daachorse `MatchKind::LeftmostLongest`); a match
// that fails `single_word` is dropped without rescanning inside it; `lstrip` / `rstrip` widen a match
// over the whitespace beside it. Special tokens are matched like the others: `add_special_tokens =
// false` only turns off the post-processor's BOS/EOS, not this matching.
// Deserialization (tokenizer/serialization.rs) re-adds `added_tokens` in order with `add_tokens`:
// empty contents are ignored, a repeated content keeps one id and the last entry's options, and the id
// is the existing added or model id, else the next free id after the model vocabulary.

/** One added token as the matcher uses it. */
interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly singleWord: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;
}

/** A part of a text: plain text for the model, or one added token. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  /** The added token's id, or -1 for text the model tokenizes. */
  readonly tokenId: number;
}

/** `\w` and `\s` of the Rust `regex` crate, which added_vocabulary.rs uses (not Oniguruma). */
const wordChar = new RegExp(regexCrateWord, 'v');
const spaceChar = new RegExp(`[${onigSpace}]`, 'v');

/** Leftmost-longest matcher over a set of literal strings: a trie on UTF-16 code units. */
class LiteralTrie {
  private readonly root: TrieNode = { children: new Map(), token: undefined };
  private readonly firstUnits = new Uint8Array(65536);
  private empty = true;

  add(content: string, token: AddedToken): void {
    let node = this.root;
    for (let i = 0; i < content.length; i++) {
      const unit = content.charCodeAt(i);
      let child = node.children.get(unit);
      if (child === undefined) node.children.set(unit, (child = { children: new Map(), token: undefined }));
      node = child;
    }
    node.token = token;
    this.firstUnits[content.charCodeAt(0)] = 1;
    this.empty = false;
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  /** Calls `visit` for every leftmost-longest non-overlapping match. */
  forEachMatch(text: string, visit: (start: number, end: number, token: AddedToken) => void): void {
    const firstUnits = this.firstUnits;
    for (let i = 0; i < text.length;) {
      if (firstUnits[text.charCodeAt(i)] !== 1) {
        i++;
        continue;
      }
      let node: TrieNode | undefined = this.root;
      let best: AddedToken | undefined;
      let bestEnd = i;
      for (let j = i; j < text.length; j++) {
        node = node.children.get(text.charCodeAt(j));
        if (node === undefined) break;
        if (node.token !== undefined) {
          best = node.token;
          bestEnd = j + 1;
        }
      }
      if (best === undefined) {
        i++;
        continue;
      }
      visit(i, bestEnd, best);
      i = bestEnd;
    }
  }
}

interface TrieNode {
  readonly children: Map<number, TrieNode>;
  token: AddedToken | undefined;
}

/** The added vocabulary of a tokenizer.json. */
export class AddedVocabulary {
  private readonly raw = new LiteralTrie();
  private readonly normalizedTrie = new LiteralTrie();
  /** Number of distinct added tokens, and how many of them are not in the model vocabulary. */
  readonly size: number;
  readonly extraIds: number;
  readonly specialCount: number;
  private readonly byContent = new Map<string, AddedToken>();

  constructor(json: unknown, path: string, modelVocab: ReadonlyMap<string, number>, normalizer: Normalizer | undefined) {
    const list = json === null || json === undefined ? [] : arrayAt(json, path);
    const byContent = this.byContent;
    let nextId = modelVocab.size;
    let extraIds = 0;
    list.forEach((entry, i) => {
      const at = `${path}[${i}]`;
      const record = objectAt(entry, at);
      const content = stringAt(record.content, `${at}.content`);
      if (content.length === 0) return;
      const special = booleanAt(record.special, `${at}.special`, false);
      const existing = byContent.get(content);
      let id = existing?.id ?? modelVocab.get(content);
      if (id === undefined) {
        id = nextId++;
        extraIds++;
      }
      byContent.set(content, {
        id,
        content,
        special,
        singleWord: booleanAt(record.single_word, `${at}.single_word`, false),
        lstrip: booleanAt(record.lstrip, `${at}.lstrip`, false),
        rstrip: booleanAt(record.rstrip, `${at}.rstrip`, false),
        // AddedToken::default() has normalized: true; AddedToken::from(special) has !special.
        normalized: booleanAt(record.normalized, `${at}.normalized`, !special),
      });
    });
    for (const token of byContent.values()) {
      if (token.normalized) {
        const pattern = normalizer === undefined ? token.content : normalizer(token.content).text;
        if (pattern.length > 0) this.normalizedTrie.add(pattern, token);
      } else {
        this.raw.add(token.content, token);
      }
    }
    this.size = byContent.size;
    this.extraIds = extraIds;
    this.specialCount = Array.from(byContent.values()).filter((token) => token.special).length;
  }

  /** Id of the added token whose content is exactly `content`. */
  idOf(content: string): number | undefined {
    return this.byContent.get(content)?.id;
  }

  /** Step 1: added tokens with `normalized: false`, in the raw text. */
  splitRaw(text: string): Segment[] {
    return findMatches(this.raw, text);
  }

  /** Step 2: added tokens with `normalized: true`, in an already normalized segment. */
  splitNormalized(text: string): Segment[] {
    return findMatches(this.normalizedTrie, text);
  }
}

/** added_vocabulary.rs `find_matches`: segments covering `text` (possibly overlapping after rstrip, as there). */
function findMatches(trie: LiteralTrie, text: string): Segment[] {
  if (text.length === 0) return [];
  if (trie.isEmpty) return [{ start: 0, end: text.length, tokenId: -1 }];
  const segments: Segment[] = [];
  let startOffset = 0;
  trie.forEachMatch(text, (matchStart, matchEnd, token) => {
    let start = matchStart;
    let end = matchEnd;
    if (token.singleWord) {
      const startSpace = start === 0 || !wordChar.test(lastChar(text, start));
      const stopSpace = end === text.length || !wordChar.test(firstChar(text, end));
      if (!startSpace || !stopSpace) return;
    }
    if (token.lstrip) {
      // `\s*$` on text[..start]: the start of the whitespace run before the match, not before the previous match.
      let newStart = start;
      while (newStart > 0 && spaceChar.test(text[newStart - 1] as string)) newStart--;
      start = Math.max(newStart, startOffset);
    }
    if (token.rstrip) while (end < text.length && spaceChar.test(text[end] as string)) end++;
    if (startOffset < start) segments.push({ start: startOffset, end: start, tokenId: -1 });
    segments.push({ start, end, tokenId: token.id });
    startOffset = end;
  });
  if (startOffset !== text.length) segments.push({ start: startOffset, end: text.length, tokenId: -1 });
  return segments;
}

function lastChar(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return code >= 0xdc00 && code <= 0xdfff && end >= 2 ? text.slice(end - 2, end) : (text[end - 1] as string);
}

function firstChar(text: string, start: number): string {
  const code = text.charCodeAt(start);
  return code >= 0xd800 && code <= 0xdbff && start + 1 < text.length ? text.slice(start, start + 2) : (text[start] as string);
}
