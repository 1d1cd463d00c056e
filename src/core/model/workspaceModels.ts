/**
 * Which files in a workspace the model picker offers as models, and how it labels them: Hugging
 * Face `config.json` files that name a `model_type`, and GGUF files.
 */
import { formatBytes } from '../units';

/** Glob the host searches with (one search for both kinds). */
export const workspaceModelGlob = '**/{config.json,*.gguf,*.GGUF}';
/** Never looked into: dependency trees and VCS metadata hold thousands of unrelated config.json files. */
export const workspaceModelExclude = '**/{node_modules,.git}/**';
/** At most this many files are listed, so a huge workspace cannot stall the picker. */
export const workspaceModelLimit = 100;
/** A config.json larger than this is not read: real model configs are a few kilobytes. */
export const maxModelConfigBytes = 1 << 20;

/** Keys under which multimodal configs nest the language model (same list as the config parser). */
const nestedTextKeys = ['text_config', 'language_config', 'llm_config'] as const;

/** True for a path the picker treats as a GGUF model file. */
export function isGgufPath(path: string): boolean {
  return /\.gguf$/i.test(path);
}

/**
 * The `model_type` a Hugging Face config.json declares, at the top level or in its nested language
 * config, or undefined when the JSON is not a model config (a tsconfig, an app's settings, …).
 */
export function hfModelType(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  if (typeof record['model_type'] === 'string' && record['model_type'] !== '') return record['model_type'];
  for (const key of nestedTextKeys) {
    const nested = record[key];
    if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
      const type = (nested as Record<string, unknown>)['model_type'];
      if (typeof type === 'string' && type !== '') return type;
    }
  }
  return undefined;
}

/** What the host found about one candidate file. */
export type WorkspaceModelFile =
  | { readonly kind: 'gguf'; readonly relativePath: string; readonly sizeBytes: number }
  | { readonly kind: 'hf-config'; readonly relativePath: string; readonly modelType: string };

/** Quick-pick text for one workspace model file. */
export interface WorkspaceModelLabel {
  readonly label: string;
  readonly description: string;
}

/**
 * `models/Qwen3-8B/config.json` → "Qwen3-8B" with "qwen3 · models/Qwen3-8B/config.json";
 * `llama-q4.gguf` → "llama-q4.gguf" with "GGUF, 4.58 GiB · llama-q4.gguf".
 */
export function workspaceModelLabel(file: WorkspaceModelFile): WorkspaceModelLabel {
  const parts = file.relativePath.split('/').filter(Boolean);
  if (file.kind === 'gguf') {
    return { label: parts.at(-1) ?? file.relativePath, description: `GGUF, ${formatBytes(file.sizeBytes)} · ${file.relativePath}` };
  }
  const folder = parts.length >= 2 ? parts[parts.length - 2]! : 'config.json';
  return { label: folder, description: `${file.modelType} · ${file.relativePath}` };
}

/** Picker order: config.json files first, then GGUF files, each by path. */
export function compareWorkspaceModels(a: WorkspaceModelFile, b: WorkspaceModelFile): number {
  if (a.kind !== b.kind) return a.kind === 'hf-config' ? -1 : 1;
  return a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0;
}
