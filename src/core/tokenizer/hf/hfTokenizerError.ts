/**
 * A tokenizer.json (or tokenizer_config.json) that cannot be counted with exactly: malformed, or
 * using a component or option we do not implement. `path` is the JSON path of the offending field
 * (`pre_tokenizer.pretokenizers[0].pattern.Regex`), so a caller can name it when it falls back to
 * the counting encoding, labelled an estimate. Never thrown for ordinary text once parsing succeeded.
 */
export class HfTokenizerError extends Error {
  constructor(
    /** JSON path of the field at fault, e.g. `normalizer.type`; empty for the whole document. */
    readonly path: string,
    /** What is wrong, without the path, e.g. `"Precompiled" is not supported`. */
    readonly detail: string,
    /** True when the input is valid for Hugging Face but uses something we do not implement. */
    readonly unsupported = false,
  ) {
    super(path === '' ? detail : `${path}: ${detail}`);
    this.name = 'HfTokenizerError';
  }
}
