import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWorkspaceModels, hfModelType, isGgufPath, workspaceModelLabel } from '../../../src/core/model/workspaceModels';
import type { WorkspaceModelFile } from '../../../src/core/model/workspaceModels';

test('a config.json is a model config only when it names a model_type, at the top or in its language config', () => {
  assert.equal(hfModelType({ model_type: 'qwen3', hidden_size: 4096 }), 'qwen3');
  assert.equal(
    hfModelType({ architectures: ['Gemma3ForConditionalGeneration'], text_config: { model_type: 'gemma3_text' } }),
    'gemma3_text',
  );
  for (const other of [
    { compilerOptions: {} },
    { model_type: 3 },
    { model_type: '' },
    ['model_type'],
    null,
    'qwen3',
    { text_config: 'x' },
  ]) {
    assert.equal(hfModelType(other), undefined, JSON.stringify(other));
  }
});

test('GGUF files are recognised by extension, whatever its case', () => {
  assert.ok(isGgufPath('/m/Llama-3.1-8B-Q4_K_M.gguf'));
  assert.ok(isGgufPath('C:\\models\\X.GGUF'));
  assert.ok(!isGgufPath('/m/model.gguf.part'));
});

test('picker labels and order: configs by folder name first, then GGUF files with their size', () => {
  const files: WorkspaceModelFile[] = [
    { kind: 'gguf', relativePath: 'weights/llama-q4.gguf', sizeBytes: 4_920_000_000 },
    { kind: 'hf-config', relativePath: 'models/Qwen3-8B/config.json', modelType: 'qwen3' },
    { kind: 'hf-config', relativePath: 'config.json', modelType: 'llama' },
  ];
  assert.deepEqual([...files].sort(compareWorkspaceModels).map(workspaceModelLabel), [
    { label: 'config.json', description: 'llama · config.json' },
    { label: 'Qwen3-8B', description: 'qwen3 · models/Qwen3-8B/config.json' },
    { label: 'llama-q4.gguf', description: 'GGUF, 4.58 GiB · weights/llama-q4.gguf' },
  ]);
});
