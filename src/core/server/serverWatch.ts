import { checkServer } from './serverCheck';
import type { ServerCheck, ServerHttp } from './serverCheck';
import { parseServerUrl } from './serverUrl';
import type { ServerAddress } from './serverUrl';

/** Makes the HTTP port for one server address (the Node adapter in the CLI and the extension, a fake in tests). */
export type ServerHttpFactory = (address: ServerAddress) => ServerHttp;

/**
 * Runs one check of `urlText` ({@link runServerCheck} with a face's HTTP port). A function rather than
 * the port itself so the extension can load the checker, and its response parsers, only once a server
 * is set (its second bundle, issue 13).
 */
export type ServerCheckRunner = (urlText: string, name: string, signal: AbortSignal) => Promise<ServerCheck>;

/** The runner that checks through `http`. */
export function serverCheckRunner(http: ServerHttpFactory): ServerCheckRunner {
  return (urlText, name, signal) => runServerCheck(urlText, name, http, signal);
}

/**
 * One check of the server at `urlText`, every failure worded for the face that asked: `name` is the
 * setting or flag (`contextBudget.server`, `--server`), and each failed check's message starts with it.
 */
export async function runServerCheck(urlText: string, name: string, http: ServerHttpFactory, signal?: AbortSignal): Promise<ServerCheck> {
  const address = parseServerUrl(urlText);
  if ('error' in address) {
    return {
      status: 'failed',
      url: urlText.trim().slice(0, 200),
      message: `${name} ${JSON.stringify(urlText.trim().slice(0, 200))} ${address.error}.`,
    };
  }
  const check = await checkServer(address, http(address), signal);
  return check.status === 'failed' ? { ...check, message: `${name} ${address.display}: ${check.message}` } : check;
}

/**
 * Keeps the live check in step with a server setting: a new URL (or a recheck) starts a check and
 * cancels the one in flight; a result is delivered only if no newer check was started since, so a
 * slow answer from an old URL can never replace the answer for the current one. Asynchronous and
 * never awaited by the caller: nothing waits on a server.
 */
export class ServerWatch {
  private url = '';
  private generation = 0;
  private controller: AbortController | undefined;
  private running: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly name: string,
    private readonly check: ServerCheckRunner,
    /** Receives `checking`, then the result; null when the setting is cleared. */
    private readonly deliver: (check: ServerCheck | null) => void,
  ) {}

  /** Applies the setting's current value: checks a new URL, clears on '', does nothing when unchanged. */
  update(urlText: string): void {
    const url = urlText.trim();
    if (url === this.url) return;
    this.url = url;
    this.start();
  }

  /** Checks the current URL again (the server may have been restarted with another context). */
  recheck(): void {
    this.start();
  }

  /** Resolves when the check in flight (if any) has delivered its result. */
  settled(): Promise<void> {
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.controller?.abort();
  }

  private start(): void {
    if (this.disposed) return;
    this.controller?.abort();
    const generation = ++this.generation;
    if (this.url === '') {
      this.controller = undefined;
      this.running = Promise.resolve();
      this.deliver(null);
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    const url = this.url;
    const display = parseServerUrl(url);
    this.deliver({ status: 'checking', url: 'error' in display ? url : display.display });
    this.running = this.check(url, this.name, controller.signal).then(
      (check) => {
        if (generation === this.generation && !this.disposed) this.deliver(check);
      },
      (error: unknown) => {
        if (generation === this.generation && !this.disposed) {
          this.deliver({
            status: 'failed',
            url,
            message: `${this.name} ${url}: the check failed: ${(error as Error)?.message ?? String(error)}`,
          });
        }
      },
    );
  }
}
