import type { CountingPool, PoolOutcome } from '../../src/core/scan/contextCounter';
import type { EncodingName } from '../../src/core/tokenizer/encoding';

/** One request the pool received. */
export interface PoolCall {
  readonly kind: 'bytes' | 'text';
  readonly text: string;
  readonly encoding: EncodingName;
}

/**
 * A counting pool for session tests: a text's count is its number of whitespace-separated words
 * (×2 under cl100k_base, so a tokenizer switch visibly changes every count). Tests can hold a
 * request until they release it, to make an older count finish after a newer one, and can make a
 * request fail like a crashed worker. Every call is recorded.
 */
export class ScriptedPool implements CountingPool {
  readonly calls: PoolCall[] = [];
  /** The secret rule names a count reports for a text (none unless a test sets this). */
  secretsOf: (text: string) => string[] = () => [];
  private readonly gates: { readonly match: (call: PoolCall) => boolean; readonly waiting: Array<() => void>; open: boolean }[] = [];
  private readonly failures: Array<(call: PoolCall) => boolean> = [];

  /** Holds every request matching `match` until the returned function is called. */
  hold(match: (call: PoolCall) => boolean): () => void {
    const gate = { match, waiting: [] as Array<() => void>, open: false };
    this.gates.push(gate);
    return () => {
      gate.open = true;
      for (const release of gate.waiting.splice(0)) release();
    };
  }

  /** Makes requests matching `match` reject, as a worker that crashed would. */
  failWhen(match: (call: PoolCall) => boolean): void {
    this.failures.push(match);
  }

  countBytes(bytes: Uint8Array, encoding: EncodingName, signal?: AbortSignal): Promise<PoolOutcome> {
    return this.answer({ kind: 'bytes', text: new TextDecoder().decode(bytes), encoding }, signal);
  }

  countText(text: string, encoding: EncodingName, signal?: AbortSignal): Promise<PoolOutcome> {
    return this.answer({ kind: 'text', text, encoding }, signal);
  }

  /** The count this pool gives `text` under `encoding`. */
  static tokensOf(text: string, encoding: EncodingName = 'o200k_base'): number {
    const words = text.split(/\s+/).filter(Boolean).length;
    return encoding === 'cl100k_base' ? words * 2 : words;
  }

  private async answer(call: PoolCall, signal: AbortSignal | undefined): Promise<PoolOutcome> {
    this.calls.push(call);
    for (const gate of this.gates) {
      if (!gate.open && gate.match(call)) await new Promise<void>((resolve) => gate.waiting.push(resolve));
    }
    if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    if (this.failures.some((match) => match(call))) throw new Error('tokenizer worker exited with code 1: RangeError: out of memory');
    const bytes = new TextEncoder().encode(call.text).byteLength;
    return {
      kind: 'counted',
      tokens: ScriptedPool.tokensOf(call.text, call.encoding),
      bytes,
      hadUtf8Bom: false,
      invalidUtf8Sequences: 0,
      secretHints: this.secretsOf(call.text),
      contentHash: `${call.kind}:${call.text}`,
      cached: false,
    };
  }
}
