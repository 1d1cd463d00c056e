/**
 * The address of a running inference server (`contextBudget.server`, CLI `--server`), checked and
 * normalised before anything is sent to it. Pure: uses only the WHATWG URL parser.
 */

/** A server address as requests use it, and as messages show it (no credentials). */
export interface ServerAddress {
  /** Scheme, host, port and path prefix, without a trailing slash or `/v1`: requests append `/props`, `/v1/models`… */
  readonly base: string;
  /** What messages show: the same, with any user:password removed. */
  readonly display: string;
}

/** Longest URL accepted: a typo'd paste of a whole document is not an address. */
export const maxServerUrlLength = 2048;

/**
 * Parses a server URL. Accepted: `http://` or `https://` with a host, an optional port and an
 * optional path prefix (a reverse proxy's `/llama`). A trailing `/` and a trailing `/v1` are
 * dropped, since users paste the OpenAI base URL (`http://localhost:8000/v1`) and the checks need
 * the server root (`/props`, `/api/ps`, `/metrics` live outside `/v1`). A query or fragment is
 * refused: nothing the checks send could use it.
 *
 * @returns the address, or one sentence saying what is wrong (without naming the setting: the face adds that).
 */
export function parseServerUrl(text: string): ServerAddress | { readonly error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'is empty' };
  if (trimmed.length > maxServerUrlLength) {
    return {
      error: `is ${trimmed.length.toLocaleString('en-US')} characters long; a server URL is at most ${maxServerUrlLength.toLocaleString('en-US')}`,
    };
  }
  // `localhost:8080` parses as the scheme "localhost:"; say what is missing instead.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return { error: `has no http:// or https:// (did you mean http://${trimmed.slice(0, 100)}?)` };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return {
      error:
        'is not a URL (expected e.g. http://127.0.0.1:8080 for llama-server, http://127.0.0.1:11434 for Ollama, http://127.0.0.1:8000 for vLLM)',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `uses ${url.protocol.replace(/:$/, '')}:, but only http:// and https:// servers can be checked` };
  }
  if (url.hostname === '') return { error: 'has no host' };
  if (url.search !== '' || url.hash !== '') return { error: 'has a query or fragment; give the server root (e.g. http://127.0.0.1:8080)' };
  let path = url.pathname.replace(/\/+$/, '');
  if (/\/v1$/i.test(path)) path = path.slice(0, -3);
  const origin = `${url.protocol}//${url.host}`;
  const credentials = url.username !== '' ? `${url.username}${url.password !== '' ? `:${url.password}` : ''}@` : '';
  return { base: `${url.protocol}//${credentials}${url.host}${path}`, display: `${origin}${path}` };
}
