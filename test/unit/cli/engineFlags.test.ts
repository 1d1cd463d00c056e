// The engine flags parse onto the same validated Settings the extension uses; a bad value is a usage
// error naming the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError } from '../../../src/cli/args';
import type { CliCommand } from '../../../src/cli/args';

function settingsOf(command: CliCommand): Extract<CliCommand, { kind: 'estimate' }>['settings'] {
  assert.equal(command.kind, 'estimate');
  return (command as Extract<CliCommand, { kind: 'estimate' }>).settings;
}

test('engine flags reach the settings', () => {
  const settings = settingsOf(
    parseCli([
      'estimate',
      '--tokens',
      '1000',
      '--engine',
      'llama.cpp',
      '--kv-dtype',
      'q8_0',
      '--k-dtype',
      'q8_0',
      '--v-dtype',
      'q4_0',
      '--ubatch',
      '2048',
      '--parallel',
      '4',
      '--swa-full',
      '--mla',
      'off',
      '--max-model-len',
      '32768',
      '--num-ctx',
      '8192',
    ]),
  );
  assert.deepEqual(
    [
      settings.engine,
      settings.kvCacheDtype,
      settings.kCacheDtype,
      settings.vCacheDtype,
      settings.ubatch,
      settings.batchSize,
      settings.swaFull,
      settings.mla,
      settings.maxModelLen,
      settings.numCtx,
    ],
    ['llama.cpp', 'q8_0', 'q8_0', 'q4_0', 2048, 4, true, 'off', 32768, 8192],
  );
  // Defaults: ideal engine, native weights, engine defaults for the rest.
  const defaults = settingsOf(parseCli(['estimate', '--tokens', '1']));
  assert.deepEqual(
    [defaults.engine, defaults.weightDtype, defaults.ubatch, defaults.swaFull, defaults.numCtx],
    ['ideal', 'native', null, null, null],
  );
  // --batch stays an alias of --parallel.
  assert.equal(settingsOf(parseCli(['estimate', '--tokens', '1', '--batch', '3'])).batchSize, 3);
});

test('bad engine flags are usage errors naming the flag', () => {
  const message = (args: string[]): string => {
    try {
      parseCli(['estimate', '--tokens', '1', ...args]);
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    return assert.fail(`no error for ${args.join(' ')}`);
  };
  assert.match(message(['--engine', 'tgi']), /^--engine must be one of ideal, llama\.cpp, ollama, lmstudio, vllm, sglang \(got "tgi"\)/);
  assert.match(message(['--k-dtype', 'q3_k']), /^--k-dtype must be one of/);
  assert.match(message(['--mla', 'yes']), /^--mla must be one of auto, on, off \(got "yes"\)\.$/);
  assert.match(message(['--ubatch', '0']), /^--ubatch must be a whole number from 1/);
  assert.match(message(['--num-ctx', '8k']), /^--num-ctx must be a number \(got "8k"\)/);
  assert.match(message(['--max-model-len', '1.5']), /^--max-model-len must be a whole number/);
  assert.match(message(['--parallel', '2', '--batch', '3']), /--parallel 2 and --batch 3 disagree/);
});
