import { findGpu, findModel, loadBundledCatalog } from '../model/catalog';
import { parseConfigJson } from '../model/configText';
import { ggufToModelSpec } from '../model/gguf';
import type { GgufHeader } from '../model/ggufHeader';
import { parseHfConfig } from '../model/hfConfig';
import type { GpuSpec } from '../model/gpuSpec';
import type { ModelSpec } from '../model/modelSpec';
import { providerWindowModel } from '../model/providerModel';
import type { ChatModelInfo } from '../model/providerModel';
import { isGgufPath } from '../model/workspaceModels';
import { defaultSettings } from '../settings';
import type { Settings } from '../settings';
import type { CountingTokenizer } from '../tokenizer/countingTokenizer';

/**
 * Something that could not be used while picking the model or GPU. Kept as data so each face words
 * it right: the extension shows `message` and `fallback` ("Using … instead."); the CLI, which exits
 * with a usage error instead of falling back, shows `message` alone.
 */
export interface TargetProblem {
  /** What is wrong, naming the file, setting or id. Ends with a full stop. */
  readonly message: string;
  /** What the estimates use instead, e.g. "Using the catalog model gpt-oss-20b instead."; null when nothing replaces it. */
  readonly fallback: string | null;
}

export interface ResolvedTarget {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  /** One entry per thing that could not be used. */
  readonly problems: readonly TargetProblem[];
  /**
   * The tokenizer resolved with the model (its tokenizer.json, its GGUF vocabulary, a download), part
   * of the context snapshot so switching model switches it. Absent until a face resolves it: the
   * settings' encoding is used then, labelled for the model (countingTokenizerOf).
   */
  readonly tokenizer?: CountingTokenizer;
}

/** The text of the config.json named by `modelConfigPath`, the header of a GGUF file, or why it could not be read. */
export type ConfigFile =
  | { readonly path: string; readonly text: string }
  | { readonly path: string; readonly gguf: GgufHeader }
  | { readonly path: string; readonly error: string };

/**
 * How a face reads a model file. The CLI reads the local disk; the extension reads config.json
 * through workspace.fs (remote and virtual workspaces) and a GGUF's header from the local disk.
 * Both go through {@link loadModelFile}, so both accept and refuse the same files.
 */
export interface ModelFileReader {
  /** The UTF-8 text of a config.json. */
  readConfigText(path: string): Promise<string>;
  /** The header (metadata and tensor infos) of a GGUF file; never its tensor data. */
  readGgufHeader(path: string): Promise<GgufHeader>;
}

/** Reads `path` as a GGUF (by extension) or a config.json; a failure becomes `{ error }`, never a throw. */
export async function loadModelFile(path: string, reader: ModelFileReader): Promise<ConfigFile> {
  try {
    if (isGgufPath(path)) return { path, gguf: await reader.readGgufHeader(path) };
    return { path, text: await reader.readConfigText(path) };
  } catch (error) {
    return { path, error: (error as Error).message };
  }
}

/** The problem's full text as the extension shows it. */
export function problemText(problem: TargetProblem): string {
  return problem.fallback ? `${problem.message} ${problem.fallback}` : problem.message;
}

/** A model file's model, or why it could not be used (a sentence naming the file). */
export type ModelFromFile = { readonly model: ModelSpec } | { readonly problem: string };

/**
 * Picks the model and GPU the estimates are for. A config.json that cannot be read or parsed, or an
 * unknown catalog id, never yields a silent wrong number: the problem is reported and the catalog
 * default is used, named in the fallback.
 */
export function resolveTarget(settings: Settings, configFile?: ConfigFile): ResolvedTarget {
  return targetFor(settings, configFile ? modelFromFile(configFile) : undefined);
}

/**
 * The model of a config.json or GGUF already read by {@link loadModelFile}. Apart from
 * {@link targetFor} so the extension can load these parsers only when a model file is set (its
 * second bundle, issue 13), while the catalog choice stays in the first.
 */
export function modelFromFile(configFile: ConfigFile): ModelFromFile {
  if ('error' in configFile) return { problem: `Model file ${configFile.path} could not be read (${configFile.error}).` };
  if ('gguf' in configFile) {
    try {
      return { model: ggufToModelSpec(configFile.gguf, { id: configFile.path, sourcePath: configFile.path }) };
    } catch (error) {
      return { problem: endSentence(`Model file ${(error as Error).message}`) };
    }
  }
  // parseConfigJson locates a syntax error by line and column instead of quoting the text as V8 does.
  const parsed = parseConfigJson(configFile.text);
  try {
    if ('error' in parsed) throw new Error(parsed.error);
    return {
      model: parseHfConfig(parsed.json, {
        id: configFile.path,
        displayName: displayNameFromPath(configFile.path),
        sourcePath: configFile.path,
      }),
    };
  } catch (error) {
    return { problem: endSentence(`Model config ${configFile.path}: ${(error as Error).message}`) };
  }
}

/** {@link resolveTarget} once the model file (if any) is parsed: that model, else the catalog's, with the problems. */
export function targetFor(settings: Settings, fromFile?: ModelFromFile): ResolvedTarget {
  const problems: TargetProblem[] = [];
  let model = fromFile && 'model' in fromFile ? fromFile.model : undefined;
  const configProblem = fromFile && 'problem' in fromFile ? fromFile.problem : undefined;
  if (!model) {
    const byId = findModel(settings.model);
    model = byId ?? findModel(defaultSettings.model) ?? loadBundledCatalog().models[0]!;
    if (configProblem !== undefined) {
      problems.push({ message: configProblem, fallback: `Using the catalog model ${model.displayName} instead.` });
    }
    if (!byId) {
      problems.push({
        message: `Unknown model "${settings.model}" (run "Context Budget: Select Model…" or "context-budget models" for the list).`,
        fallback: `Using ${model.displayName} instead.`,
      });
    }
  }
  let gpu = findGpu(settings.gpu);
  if (!gpu) {
    gpu = findGpu(defaultSettings.gpu) ?? loadBundledCatalog().gpus[0]!;
    problems.push({
      message: `Unknown GPU "${settings.gpu}" (run "Context Budget: Select GPU…" or "context-budget gpus" for the list).`,
      fallback: `Using ${gpu.name} instead.`,
    });
  }
  return { model, gpu, problems };
}

/**
 * Applies `contextBudget.chatModel`: the provider's window on the chosen architecture, or a problem
 * saying the chat model is unavailable (the architecture's own window is used then).
 */
export function withChatModel(target: ResolvedTarget, chatModelId: string, available: readonly ChatModelInfo[]): ResolvedTarget {
  if (!chatModelId) return target;
  const chat = available.find((model) => model.id === chatModelId);
  if (!chat) {
    const why =
      available.length === 0
        ? 'no chat models are available in this VS Code'
        : `it is not among the ${available.length} chat model(s) available`;
    return {
      ...target,
      problems: [
        ...target.problems,
        {
          message: `Chat model "${chatModelId}" is not available (${why}).`,
          fallback: `Using ${target.model.displayName}'s own window instead.`,
        },
      ],
    };
  }
  return { ...target, model: providerWindowModel(target.model, chat) };
}

/** `/models/Qwen3-8B/config.json` → `Qwen3-8B (config.json)`. */
function displayNameFromPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return folder ? `${folder} (config.json)` : (parts.at(-1) ?? path);
}

/** Parser and JSON messages end without a full stop; one is needed before the next sentence. */
function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
