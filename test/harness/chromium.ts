// The one headless Chromium launch shared by the integration harness (codeServerExecutable.js, which
// requires the compiled out/test/harness/chromium.js), the Playwright UI tests and the panel bench.
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const chromiumExecutable = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Headless Chromium without a sandbox (containers run as root), a GPU, or any traffic of its own
 * (updates, sync, QUIC probes): the machines these run on reach only the npm registry.
 */
export function launchHeadlessChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
