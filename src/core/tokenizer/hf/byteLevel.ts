/**
 * GPT-2's byte-to-character table: printable Latin-1 bytes map to themselves, the other 68 bytes to
 * U+0100…U+0143 in byte order (huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e
 * tokenizers/src/pre_tokenizers/byte_level.rs `bytes_char`, after openai/gpt-2 src/encoder.py).
 */
export const byteToChar: readonly string[] = (() => {
  const table: string[] = new Array<string>(256);
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    table[byte] = String.fromCharCode(printable ? byte : 0x100 + next++);
  }
  return table;
})();

/**
 * `text` with every UTF-8 byte replaced by its byte-level character. Printable ASCII maps to
 * itself, so only the other characters need work. Expects no lone surrogates.
 */
export function byteLevelChars(text: string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x21 && code <= 0x7e) continue;
    out += text.slice(runStart, i);
    if (code < 0x80) {
      out += byteToChar[code] as string;
    } else if (code < 0x800) {
      out += (byteToChar[0xc0 | (code >> 6)] as string) + (byteToChar[0x80 | (code & 0x3f)] as string);
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const cp = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out +=
        (byteToChar[0xf0 | (cp >> 18)] as string) +
        (byteToChar[0x80 | ((cp >> 12) & 0x3f)] as string) +
        (byteToChar[0x80 | ((cp >> 6) & 0x3f)] as string) +
        (byteToChar[0x80 | (cp & 0x3f)] as string);
    } else {
      out +=
        (byteToChar[0xe0 | (code >> 12)] as string) +
        (byteToChar[0x80 | ((code >> 6) & 0x3f)] as string) +
        (byteToChar[0x80 | (code & 0x3f)] as string);
    }
    runStart = i + 1;
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}
