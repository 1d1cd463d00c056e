// Which settings file a UI test must write a setting to so that code-server applies it.
//
// code-server is a remote window: the workbench runs in the browser with a remote authority, the extension
// host on the server. In a remote window VS Code reads the (local) User settings with LOCAL_MACHINE_SCOPES,
// which leave out `machine` and `machine-overridable`; those settings are applied only from the remote
// machine's settings, <user-data-dir>/Machine/settings.json (Preferences: Open Remote Settings).
// Sources (microsoft/vscode): src/vs/workbench/services/configuration/browser/configurationService.ts
// @01272b921e9c053b06b0751a032341c80e4c7241 (getLocalUserConfigurationScopes; onDefaultConfigurationChanged
// reparses the local User settings of a remote window when extension settings are registered),
// src/vs/workbench/services/configuration/common/configuration.ts @8b9cba7cef7410281c01723442de13af3cbc1290
// (LOCAL_MACHINE_SCOPES, REMOTE_MACHINE_SCOPES), src/vs/platform/configuration/common/configurationModels.ts
// @f864ed38406916d9b768922ac8d85f5830caee21 (ConfigurationModelParser.filter: "Load unregistered configurations
// always"), src/vs/server/node/serverEnvironmentService.ts @b77c3c7d0787482fe07dd31a8d0fe3e32023ae25
// (machineSettingsResource = <user-data-dir>/Machine/settings.json).
//
// The filter only drops a key once the extension's configuration schema is registered in the workbench, so a
// machine-scoped key in the User settings reaches the extension host or not depending on startup timing: that
// made test/e2e/server.e2e.ts pass alone and fail after other files (contextBudget.server read as "").
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Scopes VS Code applies only from the remote machine's settings in a remote window such as code-server. */
export const remoteOnlyScopes: ReadonlySet<string> = new Set(['machine', 'machine-overridable']);

interface ManifestConfiguration {
  readonly properties?: Record<string, { readonly scope?: string }>;
}

/** The `scope` of every setting the extension's package.json declares (`window` when it declares none, as VS Code does). */
export function manifestSettingScopes(manifestPath: string): Map<string, string> {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    contributes?: { configuration?: ManifestConfiguration | ManifestConfiguration[] };
  };
  const sections = manifest.contributes?.configuration ?? [];
  const scopes = new Map<string, string>();
  for (const section of Array.isArray(sections) ? sections : [sections]) {
    for (const [key, schema] of Object.entries(section.properties ?? {})) scopes.set(key, schema.scope ?? 'window');
  }
  return scopes;
}

/** The keys of `settings` that code-server ignores in the User settings (they belong in the Machine settings), sorted. */
export function remoteOnlyKeys(settings: Record<string, unknown>, scopes: ReadonlyMap<string, string>): string[] {
  return Object.keys(settings)
    .filter((key) => remoteOnlyScopes.has(scopes.get(key) ?? 'window'))
    .sort();
}

/**
 * Throws when `settings`, meant for the User settings file, holds a setting of machine scope: in code-server
 * it would be applied or not depending on startup timing. The message names the keys and where they go.
 */
export function assertAppliedAsUserSettings(settings: Record<string, unknown>, manifestPath: string): void {
  const scopes = manifestSettingScopes(manifestPath);
  const misplaced = remoteOnlyKeys(settings, scopes);
  if (misplaced.length === 0) return;
  const named = misplaced.map((key) => `${key} (${scopes.get(key)})`).join(', ');
  throw new Error(
    `${named}: code-server is a remote window, where VS Code ignores machine-scoped settings in the User settings ` +
      `(${path.basename(manifestPath)} declares the scope); pass ${misplaced.length === 1 ? 'it' : 'them'} in machineSettings ` +
      `(user-data/Machine/settings.json, the remote settings) instead`,
  );
}
