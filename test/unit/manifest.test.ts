import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandIds, viewIds } from '../../src/host/ids';
import { defaultSettings, settingKeys, settingRules } from '../../src/core/settings';
import { dropTargetKinds } from '../../src/core/vocabulary';

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
  const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
  const resolve = (value: string | undefined): string | undefined => (value && /^%[^%]+%$/.test(value) ? nls[value.slice(1, -1)] : value);
  for (const command of manifest.contributes.commands) {
    assert.equal(resolve(command.category), 'Context Budget', `${command.command} has the product category`);
  }
});

test('every menu entry names a declared command', () => {
  const declared = new Set(Object.values(commandIds) as string[]);
  for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
    for (const entry of entries) assert.ok(declared.has(entry.command), `${menu} → ${entry.command}`);
  }
});

test('every setting parseSettings reads is declared with the same default and a description, and nothing else is declared', () => {
  const properties = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties)) as Record<
    string,
    { default: unknown; markdownDescription?: string }
  >;
  const declared = Object.keys(properties)
    .map((key) => key.replace(/^contextBudget\./, ''))
    .sort();
  assert.deepEqual(declared, [...settingKeys, ...whenClauseOnlySettings].sort());
  for (const key of settingKeys) {
    const property = properties[`contextBudget.${key}`]!;
    assert.deepEqual(property.default, defaultSettings[key], `default of ${key}`);
    assert.ok(property.markdownDescription && property.markdownDescription.length > 20, `${key} is described`);
  }
});

test("every setting's type, enum and range in package.json is the one settingRules defines", () => {
  const properties = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties)) as Record<
    string,
    { type: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number; exclusiveMinimum?: number }
  >;
  for (const key of settingKeys) {
    const property = properties[`contextBudget.${key}`]!;
    const rule = settingRules[key];
    const types = [property.type].flat();
    switch (rule.kind) {
      case 'enum':
        // An optional choice offers null ("not set") in the settings UI.
        assert.deepEqual(property.enum, rule.optional ? [null, ...rule.values] : rule.values, `${key} enum`);
        assert.deepEqual(types, rule.optional ? ['string', 'null'] : ['string'], `${key} type`);
        break;
      case 'integer':
        assert.deepEqual(
          [types, property.minimum, property.maximum],
          [rule.optional ? ['integer', 'null'] : ['integer'], rule.min, rule.max],
          `${key} range`,
        );
        break;
      case 'fraction':
        assert.deepEqual(
          [property.minimum, property.exclusiveMinimum, property.maximum],
          rule.min === undefined ? [undefined, 0, 1] : [rule.min, undefined, 1],
          `${key} range`,
        );
        assert.deepEqual(types, rule.optional ? ['number', 'null'] : ['number'], `${key} type`);
        break;
      case 'boolean':
        assert.deepEqual(types, rule.optional ? ['boolean', 'null'] : ['boolean'], `${key} type`);
        break;
      case 'stringArray':
        assert.deepEqual(types, ['array'], `${key} type`);
        break;
      case 'string':
        assert.deepEqual(types, ['string'], `${key} type`);
        break;
      case 'url':
        assert.deepEqual([types, (property as { format?: string }).format], [['string'], 'uri'], `${key} type`);
        break;
    }
    if (rule.kind !== 'enum') assert.equal(property.enum, undefined, `${key} has no enum of its own`);
  }
});

test('the language-model tool offers exactly the drop targets of the vocabulary', () => {
  const tools = (
    JSON.parse(readFileSync('package.json', 'utf8')) as {
      contributes: { languageModelTools: Array<{ inputSchema: { properties: { target: { enum: string[] } } } }> };
    }
  ).contributes.languageModelTools;
  assert.deepEqual(tools[0]!.inputSchema.properties.target.enum, dropTargetKinds);
});

test('the tree view id matches the manifest', () => {
  assert.deepEqual(
    manifest.contributes.views[viewIds.container]?.map((v) => v.id),
    [viewIds.files],
  );
});

test('every user-facing manifest string is localizable: a %key% found in package.nls.json, and no key is unused', () => {
  const manifestText = readFileSync('package.json', 'utf8');
  const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
  const used = new Set([...manifestText.matchAll(/"%([^"%]+)%"/g)].map((match) => match[1]!));
  for (const key of used) assert.ok(typeof nls[key] === 'string' && nls[key]!.length > 0, `package.nls.json lacks ${key}`);
  for (const key of Object.keys(nls)) assert.ok(used.has(key), `package.nls.json has unused ${key}`);
  const manifest = JSON.parse(manifestText) as {
    displayName: string;
    contributes: {
      commands: Array<{ title: string }>;
      configuration: Array<{
        title: string;
        properties: Record<
          string,
          { markdownDescription?: string; description?: string; enumDescriptions?: string[]; markdownEnumDescriptions?: string[] }
        >;
      }>;
    };
  };
  const isKey = (value: string | undefined): boolean => value === undefined || /^%[^%]+%$/.test(value);
  assert.ok(isKey(manifest.displayName));
  for (const command of manifest.contributes.commands) assert.ok(isKey(command.title), command.title);
  for (const section of manifest.contributes.configuration) {
    assert.ok(isKey(section.title), section.title);
    for (const [name, property] of Object.entries(section.properties)) {
      assert.ok(isKey(property.markdownDescription) && isKey(property.description), name);
      for (const text of [...(property.enumDescriptions ?? []), ...(property.markdownEnumDescriptions ?? [])]) {
        assert.ok(isKey(text), `${name}: ${text}`);
      }
    }
  }
});

test('l10n/bundle.l10n.json lists exactly the vscode.l10n.t messages in src/host', () => {
  const bundle = JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8')) as Record<string, string>;
  const sources = readdirSync('src/host', { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join('src/host', file), 'utf8'))
    .join('\n');
  const messages = new Set(
    [...sources.matchAll(/vscode\.l10n\.t\(\s*(['"])((?:(?!\1)[^\\]|\\.)*)\1/g)].map((match) => match[2]!.replace(/\\(['"])/g, '$1')),
  );
  assert.ok(messages.size >= 20, `${messages.size} messages`);
  assert.deepEqual(Object.keys(bundle).sort(), [...messages].sort(), 'run node scripts/extractL10n.mjs');
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { l10n?: string };
  assert.equal(manifest.l10n, './l10n');
});
