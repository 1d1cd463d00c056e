import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { uniqueWriterId, writeThenRename } from './atomicWrite';
import { nodeCrypto } from './lazyBuiltins';

// Download Tokenizer: fetches a model repository's tokenizer.json and tokenizer_config.json from the
// Hugging Face Hub (or a mirror) into a cache keyed by repository and revision, recording each
// file's SHA-256. URLs and headers follow huggingface_hub
// (huggingface/huggingface_hub@ee0a4510f4bc15e26cb722be2efc2bdb01383ca0): src/huggingface_hub/constants.py
// HUGGINGFACE_CO_URL_TEMPLATE `{endpoint}/{repo_id}/resolve/{revision}/{filename}`, the HF_ENDPOINT
// default https://huggingface.co, and HUGGINGFACE_HEADER_X_REPO_COMMIT (the commit a revision resolved
// to); `Authorization: Bearer <token>` for gated or private repositories. Large files redirect to a
// CDN: like utils/_http.py, which follows only relative redirects with the request's headers, the
// token is sent to the endpoint's own origin only. The cache mirrors huggingface_hub's layout
// (`refs/<revision>` → commit, one folder per commit) in a folder of our own.
// Nothing here runs unless the user asks: the command in the extension, --download-tokenizer in the CLI.

/** Files fetched: the tokenizer (required) and its config (optional: the chat template, special tokens). */
export const tokenizerFiles = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** Largest tokenizer.json accepted, well above Gemma 3's 33 MB and below the pool's 256 MiB cap. */
export const maxTokenizerDownloadBytes = 128 * 1024 * 1024;

/** What a download reports while it runs. */
export interface DownloadProgress {
  readonly file: string;
  readonly receivedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  readonly totalBytes: number | undefined;
}

/** One download. */
export interface DownloadRequest {
  /** E.g. https://huggingface.co (contextBudget.huggingFaceEndpoint, HF_ENDPOINT). */
  readonly endpoint: string;
  /** owner/name. */
  readonly repo: string;
  /** Branch, tag or commit; default "main". */
  readonly revision?: string;
  /** Access token for gated or private repositories. */
  readonly token?: string;
  readonly cacheDir: string;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/** Why a download failed; each gets its own message. */
export type DownloadFailure = 'offline' | 'unauthorized' | 'forbidden' | 'notFound' | 'tooLarge' | 'cancelled' | 'http' | 'invalid' | 'io';

/** A cached download: where its files are and what they were. */
export interface CachedTokenizer {
  readonly repo: string;
  readonly revision: string;
  /** The commit the revision resolved to (40 hex digits), or the revision itself when the server did not say. */
  readonly commit: string;
  readonly endpoint: string;
  readonly dir: string;
  /** Each file fetched, with its size and SHA-256 (hex). tokenizer_config.json is absent when the repository has none. */
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
  readonly downloadedAt: string;
}

export type DownloadOutcome =
  | { readonly kind: 'downloaded'; readonly cached: CachedTokenizer }
  | { readonly kind: 'failed'; readonly reason: DownloadFailure; readonly message: string };

const repoPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const revisionPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const commitPattern = /^[0-9a-f]{40}$/;

/** The folder of one repository in the cache: `<cache>/<owner>/<name>`. */
function repoDir(cacheDir: string, repo: string): string {
  const [owner, name] = repo.split('/') as [string, string];
  return path.join(cacheDir, owner, name);
}

/**
 * Downloads tokenizer.json and tokenizer_config.json of `repo` into the cache. Both are written to
 * temporary files first and renamed into place only when complete, so a cancelled or failed
 * download never leaves a file that looks whole. Never throws: failures come back as data.
 */
export async function downloadTokenizer(request: DownloadRequest): Promise<DownloadOutcome> {
  const revision = request.revision ?? 'main';
  if (!repoPattern.test(request.repo)) return failed('invalid', `"${request.repo}" is not a Hugging Face repository id (owner/name)`);
  if (!revisionPattern.test(revision)) return failed('invalid', `"${revision}" is not a revision name`);
  const endpoint = request.endpoint.replace(/\/+$/, '');
  const maxBytes = request.maxBytes ?? maxTokenizerDownloadBytes;
  const fetched: { file: string; bytes: Uint8Array }[] = [];
  let commit: string | undefined;
  for (const file of tokenizerFiles) {
    const url = `${endpoint}/${request.repo}/resolve/${encodeURIComponent(revision)}/${file}`;
    const outcome = await fetchFile(url, file, request, maxBytes);
    if (outcome.kind === 'failed') {
      // A repository without a tokenizer_config.json still has a tokenizer: the chat template is just not known.
      if (file === 'tokenizer_config.json' && outcome.reason === 'notFound') continue;
      return describeFailure(outcome, request, endpoint, file, revision);
    }
    commit ??= outcome.commit;
    fetched.push({ file, bytes: outcome.bytes });
  }
  const resolved = commit !== undefined && commitPattern.test(commit) ? commit : revision;
  const dir = path.join(repoDir(request.cacheDir, request.repo), resolved);
  const files: Record<string, { bytes: number; sha256: string }> = {};
  try {
    await fsp.mkdir(dir, { recursive: true });
    for (const { file, bytes } of fetched) {
      await writeAtomically(path.join(dir, file), bytes);
      files[file] = { bytes: bytes.byteLength, sha256: nodeCrypto().createHash('sha256').update(bytes).digest('hex') };
    }
    const cached: CachedTokenizer = {
      repo: request.repo,
      revision,
      commit: resolved,
      endpoint,
      dir,
      files,
      downloadedAt: new Date().toISOString(),
    };
    await writeAtomically(
      path.join(dir, 'manifest.json'),
      new TextEncoder().encode(`${JSON.stringify({ ...cached, dir: undefined }, null, 2)}\n`),
    );
    await fsp.mkdir(path.join(repoDir(request.cacheDir, request.repo), 'refs'), { recursive: true });
    await writeAtomically(path.join(repoDir(request.cacheDir, request.repo), 'refs', revision), new TextEncoder().encode(resolved));
    return { kind: 'downloaded', cached };
  } catch (error) {
    return failed('io', `could not write the tokenizer cache at ${dir}: ${(error as Error).message}`);
  }
}

/**
 * The cached download of `repo` at `revision` (the commit its ref points to), or undefined when
 * there is none. Reads the cache only: never the network. The recorded SHA-256 is returned for the
 * caller to check against the bytes it reads.
 */
export async function findCachedTokenizer(cacheDir: string, repo: string, revision = 'main'): Promise<CachedTokenizer | undefined> {
  if (!repoPattern.test(repo) || !revisionPattern.test(revision)) return undefined;
  let commit: string;
  try {
    commit = (await fsp.readFile(path.join(repoDir(cacheDir, repo), 'refs', revision), 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!commitPattern.test(commit) && commit !== revision) return undefined;
  const dir = path.join(repoDir(cacheDir, repo), commit);
  try {
    const manifest = JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8')) as Omit<CachedTokenizer, 'dir'>;
    if (manifest.repo !== repo || typeof manifest.files?.['tokenizer.json']?.sha256 !== 'string') return undefined;
    return { ...manifest, dir };
  } catch {
    return undefined;
  }
}

type FetchOutcome =
  | { readonly kind: 'ok'; readonly bytes: Uint8Array; readonly commit: string | undefined }
  | { readonly kind: 'failed'; readonly reason: DownloadFailure; readonly status?: number; readonly detail: string };

/** GET with redirects followed by hand (at most 5), so the token never goes to another host. */
async function fetchFile(url: string, file: string, request: DownloadRequest, maxBytes: number): Promise<FetchOutcome> {
  let current = new URL(url);
  const origin = current.origin;
  let commit: string | undefined;
  for (let hop = 0; hop <= 5; hop++) {
    if (request.signal?.aborted) return { kind: 'failed', reason: 'cancelled', detail: 'cancelled' };
    const headers: Record<string, string> = { 'user-agent': 'context-budget (tokenizer download)' };
    if (request.token && current.origin === origin) headers.authorization = `Bearer ${request.token}`;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', ...(request.signal ? { signal: request.signal } : {}) });
    } catch (error) {
      if (request.signal?.aborted || (error as Error).name === 'AbortError') {
        return { kind: 'failed', reason: 'cancelled', detail: 'cancelled' };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { kind: 'failed', reason: 'offline', detail: cause?.code ?? cause?.message ?? (error as Error).message };
    }
    commit ??= response.headers.get('x-repo-commit') ?? undefined;
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (location === null) {
        return { kind: 'failed', reason: 'http', status: response.status, detail: `redirect (${response.status}) without a Location` };
      }
      current = new URL(location, current);
      continue;
    }
    if (response.status === 401) return discard(response, 'unauthorized');
    if (response.status === 403) return discard(response, 'forbidden');
    if (response.status === 404) return discard(response, 'notFound');
    if (response.status !== 200) return discard(response, 'http');
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel();
      return { kind: 'failed', reason: 'tooLarge', detail: `${declared.toLocaleString('en-US')} bytes` };
    }
    const body = await readBody(response, file, maxBytes, Number.isFinite(declared) ? declared : undefined, request);
    return body.kind === 'ok' ? { kind: 'ok', bytes: body.bytes, commit } : body;
  }
  return { kind: 'failed', reason: 'http', detail: 'more than 5 redirects' };
}

async function discard(response: Response, reason: DownloadFailure): Promise<FetchOutcome> {
  await response.body?.cancel().catch(() => undefined);
  return { kind: 'failed', reason, status: response.status, detail: `HTTP ${response.status}` };
}

/** Reads the body in chunks, stopping past `maxBytes` and on cancellation. */
async function readBody(
  response: Response,
  file: string,
  maxBytes: number,
  total: number | undefined,
  request: DownloadRequest,
): Promise<{ kind: 'ok'; bytes: Uint8Array } | Extract<FetchOutcome, { kind: 'failed' }>> {
  if (response.body === null) return { kind: 'ok', bytes: new Uint8Array(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel();
        return { kind: 'failed', reason: 'tooLarge', detail: `more than ${maxBytes.toLocaleString('en-US')} bytes` };
      }
      chunks.push(value);
      request.onProgress?.({ file, receivedBytes: received, totalBytes: total });
    }
  } catch (error) {
    if (request.signal?.aborted || (error as Error).name === 'AbortError') {
      return { kind: 'failed', reason: 'cancelled', detail: 'cancelled' };
    }
    return { kind: 'failed', reason: 'offline', detail: `the connection broke: ${(error as Error).message}` };
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { kind: 'ok', bytes };
}

function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  return writeThenRename(`${target}.${uniqueWriterId()}.partial`, target, bytes);
}

function failed(reason: DownloadFailure, message: string): DownloadOutcome {
  return { kind: 'failed', reason, message };
}

/** One message per failure, naming the repository, the file and what to do. */
function describeFailure(
  outcome: Extract<FetchOutcome, { kind: 'failed' }>,
  request: DownloadRequest,
  endpoint: string,
  file: string,
  revision: string,
): DownloadOutcome {
  const page = `${endpoint}/${request.repo}`;
  switch (outcome.reason) {
    case 'offline':
      return failed('offline', `could not reach ${endpoint} (${outcome.detail}): offline, or a proxy or firewall blocks it`);
    case 'unauthorized':
      return failed(
        'unauthorized',
        request.token
          ? `${endpoint} refused the access token for ${request.repo} (401): check the token (Context Budget: Set Hugging Face Token)`
          : `${request.repo} needs an access token (401): it is gated or private. Accept its licence at ${page}, then set a token with "Context Budget: Set Hugging Face Token"`,
      );
    case 'forbidden':
      return failed(
        'forbidden',
        `the access token has no access to ${request.repo} (403): accept the licence at ${page} with the account the token belongs to`,
      );
    case 'notFound':
      return failed(
        'notFound',
        `${request.repo} has no ${file} at revision "${revision}" on ${endpoint} (404): check the repository and the endpoint`,
      );
    case 'tooLarge':
      return failed(
        'tooLarge',
        `${file} of ${request.repo} is larger than the ${(request.maxBytes ?? maxTokenizerDownloadBytes).toLocaleString('en-US')}-byte limit (${outcome.detail})`,
      );
    case 'cancelled':
      return failed('cancelled', 'the download was cancelled; nothing was saved');
    default:
      return failed(outcome.reason, `${endpoint} answered ${outcome.detail} for ${file} of ${request.repo}`);
  }
}
