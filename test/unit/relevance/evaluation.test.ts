import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { planDrops, planRelevance } from '../../../src/core/plan/planner';
import type { RelevancePlan, RelevancePlanFile } from '../../../src/core/plan/planner';
import { ImportGraph } from '../../../src/core/relevance/importGraph';
import { kindSignalsOf, sampleContent } from '../../../src/core/relevance/kindSignals';
import { parseGoMod, parseTsConfig } from '../../../src/core/relevance/projectConfig';
import type { ProjectConfig } from '../../../src/core/relevance/projectConfig';
import { assessRelevance } from '../../../src/core/relevance/relevance';
import { getTokenCounter } from '../../../src/core/tokenizer/tokenCounter';
import { repoRoot } from '../tokenizer/oracleSupport';
import { testParser } from '../../support/treeSitter';

// Evaluation of the relevance plan (issue 14, "Done means"): for a focus file and a budget, the plan
// 1. keeps the focus file's whole import closure when the budget allows, and
// 2. never proposes a file of the closure while a file outside it of at least its size is still in.
// Trees: generated ones with a known import graph (TypeScript, Python, Go, written as real source and
// parsed by the real grammars), and this repository's own src/ (real code, its real tsconfig). Tokens and
// outline tokens are counted exactly with o200k_base. The old size-only planner runs on the same cases for
// comparison; its figures are printed, not asserted.

const counter = getTokenCounter('o200k_base');

interface Tree {
  readonly name: string;
  readonly files: ReadonlyMap<string, string>;
  readonly config: ProjectConfig;
}

interface Prepared {
  readonly graph: ImportGraph;
  readonly tokens: ReadonlyMap<string, number>;
  readonly outlineTokens: ReadonlyMap<string, number | null>;
  readonly tree: Tree;
}

async function prepare(tree: Tree): Promise<Prepared> {
  const graph = new ImportGraph();
  graph.setProjectConfig(tree.config);
  const tokens = new Map<string, number>();
  const outlineTokens = new Map<string, number | null>();
  for (const [path, text] of tree.files) {
    const syntax = await testParser().parse(path, text);
    graph.setFile(path, syntax);
    tokens.set(path, counter.count(text));
    outlineTokens.set(path, syntax ? counter.count(syntax.outline) : null);
  }
  return { graph, tokens, outlineTokens, tree };
}

interface CaseResult {
  readonly closureKept: boolean | null;
  readonly violations: number;
}

/** Runs both planners for one focus and budget; returns whether each met the two criteria. */
function evaluate(prepared: Prepared, focus: string, budget: number): { relevance: CaseResult; sizeOnly: CaseResult; plan: RelevancePlan } {
  const { graph, tokens, outlineTokens, tree } = prepared;
  const relevance = assessRelevance(graph, [{ path: focus, role: 'focus' }], (path) =>
    kindSignalsOf(path, sampleContent(tree.files.get(path)!)),
  );
  const closure = new Set([...graph.distancesFrom([focus]).dependencies.keys()].filter((path) => path !== focus));
  const paths = graph.files();
  const files: RelevancePlanFile[] = paths.map((path) => ({
    path,
    tokens: tokens.get(path)!,
    priority: path === focus ? 'focus' : 'plain',
    outlineTokens: outlineTokens.get(path) ?? null,
    relevance: relevance.get(path)!,
  }));
  const total = files.reduce((sum, file) => sum + file.tokens, 0);
  const need = Math.max(0, total - budget);
  const plan = planRelevance(files, need);
  const touched = new Map(plan.proposals.map((proposal) => [proposal.path, proposal.action]));
  const old = planDrops(
    files.map(({ path, tokens: t, priority }) => ({ path, tokens: t, priority })),
    need,
  );
  const oldDropped = new Map(old.drops.map((drop) => [drop.path, 'drop' as const]));
  const closureTokens = [...closure].reduce((sum, path) => sum + tokens.get(path)!, tokens.get(focus)!);
  const judge = (actions: ReadonlyMap<string, 'outline' | 'drop'>): CaseResult => {
    let violations = 0;
    for (const path of closure) {
      if (!actions.has(path)) continue;
      // A file outside the closure (not the focus) at least as big that is still fully or partly in.
      const size = tokens.get(path)!;
      violations +=
        paths.filter((other) => other !== focus && !closure.has(other) && tokens.get(other)! >= size && actions.get(other) !== 'drop')
          .length > 0
          ? 1
          : 0;
    }
    return { closureKept: closureTokens <= budget ? [...closure].every((path) => !actions.has(path)) : null, violations };
  };
  return { relevance: judge(touched), sizeOnly: judge(oldDropped), plan };
}

interface Tally {
  cases: number;
  closureCases: number;
  closureKept: number;
  oldClosureKept: number;
  casesWithViolation: number;
  oldCasesWithViolation: number;
  outlines: number;
  drops: number;
}

function runCases(t: TestContext, prepared: Prepared, focuses: readonly string[], budgetsPerFocus: number, seed: number): Tally {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const tally: Tally = {
    cases: 0,
    closureCases: 0,
    closureKept: 0,
    oldClosureKept: 0,
    casesWithViolation: 0,
    oldCasesWithViolation: 0,
    outlines: 0,
    drops: 0,
  };
  const total = [...prepared.tokens.values()].reduce((sum, value) => sum + value, 0);
  for (const focus of focuses) {
    const closure = [...prepared.graph.distancesFrom([focus]).dependencies.keys()];
    const closureTokens = closure.reduce((sum, path) => sum + prepared.tokens.get(path)!, 0);
    for (let b = 0; b < budgetsPerFocus; b++) {
      // Half the budgets leave room for the closure (criterion 1), half cut into it (criterion 2).
      const budget = b % 2 === 0 ? closureTokens + Math.floor(random() * (total - closureTokens)) : Math.floor(random() * closureTokens);
      const { relevance, sizeOnly, plan } = evaluate(prepared, focus, budget);
      tally.cases++;
      if (relevance.closureKept !== null) {
        tally.closureCases++;
        if (relevance.closureKept) tally.closureKept++;
        if (sizeOnly.closureKept) tally.oldClosureKept++;
      }
      if (relevance.violations > 0) tally.casesWithViolation++;
      if (sizeOnly.violations > 0) tally.oldCasesWithViolation++;
      for (const proposal of plan.proposals) tally[proposal.action === 'outline' ? 'outlines' : 'drops']++;
      assert.equal(
        relevance.closureKept ?? true,
        true,
        `${prepared.tree.name}: focus ${focus}, budget ${budget}: the closure fits but a closure file was proposed`,
      );
      assert.equal(
        relevance.violations,
        0,
        `${prepared.tree.name}: focus ${focus}, budget ${budget}: a closure file was proposed while a bigger outside file is in`,
      );
    }
  }
  t.diagnostic(
    `${prepared.tree.name}: ${prepared.tree.files.size} files, ${total.toLocaleString('en-US')} tokens, ${tally.cases} cases. ` +
      `Closure kept when it fits: relevance ${tally.closureKept}/${tally.closureCases}, size-only ${tally.oldClosureKept}/${tally.closureCases}. ` +
      `Cases with a closure file proposed while a bigger outside file is in: relevance ${tally.casesWithViolation}, size-only ${tally.oldCasesWithViolation}. ` +
      `Proposals: ${tally.outlines} outlines, ${tally.drops} drops.`,
  );
  return tally;
}

/** A random DAG of `count` modules: module i imports a few of the modules after it (so closures vary in size). */
function randomDag(count: number, seed: number): number[][] {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, (_, i) => {
    const targets = new Set<number>();
    const fanOut = i < count - 1 ? Math.floor(random() * 3) : 0;
    for (let k = 0; k < fanOut; k++) targets.add(i + 1 + Math.floor(random() * Math.min(8, count - i - 1)));
    return [...targets].sort((a, b) => a - b);
  });
}

type GeneratedLanguage = 'ts' | 'py' | 'go' | 'java' | 'rust' | 'cpp';

function bodyLines(i: number, functions: number, indent: string, language: GeneratedLanguage): string[] {
  const lines: string[] = [];
  for (let f = 0; f < functions; f++) {
    if (language === 'ts') {
      lines.push(
        `/** Step ${f} of module ${i}. */`,
        `export function step${i}_${f}(x: number): number {`,
        `${indent}const y = x * ${f + 1} + ${i};`,
        `${indent}return y > 100 ? y - ${f} : y + ${i};`,
        '}',
      );
    }
    if (language === 'py') {
      lines.push(
        `def step${i}_${f}(x: int) -> int:`,
        `${indent}"""Step ${f} of module ${i}."""`,
        `${indent}y = x * ${f + 1} + ${i}`,
        `${indent}return y - ${f} if y > 100 else y + ${i}`,
      );
    }
    if (language === 'go') {
      lines.push(
        `// Step${i}_${f} is step ${f} of module ${i}.`,
        `func Step${i}_${f}(x int) int {`,
        `${indent}y := x*${f + 1} + ${i}`,
        `${indent}if y > 100 {`,
        `${indent}${indent}return y - ${f}`,
        `${indent}}`,
        `${indent}return y + ${i}`,
        '}',
      );
    }
    if (language === 'java') {
      lines.push(
        `${indent}/** Step ${f} of module ${i}. */`,
        `${indent}public static int step${f}(int x) {`,
        `${indent}${indent}int y = x * ${f + 1} + ${i};`,
        `${indent}${indent}return y > 100 ? y - ${f} : y + ${i};`,
        `${indent}}`,
      );
    }
    if (language === 'rust') {
      lines.push(
        `/// Step ${f} of module ${i}.`,
        `pub fn step${i}_${f}(x: i64) -> i64 {`,
        `${indent}let y = x * ${f + 1} + ${i};`,
        `${indent}if y > 100 { y - ${f} } else { y + ${i} }`,
        '}',
      );
    }
    if (language === 'cpp') {
      lines.push(
        `/** Step ${f} of module ${i}. */`,
        `inline int step${i}_${f}(int x) {`,
        `${indent}int y = x * ${f + 1} + ${i};`,
        `${indent}return y > 100 ? y - ${f} : y + ${i};`,
        '}',
      );
    }
  }
  return lines;
}

function generatedTree(language: GeneratedLanguage, count: number, seed: number): { tree: Tree; dag: number[][]; paths: string[] } {
  const dag = randomDag(count, seed);
  const sizes = dag.map((_, i) => 1 + ((i * 7 + seed) % 9) * ((i % 5) + 1));
  const files = new Map<string, string>();
  const paths: string[] = [];
  dag.forEach((targets, i) => {
    const group = `g${i % 4}`;
    if (language === 'ts') {
      const path = `src/${group}/m${i}.ts`;
      const imports = targets.map((j) => `import { step${j}_0 } from '${j % 4 === i % 4 ? '.' : `../g${j % 4}`}/m${j}';`);
      files.set(path, [...imports, ...bodyLines(i, sizes[i]!, '  ', 'ts'), ''].join('\n'));
      paths.push(path);
    } else if (language === 'py') {
      const path = `app/${group}/m${i}.py`;
      const imports = targets.map((j) =>
        j % 4 === i % 4 ? `from .m${j} import step${j}_0` : `from app.g${j % 4}.m${j} import step${j}_0`,
      );
      files.set(path, [...imports, ...bodyLines(i, sizes[i]!, '    ', 'py'), ''].join('\n'));
      paths.push(path);
    } else if (language === 'java') {
      // Same-package types need no import: the field's type links them (JLS §7.3).
      const path = `src/main/java/app/${group}/M${i}.java`;
      const imports = targets.filter((j) => j % 4 !== i % 4).map((j) => `import app.g${j % 4}.M${j};`);
      const fields = targets.map((j) => `  private M${j} dep${j};`);
      files.set(
        path,
        [`package app.${group};`, ...imports, `public class M${i} {`, ...fields, ...bodyLines(i, sizes[i]!, '  ', 'java'), '}', ''].join(
          '\n',
        ),
      );
      paths.push(path);
    } else if (language === 'rust') {
      const path = `src/m${i}.rs`;
      const imports = targets.map((j) => `use crate::m${j}::step${j}_0;`);
      files.set(path, [...imports, ...bodyLines(i, sizes[i]!, '    ', 'rust'), ''].join('\n'));
      paths.push(path);
    } else if (language === 'cpp') {
      // Same group: quoted, next to the includer; other groups: angle brackets, found by path suffix.
      const path = `include/${group}/m${i}.h`;
      const imports = targets.map((j) => (j % 4 === i % 4 ? `#include "m${j}.h"` : `#include <g${j % 4}/m${j}.h>`));
      files.set(path, ['#pragma once', ...imports, '#include <vector>', ...bodyLines(i, sizes[i]!, '  ', 'cpp'), ''].join('\n'));
      paths.push(path);
    } else {
      // One Go package per module (a package is a folder).
      const path = `svc/m${i}/m${i}.go`;
      const imports = targets.map((j) => `\t"example.com/svc/m${j}"`);
      files.set(
        path,
        [`package m${i}`, ...(imports.length > 0 ? ['import (', ...imports, ')'] : []), ...bodyLines(i, sizes[i]!, '\t', 'go'), ''].join(
          '\n',
        ),
      );
      paths.push(path);
    }
  });
  if (language === 'py') for (let g = 0; g < 4; g++) files.set(`app/g${g}/__init__.py`, '');
  // The crate root declares every module (it imports them all, so it is a dependent, never in a closure).
  if (language === 'rust') files.set('src/lib.rs', dag.map((_, i) => `pub mod m${i};`).join('\n'));
  // Noise that nothing imports: a lockfile and a generated file, and a doc.
  const lockfile = {
    ts: 'package-lock.json',
    py: 'poetry.lock',
    go: 'svc/go.sum',
    java: 'gradle.lockfile',
    rust: 'Cargo.lock',
    cpp: 'conan.lock',
  }[language];
  files.set(lockfile, Array.from({ length: 400 }, (_, k) => `dep-${k} 1.${k}.0 sha512-${(k * 2654435761).toString(36)}`).join('\n'));
  files.set('docs/guide.md', Array.from({ length: 60 }, (_, k) => `Paragraph ${k}: how the modules fit together.`).join('\n\n'));
  const config: ProjectConfig =
    language === 'go'
      ? { tsConfigs: [], goModules: [parseGoMod('svc/go.mod', 'module example.com/svc\n')] }
      : { tsConfigs: [], goModules: [] };
  return { tree: { name: `generated ${language} (seed ${seed})`, files, config }, dag, paths };
}

for (const language of ['ts', 'py', 'go', 'java', 'rust', 'cpp'] as const) {
  test(`evaluation, generated ${language} tree: the graph is exactly the generated one, and the plan meets both criteria`, async (t) => {
    const { tree, dag, paths } = generatedTree(language, 40, language.length * 11 + 3);
    const prepared = await prepare(tree);
    dag.forEach((targets, i) => {
      assert.deepEqual([...prepared.graph.importsOf(paths[i]!)], targets.map((j) => paths[j]!).sort(), `edges of ${paths[i]}`);
    });
    const focuses = [0, 3, 10, 20].map((i) => paths[i]!);
    const tally = runCases(t, prepared, focuses, 10, 17);
    assert.ok(tally.outlines > 0, 'outlines are proposed');
  });
}

test("evaluation, this repository's own src/: real code, real tsconfig", async (t) => {
  const root = join(repoRoot, 'src');
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name)) files.set(relative(repoRoot, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  const config: ProjectConfig = {
    tsConfigs: [parseTsConfig('tsconfig.json', readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8'))],
    goModules: [],
  };
  const prepared = await prepare({ name: 'context-budget src/', files, config });
  const focuses = ['src/core/analysis/buildReport.ts', 'src/core/plan/planner.ts', 'src/host/extension.ts', 'src/cli/main.ts'].filter(
    (path) => files.has(path),
  );
  assert.ok(focuses.length >= 3);
  runCases(t, prepared, focuses, 8, 5);
  // The issue's own example: remove 26,258 tokens with src/core/analysis/buildReport.ts in focus.
  const total = [...prepared.tokens.values()].reduce((sum, value) => sum + value, 0);
  const { plan } = evaluate(prepared, 'src/core/analysis/buildReport.ts', total - 26_258);
  for (const proposal of plan.proposals) t.diagnostic(`${proposal.path}: ${proposal.explanation}`);
  assert.ok(plan.feasible);
  const closure = prepared.graph.distancesFrom(['src/core/analysis/buildReport.ts']).dependencies;
  assert.ok(
    plan.proposals.every((proposal) => !closure.has(proposal.path)),
    'nothing buildReport.ts imports is proposed for 26,258 tokens',
  );
});
