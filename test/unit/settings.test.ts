import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, parseSettings } from '../../src/core/settings';
import type { Settings } from '../../src/core/settings';

test('missing values take the defaults with no problems', () => {
  const { settings, problems } = parseSettings(() => undefined);
  assert.deepEqual(settings, defaultSettings);
  assert.deepEqual(problems, []);
});

test('each invalid value falls back to its default with one message naming the setting', () => {
  const raw: Partial<Record<keyof Settings, unknown>> = {
    gpuCount: -2,
    memoryUtilization: 1.5,
    encoding: 'p50k',
    kvCacheDtype: 'fp4',
    excludes: 'node_modules',
    maxFileBytes: 1e12,
    respectGitignore: 'yes',
    computeEfficiency: 0,
  };
  const { settings, problems } = parseSettings((key) => raw[key]);
  assert.equal(settings.gpuCount, 1);
  assert.equal(settings.memoryUtilization, 0.9);
  assert.equal(settings.encoding, 'o200k_base');
  assert.equal(settings.kvCacheDtype, 'bf16');
  assert.deepEqual(settings.excludes, []);
  assert.equal(settings.maxFileBytes, defaultSettings.maxFileBytes);
  assert.equal(settings.respectGitignore, true);
  assert.equal(settings.computeEfficiency, null);
  assert.equal(problems.length, 8);
  assert.match(
    problems.find((p) => p.includes('gpuCount'))!,
    /contextBudget\.gpuCount must be a whole number from 1 to 1,024 \(got -2\); using the default 1\./,
  );
});

test('valid values pass through', () => {
  const raw: Partial<Record<keyof Settings, unknown>> = {
    model: 'qwen3-8b',
    gpuCount: 4,
    encoding: 'cl100k_base',
    computeEfficiency: 0.5,
    excludes: ['*.lock', ''],
  };
  const { settings, problems } = parseSettings((key) => raw[key]);
  assert.deepEqual(
    [settings.model, settings.gpuCount, settings.encoding, settings.computeEfficiency, settings.excludes],
    ['qwen3-8b', 4, 'cl100k_base', 0.5, ['*.lock']],
  );
  assert.deepEqual(problems, []);
});
