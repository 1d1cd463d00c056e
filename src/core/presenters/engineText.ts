/**
 * The one wording of the engine, the largest context that fits and the live server check, shared by
 * the CLI, the status bar hover, the panel and the chat answer, so every face says the same thing.
 */
import type { ContextFix, EngineHandling } from '../analysis/engineVerdict';
import type { EngineReport, MaxContext } from '../cost/costTypes';
import type { ServerCheck } from '../server/serverCheck';
import { formatBytes, formatInteger, formatTokens } from '../units';

/**
 * The largest context that fits, never a sentinel:
 * - `memory-limited at 95,232 tokens (the window is 131,072)`;
 * - `not memory-limited; window-limited at 32,768 tokens` (the KV cache stops growing: every layer windowed);
 * - `window-limited at 131,072 tokens (memory would allow 427,246)`;
 * - `none: the weights alone do not fit`.
 */
export function maxContextText(maxContext: MaxContext): string {
  switch (maxContext.limitedBy) {
    case 'weights':
      return 'none: the weights alone do not fit';
    case 'memory':
      return `memory-limited at ${formatInteger(maxContext.tokens)} tokens (the window is ${formatInteger(maxContext.windowTokens)})`;
    case 'window':
      return maxContext.memoryLimitTokens === null
        ? `not memory-limited; window-limited at ${formatInteger(maxContext.tokens)} tokens`
        : `window-limited at ${formatInteger(maxContext.tokens)} tokens (memory would allow ${formatInteger(maxContext.memoryLimitTokens)})`;
  }
}

/** The engine in a few words: `vLLM V1 · 7 conventions · 1 problem`. */
export function engineSummary(engine: EngineReport): string {
  const problems =
    engine.problems.length > 0 ? ` · ${engine.problems.length} problem${engine.problems.length === 1 ? '' : 's'} with the inputs` : '';
  return `${engine.name} · ${engine.conventions.length} convention${engine.conventions.length === 1 ? '' : 's'} applied${problems}`;
}

/** One line on the live check: what the server runs and its limit, that it is being checked, or why it failed. */
export function serverSummary(check: ServerCheck): string {
  switch (check.status) {
    case 'checking':
      return `checking ${check.url}…`;
    case 'failed':
      return `not read: ${check.message}`;
    case 'ok': {
      const limit =
        check.limitTokens === null
          ? 'no limit known yet (no model loaded)'
          : `${check.limitName} ${formatInteger(check.limitTokens)}${check.kind === 'llama.cpp' ? ` per slot${check.slots !== null ? ` × ${formatInteger(check.slots)} slot${check.slots === 1 ? '' : 's'}` : ''}` : ''}`;
      const pool = check.kvCapacityTokens !== null ? `, KV pool ${formatInteger(check.kvCapacityTokens)} tokens` : '';
      const vram = check.vramBytes !== null ? `, ${formatBytes(check.vramBytes)} VRAM` : '';
      return `${check.serverName} at ${check.url}: ${limit}${pool}${vram}${check.model ? `, model ${check.model}` : ''}`;
    }
  }
}

/** The short status-bar part for a server: `n_ctx 8,192` (exact, as the server reports it), `checking…`, `not read`. */
export function serverStatusText(check: ServerCheck): string {
  if (check.status === 'checking') return 'checking…';
  if (check.status === 'failed') return 'not read';
  return check.limitTokens === null ? `${check.limitName} unknown` : `${check.limitName} ${formatInteger(check.limitTokens)}`;
}

/** What the engine does with the prompt, in a few words: `Ollama drops the first 12.3k tokens`, `vLLM rejects it`. */
export function handlingShortText(handling: EngineHandling): string {
  const by = handling.by.split(' at ')[0]!;
  if (handling.handling.kind === 'front-dropped') {
    return `${by} drops the first ${formatTokens(handling.handling.dropEnd - handling.handling.dropStart)} tokens`;
  }
  return `${by} rejects it`;
}

/** The fix in a few words: `-c 24,576: KV 1.50 GiB, TTFT 2.1 s`. */
export function fixShortText(fix: ContextFix): string {
  return `${fix.change}: KV cache ≈ ${formatBytes(fix.kvCacheBytes)}${fix.kvCacheBytesNow !== null ? ` (now ${formatBytes(fix.kvCacheBytesNow)})` : ''}`;
}
