/**
 * The bytes of a model `config.json` as text, and that text as JSON, with messages that name the
 * cause and never echo the file's content (pointing `--model` at /etc/passwd must not print it).
 */

/** Text decoded from a config file, or why it is not text. */
export type DecodedConfig = { readonly text: string; readonly encoding: string } | { readonly error: string };

/**
 * Decodes a config file. UTF-8 (a leading BOM is dropped) is what RFC 8259 §8.1 requires; UTF-16
 * is decoded too, with its BOM or recognised RFC 4627 §3's way, by where the NUL bytes of the first
 * two characters fall (`{` `"` are ASCII). UTF-32, invalid UTF-8 and NUL bytes are refused by name.
 * https://www.rfc-editor.org/rfc/rfc8259#section-8.1, https://www.rfc-editor.org/rfc/rfc4627#section-3
 */
export function decodeConfigBytes(bytes: Uint8Array): DecodedConfig {
  if (bytes.length === 0) return { text: '', encoding: 'UTF-8' };
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (
    (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) ||
    (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
    (bytes.length >= 4 && ((b0 === 0 && b1 === 0) || (b2 === 0 && b3 === 0)))
  ) {
    return { error: 'it is UTF-32 text; save it as UTF-8' };
  }
  if (b0 === 0xff && b1 === 0xfe) return decodeStrict(bytes.subarray(2), 'utf-16le', 'UTF-16 LE');
  if (b0 === 0xfe && b1 === 0xff) return decodeStrict(bytes.subarray(2), 'utf-16be', 'UTF-16 BE');
  if (bytes.length >= 2 && b0 !== 0 && b1 === 0) return decodeStrict(bytes, 'utf-16le', 'UTF-16 LE');
  if (bytes.length >= 2 && b0 === 0 && b1 !== 0) return decodeStrict(bytes, 'utf-16be', 'UTF-16 BE');
  const withoutBom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? bytes.subarray(3) : bytes;
  const nul = withoutBom.indexOf(0);
  if (nul !== -1) {
    return { error: `it contains a NUL byte (at byte ${nul + withoutBom.byteOffset - bytes.byteOffset}): a binary file, not JSON text` };
  }
  return decodeStrict(withoutBom, 'utf-8', withoutBom === bytes ? 'UTF-8' : 'UTF-8 with a byte-order mark');
}

function decodeStrict(bytes: Uint8Array, label: string, name: string): DecodedConfig {
  try {
    // ignoreBOM: true so a second BOM is kept and reported by the JSON parser rather than silently dropped.
    return { text: new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes), encoding: name };
  } catch {
    return { error: `it is not valid ${name} text (a binary file?)` };
  }
}

/** Parsed JSON, or a message saying where the syntax breaks (line and column), quoting nothing from the file. */
export type ParsedConfigJson = { readonly json: unknown } | { readonly error: string };

/** Parses config text. A failure is located with {@link jsonSyntaxErrorAt}, not with V8's message, which quotes the text. */
export function parseConfigJson(text: string): ParsedConfigJson {
  const start = text.search(/[^\t\n\r ]/);
  if (start === -1) return { error: text === '' ? 'is empty, not a JSON object' : 'holds only whitespace, not a JSON object' };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Not even the start of a JSON value (/etc/passwd, a YAML file): say so without locating anything.
    if (!/[{["\-0-9tfn]/.test(text[start]!)) {
      return { error: `is not JSON: a config.json starts with "{", this text does not (${lineColumn(text, start)})` };
    }
    const found = jsonSyntaxErrorAt(text);
    return { error: found ? `is not valid JSON at ${lineColumn(text, found.offset)}: ${found.problem}` : 'is not valid JSON' };
  }
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/**
 * Where the first JSON syntax error is (RFC 8259 grammar), and what was expected there; undefined
 * for valid JSON. Iterative, so deep nesting cannot overflow the stack. Linear in the text.
 */
export function jsonSyntaxErrorAt(text: string): { readonly offset: number; readonly problem: string } | undefined {
  let i = 0;
  const stack: Array<'object' | 'array'> = [];
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (problem: string): { offset: number; problem: string } => ({
    offset: i,
    problem: i >= text.length ? 'the text ends too early' : problem,
  });
  const string = (): boolean => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return false;
        }
      } else {
        i++;
      }
    }
    return false;
  };
  const number = (): boolean => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0] === '' || match[0] === '-') return false;
    i += match[0].length;
    return true;
  };
  // Expecting a value: returns an error, or undefined once the value (or an opening bracket) is consumed.
  const value = (): { offset: number; problem: string } | undefined => {
    ws();
    const c = text[i];
    if (c === '{') {
      stack.push('object');
      i++;
      ws();
      if (text[i] === '}') {
        stack.pop();
        i++;
        return undefined;
      }
      return member();
    }
    if (c === '[') {
      stack.push('array');
      i++;
      ws();
      if (text[i] === ']') {
        stack.pop();
        i++;
        return undefined;
      }
      return value();
    }
    if (c === '"') return string() ? undefined : fail('a malformed string (a control character, a bad escape or no closing quote)');
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return undefined;
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number() ? undefined : fail('a malformed number');
    return fail('a value was expected');
  };
  const member = (): { offset: number; problem: string } | undefined => {
    ws();
    if (text[i] !== '"') return fail('a property name in double quotes was expected');
    if (!string()) return fail('a malformed property name');
    ws();
    if (text[i] !== ':') return fail('":" was expected after the property name');
    i++;
    return value();
  };
  let error = value();
  while (error === undefined && stack.length > 0) {
    ws();
    const top = stack[stack.length - 1]!;
    const close = top === 'object' ? '}' : ']';
    if (text[i] === ',') {
      i++;
      error = top === 'object' ? member() : value();
    } else if (text[i] === close) {
      stack.pop();
      i++;
    } else {
      error = fail(`"," or "${close}" was expected`);
    }
  }
  if (error) return error;
  ws();
  return i < text.length ? { offset: i, problem: 'unexpected text after the end of the JSON value' } : undefined;
}
