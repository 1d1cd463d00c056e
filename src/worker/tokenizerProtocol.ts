import type { EncodingName } from '../core/tokenizer/encoding';

/** A count request from {@link TokenizerPool} to a tokenizer worker. */
export type TokenizerRequest =
  | { readonly id: number; readonly kind: 'bytes'; readonly encoding: EncodingName; readonly bytes: Uint8Array }
  | { readonly id: number; readonly kind: 'text'; readonly encoding: EncodingName; readonly text: string };

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

/** The worker's reply: an outcome, or an error message when counting threw. */
export type TokenizerResponse =
  | { readonly id: number; readonly outcome: WorkerOutcome }
  | { readonly id: number; readonly error: string };
