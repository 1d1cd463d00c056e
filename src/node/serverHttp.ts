import type { HttpOutcome, ServerHttp } from '../core/server/serverCheck';
import type { ServerAddress } from '../core/server/serverUrl';
import { nodeHttp, nodeHttps } from './lazyBuiltins';

/** Limits of one request to an inference server. */
export interface ServerHttpOptions {
  /** Whole-request deadline (connect, headers and body), ms. */
  readonly timeoutMs?: number;
  /** Largest body read, bytes; a longer one is cut off and reported. */
  readonly maxBytes?: number;
}

/**
 * 2 s: a server on this machine or the LAN answers /props, /api/ps or /v1/models in milliseconds;
 * one that takes longer is busy or not there, and the check must not hold anything up.
 */
export const serverTimeoutMs = 2000;

/**
 * 4 MiB: the largest answer read. vLLM's /metrics (histograms for every label set) runs to a few
 * hundred KiB, Ollama's /api/show (license, template, model_info) to tens of KiB; a bigger body is
 * not one of those and is cut off rather than buffered.
 */
export const serverMaxBytes = 4 * 1024 * 1024;

/**
 * The {@link ServerHttp} port over Node's http/https: one request per call, never retried, never
 * redirected (a 3xx is reported as it is), no cookies, no proxy, no credentials beyond those in the
 * URL the user set. Every request ends within `timeoutMs` and reads at most `maxBytes`, whatever the
 * server does (a stalled connection, an endless body): the outcome then says which limit was hit.
 */
export function nodeServerHttp(address: ServerAddress, options: ServerHttpOptions = {}): ServerHttp {
  const timeoutMs = options.timeoutMs ?? serverTimeoutMs;
  const maxBytes = options.maxBytes ?? serverMaxBytes;
  const request = (method: 'GET' | 'POST', path: string, body: string | undefined, signal: AbortSignal | undefined): Promise<HttpOutcome> =>
    new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: HttpOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy();
        resolve(outcome);
      };
      const url = new URL(address.base + path);
      const client = url.protocol === 'https:' ? nodeHttps() : nodeHttp();
      const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9', 'user-agent': 'context-budget' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = client.request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) {
            finish({
              kind: 'failed',
              reason: 'too-large',
              message: `${method} ${path} sent more than ${formatMiB(maxBytes)} (the limit for a server answer); it was cut off`,
            });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => finish({ kind: 'failed', reason: 'network', message: networkMessage(error) }));
      });
      const timer = setTimeout(
        () =>
          finish({ kind: 'failed', reason: 'timeout', message: `no complete answer to ${method} ${path} within ${timeoutMs / 1000} s` }),
        timeoutMs,
      );
      const onAbort = (): void => finish({ kind: 'failed', reason: 'aborted', message: 'the check was cancelled' });
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => finish({ kind: 'failed', reason: 'network', message: networkMessage(error) }));
      req.end(body);
    });
  return {
    get: (path, signal) => request('GET', path, undefined, signal),
    postJson: (path, value, signal) => request('POST', path, JSON.stringify(value), signal),
  };
}

/** `connect ECONNREFUSED 127.0.0.1:8080` → `connection refused (ECONNREFUSED)`: the code, in words. */
function networkMessage(error: Error & { code?: string }): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused: nothing listens there',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    EPROTO: 'TLS handshake failed (is it http rather than https?)',
  };
  const code = error.code;
  if (code && Object.prototype.hasOwnProperty.call(words, code)) return `${words[code]} (${code})`;
  return error.message || String(error);
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;
}
