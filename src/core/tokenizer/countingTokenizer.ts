import type { ModelSpec } from '../model/modelSpec';
import type { Settings } from '../settings';
import { settingName } from '../vocabulary';
import type { EncodingName } from './encoding';
import type { TokenizerId } from './tokenizerId';

/**
 * Where the counting tokenizer came from, in the order they are tried (issue 11): a tokenizer.json
 * or GGUF named by the user, the tokenizer.json beside the model's config.json, the vocabulary in
 * the model's GGUF, a tokenizer downloaded for a catalog model, else a tiktoken encoding.
 */
export type TokenizerSourceKind = 'tokenizer-path' | 'beside-config' | 'gguf' | 'downloaded' | 'encoding';

/** The tokenizer every count in a context is made with, and how far to trust it for the model. */
export interface CountingTokenizer {
  /** What the pool counts with: an encoding or a registered `hf:` / `gguf:` id. */
  readonly id: TokenizerId;
  /** E.g. "Gemma 3 tokenizer", "o200k_base". */
  readonly name: string;
  readonly sourceKind: TokenizerSourceKind;
  /** Where it came from, for people: "tokenizer.json beside config.json", "GGUF vocabulary", … */
  readonly source: string;
  /** True when the count is the model's own count (its tokenizer, or an encoding it uses). */
  readonly exactForModel: boolean;
  /** One line shown next to every count, e.g. "Gemma 3 tokenizer (tokenizer.json beside config.json), exact". */
  readonly label: string;
  /**
   * Tokens the model's chat template adds to a one-message request (BOS, role headers, the
   * assistant header): leading tokens of the prompt, like the export's directory tree. Null when
   * there is no template to count.
   */
  readonly templateOverheadTokens: number | null;
  /** Why a better tokenizer was not used or the template left out, each naming the file and field. */
  readonly problems: readonly string[];
  /** A catalog model counted with an estimate whose tokenizer can be downloaded: its repository. */
  readonly download: { readonly repo: string } | null;
}

/** How a model file was given, for the tokenizer beside or inside it. */
export interface ModelFileRef {
  readonly kind: 'config' | 'gguf';
  /** As the face reads it (absolute path or URI string). */
  readonly path: string;
}

/** A registered tokenizer, as a source port reports it. */
export interface LoadedTokenizer {
  readonly id: TokenizerId;
  /** tokenizer_config.json text beside a tokenizer.json, if any (for the chat template). */
  readonly config?: string;
  /** Where it is, for messages: a path, or `repo@revision`. */
  readonly where: string;
  /** Why the tokenizer_config.json beside it could not be read, when it exists but cannot. */
  readonly configProblem?: string;
}

/** Outcome of asking a port for a tokenizer. */
export type TokenizerLoad =
  | { readonly kind: 'loaded'; readonly tokenizer: LoadedTokenizer }
  | { readonly kind: 'absent' }
  | { readonly kind: 'failed'; readonly message: string };

/** Outcome of counting a chat template's overhead. */
export type TemplateCount =
  { readonly kind: 'counted'; readonly tokens: number } | { readonly kind: 'none' } | { readonly kind: 'failed'; readonly reason: string };

/**
 * The files and the pool a face resolves tokenizers with (src/node/tokenizerSources.ts). Every
 * method reports problems as data and never throws for a bad file: the message names the file and
 * the field (`normalizer.type: "Precompiled" is not supported`).
 */
export interface TokenizerSources {
  /** A tokenizer.json at `path`, registered and parsed; `absent` when there is no such file. */
  tokenizerJson(path: string): Promise<TokenizerLoad>;
  /** The tokenizer.json in the same folder as the file at `modelPath`. */
  tokenizerBeside(modelPath: string): Promise<TokenizerLoad>;
  /** The vocabulary embedded in the GGUF at `path`. */
  ggufVocabulary(path: string): Promise<TokenizerLoad>;
  /** A tokenizer downloaded earlier for `repo` (never goes to the network). */
  downloaded(repo: string): Promise<TokenizerLoad>;
  /** The chat template's overhead, counted with the tokenizer (`config`: tokenizer_config.json text). */
  templateOverhead(id: TokenizerId, config: string | undefined): Promise<TemplateCount>;
}

/** What to resolve: the settings, the model, and the model file it came from (if any). */
export interface TokenizerRequest {
  readonly settings: Settings;
  readonly model: ModelSpec;
  readonly modelFile?: ModelFileRef;
  /** How the face names the explicit path, in messages: `contextBudget.tokenizerPath` or `--tokenizer`. */
  readonly pathName?: string;
}

/** "Qwen3-8B (config.json)" → "Qwen3-8B": the model's name without where it was read from. */
function modelName(model: ModelSpec): string {
  return model.displayName.replace(/\s*\((?:config\.json|GGUF[^)]*|[^)]*\.gguf)\)\s*$/, '');
}

/**
 * The encoding, labelled: exact when the model's tokenizer is that encoding (gpt-oss and
 * o200k_base), else an estimate for the model. `problems` say why nothing better was used.
 */
export function encodingTokenizer(
  encoding: EncodingName,
  model: ModelSpec,
  problems: readonly string[] = [],
  download: { readonly repo: string } | null = null,
): CountingTokenizer {
  const exact = model.tokenizer === encoding;
  const label = exact ? `${encoding}, exact (${modelName(model)} uses it)` : `${encoding}, estimate for ${modelName(model)}`;
  return {
    id: encoding,
    name: encoding,
    sourceKind: 'encoding',
    source: exact ? "the model's own encoding" : 'the counting encoding',
    exactForModel: exact,
    label,
    templateOverheadTokens: null,
    problems,
    download: exact ? null : download,
  };
}

/**
 * The counting tokenizer when nothing has been resolved yet: the model's own encoding when it uses
 * one (auto), else the setting's encoding, labelled; what {@link resolveCountingTokenizer} gives
 * when no file is found.
 */
export function defaultCountingTokenizer(settings: Settings, model: ModelSpec): CountingTokenizer {
  if (settings.tokenizer !== 'auto') return encodingTokenizer(settings.tokenizer, model);
  if (model.tokenizer !== 'other') return encodingTokenizer(model.tokenizer, model);
  return encodingTokenizer(
    settings.encoding,
    model,
    [],
    model.origin === 'catalog' && model.huggingFaceRepo !== undefined ? { repo: model.huggingFaceRepo } : null,
  );
}

/**
 * Picks the tokenizer for a model, in the order, falling through on anything unusable and
 * saying why: `contextBudget.tokenizerPath` (a tokenizer.json, or a GGUF), the tokenizer.json beside
 * a config.json model, a GGUF model's own vocabulary, a download for the catalog model, then the
 * encoding. `contextBudget.tokenizer` set to an encoding skips all of it. The chat template's
 * overhead is counted with the tokenizer found.
 */
export async function resolveCountingTokenizer(request: TokenizerRequest, sources: TokenizerSources): Promise<CountingTokenizer> {
  const { settings, model, modelFile } = request;
  if (settings.tokenizer !== 'auto') return encodingTokenizer(settings.tokenizer, model);
  const problems: string[] = [];
  const name = `${modelName(model)} tokenizer`;
  const attempt = async (
    load: Promise<TokenizerLoad>,
    sourceKind: TokenizerSourceKind,
    source: string,
    label: string,
    exactness = 'exact',
  ): Promise<CountingTokenizer | undefined> => {
    const outcome = await load;
    if (outcome.kind === 'absent') return undefined;
    if (outcome.kind === 'failed') {
      problems.push(outcome.message);
      return undefined;
    }
    const loaded = outcome.tokenizer;
    if (loaded.configProblem !== undefined) problems.push(loaded.configProblem);
    const template = await sources.templateOverhead(loaded.id, loaded.config);
    if (template.kind === 'failed') problems.push(`The chat template of ${loaded.where} is left out of the count: ${template.reason}`);
    return {
      id: loaded.id,
      name: label,
      sourceKind,
      source,
      exactForModel: true,
      label: `${label} (${source}), ${exactness}`,
      templateOverheadTokens: template.kind === 'counted' ? template.tokens : null,
      problems,
      download: null,
    };
  };
  const explicit = settings.tokenizerPath.trim();
  if (explicit !== '') {
    const pathName = request.pathName ?? settingName('tokenizerPath');
    const isGguf = /\.gguf$/i.test(explicit);
    // The user names the model's tokenizer: counts are exact for that file, which is all we can check.
    const found = await attempt(
      isGguf ? sources.ggufVocabulary(explicit) : sources.tokenizerJson(explicit),
      'tokenizer-path',
      `${pathName}: ${explicit}`,
      isGguf ? `vocabulary of ${baseName(explicit)}` : baseName(explicit),
      'exact for that file',
    );
    if (found) return found;
    if (!problems.some((problem) => problem.includes(explicit))) problems.push(`${pathName} ${explicit}: no such file.`);
  }
  if (modelFile?.kind === 'config') {
    const found = await attempt(sources.tokenizerBeside(modelFile.path), 'beside-config', 'tokenizer.json beside config.json', name);
    if (found) return found;
  }
  if (modelFile?.kind === 'gguf') {
    const found = await attempt(sources.ggufVocabulary(modelFile.path), 'gguf', `GGUF vocabulary of ${baseName(modelFile.path)}`, name);
    if (found) return found;
  }
  // A model that uses a tiktoken encoding (gpt-oss and o200k_base) counts exactly with it: its own.
  if (model.tokenizer !== 'other') return encodingTokenizer(model.tokenizer, model, problems);
  const repo = model.origin === 'catalog' ? model.huggingFaceRepo : undefined;
  if (repo !== undefined) {
    const found = await attempt(sources.downloaded(repo), 'downloaded', `downloaded from ${repo}`, name);
    if (found) return found;
  }
  return encodingTokenizer(settings.encoding, model, problems, repo === undefined ? null : { repo });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}
