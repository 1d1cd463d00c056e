// Compiles src + tests with tsc into out/ and runs node's test runner over out/test/unit.
// Slow oracle/corpus tests are included; set CB_QUICK=1 to skip them while iterating.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('out', { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const extra = process.argv.slice(2);
const args = ['--test', '--test-reporter=spec', ...(extra.length ? extra : ['out/test/unit/'])];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
