/** What the panel page links to; all of it comes from the extension's own dist/ and media/ folders. */
export interface PanelPageResources {
  /** `webview.cspSource`: the only origin scripts, styles, fonts and images may come from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly codiconUri: string;
}

/**
 * The panel's HTML shell. Strict CSP: nothing loads from anywhere but the extension, the one script
 * runs only with this page's nonce, and no inline script, handler or style is allowed. The body is
 * empty: the webview bundle builds every element with textContent, so names are never parsed as HTML.
 */
export function panelHtml(resources: PanelPageResources): string {
  const { cspSource, nonce } = resources;
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(resources.codiconUri)}">
<link rel="stylesheet" href="${escapeAttribute(resources.styleUri)}">
<title>Context Budget</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading Context Budget…</p></main>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(resources.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random bytes as hex: a fresh nonce per page load. */
export function makeNonce(randomBytes: (size: number) => Uint8Array): string {
  return [...randomBytes(32)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
