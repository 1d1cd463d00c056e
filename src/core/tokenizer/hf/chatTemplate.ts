import type { HfTokenizer } from './hfTokenizer';
import { HfTokenizerError } from './hfTokenizerError';

/**
 * @huggingface/jinja, the chat-template engine of Hugging Face's JavaScript libraries. Required
 * through its CommonJS build ("require" export): its typings are ESM-only, which this CommonJS
 * project cannot import statically; the part used here is typed below.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { Template } = require('@huggingface/jinja') as {
  Template: new (source: string) => { render(items: Record<string, unknown>): string };
};

/**
 * What a model's chat template adds to a prompt, in tokens: BOS, role headers, end-of-turn markers
 * and the assistant header that invites the reply. These belong to the request, not to any file.
 */
export interface TemplateOverhead {
  /** Tokens of {@link before} plus tokens of {@link after}. */
  readonly tokens: number;
  /** Rendered template text before the user content, e.g. "<bos><start_of_turn>user\n". */
  readonly before: string;
  /** Rendered template text after it, e.g. "<end_of_turn>\n<start_of_turn>model\n". */
  readonly after: string;
}

/** Stands for the user content while rendering: private-use characters no template produces. */
const contentSentinel = '\u{E000}context-budget-content\u{E001}';

/**
 * Token overhead of the chat template in a tokenizer_config.json, or undefined when it has none.
 *
 * Convention: the template is rendered, as Hugging Face's `apply_chat_template` does, with
 * `messages = [{ role: "user", content }]`, `add_generation_prompt = true` (the request awaits the
 * assistant's reply) and the config's special tokens (`bos_token`, `eos_token`, `unk_token`,
 * `pad_token`; a string or an AddedToken object with `content`; the library supplies
 * `raise_exception` and `strftime_now`, which prints today's date). The content is a sentinel; the
 * rendered text before and after it is counted with `tokenizer`, each part on its own, special-token
 * strings in it matched as added tokens (so `<bos>` is one token, as `apply_chat_template(tokenize=True)`
 * gives with `add_special_tokens=False`). The overhead is the sum: the tokens a prompt of one user
 * message has beyond its content. A token spanning the template/content boundary is not modelled;
 * templates put a special token or a newline there. Throws {@link HfTokenizerError} at
 * `chat_template` when the template cannot be parsed or rendered, or does not place the content once.
 */
export function templateOverheadTokens(config: unknown, tokenizer: HfTokenizer): TemplateOverhead | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new HfTokenizerError('', 'tokenizer_config.json: expected an object');
  }
  const record = config as Record<string, unknown>;
  const source = chatTemplateSource(record.chat_template);
  if (source === undefined) return undefined;
  let rendered: string;
  try {
    const template = new Template(source);
    rendered = template.render({
      messages: [{ role: 'user', content: contentSentinel }],
      add_generation_prompt: true,
      bos_token: specialToken(record.bos_token),
      eos_token: specialToken(record.eos_token),
      unk_token: specialToken(record.unk_token),
      pad_token: specialToken(record.pad_token),
    });
  } catch (error) {
    throw new HfTokenizerError('chat_template', `could not be rendered: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  const at = rendered.indexOf(contentSentinel);
  if (at < 0 || rendered.indexOf(contentSentinel, at + 1) >= 0) {
    throw new HfTokenizerError('chat_template', 'does not place the user message content exactly once', true);
  }
  const before = rendered.slice(0, at);
  const after = rendered.slice(at + contentSentinel.length);
  return { tokens: tokenizer.count(before) + tokenizer.count(after), before, after };
}

/** `chat_template` is a string, or a list of `{ name, template }` of which "default" is used. */
function chatTemplateSource(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find(
      (entry: unknown) => typeof entry === 'object' && entry !== null && (entry as Record<string, unknown>).name === 'default',
    );
    const template = (named as Record<string, unknown> | undefined)?.template;
    if (typeof template === 'string') return template;
  }
  throw new HfTokenizerError('chat_template', 'expected a string or a list with a "default" template');
}

function specialToken(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).content === 'string') {
    return (value as Record<string, string>).content;
  }
  return undefined;
}
