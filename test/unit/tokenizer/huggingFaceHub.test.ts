// Download Tokenizer's client against a loopback HTTP server that answers like the Hub: the resolve
// URL, X-Repo-Commit, a redirect to another host (the token must not follow), 401/403/404, a closed
// port (offline), the size cap (declared and streamed), cancellation, and the cache with SHA-256.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadTokenizer, findCachedTokenizer } from '../../../src/node/huggingFaceHub';

const commit = '0123456789abcdef0123456789abcdef01234567';
const tokenizerJson = JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0 }, merges: [] } });
const tokenizerConfig = JSON.stringify({ chat_template: '{{ messages[0].content }}' });

interface Seen {
  readonly url: string;
  readonly authorization: string | undefined;
}

/** A tiny Hub: `/{owner}/{name}/resolve/{rev}/{file}`, behaviours chosen by the repository name. */
function hub(seen: Seen[], cdnOrigin: () => string): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
    const match = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(request.url ?? '');
    if (!match) return void response.writeHead(404).end();
    const [, owner, name, , file] = match as unknown as [string, string, string, string, string];
    const repo = `${owner}/${name}`;
    if (repo === 'gated/model' && request.headers.authorization !== 'Bearer good-token') {
      return void response.writeHead(401).end('{"error":"Access to model gated/model is restricted."}');
    }
    if (repo === 'forbidden/model') return void response.writeHead(403).end();
    if (repo === 'missing/model') return void response.writeHead(404).end();
    if (repo === 'huge/model') {
      return void response.writeHead(200, { 'content-length': String(500 * 1024 * 1024), 'x-repo-commit': commit }).end();
    }
    if (repo === 'stream/model') {
      response.writeHead(200, { 'x-repo-commit': commit });
      for (let i = 0; i < 20; i++) response.write(Buffer.alloc(64 * 1024, 0x20));
      return void response.end();
    }
    if (repo === 'slow/model') {
      response.writeHead(200, { 'content-length': String(10 * 1024 * 1024), 'x-repo-commit': commit });
      response.write(Buffer.alloc(1024, 0x20));
      return; // never ends: the client must cancel
    }
    if (repo === 'lfs/model' && file === 'tokenizer.json') {
      // Large files redirect to a CDN on another origin; the token must not be sent there.
      return void response.writeHead(302, { location: `${cdnOrigin()}/blob/tokenizer.json`, 'x-repo-commit': commit }).end();
    }
    if (file === 'tokenizer_config.json' && repo === 'noconfig/model') return void response.writeHead(404).end();
    const body = file === 'tokenizer.json' ? tokenizerJson : file === 'tokenizer_config.json' ? tokenizerConfig : undefined;
    if (body === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-length': String(Buffer.byteLength(body)), 'x-repo-commit': commit }).end(body);
  };
}

describe('downloadTokenizer against a loopback Hub', () => {
  const seen: Seen[] = [];
  const cdnSeen: Seen[] = [];
  let server: Server;
  let cdn: Server;
  let endpoint = '';
  let cdnEndpoint = '';
  let cacheDir = '';

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'cb-hub-'));
    cdn = createServer((request, response) => {
      cdnSeen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      response.writeHead(200, { 'content-length': String(Buffer.byteLength(tokenizerJson)) }).end(tokenizerJson);
    });
    server = createServer(hub(seen, () => cdnEndpoint));
    await Promise.all([
      new Promise<void>((done) => server.listen(0, '127.0.0.1', done)),
      new Promise<void>((done) => cdn.listen(0, '127.0.0.1', done)),
    ]);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cdnEndpoint = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    cdn.closeAllConnections();
    await Promise.all([new Promise((done) => server.close(done)), new Promise((done) => cdn.close(done))]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('fetches both files from the resolve URL, keys the cache by commit and records each SHA-256', async () => {
    const outcome = await downloadTokenizer({ endpoint, repo: 'google/gemma-3-27b-it', cacheDir });
    assert.equal(outcome.kind, 'downloaded');
    if (outcome.kind !== 'downloaded') return;
    assert.deepEqual(
      seen.slice(-2).map((request) => request.url),
      ['/google/gemma-3-27b-it/resolve/main/tokenizer.json', '/google/gemma-3-27b-it/resolve/main/tokenizer_config.json'],
    );
    assert.equal(outcome.cached.commit, commit);
    assert.equal(outcome.cached.dir, join(cacheDir, 'google', 'gemma-3-27b-it', commit));
    assert.equal(readFileSync(join(outcome.cached.dir, 'tokenizer.json'), 'utf8'), tokenizerJson);
    assert.deepEqual(outcome.cached.files['tokenizer.json'], {
      bytes: Buffer.byteLength(tokenizerJson),
      sha256: createHash('sha256').update(tokenizerJson).digest('hex'),
    });
    assert.equal(outcome.cached.files['tokenizer_config.json']?.sha256, createHash('sha256').update(tokenizerConfig).digest('hex'));
    const found = await findCachedTokenizer(cacheDir, 'google/gemma-3-27b-it');
    assert.equal(found?.commit, commit);
    assert.equal(found?.files['tokenizer.json']?.sha256, outcome.cached.files['tokenizer.json']?.sha256);
    assert.equal(await findCachedTokenizer(cacheDir, 'google/other'), undefined, 'the cache never guesses');
  });

  it('sends the token to the Hub and not to the host a redirect leads to', async () => {
    const outcome = await downloadTokenizer({ endpoint, repo: 'lfs/model', token: 'secret-token', cacheDir });
    assert.equal(outcome.kind, 'downloaded');
    assert.equal(seen.find((request) => request.url === '/lfs/model/resolve/main/tokenizer.json')?.authorization, 'Bearer secret-token');
    assert.deepEqual(
      cdnSeen.map((request) => request.authorization),
      [undefined],
    );
  });

  it('a repository without tokenizer_config.json still downloads (no chat template)', async () => {
    const outcome = await downloadTokenizer({ endpoint, repo: 'noconfig/model', cacheDir });
    assert.equal(outcome.kind === 'downloaded' && Object.keys(outcome.cached.files).join(), 'tokenizer.json');
  });

  it('401, 403 and 404 each say what to do, and nothing is cached', async () => {
    const unauthorized = await downloadTokenizer({ endpoint, repo: 'gated/model', cacheDir });
    assert.equal(unauthorized.kind === 'failed' && unauthorized.reason, 'unauthorized');
    assert.match(
      unauthorized.kind === 'failed' ? unauthorized.message : '',
      /gated\/model needs an access token \(401\): it is gated or private\. Accept its licence at http:\/\/127\.0\.0\.1:\d+\/gated\/model, then set a token with "Context Budget: Set Hugging Face Token"/,
    );
    const badToken = await downloadTokenizer({ endpoint, repo: 'gated/model', token: 'wrong', cacheDir });
    assert.match(badToken.kind === 'failed' ? badToken.message : '', /refused the access token for gated\/model \(401\)/);
    const withToken = await downloadTokenizer({ endpoint, repo: 'gated/model', token: 'good-token', cacheDir });
    assert.equal(withToken.kind, 'downloaded');
    const forbidden = await downloadTokenizer({ endpoint, repo: 'forbidden/model', token: 'x', cacheDir });
    assert.match(
      forbidden.kind === 'failed' ? `${forbidden.reason}: ${forbidden.message}` : '',
      /^forbidden: the access token has no access to forbidden\/model \(403\)/,
    );
    const missing = await downloadTokenizer({ endpoint, repo: 'missing/model', cacheDir });
    assert.match(
      missing.kind === 'failed' ? `${missing.reason}: ${missing.message}` : '',
      /^notFound: missing\/model has no tokenizer\.json at revision "main" on http:\/\/127\.0\.0\.1:\d+ \(404\)/,
    );
    for (const repo of ['forbidden/model', 'missing/model']) assert.equal(existsSync(join(cacheDir, ...repo.split('/'))), false);
  });

  it('offline: a port nobody listens on is reported as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const outcome = await downloadTokenizer({ endpoint: `http://127.0.0.1:${port}`, repo: 'google/gemma-3-27b-it', cacheDir });
    assert.equal(outcome.kind === 'failed' && outcome.reason, 'offline');
    assert.match(
      outcome.kind === 'failed' ? outcome.message : '',
      /^could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline, or a proxy or firewall blocks it$/,
    );
  });

  it('the size cap stops a declared or streamed body past it', async () => {
    const declared = await downloadTokenizer({ endpoint, repo: 'huge/model', cacheDir });
    assert.match(
      declared.kind === 'failed' ? `${declared.reason}: ${declared.message}` : '',
      /^tooLarge: tokenizer\.json of huge\/model is larger than the 134,217,728-byte limit \(524,288,000 bytes\)/,
    );
    const streamed = await downloadTokenizer({ endpoint, repo: 'stream/model', cacheDir, maxBytes: 512 * 1024 });
    assert.match(streamed.kind === 'failed' ? `${streamed.reason}: ${streamed.message}` : '', /^tooLarge: .*more than 524,288 bytes/);
  });

  it('cancelling stops the transfer, saves nothing, and says so', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const pending = downloadTokenizer({
      endpoint,
      repo: 'slow/model',
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p.receivedBytes);
        controller.abort();
      },
    });
    const outcome = await pending;
    assert.equal(outcome.kind === 'failed' && outcome.reason, 'cancelled');
    assert.ok(progress.length >= 1 && progress[0]! > 0, 'progress was reported before the cancel');
    assert.equal(existsSync(join(cacheDir, 'slow')), false);
  });

  it('leaves no partial file behind and refuses names that are not repository ids', async () => {
    const leftovers = readdirSync(cacheDir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.partial'));
    assert.deepEqual(leftovers, []);
    const invalid = await downloadTokenizer({ endpoint, repo: '../etc', cacheDir });
    assert.equal(invalid.kind === 'failed' && invalid.reason, 'invalid');
  });
});
