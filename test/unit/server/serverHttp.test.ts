// The Node HTTP client of the live check against real loopback servers that misbehave on purpose:
// every request ends within its time limit and reads at most its size limit, whatever the server does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { nodeServerHttp, serverMaxBytes, serverTimeoutMs } from '../../../src/node/serverHttp';
import { runServerCheck } from '../../../src/core/server/serverWatch';

describe('nodeServerHttp against a loopback server', () => {
  let server: http.Server;
  let base: string;
  const sockets = new Set<Socket>();
  let hugeBytesSent = 0;
  let lastPost: { headers: http.IncomingHttpHeaders; body: string } | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      switch (req.url) {
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          return;
        case '/missing':
          res.writeHead(404).end('404 page not found');
          return;
        case '/broken':
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
          return;
        case '/redirect':
          res.writeHead(302, { location: 'http://example.invalid/' }).end();
          return;
        case '/silent':
          // Never answers: the client's deadline must end it.
          return;
        case '/trickle':
          // Headers at once, then one byte a while later, then nothing.
          res.writeHead(200);
          res.write('{');
          return;
        case '/huge': {
          // An endless body, written as fast as the socket takes it.
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk)) hugeBytesSent += chunk.length;
            if (!res.destroyed) res.once('drain', pump);
          };
          res.on('close', () => undefined);
          pump();
          return;
        }
        case '/echo': {
          let body = '';
          req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          req.on('end', () => {
            lastPost = { headers: req.headers, body };
            res.writeHead(200, { 'content-type': 'application/json' }).end(body);
          });
          return;
        }
        default:
          res.writeHead(404).end();
      }
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => server.close(done));
  });

  const client = (options?: { timeoutMs?: number; maxBytes?: number }) => nodeServerHttp({ base, display: base }, options);

  it('reads a JSON answer', async () => {
    assert.deepEqual(await client().get('/json'), { kind: 'response', status: 200, body: '{"ok":true}' });
  });

  it('reports 404 and 500 as responses with their status and body (the check words them)', async () => {
    assert.deepEqual(await client().get('/missing'), { kind: 'response', status: 404, body: '404 page not found' });
    assert.deepEqual(await client().get('/broken'), { kind: 'response', status: 500, body: '{"error":{"message":"boom"}}' });
  });

  it('never follows a redirect', async () => {
    const outcome = await client().get('/redirect');
    assert.equal(outcome.kind === 'response' && outcome.status, 302);
  });

  it('ends a request the server never answers at the deadline: 2 s by default', async () => {
    assert.equal(serverTimeoutMs, 2000);
    const started = Date.now();
    const outcome = await client().get('/silent');
    const elapsed = Date.now() - started;
    assert.deepEqual(outcome, { kind: 'failed', reason: 'timeout', message: 'no complete answer to GET /silent within 2 s' });
    assert.ok(elapsed >= 1900 && elapsed < 4000, `ended after ${elapsed} ms`);
  });

  it('ends a body that stalls half-way at the deadline', async () => {
    const outcome = await client({ timeoutMs: 300 }).get('/trickle');
    assert.deepEqual(outcome, { kind: 'failed', reason: 'timeout', message: 'no complete answer to GET /trickle within 0.3 s' });
  });

  it('cuts off an endless body at the size limit (4 MiB by default) instead of buffering it', async () => {
    assert.equal(serverMaxBytes, 4 * 1024 * 1024);
    const outcome = await client().get('/huge');
    assert.deepEqual(outcome, {
      kind: 'failed',
      reason: 'too-large',
      message: 'GET /huge sent more than 4 MiB (the limit for a server answer); it was cut off',
    });
    // The connection was closed: the server stopped well short of, say, 64 MiB.
    await new Promise((done) => setTimeout(done, 50));
    assert.ok(hugeBytesSent < 64 * 1024 * 1024, `${hugeBytesSent} bytes sent`);
  });

  it('posts JSON with its content type and length', async () => {
    const outcome = await client().postJson('/echo', { model: 'gemma4' });
    assert.deepEqual(outcome, { kind: 'response', status: 200, body: '{"model":"gemma4"}' });
    assert.equal(lastPost!.headers['content-type'], 'application/json');
    assert.equal(lastPost!.headers['content-length'], '18');
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const pending = client().get('/silent', controller.signal);
    setTimeout(() => controller.abort(), 20);
    assert.deepEqual(await pending, { kind: 'failed', reason: 'aborted', message: 'the check was cancelled' });
  });

  it('the whole check against garbage: one message naming the setting, the URL and what each endpoint said', async () => {
    const check = await runServerCheck(base, 'contextBudget.server', (address) => nodeServerHttp(address, { timeoutMs: 500 }));
    assert.equal(check.status, 'failed');
    assert.equal(
      (check as { message: string }).message,
      `contextBudget.server ${base}: ${base} is not a server Context Budget can read: GET /props HTTP 404; GET /api/ps HTTP 404; GET /v1/models HTTP 404. Expected llama-server (/props), Ollama (/api/ps), vLLM or SGLang (/v1/models).`,
    );
  });
});

describe('nodeServerHttp with nothing listening', () => {
  it('says the connection was refused, in words and with the code', async () => {
    // Bind a port, then free it: nothing listens there now.
    const probe = http.createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((done) => probe.close(done));
    const check = await runServerCheck(`http://127.0.0.1:${port}`, '--server', (address) => nodeServerHttp(address));
    assert.deepEqual(check, {
      status: 'failed',
      url: `http://127.0.0.1:${port}`,
      message: `--server http://127.0.0.1:${port}: no answer from http://127.0.0.1:${port}: connection refused: nothing listens there (ECONNREFUSED).`,
    });
  });

  it('a URL that is not one is refused before anything is sent, naming the setting', async () => {
    let made = 0;
    const check = await runServerCheck('127.0.0.1:8080', 'contextBudget.server', () => {
      made++;
      throw new Error('no request may be made');
    });
    assert.equal(made, 0);
    assert.deepEqual(check, {
      status: 'failed',
      url: '127.0.0.1:8080',
      message: 'contextBudget.server "127.0.0.1:8080" has no http:// or https:// (did you mean http://127.0.0.1:8080?).',
    });
  });
});
