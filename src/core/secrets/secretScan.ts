/**
 * Flags files that look like secrets, so an export never carries them silently. Two kinds of rule, both in
 * secretRules.ts: by name (files that hold credentials by convention) and by content (credential formats
 * from maintained rule sets). Findings are hints shown to the user, who decides.
 */
import { secretContentRules, secretFileRules } from './secretRules';
import type { SecretContentRule } from './secretRules';

export { shannonEntropy } from './secretRules';

/** Only the start of a file is scanned: keys sit in config and source near the top, and this bounds the worker's time. */
export const scanLimitChars = 4_000_000;
/** Candidates examined per rule before giving up on it (a file of 100,000 rejected `eyJ…` strings stays linear). */
const maxCandidatesPerRule = 2_000;

function normalise(relativePath: string): { path: string; baseName: string } {
  const path = relativePath.replace(/\\/g, '/');
  return { path, baseName: path.slice(path.lastIndexOf('/') + 1) };
}

/**
 * Hints from the file's name alone (shown before the content is read): the name rules that need no content.
 * A file named on purpose keeps its place in the prompt and carries these as flags.
 */
export function secretNameHints(relativePath: string): string[] {
  const { path, baseName } = normalise(relativePath);
  return [...new Set(secretFileRules.filter((rule) => !rule.contentPattern && rule.test(baseName, path)).map((rule) => rule.hint))];
}

/**
 * True when a secret-file rule matches the name: only then can {@link secretFileReason} leave the file out
 * (false means it returns undefined without reading). Lets a folder walk skip that async call for the others.
 */
export function matchesSecretFileName(relativePath: string): boolean {
  const { path, baseName } = normalise(relativePath);
  return secretFileRules.some((rule) => rule.test(baseName, path));
}

/**
 * Why a folder scan leaves this file out as a secret by name, or undefined. `readText` is called only for the
 * few names whose rule also needs the content (`.npmrc`, `.pypirc`, `.yarnrc.yml`); an unreadable one counts
 * as a secret (the safe side).
 */
export async function secretFileReason(relativePath: string, readText: () => Promise<string>): Promise<string | undefined> {
  const { path, baseName } = normalise(relativePath);
  for (const rule of secretFileRules) {
    if (!rule.test(baseName, path)) continue;
    if (!rule.contentPattern) return rule.hint;
    let text: string;
    try {
      text = await readText();
    } catch {
      return rule.hint;
    }
    if (rule.contentPattern.test(text)) return rule.hint;
  }
  return undefined;
}

/** Distinct hints for the credential formats found in the text (empty when none is). */
export function secretContentHints(text: string): string[] {
  return [...new Set(matchingRules(text).map((rule) => rule.hint))];
}

/** Ids of the content rules that fire on the text: the labelled-set tests compare these per planted key. */
export function secretContentRuleIds(text: string): string[] {
  return matchingRules(text).map((rule) => rule.id);
}

function matchingRules(text: string): SecretContentRule[] {
  const sample = text.length > scanLimitChars ? text.slice(0, scanLimitChars) : text;
  const found: SecretContentRule[] = [];
  for (const rule of secretContentRules) {
    if (!rule.keywords.some((keyword) => sample.includes(keyword))) continue;
    rule.pattern.lastIndex = 0;
    let candidates = 0;
    for (let match = rule.pattern.exec(sample); match; match = rule.pattern.exec(sample)) {
      if (!rule.accept || rule.accept(match, sample)) {
        found.push(rule);
        break;
      }
      if (++candidates >= maxCandidatesPerRule) break;
    }
    rule.pattern.lastIndex = 0;
  }
  return found;
}
