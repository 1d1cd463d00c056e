/**
 * Writes the text of `JSON.stringify(value, null, 2)` through `write`, in parts of about `partChars`
 * characters, instead of building it whole; false (nothing written) when JSON.stringify would give
 * undefined. A 10,000-file `--json` report is 7.5 million characters: built whole, the
 * string is then flattened into one 15 MB buffer (two bytes a character once any text holds a
 * character past U+00FF, such as an ellipsis) before it can be checked or written, and on a machine
 * where fresh memory is slow to touch that took 60–100 ms. Parts under V8's regular object size stay
 * in the young generation, whose pages are reused.
 *
 * The top-level value, its arrays, and the arrays of its objects (`files`, `warnings`,
 * `dropPlan.actions`) are laid out here; everything inside them is `JSON.stringify(…, null, 2)` of
 * that element, indented to its depth. JSON.stringify puts no raw newline inside a string, so
 * indenting after each newline is exact. Elements JSON leaves out (undefined, functions, symbols)
 * are left out of objects and written as `null` in arrays, as JSON.stringify does; a value with a
 * `toJSON` method is always stringified whole.
 */
export function writePrettyJson(value: unknown, write: (part: string) => void, partChars = defaultPartChars): boolean {
  let pending: string[] = [];
  let pendingChars = 0;
  const emit = (text: string): void => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= partChars) {
      write(pending.join(''));
      pending = [];
      pendingChars = 0;
    }
  };
  if (layOut(value, '', 0, emit) === undefined) return false;
  if (pendingChars > 0) write(pending.join(''));
  return true;
}

/** {@link writePrettyJson}'s parts, collected (none when JSON.stringify would give undefined). */
export function prettyJsonParts(value: unknown, partChars = defaultPartChars): string[] {
  const parts: string[] = [];
  writePrettyJson(value, (part) => parts.push(part), partChars);
  return parts;
}

/** Below V8's largest regular heap object (128 KiB), so a part is not a large object of its own. */
const defaultPartChars = 32 * 1024;

/** Arrays down to this depth, and objects above it, are laid out here; deeper values are leaves. */
const maxLaidOutArrayDepth = 2;

/** Writes `value` at `indent` through `emit`; undefined (nothing written) when JSON leaves it out. */
function layOut(value: unknown, indent: string, depth: number, emit: (text: string) => void): true | undefined {
  if (Array.isArray(value) && depth <= maxLaidOutArrayDepth && value.length > 0) {
    const inner = `${indent}  `;
    emit('[\n');
    // A for loop, not forEach: a hole is written as null, as JSON.stringify does.
    for (let i = 0; i < value.length; i++) {
      emit(inner);
      if (layOut(value[i], inner, depth + 1, emit) === undefined) emit('null');
      emit(i < value.length - 1 ? ',\n' : '\n');
    }
    emit(`${indent}]`);
    return true;
  }
  if (isPlainRecord(value) && depth < maxLaidOutArrayDepth) {
    const inner = `${indent}  `;
    const keys = Object.keys(value).filter((key) => isJsonValue(value[key]));
    if (keys.length === 0) {
      emit('{}');
      return true;
    }
    emit('{\n');
    keys.forEach((key, i) => {
      emit(`${inner}${JSON.stringify(key)}: `);
      layOut(value[key], inner, depth + 1, emit);
      emit(i < keys.length - 1 ? ',\n' : '\n');
    });
    emit(`${indent}}`);
    return true;
  }
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined) return undefined;
  emit(indent === '' || !text.includes('\n') ? text : text.replace(newlines, `\n${indent}`));
  return true;
}

const newlines = /\n/g;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Whether JSON.stringify writes a property holding `value` (it leaves out undefined, functions, symbols, and what toJSON turns into them). */
function isJsonValue(value: unknown): boolean {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  const hasToJson = typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
  return !hasToJson || JSON.stringify(value) !== undefined;
}
