// The watch that keeps the live check in step with the setting: latest wins, a cleared setting sends
// nothing, a recheck reads again, nothing is delivered after dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpOutcome, ServerCheck, ServerHttp } from '../../../src/core/server/serverCheck';
import type { ServerAddress } from '../../../src/core/server/serverUrl';
import { serverCheckRunner, ServerWatch } from '../../../src/core/server/serverWatch';
import { vllmModels } from './serverFixtures';

/** A vLLM-like server per address whose answers are released by hand, so the order of arrival is the test's. */
function gatedServers(): {
  factory: (address: ServerAddress) => ServerHttp;
  release: (base: string, maxModelLen: number) => void;
  requested: string[];
} {
  const gates = new Map<string, Array<(outcome: HttpOutcome) => void>>();
  const requested: string[] = [];
  const factory = (address: ServerAddress): ServerHttp => ({
    get: (path, signal) => {
      requested.push(`${address.base}${path}`);
      if (path !== '/v1/models') return Promise.resolve({ kind: 'response', status: 404, body: '' });
      return new Promise((resolve) => {
        signal?.addEventListener('abort', () => resolve({ kind: 'failed', reason: 'aborted', message: 'the check was cancelled' }));
        gates.set(address.base, [...(gates.get(address.base) ?? []), resolve]);
      });
    },
    postJson: () => Promise.resolve({ kind: 'response', status: 404, body: '' }),
  });
  const release = (base: string, maxModelLen: number): void => {
    for (const resolve of gates.get(base) ?? []) {
      resolve({ kind: 'response', status: 200, body: vllmModels.replace('"max_model_len":32768', `"max_model_len":${maxModelLen}`) });
    }
    gates.delete(base);
  };
  return { factory, release, requested };
}

function limitOf(check: ServerCheck | null): number | null | string {
  if (check === null) return null;
  return check.status === 'ok' ? check.limitTokens : check.status;
}

test('a slow answer for an old URL never replaces the answer for the current one', async () => {
  const servers = gatedServers();
  const delivered: Array<ServerCheck | null> = [];
  const watch = new ServerWatch('contextBudget.server', serverCheckRunner(servers.factory), (check) => delivered.push(check));
  watch.update('http://a:1');
  watch.update('http://b:2');
  servers.release('http://b:2', 8192);
  await watch.settled();
  servers.release('http://a:1', 4096);
  await new Promise((done) => setTimeout(done, 10));
  assert.deepEqual(delivered.map(limitOf), ['checking', 'checking', 8192]);
});

test('the same URL again does nothing; a recheck reads it again; a cleared setting delivers null and sends nothing', async () => {
  const servers = gatedServers();
  const delivered: Array<ServerCheck | null> = [];
  const watch = new ServerWatch('contextBudget.server', serverCheckRunner(servers.factory), (check) => delivered.push(check));
  watch.update('http://a:1');
  servers.release('http://a:1', 4096);
  await watch.settled();
  watch.update(' http://a:1 ');
  assert.equal(delivered.length, 2);
  watch.recheck();
  servers.release('http://a:1', 16384);
  await watch.settled();
  const sent = servers.requested.length;
  watch.update('');
  assert.deepEqual(delivered.map(limitOf), ['checking', 4096, 'checking', 16384, null]);
  assert.equal(servers.requested.length, sent);
});

test('nothing is delivered after dispose', async () => {
  const servers = gatedServers();
  const delivered: Array<ServerCheck | null> = [];
  const watch = new ServerWatch('contextBudget.server', serverCheckRunner(servers.factory), (check) => delivered.push(check));
  watch.update('http://a:1');
  watch.dispose();
  servers.release('http://a:1', 4096);
  await watch.settled();
  assert.deepEqual(delivered.map(limitOf), ['checking']);
});

test('a bad URL is a failed check naming the setting, delivered at once', async () => {
  const delivered: Array<ServerCheck | null> = [];
  const watch = new ServerWatch(
    'contextBudget.server',
    serverCheckRunner(() => assert.fail('no request for a bad URL')),
    (check) => delivered.push(check),
  );
  watch.update('ftp://x');
  await watch.settled();
  assert.equal(delivered.length, 2);
  assert.deepEqual(delivered[1], {
    status: 'failed',
    url: 'ftp://x',
    message: 'contextBudget.server "ftp://x" uses ftp:, but only http:// and https:// servers can be checked.',
  });
});
