// The live check's reading of each server, through a fake HTTP port answering what each server
// answers (test/unit/server/serverFixtures.ts says where every response comes from), and its one clear
// message for everything else: unreachable, another product, garbage, a field of the wrong type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkServer } from '../../../src/core/server/serverCheck';
import type { HttpOutcome, ServerCheck, ServerHttp, ServerReading } from '../../../src/core/server/serverCheck';
import { parseSampleLine, prometheusSamples } from '../../../src/core/server/prometheusText';
import { parseServerUrl } from '../../../src/core/server/serverUrl';
import type { ServerAddress } from '../../../src/core/server/serverUrl';
import {
  llamaServer,
  llamaServerNotFound,
  ollamaPs,
  ollamaPsOld,
  ollamaShow,
  ollamaShowOld,
  sglangMetrics,
  sglangModels,
  vllmMetrics,
  vllmModels,
} from './serverFixtures';

/** A fake server: path → answer (a string is a 200 body); anything else is `fallback`. Records every call. */
function fakeHttp(
  routes: Record<string, HttpOutcome | string>,
  fallback: HttpOutcome = { kind: 'response', status: 404, body: '404 page not found' },
): ServerHttp & { calls: string[]; posted: unknown[] } {
  const calls: string[] = [];
  const posted: unknown[] = [];
  const answer = (method: string, path: string): Promise<HttpOutcome> => {
    calls.push(`${method} ${path}`);
    const route = Object.prototype.hasOwnProperty.call(routes, `${method} ${path}`) ? routes[`${method} ${path}`]! : fallback;
    return Promise.resolve(typeof route === 'string' ? { kind: 'response', status: 200, body: route } : route);
  };
  return {
    calls,
    posted,
    get: (path) => answer('GET', path),
    postJson: (path, body) => {
      posted.push(body);
      return answer('POST', path);
    },
  };
}

const address: ServerAddress = { base: 'http://127.0.0.1:8080', display: 'http://127.0.0.1:8080' };

function ok(check: ServerCheck): ServerReading {
  assert.equal(check.status, 'ok', check.status === 'failed' ? check.message : '');
  return check as ServerReading;
}

function failed(check: ServerCheck): string {
  assert.equal(check.status, 'failed');
  return (check as { message: string }).message;
}

test('llama-server (captured from the real server, -c 2048 -np 2): n_ctx 1,024 per slot, 2 slots, n_ctx_train 8,192', async () => {
  const http = fakeHttp({
    'GET /props': llamaServer.props,
    'GET /slots': llamaServer.slots,
    'GET /v1/models': llamaServer.models,
    'GET /api/ps': { kind: 'response', status: 404, body: llamaServerNotFound },
  });
  const reading = ok(await checkServer(address, http));
  assert.equal(reading.kind, 'llama.cpp');
  assert.equal(reading.serverName, 'llama-server');
  assert.equal(reading.limitTokens, 1024);
  assert.equal(reading.limitName, 'n_ctx');
  assert.equal(reading.slots, 2);
  assert.equal(reading.trainContextTokens, 8192);
  assert.equal(reading.model, '/tmp/llsrc/tiny-llama.gguf');
  assert.deepEqual(
    reading.readings.map((entry) => entry.endpoint),
    ['GET /props', 'GET /v1/models', 'GET /slots'],
  );
  assert.match(reading.readings[2]!.gave, /^2 slot\(s\) of n_ctx 1,024, 0 busy$/);
  assert.deepEqual(reading.notes, []);
  // Three identifying requests at once, then /slots.
  assert.deepEqual(http.calls, ['GET /props', 'GET /api/ps', 'GET /v1/models', 'GET /slots']);
});

test('llama-server without /slots (started with --no-slots): n_ctx from /props, and a note says why', async () => {
  const disabled =
    '{"error":{"code":501,"message":"This server does not support slots endpoint. Start it with `--slots`","type":"not_supported_error"}}';
  const reading = ok(
    await checkServer(
      address,
      fakeHttp({
        'GET /props': llamaServer.props,
        'GET /v1/models': llamaServer.models,
        'GET /slots': { kind: 'response', status: 501, body: disabled },
      }),
    ),
  );
  assert.equal(reading.limitTokens, 1024);
  assert.match(reading.notes[0]!, /^GET \/slots: HTTP 501 \("This server does not support slots endpoint\. Start it with `--slots`"\)/);
});

test('llama-server: slots of different n_ctx in /slots: the smallest applies, with a note', async () => {
  const slots = JSON.stringify([
    { id: 0, n_ctx: 1024, is_processing: true },
    { id: 1, n_ctx: 768, is_processing: false },
  ]);
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /props': llamaServer.props, 'GET /slots': slots })));
  assert.equal(reading.limitTokens, 768);
  assert.match(reading.readings.at(-1)!.gave, /2 slot\(s\) of n_ctx 1,024 \/ 768, 1 busy/);
  assert.match(reading.notes[0]!, /the smallest applies/);
});

test("Ollama (docs/openapi.yaml examples): the loaded runner's context_length 4,096 wins over the Modelfile's num_ctx 2,048", async () => {
  const http = fakeHttp({ 'GET /api/ps': ollamaPs, 'POST /api/show': ollamaShow });
  const reading = ok(await checkServer(address, http));
  assert.equal(reading.kind, 'ollama');
  assert.equal(reading.limitTokens, 4096);
  assert.equal(reading.limitName, 'num_ctx');
  assert.equal(reading.model, 'gemma4');
  assert.equal(reading.trainContextTokens, 131072);
  assert.equal(reading.vramBytes, 5333539264);
  assert.deepEqual(http.posted, [{ model: 'gemma4' }]);
  assert.equal(reading.readings[1]!.gave, 'Modelfile num_ctx 2,048, training context 131,072');
});

test('Ollama without context_length in /api/ps (docs/api.md example) and no num_ctx in the Modelfile: limit unknown, said so', async () => {
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /api/ps': ollamaPsOld, 'POST /api/show': ollamaShowOld })));
  assert.equal(reading.limitTokens, null);
  assert.equal(reading.trainContextTokens, 8192);
  assert.match(reading.notes[0]!, /does not report the loaded context .* the engine profile's num_ctx applies/);
});

test('Ollama without context_length but with a Modelfile num_ctx: that num_ctx, with the caveat', async () => {
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /api/ps': ollamaPsOld, 'POST /api/show': ollamaShow })));
  assert.equal(reading.limitTokens, 2048);
  assert.match(
    reading.notes[0]!,
    /the Modelfile's num_ctx 2,048 is used, which a request's options\.num_ctx or OLLAMA_CONTEXT_LENGTH may override/,
  );
});

test('Ollama with no model loaded: no limit yet, no /api/show request', async () => {
  const http = fakeHttp({ 'GET /api/ps': '{"models":[]}' });
  const reading = ok(await checkServer(address, http));
  assert.equal(reading.limitTokens, null);
  assert.equal(reading.model, null);
  assert.ok(!http.calls.includes('POST /api/show'));
  assert.match(reading.notes[0]!, /^No model is loaded/);
});

test('vLLM: max_model_len from /v1/models; KV pool = num_gpu_blocks × block_size = 27,910 × 16 = 446,560 tokens', async () => {
  const reading = ok(
    await checkServer(
      address,
      fakeHttp(
        { 'GET /v1/models': vllmModels, 'GET /metrics': vllmMetrics },
        { kind: 'response', status: 404, body: '{"detail":"Not Found"}' },
      ),
    ),
  );
  assert.equal(reading.kind, 'vllm');
  assert.equal(reading.limitTokens, 32768);
  assert.equal(reading.limitName, 'max_model_len');
  assert.equal(reading.blockSize, 16);
  assert.equal(reading.numGpuBlocks, 27910);
  assert.equal(reading.gpuMemoryUtilization, 0.9);
  assert.equal(reading.kvCapacityTokens, 446_560);
  assert.match(reading.readings[1]!.gave, /KV pool 446,560 tokens \(blocks × block size\)/);
});

test('vLLM with the group-aware kv_cache_size_tokens label (newer CacheConfig): that figure, not blocks × block size', async () => {
  const metrics = vllmMetrics.replace('num_gpu_blocks="27910"', 'num_gpu_blocks="27910",kv_cache_size_tokens="223280"');
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /v1/models': vllmModels, 'GET /metrics': metrics })));
  assert.equal(reading.kvCapacityTokens, 223_280);
});

test('vLLM without /metrics: the limit still, and a note that the pool is unknown', async () => {
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /v1/models': vllmModels })));
  assert.equal(reading.limitTokens, 32768);
  assert.equal(reading.kvCapacityTokens, null);
  assert.match(reading.notes[0]!, /^GET \/metrics: HTTP 404; the KV pool size is unknown\.$/);
});

test('SGLang: context length from /v1/models, KV pool from sglang:max_total_num_tokens (smallest rank)', async () => {
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /v1/models': sglangModels, 'GET /metrics': sglangMetrics })));
  assert.equal(reading.kind, 'sglang');
  assert.equal(reading.limitTokens, 40960);
  assert.equal(reading.limitName, 'context_length');
  assert.equal(reading.kvCapacityTokens, 471_258);
});

test('SGLang without --enable-metrics: the note names the flag', async () => {
  const reading = ok(await checkServer(address, fakeHttp({ 'GET /v1/models': sglangModels })));
  assert.match(reading.notes[0]!, /SGLang serves it with --enable-metrics/);
});

test('nothing listening: one message with the network error, not three', async () => {
  const refused: HttpOutcome = { kind: 'failed', reason: 'network', message: 'connection refused: nothing listens there (ECONNREFUSED)' };
  assert.equal(
    failed(await checkServer(address, fakeHttp({}, refused))),
    'no answer from http://127.0.0.1:8080: connection refused: nothing listens there (ECONNREFUSED).',
  );
});

test('a server that never answers: the time limit is named', async () => {
  const timeout: HttpOutcome = { kind: 'failed', reason: 'timeout', message: 'no complete answer to GET /props within 2 s' };
  assert.match(
    failed(await checkServer(address, fakeHttp({}, timeout))),
    /^http:\/\/127\.0\.0\.1:8080 did not answer within the time limit/,
  );
});

test('another product on the port (every endpoint 404 or HTML): what each endpoint said, and what was expected', async () => {
  const message = failed(await checkServer(address, fakeHttp({ 'GET /v1/models': '<html><body>It works!</body></html>' })));
  assert.equal(
    message,
    'http://127.0.0.1:8080 is not a server Context Budget can read: GET /props HTTP 404; GET /api/ps HTTP 404; GET /v1/models HTTP 200 but not JSON ("<html><body>It works!</body></html>"). Expected llama-server (/props), Ollama (/api/ps), vLLM or SGLang (/v1/models).',
  );
});

test('a server wanting an API key: the 401 says so', async () => {
  const denied: HttpOutcome = {
    kind: 'response',
    status: 401,
    body: '{"error":{"message":"Invalid API Key","type":"authentication_error","code":401}}',
  };
  assert.match(
    failed(await checkServer(address, fakeHttp({}, denied))),
    /HTTP 401 \("Invalid API Key"\): the server wants an API key, and the check sends none/,
  );
});

test('garbage in a field: one message naming the endpoint, the field and the value', async () => {
  const props = JSON.stringify({ default_generation_settings: { n_ctx: '8192' }, total_slots: 1 });
  assert.equal(
    failed(await checkServer(address, fakeHttp({ 'GET /props': props }))),
    'http://127.0.0.1:8080 GET /props: default_generation_settings.n_ctx must be a whole number from 1 to 2,147,483,648 (got "8192")',
  );
  const negative = JSON.stringify({ default_generation_settings: { n_ctx: -1 } });
  assert.match(failed(await checkServer(address, fakeHttp({ 'GET /props': negative }))), /n_ctx must be a whole number .* \(got -1\)$/);
  const noLimit = JSON.stringify({ object: 'list', data: [{ id: 'm', owned_by: 'vllm' }] });
  assert.match(
    failed(await checkServer(address, fakeHttp({ 'GET /v1/models': noLimit }))),
    /GET \/v1\/models: data\[0\]\.max_model_len must be a whole number .* \(got nothing\)$/,
  );
  const psGarbage = JSON.stringify({ models: [{ name: 'x', context_length: 1e40 }] });
  assert.match(
    failed(await checkServer(address, fakeHttp({ 'GET /api/ps': psGarbage }))),
    /models\[0\]\.context_length must be a whole number/,
  );
  const badUtilization = vllmMetrics.replace('gpu_memory_utilization="0.9"', 'gpu_memory_utilization="1.5"');
  assert.match(
    failed(await checkServer(address, fakeHttp({ 'GET /v1/models': vllmModels, 'GET /metrics': badUtilization }))),
    /gpu_memory_utilization must be in \(0, 1\] \(got "1\.5"\)/,
  );
});

test('an OpenAI-compatible server that is none of the four: named by its owned_by, and what can be read', async () => {
  const other = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: 'openai' }] });
  assert.match(
    failed(await checkServer(address, fakeHttp({ 'GET /v1/models': other }))),
    /owned_by "openai", not llama-server, Ollama, vLLM or SGLang/,
  );
});

test('a cancelled check reports the cancellation', async () => {
  const controller = new AbortController();
  controller.abort();
  assert.equal(
    failed(await checkServer(address, fakeHttp({ 'GET /props': llamaServer.props }), controller.signal)),
    'the check was cancelled',
  );
});

test('server URLs: the root is kept, /v1 and trailing slashes dropped, credentials never shown', () => {
  assert.deepEqual(parseServerUrl(' http://localhost:8000/v1/ '), { base: 'http://localhost:8000', display: 'http://localhost:8000' });
  assert.deepEqual(parseServerUrl('https://gpu-box:8443/llama'), {
    base: 'https://gpu-box:8443/llama',
    display: 'https://gpu-box:8443/llama',
  });
  assert.deepEqual(parseServerUrl('http://user:secret@10.0.0.2:11434'), {
    base: 'http://user:secret@10.0.0.2:11434',
    display: 'http://10.0.0.2:11434',
  });
  assert.equal(
    (parseServerUrl('localhost:8080') as { error: string }).error,
    'has no http:// or https:// (did you mean http://localhost:8080?)',
  );
  assert.match((parseServerUrl('http://exa mple.com') as { error: string }).error, /^is not a URL/);
  assert.match((parseServerUrl('ftp://host') as { error: string }).error, /only http:\/\/ and https:\/\//);
  assert.match((parseServerUrl('http://host:8080/?x=1') as { error: string }).error, /has a query or fragment/);
  assert.match((parseServerUrl('') as { error: string }).error, /^is empty$/);
  assert.match((parseServerUrl(`http://h/${'a'.repeat(3000)}`) as { error: string }).error, /a server URL is at most 2,048/);
});

test('Prometheus text: labels with escapes, special values, malformed lines skipped, no prototype keys', () => {
  assert.deepEqual(parseSampleLine('a_b:c{x="1",y="q\\"uo\\\\te\\n"} 3.5e2 1700000000'), {
    name: 'a_b:c',
    labels: Object.assign(Object.create(null), { x: '1', y: 'q"uo\\te\n' }),
    value: 350,
  });
  assert.equal(parseSampleLine('m +Inf')!.value, Infinity);
  assert.equal(parseSampleLine('m{x="unterminated} 1'), undefined);
  assert.equal(parseSampleLine('m{x=1} 1'), undefined);
  assert.equal(parseSampleLine('m notanumber'), undefined);
  const proto = parseSampleLine('m{__proto__="x",constructor="y"} 1')!;
  assert.equal(proto.labels.constructor, 'y');
  assert.equal(Object.getPrototypeOf(proto.labels), null);
  assert.equal(prometheusSamples(sglangMetrics, 'sglang:max_total_num_tokens').length, 2);
  // A name that merely starts with the wanted one is not it.
  assert.equal(prometheusSamples('vllm:cache_config_info_total 3\n', 'vllm:cache_config_info').length, 0);
});
