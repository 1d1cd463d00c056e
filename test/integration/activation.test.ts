// Runs inside the real extension host (code-server or desktop VS Code), see
// test/harness/runIntegration.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'context-budget.context-budget';

interface ContributedCommand {
  command: string;
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

suite('activation', () => {
  test('the extension activates on its own when its activation events say it should', async function () {
    const events = (extension().packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    if (!events.includes('onStartupFinished') && !events.includes('*')) this.skip();
    assert.ok(await waitFor(() => extension().isActive, 15_000), 'not active 15 s after startup');
  });

  test('the extension activates without throwing', async () => {
    await extension().activate();
    assert.equal(extension().isActive, true);
  });

  test('every command contributed in package.json is registered', async () => {
    await extension().activate();
    const contributed = (
      (extension().packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? []
    ).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.ok(
      missing.length === 0,
      `${missing.length} of ${contributed.length} contributed commands are not registered: ${missing.join(', ')}`,
    );
  });
});
