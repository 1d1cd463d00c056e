/**
 * The live check of a running inference server: which engine answers at the URL, and the limit it
 * was actually started with. Pure: the HTTP requests go through the {@link ServerHttp} port (the Node
 * adapter is src/node/serverHttp.ts), and every field read is validated, so a server that answers
 * with something else (an HTML error page, another product on the port, a truncated body) yields one
 * message naming the endpoint and the field, never a wrong number.
 *
 * What each server says, read from its own code at a pinned version:
 * - llama-server: `GET /props` → default_generation_settings.n_ctx (the context of one slot, already
 *   capped at n_ctx_train), total_slots, model_path, model_alias; `GET /v1/models` → data[0].meta
 *   .n_ctx_train; `GET /slots` → one object per slot with its n_ctx (disabled with --no-slots)
 *   ({@link llamaServerSource}: tools/server/server-context.cpp get_res_props, get_res_model_info,
 *   server_slot::to_json, n_ctx_slot; tools/server/server.cpp routes).
 * - Ollama: `GET /api/ps` → the loaded models, each with context_length (the num_ctx its runner was
 *   started with) and size_vram; `POST /api/show {model}` → parameters (the Modelfile's num_ctx) and
 *   model_info["<arch>.context_length"] (the training context) ({@link ollamaApiSource}).
 * - vLLM: `GET /v1/models` → data[].max_model_len; `GET /metrics` → the `vllm:cache_config_info`
 *   gauge, whose labels are the CacheConfig fields: num_gpu_blocks, block_size,
 *   gpu_memory_utilization, and in newer versions kv_cache_size_tokens (group-aware capacity)
 *   ({@link vllmModelsSource}, {@link vllmMetricsSource}).
 * - SGLang: `GET /v1/models` → data[].max_model_len (its context_len); `GET /metrics` (with
 *   --enable-metrics) → `sglang:max_total_num_tokens`, the KV pool's token capacity
 *   ({@link sglangModelsSource}, {@link sglangMetricsSource}).
 */
import { prometheusSamples } from './prometheusText';
import type { ServerAddress } from './serverUrl';

/** llama.cpp's server code (the version node-llama-cpp 3.21.1 ships, built in scripts/installLlamaServer.mjs). */
export const llamaServerSource =
  'ggml-org/llama.cpp@v0.4.0 (node-llama-cpp@3.21.1 llama/gitRelease.bundle, 80fb11ac):tools/server/server-context.cpp';
/** Ollama's API types and documented examples. */
export const ollamaApiSource =
  'ollama/ollama@b7871fc0d1d82fe109536efa3e0e8e411c766c75:api/types.go ProcessModelResponse, ShowResponse; docs/openapi.yaml';
/** vLLM's /v1/models card. */
export const vllmModelsSource =
  'vllm-project/vllm@040a2cc2a6295ea9c313d86526ff90a103eacb3e:vllm/entrypoints/openai/engine/protocol.py ModelCard';
/** vLLM's cache_config_info gauge and the CacheConfig fields it carries. */
export const vllmMetricsSource =
  'vllm-project/vllm@a6f0308cfe806b7731ad4979c9bea6e470c35efd:vllm/v1/metrics/loggers.py log_metrics_info; vllm-project/vllm@002f10e0cfa1373a19a0d2756598a34b700d20e5:vllm/config/cache.py metrics_info';
/** SGLang's /v1/models card. */
export const sglangModelsSource =
  'sgl-project/sglang@9b116dffe828b2dfa7ec0e4d061555b6c354b67a:python/sglang/srt/entrypoints/openai/protocol.py ModelCard';
/** SGLang's KV pool capacity gauge. */
export const sglangMetricsSource =
  'sgl-project/sglang@00ae9c1590d2d0bb6c0bfff39e312c34ae3dd538:python/sglang/srt/metrics/collector.py sglang:max_total_num_tokens';

/** The servers that can be read. */
export type ServerKind = 'llama.cpp' | 'ollama' | 'vllm' | 'sglang';

/** What one request gave: an HTTP response (any status) or why none came. */
export type HttpOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly body: string }
  | { readonly kind: 'failed'; readonly reason: 'timeout' | 'too-large' | 'network' | 'aborted'; readonly message: string };

/** The port the check talks through: paths are relative to the server root (`/props`, `/api/ps`). */
export interface ServerHttp {
  get(path: string, signal?: AbortSignal): Promise<HttpOutcome>;
  postJson(path: string, body: unknown, signal?: AbortSignal): Promise<HttpOutcome>;
}

/** One endpoint that was read and what it gave, for the hover, the panel and `--json`. */
export interface ServerEndpointReading {
  /** e.g. `GET /props`. */
  readonly endpoint: string;
  /** e.g. `n_ctx 8,192 per slot, total_slots 4, model_path /models/qwen3-8b.gguf`. */
  readonly gave: string;
  readonly source: string;
}

/** A server that answered and was understood. */
export interface ServerReading {
  readonly status: 'ok';
  /** The URL as shown (no credentials). */
  readonly url: string;
  readonly kind: ServerKind;
  /** `llama-server`, `Ollama`, `vLLM`, `SGLang`. */
  readonly serverName: string;
  /** The model the server runs, as it names it; null when it names none (Ollama with nothing loaded). */
  readonly model: string | null;
  /**
   * The longest sequence (prompt + output) one request may hold, in tokens: llama-server's slot
   * n_ctx, the loaded Ollama runner's num_ctx, vLLM's max_model_len, SGLang's context length. Null
   * when the server cannot say (Ollama with no model loaded).
   */
  readonly limitTokens: number | null;
  /** The server's own name for that limit: `n_ctx`, `num_ctx`, `max_model_len`, `context_length`. */
  readonly limitName: string;
  /** llama-server's parallel slots (each has the slot n_ctx); null elsewhere. */
  readonly slots: number | null;
  /** The model's training context as the server reports it (llama n_ctx_train, Ollama `<arch>.context_length`); null when not reported. */
  readonly trainContextTokens: number | null;
  /** Tokens the whole KV pool holds across requests (vLLM blocks × block size, SGLang max_total_num_tokens); null when not reported. */
  readonly kvCapacityTokens: number | null;
  /** vLLM's block size and block count and gpu_memory_utilization, as /metrics reports them; null when not reported. */
  readonly blockSize: number | null;
  readonly numGpuBlocks: number | null;
  readonly gpuMemoryUtilization: number | null;
  /** Ollama: the VRAM the loaded model occupies (size_vram), bytes; null elsewhere. */
  readonly vramBytes: number | null;
  readonly readings: readonly ServerEndpointReading[];
  /** What could not be read and why, each a sentence (e.g. `/metrics` disabled). */
  readonly notes: readonly string[];
}

/** The state of the live check. */
export type ServerCheck =
  | { readonly status: 'checking'; readonly url: string }
  | ServerReading
  | { readonly status: 'failed'; readonly url: string; readonly message: string };

/** Thrown by the field readers: a response that is not what the server sends. */
class ShapeError extends Error {}

/**
 * Reads what the server at `address` was started with. Never throws: an unreachable server, a
 * timeout, an unknown product or a malformed answer is a `failed` check with one message. The
 * three identifying requests run at once, so a server that answers takes one round trip plus one
 * follow-up; each request is bounded by the port (the Node adapter: 2 s, 4 MiB).
 */
export async function checkServer(address: ServerAddress, http: ServerHttp, signal?: AbortSignal): Promise<ServerCheck> {
  const url = address.display;
  try {
    const [props, ps, models] = await Promise.all([
      http.get('/props', signal),
      http.get('/api/ps', signal),
      http.get('/v1/models', signal),
    ]);
    if (signal?.aborted) return { status: 'failed', url, message: 'the check was cancelled' };
    const propsJson = jsonOf(props);
    if (isRecord(propsJson) && 'default_generation_settings' in propsJson) {
      return await readLlamaServer(url, http, propsJson, jsonOf(models), signal);
    }
    const psJson = jsonOf(ps);
    if (isRecord(psJson) && Array.isArray(psJson.models)) return await readOllama(url, http, psJson, signal);
    const modelsJson = jsonOf(models);
    if (isRecord(modelsJson) && Array.isArray(modelsJson.data)) return await readOpenAiServer(url, http, modelsJson, signal);
    return {
      status: 'failed',
      url,
      message: unrecognised(url, [
        ['GET /props', props],
        ['GET /api/ps', ps],
        ['GET /v1/models', models],
      ]),
    };
  } catch (error) {
    if (error instanceof ShapeError) return { status: 'failed', url, message: error.message };
    return { status: 'failed', url, message: `the check failed: ${(error as Error)?.message ?? String(error)}` };
  }
}

/** llama-server: /props (n_ctx per slot, total_slots, model), /v1/models (n_ctx_train), /slots (optional). */
async function readLlamaServer(
  url: string,
  http: ServerHttp,
  props: Record<string, unknown>,
  models: unknown,
  signal?: AbortSignal,
): Promise<ServerReading> {
  const where = `${url} GET /props`;
  const settings = record(props.default_generation_settings, `${where}: default_generation_settings`);
  const nCtx = wholeNumber(settings.n_ctx, `${where}: default_generation_settings.n_ctx`);
  const slots = optionalWholeNumber(props.total_slots, `${where}: total_slots`);
  const modelPath = optionalString(props.model_path, `${where}: model_path`);
  const alias = optionalString(props.model_alias, `${where}: model_alias`);
  const readings: ServerEndpointReading[] = [
    {
      endpoint: 'GET /props',
      gave: `n_ctx ${fmt(nCtx)} per slot${slots !== null ? `, total_slots ${fmt(slots)}` : ''}${modelPath ? `, model_path ${modelPath}` : ''}`,
      source: `${llamaServerSource} get_res_props`,
    },
  ];
  const notes: string[] = [];
  let trainContext: number | null = null;
  const first = isRecord(models) && Array.isArray(models.data) ? models.data[0] : undefined;
  if (isRecord(first) && isRecord(first.meta) && first.meta.n_ctx_train !== undefined) {
    trainContext = wholeNumber(first.meta.n_ctx_train, `${url} GET /v1/models: data[0].meta.n_ctx_train`);
    readings.push({
      endpoint: 'GET /v1/models',
      gave: `n_ctx_train ${fmt(trainContext)}`,
      source: `${llamaServerSource} get_res_model_info`,
    });
  }
  const slotsAnswer = await http.get('/slots', signal);
  const slotsJson = jsonOf(slotsAnswer);
  if (Array.isArray(slotsJson)) {
    const contexts = slotsJson.map((slot, i) => wholeNumber(isRecord(slot) ? slot.n_ctx : undefined, `${url} GET /slots: [${i}].n_ctx`));
    const busy = slotsJson.filter((slot) => isRecord(slot) && slot.is_processing === true).length;
    readings.push({
      endpoint: 'GET /slots',
      gave: `${fmt(contexts.length)} slot(s) of n_ctx ${[...new Set(contexts)].map(fmt).join(' / ')}, ${fmt(busy)} busy`,
      source: `${llamaServerSource} server_slot::to_json`,
    });
    if (contexts.some((value) => value !== nCtx)) {
      notes.push(
        `/slots reports slot contexts of ${[...new Set(contexts)].map(fmt).join(', ')} tokens, /props ${fmt(nCtx)}: the smallest applies.`,
      );
    }
    const smallest = Math.min(nCtx, ...contexts);
    return llamaReading(url, smallest, slots ?? contexts.length, alias, modelPath, trainContext, readings, notes);
  }
  notes.push(
    `GET /slots: ${outcomeText(slotsAnswer)} (llama-server started with --no-slots does not list slots); n_ctx is read from /props.`,
  );
  return llamaReading(url, nCtx, slots, alias, modelPath, trainContext, readings, notes);
}

function llamaReading(
  url: string,
  nCtx: number,
  slots: number | null,
  alias: string | null,
  modelPath: string | null,
  trainContext: number | null,
  readings: ServerEndpointReading[],
  notes: string[],
): ServerReading {
  return {
    status: 'ok',
    url,
    kind: 'llama.cpp',
    serverName: 'llama-server',
    model: alias || (modelPath ? baseName(modelPath) : null),
    limitTokens: nCtx,
    limitName: 'n_ctx',
    slots,
    trainContextTokens: trainContext,
    kvCapacityTokens: null,
    blockSize: null,
    numGpuBlocks: null,
    gpuMemoryUtilization: null,
    vramBytes: null,
    readings,
    notes,
  };
}

/** Ollama: /api/ps (the loaded runner's context_length and VRAM) and /api/show (Modelfile num_ctx, training context). */
async function readOllama(url: string, http: ServerHttp, ps: Record<string, unknown>, signal?: AbortSignal): Promise<ServerReading> {
  const where = `${url} GET /api/ps`;
  const loaded = (ps.models as unknown[]).map((entry, i) => {
    const item = record(entry, `${where}: models[${i}]`);
    return {
      name: requiredString(item.name ?? item.model, `${where}: models[${i}].name`),
      contextLength: optionalWholeNumber(item.context_length, `${where}: models[${i}].context_length`),
      vramBytes: optionalWholeNumber(item.size_vram, `${where}: models[${i}].size_vram`, 0, Number.MAX_SAFE_INTEGER),
    };
  });
  const readings: ServerEndpointReading[] = [];
  const notes: string[] = [];
  const base = {
    status: 'ok' as const,
    url,
    kind: 'ollama' as const,
    serverName: 'Ollama',
    limitName: 'num_ctx',
    slots: null,
    kvCapacityTokens: null,
    blockSize: null,
    numGpuBlocks: null,
    gpuMemoryUtilization: null,
  };
  const first = loaded[0];
  if (!first) {
    readings.push({ endpoint: 'GET /api/ps', gave: 'no model loaded', source: ollamaApiSource });
    notes.push(
      "No model is loaded: Ollama chooses num_ctx when it loads one (the request's options.num_ctx, the Modelfile's PARAMETER num_ctx, OLLAMA_CONTEXT_LENGTH, or its VRAM-based default), so the engine profile's num_ctx applies until then.",
    );
    return { ...base, model: null, limitTokens: null, trainContextTokens: null, vramBytes: null, readings, notes };
  }
  readings.push({
    endpoint: 'GET /api/ps',
    gave: `${first.name}${first.contextLength !== null ? `, context_length ${fmt(first.contextLength)}` : ''}${first.vramBytes !== null ? `, size_vram ${fmt(first.vramBytes)} B` : ''}`,
    source: ollamaApiSource,
  });
  if (loaded.length > 1) {
    notes.push(
      `${loaded.length} models are loaded (${loaded.map((model) => `${model.name}${model.contextLength !== null ? ` num_ctx ${fmt(model.contextLength)}` : ''}`).join(', ')}); the first is read.`,
    );
  }
  let numCtxParameter: number | null = null;
  let trainContext: number | null = null;
  const show = await http.postJson('/api/show', { model: first.name }, signal);
  const showJson = jsonOf(show);
  if (isRecord(showJson)) {
    const showWhere = `${url} POST /api/show`;
    const parameters = optionalString(showJson.parameters, `${showWhere}: parameters`);
    const numCtxLine = parameters ? /^num_ctx\s+(\d+)\s*$/m.exec(parameters) : null;
    if (numCtxLine) numCtxParameter = wholeNumber(Number(numCtxLine[1]), `${showWhere}: parameters num_ctx`);
    if (showJson.model_info !== undefined) {
      const info = record(showJson.model_info, `${showWhere}: model_info`);
      const arch = optionalString(info['general.architecture'], `${showWhere}: model_info["general.architecture"]`);
      const key = arch ? `${arch}.context_length` : undefined;
      if (key !== undefined && Object.prototype.hasOwnProperty.call(info, key)) {
        trainContext = wholeNumber(info[key], `${showWhere}: model_info["${key}"]`);
      }
    }
    readings.push({
      endpoint: 'POST /api/show',
      gave: [
        numCtxParameter !== null ? `Modelfile num_ctx ${fmt(numCtxParameter)}` : 'no num_ctx in the Modelfile',
        trainContext !== null ? `training context ${fmt(trainContext)}` : '',
      ]
        .filter(Boolean)
        .join(', '),
      source: ollamaApiSource,
    });
  } else {
    notes.push(`POST /api/show: ${outcomeText(show)}.`);
  }
  let limit = first.contextLength;
  if (limit === null) {
    limit = numCtxParameter;
    notes.push(
      limit !== null
        ? `This Ollama does not report the loaded context (no context_length in /api/ps); the Modelfile's num_ctx ${fmt(limit)} is used, which a request's options.num_ctx or OLLAMA_CONTEXT_LENGTH may override.`
        : "This Ollama does not report the loaded context (no context_length in /api/ps) and the Modelfile sets no num_ctx; the engine profile's num_ctx applies.",
    );
  }
  return { ...base, model: first.name, limitTokens: limit, trainContextTokens: trainContext, vramBytes: first.vramBytes, readings, notes };
}

/** vLLM or SGLang, told apart by data[].owned_by; /metrics for the KV pool. */
async function readOpenAiServer(
  url: string,
  http: ServerHttp,
  models: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<ServerReading> {
  const where = `${url} GET /v1/models`;
  const data = models.data as unknown[];
  const first = record(data[0], `${where}: data[0]`);
  const ownedBy = optionalString(first.owned_by, `${where}: data[0].owned_by`);
  const kind: ServerKind | undefined = ownedBy === 'vllm' ? 'vllm' : ownedBy === 'sglang' ? 'sglang' : undefined;
  if (!kind) {
    throw new ShapeError(
      `${where} answered as an OpenAI-compatible server owned_by ${JSON.stringify(ownedBy ?? null)}, not llama-server, Ollama, vLLM or SGLang; only those four can be read (LM Studio and hosted APIs do not report their configured context).`,
    );
  }
  const serverName = kind === 'vllm' ? 'vLLM' : 'SGLang';
  const modelId = requiredString(first.id, `${where}: data[0].id`);
  const limit = wholeNumber(first.max_model_len, `${where}: data[0].max_model_len`);
  const readings: ServerEndpointReading[] = [
    {
      endpoint: 'GET /v1/models',
      gave: `${modelId}, max_model_len ${fmt(limit)}`,
      source: kind === 'vllm' ? vllmModelsSource : sglangModelsSource,
    },
  ];
  const notes: string[] = [];
  if (data.length > 1) notes.push(`${data.length} models are served (LoRA adapters or several models); the first, ${modelId}, is read.`);
  const metrics = await http.get('/metrics', signal);
  let capacity: number | null = null;
  let blockSize: number | null = null;
  let blocks: number | null = null;
  let utilization: number | null = null;
  if (metrics.kind === 'response' && metrics.status === 200) {
    if (kind === 'vllm') {
      const info = prometheusSamples(metrics.body, 'vllm:cache_config_info')[0];
      if (info) {
        const labelWhere = `${url} GET /metrics: vllm:cache_config_info`;
        blockSize = labelNumber(info.labels, 'block_size', labelWhere, true);
        blocks = labelNumber(info.labels, 'num_gpu_blocks', labelWhere, true);
        utilization = labelNumber(info.labels, 'gpu_memory_utilization', labelWhere, false);
        if (utilization !== null && !(utilization > 0 && utilization <= 1)) {
          throw new ShapeError(
            `${labelWhere}: gpu_memory_utilization must be in (0, 1] (got ${JSON.stringify(info.labels.gpu_memory_utilization)})`,
          );
        }
        const groupAware = labelNumber(info.labels, 'kv_cache_size_tokens', labelWhere, true);
        capacity = groupAware ?? (blocks !== null && blockSize !== null ? blocks * blockSize : null);
        readings.push({
          endpoint: 'GET /metrics',
          gave: `num_gpu_blocks ${blocks !== null ? fmt(blocks) : 'not set'}, block_size ${blockSize !== null ? fmt(blockSize) : 'not set'}${utilization !== null ? `, gpu_memory_utilization ${utilization}` : ''}${capacity !== null ? ` → KV pool ${fmt(capacity)} tokens${groupAware !== null ? ' (kv_cache_size_tokens)' : ' (blocks × block size)'}` : ''}`,
          source: vllmMetricsSource,
        });
      } else {
        notes.push('GET /metrics has no vllm:cache_config_info gauge; the KV pool size is unknown.');
      }
    } else {
      const samples = prometheusSamples(metrics.body, 'sglang:max_total_num_tokens').filter(
        (sample) => Number.isFinite(sample.value) && sample.value > 0,
      );
      if (samples.length > 0) {
        capacity = Math.min(...samples.map((sample) => Math.floor(sample.value)));
        readings.push({ endpoint: 'GET /metrics', gave: `max_total_num_tokens ${fmt(capacity)} (KV pool)`, source: sglangMetricsSource });
      } else {
        notes.push('GET /metrics has no sglang:max_total_num_tokens gauge; the KV pool size is unknown.');
      }
    }
  } else {
    notes.push(
      `GET /metrics: ${outcomeText(metrics)}${kind === 'sglang' ? ' (SGLang serves it with --enable-metrics)' : ''}; the KV pool size is unknown.`,
    );
  }
  return {
    status: 'ok',
    url,
    kind,
    serverName,
    model: modelId,
    limitTokens: limit,
    limitName: kind === 'vllm' ? 'max_model_len' : 'context_length',
    slots: null,
    trainContextTokens: null,
    kvCapacityTokens: capacity,
    blockSize,
    numGpuBlocks: blocks,
    gpuMemoryUtilization: utilization,
    vramBytes: null,
    readings,
    notes,
  };
}

/** The JSON body of a 200 response, or undefined (other status, no response, not JSON). */
function jsonOf(outcome: HttpOutcome): unknown {
  if (outcome.kind !== 'response' || outcome.status !== 200) return undefined;
  try {
    return JSON.parse(outcome.body) as unknown;
  } catch {
    return undefined;
  }
}

/** One message for a URL where none of the three identifying endpoints answered as expected. */
function unrecognised(url: string, answers: ReadonlyArray<readonly [string, HttpOutcome]>): string {
  const failures = answers
    .map(([, outcome]) => outcome)
    .filter((outcome): outcome is Extract<HttpOutcome, { kind: 'failed' }> => outcome.kind === 'failed');
  if (failures.length === answers.length) {
    const first = failures[0]!;
    if (failures.every((failure) => failure.reason === 'timeout')) return `${url} did not answer within the time limit (${first.message}).`;
    if (failures.every((failure) => failure.message === first.message)) return `no answer from ${url}: ${first.message}.`;
  }
  const parts = answers.map(([endpoint, outcome]) => `${endpoint} ${outcomeText(outcome)}`);
  return `${url} is not a server Context Budget can read: ${parts.join('; ')}. Expected llama-server (/props), Ollama (/api/ps), vLLM or SGLang (/v1/models).`;
}

/** An outcome in a few words: `HTTP 404`, `HTTP 200 but not JSON`, `timed out after 2 s`. */
function outcomeText(outcome: HttpOutcome): string {
  if (outcome.kind === 'failed') return outcome.message;
  if (outcome.status !== 200) {
    const hint =
      outcome.status === 401 || outcome.status === 403
        ? ': the server wants an API key, and the check sends none'
        : outcome.status === 503
          ? ': the server is busy or still loading the model'
          : '';
    return `HTTP ${outcome.status}${errorMessageOf(outcome.body)}${hint}`;
  }
  try {
    JSON.parse(outcome.body);
    return 'HTTP 200 with a JSON body of another shape';
  } catch {
    return `HTTP 200 but not JSON (${JSON.stringify(outcome.body.slice(0, 40))}${outcome.body.length > 40 ? '…' : ''})`;
  }
}

/** ` ("message")` from an OpenAI-style or llama-server error body, or ''. */
function errorMessageOf(body: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    const error = isRecord(json) ? json.error : undefined;
    const message = isRecord(error) ? error.message : typeof error === 'string' ? error : isRecord(json) ? json.message : undefined;
    return typeof message === 'string' && message !== ''
      ? ` (${JSON.stringify(message.length > 120 ? `${message.slice(0, 117)}...` : message)})`
      : '';
  } catch {
    return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(`${what} must be a JSON object (got ${describe(value)})`);
  return value;
}

/** A whole number in [min, max]: 1 to 2^31 for every context and slot count (llama.cpp keeps them in int32), wider for bytes. */
function wholeNumber(value: unknown, what: string, min = 1, max = 2 ** 31): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ShapeError(`${what} must be a whole number from ${fmt(min)} to ${fmt(max)} (got ${describe(value)})`);
  }
  return value;
}

function optionalWholeNumber(value: unknown, what: string, min = 1, max = 2 ** 31): number | null {
  return value === undefined || value === null ? null : wholeNumber(value, what, min, max);
}

function requiredString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new ShapeError(`${what} must be a non-empty string (got ${describe(value)})`);
  return value.length > 200 ? `${value.slice(0, 197)}...` : value;
}

function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ShapeError(`${what} must be a string (got ${describe(value)})`);
  return value.length > 200 ? `${value.slice(0, 197)}...` : value;
}

/** A numeric label; "None" (Python's unset) or absent → null when optional. */
function labelNumber(labels: Readonly<Record<string, string>>, key: string, where: string, integer: boolean): number | null {
  const text = Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
  if (text === undefined || text === 'None' || text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)) || value > 2 ** 40) {
    throw new ShapeError(
      `${where}: ${key} must be ${integer ? 'a whole number' : 'a number'} greater than 0 (got ${JSON.stringify(text.slice(0, 40))})`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

function fmt(value: number): string {
  return value.toLocaleString('en-US');
}
