import { languageOfPath } from './languages';

/**
 * Largest text (UTF-16 units) the syntax worker parses. Above it a file is almost always generated or
 * minified, where imports and outlines tell little, and a parse would hold the worker for seconds
 * (a 1.9 MB minified-style file took 6.3 s with its query on a loaded 2-core machine).
 */
export const maxParseChars = 1_000_000;

/** Why `path` is not parsed, or null when it is (supported language, within {@link maxParseChars}). */
export function parseLimitReason(path: string, text: string): string | null {
  const spec = languageOfPath(path);
  if (!spec) return 'no parser for this file type';
  if (text.length > maxParseChars) {
    return `not parsed: ${text.length.toLocaleString('en-US')} characters is over the ${maxParseChars.toLocaleString('en-US')}-character limit for imports and outlines`;
  }
  return null;
}
