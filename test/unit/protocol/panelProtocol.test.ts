import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxMessageStringLength, parseWebviewMessage } from '../../../src/protocol/panelProtocol';
import { makeNonce, panelHtml } from '../../../src/host/panel/panelHtml';

test('every well-formed webview message is accepted as itself', () => {
  const messages = [
    { type: 'ready' },
    { type: 'ready', dropTarget: 'memory' },
    { type: 'openFile', uri: 'file:///w/a.ts' },
    { type: 'setModel', modelId: 'llama-3.1-8b' },
    { type: 'setGpu', gpuId: 'h100-sxm' },
    { type: 'setGpuCount', gpuCount: 8 },
    { type: 'runCommand', command: 'loadModelConfig' },
    { type: 'setDropTarget', target: 'effective' },
    { type: 'setProposalSelected', uri: 'file:///w/a.ts', selected: false },
    { type: 'applyDrops', uris: ['file:///w/a.ts', 'file:///w/b.ts'] },
    { type: 'applyReorder', placement: 'start' },
    { type: 'resetOrder' },
    { type: 'undo' },
  ];
  for (const message of messages) assert.deepEqual(parseWebviewMessage(message), message);
});

test('malformed, unknown or out-of-range messages are rejected', () => {
  const bad: unknown[] = [
    null,
    undefined,
    42,
    'undo',
    [],
    {},
    { type: 'eval', code: 'x' },
    { type: 'ready', dropTarget: 'everything' },
    { type: 'openFile' },
    { type: 'openFile', uri: 7 },
    { type: 'openFile', uri: '' },
    { type: 'openFile', uri: 'x'.repeat(maxMessageStringLength + 1) },
    { type: 'setGpuCount', gpuCount: 0 },
    { type: 'setGpuCount', gpuCount: 1.5 },
    { type: 'setGpuCount', gpuCount: 1e9 },
    { type: 'setGpuCount', gpuCount: '2' },
    { type: 'runCommand', command: 'workbench.action.terminal.new' },
    { type: 'setProposalSelected', uri: 'file:///a', selected: 'yes' },
    { type: 'applyDrops', uris: 'file:///a' },
    { type: 'applyDrops', uris: [1, 2] },
    { type: 'applyReorder', placement: 'middle' },
    { type: '__proto__' },
  ];
  for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message) ?? String(message));
});

test("the panel page: strict CSP with the nonce, no inline script or style, only the extension's own resources", () => {
  const nonce = makeNonce((size) => new Uint8Array(size).map((_, i) => i * 7));
  assert.match(nonce, /^[0-9a-f]{64}$/);
  const html = panelHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce,
    scriptUri: 'https://x/dist/webview.js',
    styleUri: 'https://x/media/panel.css',
    codiconUri: 'https://x/dist/codicons/codicon.css',
  });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`));
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /<style|style=/, 'no inline styles');
});
