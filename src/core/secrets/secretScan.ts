/**
 * Flags files that look like secrets, so an export never carries them silently. Two kinds of rule:
 * by name (files that hold credentials by convention) and by content (well-known key formats and
 * long high-entropy strings assigned to secret-sounding names). Findings are hints shown to the user,
 * who decides; a false positive costs one click, a false negative can leak a key.
 */

interface NameRule {
  readonly test: (baseName: string, path: string) => boolean;
  readonly hint: string;
}

const nameRules: readonly NameRule[] = [
  { test: (name) => name === '.env' || (name.startsWith('.env.') && !/\.(example|sample|template|dist)$/.test(name)), hint: 'environment file (.env)' },
  { test: (name) => /^id_(rsa|dsa|ecdsa|ed25519)$/.test(name), hint: 'SSH private key file' },
  { test: (name) => /\.(pem|key|p12|pfx|jks|keystore|ppk|kdbx)$/i.test(name), hint: 'key or certificate store' },
  { test: (_name, path) => /(^|\/)\.aws\/credentials$/.test(path), hint: 'AWS credentials file' },
  { test: (name) => name === '.npmrc' || name === '.pypirc' || name === '.netrc' || name === '.git-credentials', hint: 'package-registry or login credentials file' },
  { test: (name) => /^(credentials|secrets?)(\.[a-z]+)?$/i.test(name) || /service[-_]?account.*\.json$/i.test(name), hint: 'credentials file' },
  { test: (name) => /\.tfstate(\.backup)?$/.test(name), hint: 'Terraform state (holds secrets in plain text)' },
];

/** Hints from the file's name alone (cheap: shown before the content is read). */
export function secretNameHints(relativePath: string): string[] {
  const path = relativePath.replace(/\\/g, '/');
  const baseName = path.slice(path.lastIndexOf('/') + 1);
  return nameRules.filter((rule) => rule.test(baseName, path)).map((rule) => rule.hint);
}

const contentRules: ReadonlyArray<{ readonly pattern: RegExp; readonly hint: string }> = [
  { pattern: /-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/, hint: 'private key block' },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, hint: 'AWS access key id' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b/, hint: 'GitHub token' },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/, hint: 'GitLab token' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, hint: 'Slack token' },
  { pattern: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}\b/, hint: 'OpenAI/Anthropic-style API key' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, hint: 'Google API key' },
  { pattern: /\b[rs]k_live_[0-9A-Za-z]{20,}\b/, hint: 'Stripe live key' },
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/, hint: 'npm token' },
  { pattern: /"private_key"\s*:\s*"-----BEGIN/, hint: 'service-account private key' },
];

/** `api_key = "…"`, `password: '…'`, `SECRET_TOKEN=…` with a long value. */
// Anchored on the keyword, with bounded repeats: a leading `[…]*` prefix would backtrack
// quadratically over a megabyte of minified `a.b.c…`. The full name is read backwards by hand.
const assignment = /(?:secret|token|passw(?:or)?d|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)[A-Za-z0-9_.-]{0,40}["']?[ \t]{0,8}[:=][ \t]{0,8}["']?([A-Za-z0-9+/=_\-.~]{20,200})/gi;
const nameChar = /[A-Za-z0-9_.-]/;

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Values this long and this random read as generated secrets, not words or identifiers. */
export const minSecretLength = 20;
export const minSecretEntropy = 3.5;
/** Only the start of a file is scanned for assignments: config and env files put secrets up top. */
export const scanLimitChars = 1_000_000;

/** Distinct hints for what in the text looks like a secret (empty when nothing does). */
export function secretContentHints(text: string): string[] {
  const sample = text.length > scanLimitChars ? text.slice(0, scanLimitChars) : text;
  const hints = new Set<string>();
  for (const rule of contentRules) if (rule.pattern.test(sample)) hints.add(rule.hint);
  assignment.lastIndex = 0;
  for (let match = assignment.exec(sample); match; match = assignment.exec(sample)) {
    const value = match[1]!;
    if (value.length >= minSecretLength && shannonEntropy(value) >= minSecretEntropy && !/^[a-z]+$/i.test(value)) {
      let start = match.index;
      while (start > 0 && match.index - start < 40 && nameChar.test(sample[start - 1]!)) start--;
      const name = sample.slice(start, match.index + match[0].search(/["']?[ \t]*[:=]/));
      hints.add(`high-entropy value assigned to "${name}"`);
      if (hints.size > 8) break;
    }
  }
  return [...hints];
}
