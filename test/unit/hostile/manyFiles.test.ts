// 100,000 tiny files through the real CLI: the default file limit stops the walk and says so, a
// raised limit counts every file exactly, and both finish in bounded time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { buildManyTinyFiles } from '../../hostile/hostileWorkspace';
import { getOracle } from '../tokenizer/oracleSupport';

interface CliJson {
  readonly promptTokens: number;
  readonly withinLimits: boolean;
  readonly files: ReadonlyArray<{ readonly path: string; readonly status: string; readonly tokens: number | null }>;
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string; readonly message: string }>;
}

async function runJson(args: readonly string[], cwd: string): Promise<{ code: number; json: CliJson; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, json: JSON.parse(out) as CliJson, err };
}

describe('100,000 tiny files', { timeout: 300_000 }, () => {
  let many: ReturnType<typeof buildManyTinyFiles>;
  const oracle = new Map<string, number>();
  before(() => {
    many = buildManyTinyFiles(100_000);
    for (const file of many.files) oracle.set(file.path, getOracle('o200k_base').encode_ordinary(file.text).length);
  });
  after(() => many?.cleanup());

  it(
    'default maxFiles (20,000): exactly the first 20,000 in walk order are counted, the limit is reported, the total is exact',
    { timeout: 120_000 },
    async () => {
      const { code, json, err } = await runJson(['.', '--json'], many.root);
      assert.equal(code, json.withinLimits ? 0 : 1);
      // The JSON on stdout stays clean; the limit is also said on stderr, where a terminal user sees it.
      assert.equal(err, 'context-budget: stopped after 20,000 files (--max-files); the rest were not counted.\n');
      const counted = json.files.filter((file) => file.status === 'counted');
      assert.equal(json.files.length, 20_000);
      assert.equal(counted.length, 20_000);
      assert.deepEqual(
        counted.map((file) => file.path),
        many.files.slice(0, 20_000).map((file) => file.path),
      );
      for (const file of counted) assert.equal(file.tokens, oracle.get(file.path), file.path);
      assert.deepEqual(
        json.skipped.map((entry) => [entry.path, entry.reason]),
        [['d020', 'fileLimit']],
      );
      assert.match(json.skipped[0]!.message, /^stopped after 20000 files/);
      assert.equal(
        json.promptTokens,
        counted.reduce((sum, file) => sum + oracle.get(file.path)!, 0),
      );
    },
  );

  it('--max-files 100000: every file is counted exactly and the total is the oracle sum', { timeout: 240_000 }, async () => {
    const { code, json, err } = await runJson(['.', '--json', '--max-files', '100000'], many.root);
    assert.equal(err, '');
    assert.equal(code, json.withinLimits ? 0 : 1);
    assert.equal(json.files.length, 100_000);
    assert.deepEqual(json.skipped, []);
    let total = 0;
    for (const file of json.files) {
      assert.equal(file.status, 'counted', file.path);
      assert.equal(file.tokens, oracle.get(file.path), file.path);
      total += file.tokens!;
    }
    assert.equal(
      total,
      [...oracle.values()].reduce((sum, tokens) => sum + tokens, 0),
    );
    assert.equal(json.promptTokens, total);
  });
});
