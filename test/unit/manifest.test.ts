import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandIds, viewIds } from '../../src/host/ids';
import { defaultSettings, settingKeys } from '../../src/core/settings';

// ids.ts has no runtime vscode import, so the manifest can be checked in plain Node.
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: Array<{ title: string; properties: Record<string, { default: unknown; markdownDescription?: string }> }>;
    views: Record<string, Array<{ id: string }>>;
    menus: Record<string, Array<{ command: string }>>;
  };
};

/** Settings read only by `when` clauses in the manifest, not by parseSettings. */
const whenClauseOnlySettings = ['showEditorTitleButton'];

test('every command in package.json is in ids.ts and the other way round', () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(declared, Object.values(commandIds).sort());
  for (const command of manifest.contributes.commands) assert.equal(command.category, 'Context Budget', `${command.command} has the product category`);
});

test('every menu entry names a declared command', () => {
  const declared = new Set(Object.values(commandIds) as string[]);
  for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
    for (const entry of entries) assert.ok(declared.has(entry.command), `${menu} → ${entry.command}`);
  }
});

test('every setting parseSettings reads is declared with the same default and a description, and nothing else is declared', () => {
  const properties = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties)) as Record<string, { default: unknown; markdownDescription?: string }>;
  const declared = Object.keys(properties).map((key) => key.replace(/^contextBudget\./, '')).sort();
  assert.deepEqual(declared, [...settingKeys, ...whenClauseOnlySettings].sort());
  for (const key of settingKeys) {
    const property = properties[`contextBudget.${key}`]!;
    assert.deepEqual(property.default, defaultSettings[key], `default of ${key}`);
    assert.ok(property.markdownDescription && property.markdownDescription.length > 20, `${key} is described`);
  }
});

test('the tree view id matches the manifest', () => {
  assert.deepEqual(manifest.contributes.views[viewIds.container]?.map((v) => v.id), [viewIds.files]);
});
