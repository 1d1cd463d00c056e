// Relevance plan on 10,000 files once the graph is built (issue 14: < 200 ms, deterministic).
// The tree is generated: 100 packages of 100 TS files, each importing 3 files of its own package and
// one file in ten 1 of another package, sizes 200-20,000 tokens, one file in ten with an outline at 40% of its size, a few
// lockfiles and generated files. Timed: building the graph (index + resolution of every file),
// re-resolving after one edit, assessing relevance, and planning for several needs.
// Run: node node_modules/typescript/bin/tsc -p tsconfig.json && node out/bench/relevancePlanBench.js (npm run bench runs it too;
// it takes seconds, so CB_BENCH_QUICK=1 changes nothing)
import { performance } from 'node:perf_hooks';
import type { FileSyntax } from '../src/core/relevance/extractSyntax';
import { ImportGraph } from '../src/core/relevance/importGraph';
import { kindSignalsOf } from '../src/core/relevance/kindSignals';
import { assessRelevance } from '../src/core/relevance/relevance';
import { planRelevance } from '../src/core/plan/planner';
import type { RelevancePlanFile } from '../src/core/plan/planner';
import { machine, writeResults } from './benchSupport';

const packages = 100;
const perPackage = 100;
let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pathOf = (p: number, f: number): string => `src/pkg${String(p).padStart(3, '0')}/file${String(f).padStart(3, '0')}.ts`;

const syntaxOf = new Map<string, FileSyntax>();
const tokensOf = new Map<string, number>();
for (let p = 0; p < packages; p++) {
  for (let f = 0; f < perPackage; f++) {
    const imports = [0, 1, 2].map(() => ({
      kind: 'es' as const,
      specifier: `./file${String(Math.floor(random() * perPackage)).padStart(3, '0')}`,
    }));
    // One file in ten also imports a file of another package (a shared util).
    if (random() < 0.1) {
      imports.push({
        kind: 'es',
        specifier: `../pkg${String(Math.floor(random() * packages)).padStart(3, '0')}/file${String(Math.floor(random() * perPackage)).padStart(3, '0')}`,
      });
    }
    const path = p === 0 && f < 5 ? `src/pkg000/gen${f}.pb.ts` : p === 1 && f < 3 ? `lock${f}/package-lock.json` : pathOf(p, f);
    syntaxOf.set(path, { language: 'typescript', imports, packageName: null, typeReferences: [], outline: '', hasErrors: false });
    tokensOf.set(path, 200 + Math.floor(random() ** 3 * 19_800));
  }
}

const timings: Record<string, number> = {};
const time = <T>(label: string, run: () => T): T => {
  const start = performance.now();
  const result = run();
  timings[label] = performance.now() - start;
  return result;
};

const graph = new ImportGraph();
time('graph: add 10k files + resolve', () => {
  for (const [path, syntax] of syntaxOf) graph.setFile(path, syntax);
  graph.importsOf(pathOf(50, 50));
});
time('graph: one file edited, re-resolve', () => {
  const path = pathOf(10, 10);
  graph.setFile(path, { ...syntaxOf.get(path)!, imports: [{ kind: 'es', specifier: './file011' }] });
  graph.importsOf(path);
});
const anchors = [
  { path: pathOf(50, 50), role: 'focus' as const },
  { path: pathOf(51, 3), role: 'open' as const },
];
// Kind signals depend on a file's path and content only, so they are computed once per file (when it is
// counted), not per plan: timed apart.
const signals = time(
  'kind signals of 10k files (once per file)',
  () => new Map([...syntaxOf.keys()].map((path) => [path, kindSignalsOf(path)])),
);
const signalsOf = (path: string) => signals.get(path) ?? [];
const assessRuns: number[] = [];
let relevance = assessRelevance(graph, anchors, signalsOf);
for (let run = 0; run < 5; run++) {
  const start = performance.now();
  relevance = assessRelevance(graph, anchors, signalsOf);
  assessRuns.push(performance.now() - start);
}
assessRuns.sort((a, b) => a - b);
timings['assess relevance (BFS + tiers + reasons), median of 5'] = assessRuns[2]!;
const files: RelevancePlanFile[] = [...syntaxOf.keys()].sort().map((path, i) => ({
  path,
  tokens: tokensOf.get(path)!,
  priority: path === anchors[0]!.path ? 'focus' : i % 97 === 0 ? 'pinned' : 'plain',
  outlineTokens: i % 10 === 0 ? Math.floor(tokensOf.get(path)! * 0.4) : null,
  relevance: relevance.get(path)!,
}));
const total = files.reduce((sum, file) => sum + file.tokens, 0);
const closure = [...relevance.values()].filter((r) => r.tier === 'dependency').length;
const plans: string[] = [];
const planMedianMs: Record<string, number> = {};
for (const fraction of [0.01, 0.1, 0.5, 0.9]) {
  const need = Math.round(total * fraction);
  const runs: number[] = [];
  let plan = planRelevance(files, need);
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    plan = planRelevance(files, need);
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  planMedianMs[String(fraction)] = runs[2]!;
  plans.push(
    `need ${need.toLocaleString('en-US')} (${fraction * 100}%): median ${runs[2]!.toFixed(1)} ms, max ${runs[4]!.toFixed(1)} ms, ${plan.proposals.length} proposals, ${plan.method}`,
  );
}

console.log(JSON.stringify(machine()));
console.log(`${files.length} files, ${total.toLocaleString('en-US')} tokens; focus closure ${closure} files`);
for (const [label, ms] of Object.entries(timings)) console.log(`${label}: ${ms.toFixed(1)} ms`);
for (const line of plans) console.log(`plan ${line}`);
const slowest = Math.max(...Object.values(planMedianMs));
console.log(`target (issue 14): a plan in < 200 ms: ${slowest < 200 ? 'MET' : 'MISSED'} (slowest median ${slowest.toFixed(1)} ms)`);
console.log(`results: ${writeResults('relevance', { files: files.length, timingsMs: timings, planMedianMs })}`);
