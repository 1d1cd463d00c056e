import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { loadProjectConfig } from '../../../src/core/relevance/loadProjectConfig';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';

test('finds tsconfig (over jsconfig), go.mod and relative extends above the selected files; one listing per folder', async () => {
  const fs = new InMemoryWorkspaceFs()
    .file('/ws/tsconfig.json', '{ "extends": "./config/base.json", "compilerOptions": { "baseUrl": "." } }')
    .file('/ws/jsconfig.json', '{ "compilerOptions": { "baseUrl": "ignored" } }')
    .file('/ws/config/base.json', '{ "compilerOptions": { "paths": { "@x/*": ["../x/*"] } } }')
    .file('/ws/svc/go.mod', 'module example.com/svc\n')
    .file('/ws/svc/a/a.go', 'package a')
    .file('/ws/web/src/app.ts', '')
    .file('/ws/web/jsconfig.json', '{ "compilerOptions": { "baseUrl": "src" } }')
    .file('/ws/other/tsconfig.json', '{ "compilerOptions": {} }');
  const { config, problems } = await loadProjectConfig(fs, '/ws', ['svc/a/a.go', 'web/src/app.ts']);
  assert.deepEqual(problems, []);
  assert.deepEqual(config.goModules, [{ dir: 'svc', modulePath: 'example.com/svc' }]);
  assert.deepEqual(
    config.tsConfigs.map((c) => [c.path, c.baseUrl, c.paths]),
    [
      ['tsconfig.json', '', []],
      ['web/jsconfig.json', 'web/src', []],
      ['config/base.json', null, [['@x/*', ['x/*']]]],
    ],
  );
  // Folders: '', svc, svc/a, web, web/src — each listed once; other/ is not above any selected file.
  assert.deepEqual([...fs.calls.readDirectory].sort(), ['/ws', '/ws/svc', '/ws/svc/a', '/ws/web', '/ws/web/src']);
});

test('a broken config is reported with its file and field, and the rest still loads', async () => {
  const fs = new InMemoryWorkspaceFs()
    .file('/ws/tsconfig.json', '{ "compilerOptions": { "paths": { "a": "not-an-array" } } }')
    .file('/ws/m/go.mod', 'go 1.22\n')
    .file('/ws/m/x.go', '')
    .file('/ws/p/tsconfig.json', '{ "extends": "./missing.json" }')
    .file('/ws/p/a.ts', '');
  const { config, problems } = await loadProjectConfig(fs, '/ws', ['m/x.go', 'p/a.ts']);
  assert.deepEqual(problems, [
    'tsconfig.json: compilerOptions.paths["a"] must be an array of strings; its paths are not applied',
    'm/go.mod: no module directive; Go imports below m are not resolved',
    'p/missing.json: cannot be read; its paths are not applied',
  ]);
  assert.deepEqual(
    config.tsConfigs.map((c) => c.path),
    ['p/tsconfig.json'],
  );
});
