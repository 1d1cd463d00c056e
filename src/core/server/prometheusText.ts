/**
 * A small reader for the Prometheus text exposition format (what `/metrics` returns on vLLM,
 * SGLang and llama-server): `name{label="value",…} value [timestamp]` lines, `#` comments ignored.
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format (label
 * values escape `\\`, `\"` and `\n`). Linear in the input; the HTTP client caps its size.
 */

/** One sample line. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples named `name` (every label set), in the order they appear; malformed lines are skipped. */
export function prometheusSamples(text: string, name: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const sample = parseSampleLine(line.trimEnd());
    if (sample && sample.name === name) samples.push(sample);
  }
  return samples;
}

/** Parses one sample line, or undefined when it is not one. */
export function parseSampleLine(line: string): PrometheusSample | undefined {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return undefined;
  const name = nameMatch[0];
  let at = name.length;
  // Own-property-safe: a label named "constructor" or "__proto__" is data, not a prototype lookup.
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  if (line[at] === '{') {
    at++;
    for (;;) {
      while (line[at] === ' ' || line[at] === ',') at++;
      if (line[at] === '}') {
        at++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at, at + 256));
      if (!key || line[at + key[0].length] !== '=' || line[at + key[0].length + 1] !== '"') return undefined;
      at += key[0].length + 2;
      let value = '';
      for (;;) {
        const char = line[at];
        if (char === undefined) return undefined;
        if (char === '"') {
          at++;
          break;
        }
        if (char === '\\') {
          const next = line[at + 1];
          value += next === 'n' ? '\n' : (next ?? '');
          at += 2;
          continue;
        }
        value += char;
        at++;
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(at).trim().split(/\s+/);
  const value = parsePrometheusNumber(rest[0] ?? '');
  if (value === undefined) return undefined;
  return { name, labels, value };
}

function parsePrometheusNumber(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
