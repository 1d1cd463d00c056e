// Entry point the extension host loads as `extensionTestsPath` (compiled to
// out/test/integration/index.js). Runs every out/test/integration/**/*.test.js with mocha.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env['CB_MOCHA_TIMEOUT_MS'] ?? 20_000),
  });
  const grep = process.env['CB_TEST_GREP'];
  if (grep) mocha.grep(grep);
  // CB_TEST_DIR runs another folder of suites with the same runner (the extension-host bench).
  const dir = process.env['CB_TEST_DIR'] ?? __dirname;
  const files = findTests(dir);
  if (files.length === 0) throw new Error(`no *.test.js files under ${dir}`);
  for (const file of files) mocha.addFile(file);
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, pending = 0 } = runner.stats ?? {};
      // The plain closing line CI reads, whatever the reporter printed above it.
      console.log(`integration: ${passes} passed, ${failures} failed, ${pending} skipped`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
