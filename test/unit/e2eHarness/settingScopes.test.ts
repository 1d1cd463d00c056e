// The UI-test harness writes each setting where code-server applies it: machine-scoped settings in the remote
// (Machine) settings, never in the User settings, where a remote window drops them depending on startup timing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertAppliedAsUserSettings, manifestSettingScopes, remoteOnlyKeys } from '../../e2e/harness/settingScopes';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-setting-scopes-'));
after(() => fs.rmSync(temp, { recursive: true, force: true }));

function manifest(configuration: unknown): string {
  const file = path.join(temp, `package-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ contributes: { configuration } }));
  return file;
}

test('machine and machine-overridable settings are the ones a remote window takes from the remote settings only', () => {
  const scopes = new Map([
    ['x.application', 'application'],
    ['x.machine', 'machine'],
    ['x.machineOverridable', 'machine-overridable'],
    ['x.window', 'window'],
    ['x.resource', 'resource'],
    ['x.language', 'language-overridable'],
  ]);
  const settings = Object.fromEntries([...scopes.keys(), 'workbench.colorTheme'].map((key) => [key, 1]));
  assert.deepEqual(remoteOnlyKeys(settings, scopes), ['x.machine', 'x.machineOverridable']);
});

test("a manifest's scopes are read from every configuration section; a setting without one is window-scoped", () => {
  const sections = manifest([
    { properties: { 'a.one': { type: 'string', scope: 'machine-overridable' }, 'a.two': { type: 'string' } } },
    { properties: { 'a.three': { type: 'string', scope: 'application' } } },
  ]);
  assert.deepEqual(
    [...manifestSettingScopes(sections)],
    [
      ['a.one', 'machine-overridable'],
      ['a.two', 'window'],
      ['a.three', 'application'],
    ],
  );
  const single = manifest({ properties: { 'b.one': { type: 'string', scope: 'machine' } } });
  assert.deepEqual([...manifestSettingScopes(single)], [['b.one', 'machine']]);
});

test('a machine-scoped setting meant for the User settings is refused with the key, its scope and where it goes', () => {
  const file = manifest([{ properties: { 'a.url': { type: 'string', scope: 'machine-overridable' }, 'a.model': { type: 'string' } } }]);
  assert.doesNotThrow(() => assertAppliedAsUserSettings({ 'a.model': 'm', 'workbench.colorTheme': 'Dark 2026' }, file));
  assert.throws(
    () => assertAppliedAsUserSettings({ 'a.model': 'm', 'a.url': 'http://127.0.0.1:1' }, file),
    (error: Error) => {
      assert.match(error.message, /^a\.url \(machine-overridable\): code-server is a remote window/);
      assert.match(error.message, /pass it in machineSettings \(user-data\/Machine\/settings\.json/);
      return true;
    },
  );
});

test('startCodeServer refuses contextBudget.server in the User settings before it starts anything', async () => {
  // A tools folder that does not exist: if the guard were missing, startCodeServer would fail on it
  // instead (and never start a real code-server from a unit test).
  process.env['CB_VSCODE_TEST_DIR'] = path.join(temp, 'no-tools');
  const { startCodeServer } = await import('../../e2e/harness/codeServer.js');
  await assert.rejects(startCodeServer({ settings: { 'contextBudget.server': 'http://127.0.0.1:1' } }), (error: Error) => {
    assert.match(error.message, /^contextBudget\.server \(machine-overridable\): code-server is a remote window/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(temp, 'no-tools')), false, 'no profile folder was made');
});
