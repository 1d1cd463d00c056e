import { findGpu, findModel, loadBundledCatalog } from '../model/catalog';
import { parseConfigJson } from '../model/configText';
import { ggufToModelSpec } from '../model/gguf';
import type { GgufHeader } from '../model/ggufHeader';
import { parseHfConfig } from '../model/hfConfig';
import type { GpuSpec } from '../model/gpuSpec';
import type { ModelSpec } from '../model/modelSpec';
import { defaultSettings } from '../settings';
import type { Settings } from '../settings';

export interface ResolvedTarget {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  /** One message per thing that could not be used, each saying what is used instead. */
  readonly problems: readonly string[];
}

/** The text of the config.json named by `modelConfigPath`, the header of a GGUF file, or why it could not be read. */
export type ConfigFile = { readonly path: string; readonly text: string } | { readonly path: string; readonly gguf: GgufHeader } | { readonly path: string; readonly error: string };

/**
 * Picks the model and GPU the estimates are for. A config.json that cannot be read or parsed, or an
 * unknown catalog id, never yields a silent wrong number: the problem is reported and the catalog
 * default is used, named in the message.
 */
export function resolveTarget(settings: Settings, configFile?: ConfigFile): ResolvedTarget {
  const problems: string[] = [];
  let model: ModelSpec | undefined;
  if (configFile) {
    if ('error' in configFile) {
      problems.push(`Model config ${configFile.path} could not be read (${configFile.error}).`);
    } else if ('gguf' in configFile) {
      try {
        model = ggufToModelSpec(configFile.gguf, { id: configFile.path, sourcePath: configFile.path });
      } catch (error) {
        problems.push(`Model file ${(error as Error).message}`);
      }
    } else {
      // parseConfigJson locates a syntax error by line and column instead of quoting the text as V8 does.
      const parsed = parseConfigJson(configFile.text);
      try {
        if ('error' in parsed) throw new Error(parsed.error);
        model = parseHfConfig(parsed.json, { id: configFile.path, displayName: displayNameFromPath(configFile.path), sourcePath: configFile.path });
      } catch (error) {
        problems.push(`Model config ${configFile.path}: ${(error as Error).message}`);
      }
    }
  }
  if (!model) {
    const byId = findModel(settings.model);
    if (byId) {
      model = byId;
    } else {
      problems.push(`Unknown model "${settings.model}" (run "Context Budget: Select Model…" or "context-budget models" for the list).`);
      model = findModel(defaultSettings.model) ?? loadBundledCatalog().models[0]!;
    }
    if (configFile) problems[problems.length - 1] = `${endSentence(problems[problems.length - 1]!)} Using the catalog model ${model.displayName} instead.`;
  }
  let gpu = findGpu(settings.gpu);
  if (!gpu) {
    gpu = findGpu(defaultSettings.gpu) ?? loadBundledCatalog().gpus[0]!;
    problems.push(`Unknown GPU "${settings.gpu}" (run "Context Budget: Select GPU…" or "context-budget gpus" for the list). Using ${gpu.name} instead.`);
  }
  return { model, gpu, problems };
}

/** `/models/Qwen3-8B/config.json` → `Qwen3-8B (config.json)`. */
function displayNameFromPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return folder ? `${folder} (config.json)` : parts.at(-1) ?? path;
}

/** Parser and JSON messages end without a full stop; one is needed before the next sentence. */
function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
