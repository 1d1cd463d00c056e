/**
 * What the serving engine does with this prompt, and what would fix it: the limit that applies (a
 * running server's, else the engine profile's, else the model's), the handling of a prompt past it
 * (Ollama drops the front silently; llama-server, vLLM and SGLang reject it), the files that get cut,
 * and the server setting that would make it fit with its KV-memory and time-to-first-token cost,
 * computed with the engine profile (`estimateCost`).
 */
import { estimateCost } from '../cost/costEngine';
import type { CostInput, EngineId, EngineReport, PromptHandling } from '../cost/costTypes';
import { ollamaPromptHandling } from '../cost/engineProfiles';
import { vllmMaxModelLen } from '../cost/engineWindows';
import type { ModelSpec } from '../model/modelSpec';
import type { FilePlacement } from '../risk/riskTypes';
import type { ServerCheck, ServerKind, ServerReading } from '../server/serverCheck';
import type { Settings } from '../settings';
import { settingName } from '../vocabulary';
import { formatBytes, formatInteger, formatSeconds } from '../units';

/** The maximum window the verdict uses, and where it comes from. */
export interface WindowLimit {
  readonly tokens: number;
  /** `server n_ctx 8,192`, `vLLM max_model_len 131,072`, `Ollama num_ctx 32,768`, `maximum window 131,072`. */
  readonly label: string;
  readonly source: 'server' | 'engine' | 'model';
}

/** A file the engine cuts (front-drop) or that lies past the limit (rejection). */
export interface CutFile {
  readonly uri: string;
  readonly relativePath: string;
  /** `whole`: every token of the file is lost; `part`: some are. */
  readonly part: 'whole' | 'part';
}

/** The engine's handling of a prompt it does not take whole. */
export interface EngineHandling {
  readonly handling: Exclude<PromptHandling, { readonly kind: 'accepted' }>;
  /** Who does it: `Ollama`, `llama-server at http://127.0.0.1:8080`, `vLLM`. */
  readonly by: string;
  readonly limit: WindowLimit;
  /** Files cut or past the limit, in prompt order. */
  readonly files: readonly CutFile[];
}

/** The server setting that makes this prompt fit, and what it costs (estimates with the engine profile). */
export interface ContextFix {
  readonly engine: EngineId;
  /** Context per sequence needed: prompt + reserved output (at least prompt + 1 where the engine refuses a full context). */
  readonly contextTokens: number;
  /** What to change on the server, e.g. `restart llama-server with -c 24,576 (2 slots × 12,288 tokens)`. */
  readonly change: string;
  /** The setting that makes the estimates follow that server. */
  readonly setting: { readonly key: 'numCtx' | 'maxModelLen'; readonly value: number };
  /** KV cache with the fix, and with the limit as it is (null when the prompt is rejected as it is). */
  readonly kvCacheBytes: number;
  readonly kvCacheBytesNow: number | null;
  /** Time to first token for the whole prompt, and for what the engine processes now (the kept part of a front-dropped prompt). */
  readonly prefillSeconds: number;
  readonly prefillSecondsNow: number | null;
  /** Whether weights + KV still fit in GPU memory with the fix (estimate). */
  readonly fits: boolean;
  /** Caveats: a cap the fix runs into, or a window it goes past. */
  readonly notes: readonly string[];
  /** One line with all of the above. */
  readonly text: string;
}

/** Short engine names for sentences ("Ollama will drop…"). */
export const engineShortNames: Readonly<Record<EngineId, string>> = {
  ideal: 'the model',
  'llama.cpp': 'llama-server',
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  vllm: 'vLLM',
  sglang: 'SGLang',
};

/** The engine profile a server kind is modelled by. */
export const serverEngine: Readonly<Record<ServerKind, EngineId>> = {
  'llama.cpp': 'llama.cpp',
  ollama: 'ollama',
  vllm: 'vllm',
  sglang: 'sglang',
};

/**
 * What a running server was started with, applied to the engine knobs the user left unset, when the
 * server runs the engine the estimates follow (else the profile stays as chosen, and a warning says
 * which profile matches): llama-server's slot n_ctx and slot count (its cache is allocated for every
 * slot), Ollama's loaded num_ctx, vLLM's max_model_len, SGLang's context length. The KV figures then
 * describe the server as it runs, not the profile's defaults, and the conventions say where each value
 * came from. Returns the settings to estimate with and that origin, or null when nothing applies.
 */
export function serverConfiguredSettings(
  settings: Settings,
  server: ServerCheck | null | undefined,
): { readonly settings: Settings; readonly knobsFrom: string } | null {
  const reading = serverLimitReading(server);
  if (!reading || serverEngine[reading.kind] !== settings.engine) return null;
  const from = `${reading.serverName} at ${reading.url}`;
  switch (reading.kind) {
    case 'llama.cpp': {
      const slots = reading.slots ?? settings.batchSize;
      return {
        settings: { ...settings, numCtx: settings.numCtx ?? reading.limitTokens, batchSize: slots },
        knobsFrom: `${settings.numCtx !== null ? 'your setting; ' : ''}as ${from} reports${reading.slots !== null ? `: ${formatInteger(slots)} slot${slots === 1 ? '' : 's'}` : ''}, GET /props`,
      };
    }
    case 'ollama':
      if (settings.numCtx !== null) return null;
      return { settings: { ...settings, numCtx: reading.limitTokens }, knobsFrom: `as ${from} has the model loaded, GET /api/ps` };
    case 'vllm':
    case 'sglang':
      if (settings.maxModelLen !== null) return null;
      return { settings: { ...settings, maxModelLen: reading.limitTokens }, knobsFrom: `as ${from} reports, GET /v1/models` };
  }
}

/** The reading of a check that answered with a limit, else null. */
export function serverLimitReading(check: ServerCheck | null | undefined): (ServerReading & { readonly limitTokens: number }) | null {
  return check?.status === 'ok' && check.limitTokens !== null ? (check as ServerReading & { readonly limitTokens: number }) : null;
}

/**
 * The maximum window: a running server's limit when one answered with it; else the engine
 * profile's (vLLM max_model_len, SGLang context_length, Ollama num_ctx, llama.cpp n_ctx_train);
 * else the model's own.
 */
export function windowLimitOf(engine: EngineReport, modelMaxWindow: number, server: ServerCheck | null | undefined): WindowLimit {
  const reading = serverLimitReading(server);
  if (reading) {
    return { tokens: reading.limitTokens, label: `server ${reading.limitName} ${formatInteger(reading.limitTokens)}`, source: 'server' };
  }
  const tokens = engine.maxWindowTokens;
  switch (engine.id) {
    case 'ideal':
      return { tokens: modelMaxWindow, label: `maximum window ${formatInteger(modelMaxWindow)}`, source: 'model' };
    case 'ollama':
      return { tokens, label: `Ollama num_ctx ${formatInteger(tokens)}`, source: 'engine' };
    case 'vllm':
      return { tokens, label: `vLLM max_model_len ${formatInteger(tokens)}`, source: 'engine' };
    case 'sglang':
      return { tokens, label: `SGLang context_length ${formatInteger(tokens)}`, source: 'engine' };
    case 'llama.cpp':
    case 'lmstudio':
      return { tokens, label: `${engineShortNames[engine.id]} n_ctx_train ${formatInteger(tokens)}`, source: 'engine' };
  }
}

/**
 * What a running server does with this prompt, from the limit it reported:
 * - llama-server refuses a prompt of n_ctx tokens or more ("request (N tokens) exceeds the available
 *   context size", tools/server/server-context.cpp; reproduced by the real-server test);
 * - Ollama cuts the front as its runner does (`ollamaPromptHandling`);
 * - vLLM and SGLang refuse prompt + max_tokens above max_model_len / context_length.
 */
export function serverHandling(
  reading: ServerReading & { readonly limitTokens: number },
  model: ModelSpec,
  promptTokens: number,
  reserveOutputTokens: number,
): PromptHandling {
  const limit = reading.limitTokens;
  const total = promptTokens + reserveOutputTokens;
  switch (reading.kind) {
    case 'llama.cpp':
      return promptTokens >= limit
        ? {
            kind: 'rejected',
            limit,
            maxPromptTokens: limit - 1,
            reason: `llama-server at ${reading.url} answers "request (${formatInteger(promptTokens)} tokens) exceeds the available context size (${formatInteger(limit)} tokens)": its slots hold n_ctx ${formatInteger(limit)}, and a prompt must be shorter`,
          }
        : { kind: 'accepted' };
    case 'ollama': {
      const handling = ollamaPromptHandling(model, promptTokens, limit);
      return handling.kind === 'accepted'
        ? handling
        : { ...handling, reason: `${handling.reason}; num_ctx ${formatInteger(limit)} as the server at ${reading.url} has it loaded` };
    }
    case 'vllm':
    case 'sglang':
      return total > limit
        ? {
            kind: 'rejected',
            limit,
            maxPromptTokens: Math.max(0, limit - reserveOutputTokens),
            reason: `${reading.serverName} at ${reading.url} rejects prompt + max_tokens = ${formatInteger(total)} > ${reading.limitName} ${formatInteger(limit)}`,
          }
        : { kind: 'accepted' };
  }
}

/** Who handles the prompt, for sentences: the server (with its URL) or the engine profile. */
export function handlerName(engineId: EngineId, server: ServerCheck | null | undefined): string {
  const reading = serverLimitReading(server);
  if (reading) return `${reading.serverName} at ${reading.url}`;
  return engineShortNames[engineId];
}

/**
 * The engine's handling when it does not take the prompt whole, with the files affected; null when
 * it does, and for the `ideal` reference without a server (the risk's "beyond" says it then).
 */
export function engineHandlingOf(input: {
  readonly engine: EngineReport;
  readonly server: ServerCheck | null | undefined;
  readonly limit: WindowLimit;
  readonly model: ModelSpec;
  readonly promptTokens: number;
  readonly reserveOutputTokens: number;
  readonly placements: readonly FilePlacement[];
}): EngineHandling | null {
  const reading = serverLimitReading(input.server);
  let handling: PromptHandling;
  if (reading) handling = serverHandling(reading, input.model, input.promptTokens, input.reserveOutputTokens);
  else if (input.engine.id !== 'ideal') handling = input.engine.promptHandling;
  else return null;
  if (handling.kind === 'accepted') return null;
  return { handling, by: handlerName(input.engine.id, input.server), limit: input.limit, files: cutFiles(handling, input.placements) };
}

/** Files overlapping the dropped range (front-drop) or ending past the longest prompt taken (rejection). */
export function cutFiles(
  handling: Exclude<PromptHandling, { readonly kind: 'accepted' }>,
  placements: readonly FilePlacement[],
): CutFile[] {
  const files: CutFile[] = [];
  for (const file of placements) {
    if (file.end <= file.start) continue;
    if (handling.kind === 'front-dropped') {
      if (file.end <= handling.dropStart || file.start >= handling.dropEnd) continue;
      files.push({
        uri: file.path,
        relativePath: file.label,
        part: file.start >= handling.dropStart && file.end <= handling.dropEnd ? 'whole' : 'part',
      });
    } else if (file.end > handling.maxPromptTokens) {
      files.push({ uri: file.path, relativePath: file.label, part: file.start >= handling.maxPromptTokens ? 'whole' : 'part' });
    }
  }
  return files;
}

/** Input to {@link contextFixOf}. */
export interface ContextFixInput {
  /** The cost input of the current estimate (model, GPU, dtypes, efficiencies, engine knobs). */
  readonly costInput: CostInput;
  /** The engine to fix: the server's, else the profile's. */
  readonly engine: EngineId;
  /** The limit as it is, tokens per sequence. */
  readonly currentLimit: number;
  readonly handling: PromptHandling;
  /** The server's reading, when the limit is a running server's. */
  readonly reading: ServerReading | null;
}

/**
 * The setting that makes this prompt fit and what it costs: the context per sequence it needs
 * (prompt + reserved output, and more than the prompt where the engine refuses a full context), the
 * KV cache at that context and at the current one, and time to first token for the whole prompt,
 * all estimated with the engine profile. Null for the `ideal` reference, which has no setting.
 */
export function contextFixOf(input: ContextFixInput): ContextFix | null {
  const { costInput, engine, reading } = input;
  if (engine === 'ideal') return null;
  const prompt = costInput.promptTokens;
  const total = prompt + costInput.reserveOutputTokens;
  const refusesFull = engine === 'llama.cpp' || engine === 'lmstudio' || engine === 'ollama';
  const needed = Math.max(total, refusesFull ? prompt + 1 : prompt);
  const slots = reading?.kind === 'llama.cpp' && reading.slots !== null ? reading.slots : costInput.batchSize;
  const knob: 'numCtx' | 'maxModelLen' = engine === 'vllm' || engine === 'sglang' ? 'maxModelLen' : 'numCtx';
  const at = (context: number, promptTokens = prompt): ReturnType<typeof estimateCost> =>
    estimateCost({
      ...costInput,
      promptTokens,
      batchSize: slots,
      engine: { ...(costInput.engine ?? { engine }), engine, ...(knob === 'numCtx' ? { numCtx: context } : { maxModelLen: context }) },
    });
  const fixed = at(needed);
  // llama.cpp and Ollama allocate the cache for the context up front, so "now" is what the server holds
  // even when it refuses the prompt; vLLM and SGLang hold blocks for the request, which a refused one never gets.
  const allocatesUpFront = engine !== 'vllm' && engine !== 'sglang';
  const now =
    input.handling.kind === 'rejected' && !allocatesUpFront
      ? null
      : at(
          input.currentLimit,
          input.handling.kind === 'front-dropped' ? input.handling.limit : Math.min(prompt, Math.max(0, input.currentLimit - 1)),
        );
  const notes: string[] = [];
  const model = costInput.model;
  let change: string;
  switch (engine) {
    case 'llama.cpp':
    case 'lmstudio': {
      const train = reading?.trainContextTokens ?? model.maxPositionEmbeddings;
      const perSlot = Math.ceil(needed / 256) * 256;
      change =
        engine === 'lmstudio'
          ? `set the model's context length to ${formatInteger(perSlot)} in LM Studio`
          : `restart llama-server with -c ${formatInteger(perSlot * slots)}${slots > 1 ? ` (--ctx-size; ${slots} slots × ${formatInteger(perSlot)} tokens)` : ' (--ctx-size)'}`;
      // server-context.cpp n_ctx_slot(): std::min(llama_n_ctx_seq(ctx), llama_model_n_ctx_train(model)).
      if (needed > train) {
        notes.push(
          `llama-server caps each slot at the model's training context n_ctx_train ${formatInteger(train)}, so no -c makes this prompt fit: drop files.`,
        );
      }
      break;
    }
    case 'ollama': {
      const train = reading?.trainContextTokens ?? model.maxPositionEmbeddings;
      change = `set num_ctx to ${formatInteger(needed)} (OLLAMA_CONTEXT_LENGTH=${needed} for the server, PARAMETER num_ctx ${needed} in a Modelfile, or "options": {"num_ctx": ${needed}} per request)`;
      if (needed > train) {
        notes.push(
          `Ollama caps num_ctx at the model's training context ${formatInteger(train)} (server/sched.go effectiveModelContext), so no num_ctx makes this prompt fit: drop files.`,
        );
      }
      break;
    }
    case 'vllm':
    case 'sglang': {
      const flag = engine === 'vllm' ? '--max-model-len' : '--context-length';
      change = `restart ${engine === 'vllm' ? 'vLLM' : 'SGLang'} with ${flag} ${needed}`;
      const derived = vllmMaxModelLen(model).tokens;
      if (needed > derived) {
        notes.push(
          `${flag} ${formatInteger(needed)} is past the model's ${formatInteger(derived)}: ${engine === 'vllm' ? 'vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1' : 'SGLang refuses it unless SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1'}, and positions past it were never trained.`,
        );
      }
      if (reading?.kvCapacityTokens != null && needed > reading.kvCapacityTokens) {
        notes.push(
          `The server's KV pool holds ${formatInteger(reading.kvCapacityTokens)} tokens, fewer than ${formatInteger(needed)}: it would not start; raise --gpu-memory-utilization or add GPUs (tensor parallel).`,
        );
      }
      break;
    }
  }
  if (!fixed.fits && fixed.engine.promptHandling.kind === 'accepted') {
    notes.push(
      `Weights + KV cache would need ${formatBytes(fixed.totalBytes)} of ${formatBytes(fixed.usableMemoryBytes)} usable: it does not fit in GPU memory (estimate).`,
    );
  }
  const kvText = `KV cache ≈ ${formatBytes(fixed.kvCacheBytes)}${now ? ` (now ${formatBytes(now.kvCacheBytes)})` : ''}`;
  const ttftText = `time to first token ≈ ${formatSeconds(fixed.prefillSeconds)} for the whole prompt${now && input.handling.kind === 'front-dropped' ? ` (now ${formatSeconds(now.prefillSeconds)} for the ${formatInteger(input.handling.limit)} tokens kept)` : ''}`;
  const settingText = `${settingName(knob)} (--${knob === 'numCtx' ? 'num-ctx' : 'max-model-len'}) to ${formatInteger(needed)}`;
  const text = `To fit, ${change}: ${kvText}, ${ttftText} (estimates, ${engineShortNames[engine]} profile). To budget for that server, set ${settingText}.${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`;
  return {
    engine,
    contextTokens: needed,
    change,
    setting: { key: knob, value: needed },
    kvCacheBytes: fixed.kvCacheBytes,
    kvCacheBytesNow: now?.kvCacheBytes ?? null,
    prefillSeconds: fixed.prefillSeconds,
    prefillSecondsNow: now && input.handling.kind === 'front-dropped' ? now.prefillSeconds : null,
    fits: fixed.fits,
    notes,
    text,
  };
}
