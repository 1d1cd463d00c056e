// A drop plan through the session on 10,000 files once the graph is built (issue 14: < 200 ms,
// deterministic): what Suggest Drops, the panel and the CLI call. The files live in memory, a fake pool
// counts words and a fake parser answers the imports of a generated tree (100 packages of 100 files,
// 3 imports within the package and one file in ten importing another package) with an outline of 40%
// of each file. Timed: the first plan after parsing (relevance assessed once, then memoised), a new
// proposal on the built graph (the report after its actions included), the same proposal again (the
// panel asks on every render: memoised), and the plans after one file is edited.
// Run: node node_modules/typescript/bin/tsc -p tsconfig.json && node out/bench/sessionPlanBench.js
import { performance } from 'node:perf_hooks';
import { resolveTarget } from '../src/core/analysis/resolveTarget';
import type { FileSyntax } from '../src/core/relevance/extractSyntax';
import type { ParsePort } from '../src/core/relevance/relevanceIndex';
import { ContextCounter } from '../src/core/scan/contextCounter';
import { scanTree } from '../src/core/scan/scanner';
import { Selection } from '../src/core/selection/selection';
import { BudgetSession } from '../src/core/session/budgetSession';
import { defaultSettings } from '../src/core/settings';
import { InMemoryWorkspaceFs } from '../test/fakes/inMemoryWorkspaceFs';
import { ScriptedPool } from '../test/fakes/scriptedPool';
import { machine } from './benchSupport';

const packages = 100;
const perPackage = 100;
let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const name = (p: number, f: number): string => `src/pkg${String(p).padStart(3, '0')}/file${String(f).padStart(3, '0')}.ts`;

const fs = new InMemoryWorkspaceFs();
const syntaxOf = new Map<string, FileSyntax>();
for (let p = 0; p < packages; p++) {
  for (let f = 0; f < perPackage; f++) {
    const imports = [0, 1, 2].map(() => ({
      kind: 'es' as const,
      specifier: `./file${String(Math.floor(random() * perPackage)).padStart(3, '0')}`,
    }));
    if (random() < 0.1) {
      imports.push({
        kind: 'es',
        specifier: `../pkg${String(Math.floor(random() * packages)).padStart(3, '0')}/file${String(Math.floor(random() * perPackage)).padStart(3, '0')}`,
      });
    }
    const words = 200 + Math.floor(random() ** 3 * 19_800);
    const path = name(p, f);
    const text = Array.from({ length: words }, (_, i) => `w${i % 97}`).join(' ');
    fs.file(`/w/${path}`, text);
    syntaxOf.set(path, {
      language: 'typescript',
      imports,
      packageName: null,
      typeReferences: [],
      outline: text.slice(0, Math.floor(text.length * 0.4)),
      hasErrors: false,
    });
  }
}
const parse: ParsePort = async (path) => {
  const syntax = syntaxOf.get(path);
  return syntax ? { kind: 'parsed', syntax } : { kind: 'unsupported', reason: 'no parser for this file type' };
};

async function main(): Promise<void> {
  const settings = { ...defaultSettings, maxFiles: 20_000 };
  const session = new BudgetSession({
    selection: new Selection(),
    counter: new ContextCounter(fs, new ScriptedPool()),
    fs,
    context: { generation: 1, settings, target: resolveTarget(settings) },
    notifyDelayMs: 0,
    parse,
  });
  const scan = await scanTree(fs, '/w', { excludeGlobs: [], respectGitignore: false, maxFileBytes: 1 << 24, maxFiles: 20_000 });
  let started = performance.now();
  await session.addFiles(scan.files);
  const countMs = performance.now() - started;
  session.selection.setFocus([`/w/${name(50, 50)}`], true);
  const total = session.report().promptTokens;
  const lines: string[] = [];
  for (const fraction of [0.1, 0.5, 0.9]) {
    const budget = Math.round(total * (1 - fraction));
    session.setContext({
      generation: session.context.generation + 1,
      settings: { ...settings, budgetTokens: budget },
      target: session.context.target,
    });
    started = performance.now();
    await session.settledDropProposal('budget');
    const settleMs = performance.now() - started;
    const runs: number[] = [];
    let proposal = session.proposeDrops('budget')!;
    let start = performance.now();
    session.proposeDrops('budget');
    const memoMs = performance.now() - start;
    for (let run = 0; run < 5; run++) {
      // A different kept set each time: the session's memo misses and the whole proposal is made again
      // (readiness, relevance inputs, the planner, the report after the actions); the graph stays built.
      const kept = new Set([`/w/not-a-file-${fraction}-${run}`]);
      start = performance.now();
      proposal = session.proposeDrops('budget', kept)!;
      runs.push(performance.now() - start);
    }
    runs.sort((a, b) => a - b);
    lines.push(
      `remove ${Math.round(fraction * 100)}% (${proposal.neededTokens.toLocaleString('en-US')} tokens): ${proposal.basis} plan, ${proposal.actions.length} actions (${proposal.actions.filter((action) => action.action === 'outline').length} outlines), ${proposal.planner.plan.method}; first (parse + outline counts + assess) ${settleMs.toFixed(0)} ms; a new proposal: median ${runs[2]!.toFixed(1)} ms, max ${runs[4]!.toFixed(1)} ms; the same proposal again (memo) ${memoMs.toFixed(2)} ms`,
    );
  }
  // One edit: the file is parsed again, the graph re-resolves that file, relevance is assessed again.
  const edited = `/w/${name(10, 10)}`;
  await session.bufferChanged(edited, 'import { x } from "./file011";\n' + 'w1 '.repeat(500));
  started = performance.now();
  const afterEdit = await session.settledDropProposal('budget');
  const editMs = performance.now() - started;
  started = performance.now();
  session.proposeDrops('budget', new Set(['/w/not-a-file']));
  const editPlanMs = performance.now() - started;
  console.log(JSON.stringify(machine()));
  console.log(`${scan.files.length} files, ${total.toLocaleString('en-US')} tokens; counted in ${countMs.toFixed(0)} ms (fake pool)`);
  for (const line of lines) console.log(line);
  console.log(
    `after one edit: parse + outline + plan ${editMs.toFixed(0)} ms (${afterEdit?.basis}); the next plan ${editPlanMs.toFixed(1)} ms`,
  );
  session.dispose();
}

void main();
