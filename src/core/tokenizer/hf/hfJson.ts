import { HfTokenizerError } from './hfTokenizerError';

// Small readers for the untyped JSON of a tokenizer.json: each names the JSON path it failed at.

/** A JSON object, or a malformed-input error at `path`. */
export function objectAt(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HfTokenizerError(path, `expected an object, found ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A JSON array, or a malformed-input error at `path`. */
export function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new HfTokenizerError(path, `expected an array, found ${describe(value)}`);
  return value;
}

/** A string field. */
export function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new HfTokenizerError(path, `expected a string, found ${describe(value)}`);
  return value;
}

/** A boolean field, `fallback` when absent (undefined or null). */
export function booleanAt(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new HfTokenizerError(path, `expected true or false, found ${describe(value)}`);
  return value;
}

/** An optional string field: undefined when absent or null. */
export function optionalStringAt(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, path);
}

/** A non-negative integer field. */
export function indexAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new HfTokenizerError(path, `expected a non-negative integer, found ${describe(value)}`);
  }
  return value;
}

/** The `type` of a component, for dispatch and messages. */
export function typeAt(record: Readonly<Record<string, unknown>>, path: string): string {
  return stringAt(record.type, `${path}.type`);
}

/** The error for a component type we do not implement. */
export function unsupportedType(path: string, type: string, supported: readonly string[]): HfTokenizerError {
  return new HfTokenizerError(`${path}.type`, `"${type}" is not supported (supported: ${supported.join(', ')})`, true);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
