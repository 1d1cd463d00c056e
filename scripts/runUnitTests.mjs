// Compiles src + tests with tsc into out/ and runs node's test runner over out/test/unit.
// Slow oracle/corpus tests are included; set CB_QUICK=1 to skip them while iterating.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

rmSync('out', { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const extra = process.argv.slice(2);
const args = ['--test', '--test-reporter=spec', ...(extra.length ? extra : ['out/test/unit/'])];
// The CLI keeps counts in $XDG_CACHE_HOME/context-budget: tests get a fresh one, never the user's.
const cacheHome = mkdtempSync(join(tmpdir(), 'cb-unit-cache-'));
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
rmSync(cacheHome, { recursive: true, force: true });
process.exit(run.status ?? 1);
